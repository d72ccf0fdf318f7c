"""Who may read which cameras: the one place cameras are looked up for a user.

- **The vault's owner** reads the cameras of her own incidents (``cameras_of``,
  ``get_camera_for_user``), as she reads the rest of her log through ``cairn.vault.access``.
- **An investigator or supervisor** reads, through a case, the cameras of the incidents the
  victim's live share with that case covers, exactly as they read the incidents themselves
  (``cairn.cases.access.scope_for``). Every such read is audited with its purpose before it
  returns, so it is in her "Who has looked at my log" (``shared_cameras``,
  ``get_shared_camera``).
- Nobody else reads a camera. Anything not readable is "not found" (404), never "forbidden".

Cameras of a deleted incident are never read: deleting the incident erased their words.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from cairn.cameras.models import Camera, CameraStatusChange
from cairn.cases import access as case_access
from cairn.cases.models import Case
from cairn.vault import access as vault_access
from cairn.vault.models import Incident, Vault


def _live(cameras: QuerySet[Camera]) -> QuerySet[Camera]:
    return cameras.filter(erased=False, incident__deleted_at__isnull=True)


# --- the owner ----------------------------------------------------------------------------------


def cameras_of(user: Any, vault: Vault | None = None) -> QuerySet[Camera]:
    """The owner's cameras (of one vault, or of every vault she reads)."""
    vaults = vault_access.vaults_readable_by(user)
    if vault is not None:
        vaults = vaults.filter(pk=vault.pk)
    return _live(Camera.objects.filter(vault__in=vaults)).select_related("incident", "vault")


def cameras_of_incident(user: Any, incident: Incident) -> QuerySet[Camera]:
    return cameras_of(user).filter(incident=incident)


def get_camera_for_user(user: Any, pk: Any) -> Camera:
    try:
        return cameras_of(user).get(pk=pk)
    except (Camera.DoesNotExist, ValueError, TypeError):
        raise Http404("No such camera") from None


def changes_of(camera: Camera) -> QuerySet[CameraStatusChange]:
    """The steps of a camera the caller obtained through an access function, oldest first."""
    return (
        CameraStatusChange.objects.filter(camera=camera)
        .select_related("by", "exhibit", "case")
        .order_by("seq")
    )


# --- officers, through the victim's consent -----------------------------------------------------


def cameras_in_scope(user: Any, vault: Vault, case: Case) -> QuerySet[Camera]:
    """The cameras of ``vault`` within what its live share with ``case`` lets ``user`` read
    (not audited: for checks of authority; reads go through ``shared_cameras``)."""
    scope = case_access.scope_for(user, vault, case)
    if scope.empty:
        return Camera.objects.none()
    cameras = _live(Camera.objects.filter(vault=vault))
    if not scope.everything:
        cameras = cameras.filter(incident_id__in=scope.incident_ids)
    return cameras


def shared_cameras(user: Any, vault: Vault, *, purpose: str, case: Case) -> list[Camera]:
    """The cameras of ``vault`` this user reads through ``case``, by incident; audited."""
    case_access.check_purpose(purpose)
    cameras = list(
        cameras_in_scope(user, vault, case)
        .select_related("incident")
        .order_by("incident__start", "number")
    )
    if cameras:
        case_access.record_read(
            user, vault, what="cameras", ids=[c.pk for c in cameras], purpose=purpose, case=case
        )
    return cameras


def case_cameras(user: Any, case: Case, *, purpose: str) -> list[tuple[Vault, list[Camera]]]:
    """Every shared log of ``case`` with the cameras this user reads in it (audited)."""
    found = []
    for vault in case_access.vaults_shared_with(user, case).order_by("created_at"):
        cameras = shared_cameras(user, vault, purpose=purpose, case=case)
        if cameras:
            found.append((vault, cameras))
    return found


def _shared_vault_of(user: Any, case: Case, pk: Any) -> tuple[Camera, Vault] | None:
    try:
        camera = Camera.objects.select_related("incident", "vault").get(pk=pk)
    except (Camera.DoesNotExist, ValueError, TypeError, ValidationError):
        return None
    vault = case_access.vaults_shared_with(user, case).filter(pk=camera.vault_id).first()
    if vault is None or not cameras_in_scope(user, vault, case).filter(pk=camera.pk).exists():
        return None
    return camera, vault


def case_has_camera(user: Any, case: Case, pk: Any) -> bool:
    """Whether ``user`` may read this camera through ``case`` (reads nothing of it)."""
    return _shared_vault_of(user, case, pk) is not None


def get_shared_camera(user: Any, case: Case, pk: Any, *, purpose: str) -> Camera:
    """One camera of a log shared with ``case``, within the share's scope; audited."""
    case_access.check_purpose(purpose)
    found = _shared_vault_of(user, case, pk)
    if found is None:
        raise Http404("No such camera")
    camera, vault = found
    case_access.record_read(user, vault, what="camera", ids=[camera.pk], purpose=purpose, case=case)
    return camera
