"""What deleting an incident takes with it from what the analysis keeps. Connected by
``AnalysisConfig.ready``; kept apart from ``kept`` so that starting a command does not import
the analysis engine (numpy, scipy) to connect a signal."""

from __future__ import annotations

from typing import Any

from cairn.analysis.models import IncidentFacts, KeptAnalysis


def forget_incident(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A deleted incident takes its facts and the vault's kept analyses with it (in the
    deletion's transaction): its words must survive nowhere."""
    if instance.deleted_at is not None:
        IncidentFacts.objects.filter(incident_id=instance.pk).delete()
        KeptAnalysis.objects.filter(vault_id=instance.vault_id).delete()
