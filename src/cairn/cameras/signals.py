"""Deleting an incident erases what the cameras kept of it (connected by ``apps.ready``)."""

from __future__ import annotations

from typing import Any

from cairn.vault.models import Incident


def incident_saved(sender: Any, instance: Incident, **kwargs: Any) -> None:
    """A deleted incident takes its cameras' words with it (in the deletion's transaction)."""
    if instance.deleted_at is not None and instance.deleted_by is not None:
        # Imported here, on a deletion, not when Cairn starts: the services bring the case
        # services and the analysis engine with them (about half a second of every command).
        from cairn.cameras import services

        services.erase_cameras_of(instance, instance.deleted_by)
