"""Cameras that may have recorded an incident, and what became of each request for footage.

A ``Camera`` belongs to one incident of the victim's vault. What she types about it (who owns
it, where it is, what she knows of how long it keeps footage) is sealed with the vault's key,
like every free text of a vault (``cairn.store.sealed``); what stays in clear columns is what
the database must filter and order on: the kind, her figure in days, the status, dates.

What happened to it is a row per step, ``CameraStatusChange``, append-only: who, when, the
ask-by date as it stood then (and whether the step came in time), the case the step was made
for, and for footage collected the continuity (who, when, from whom, how) and the exhibit it
became. ``Camera.status`` keeps the latest step so lists need no subquery.

Rows are written only by ``cairn.cameras.services``; reads go through ``cairn.cameras.access``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from cairn.cameras.retention import Kind
from cairn.store.sealed import SealedField, SealedFields

KIND_CHOICES = [(kind.value, kind.value.replace("_", " ")) for kind in Kind]


class Appears(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_SURE = "not_sure", "Not sure"


class CameraStatus(models.TextChoices):
    """Her words for each step; officers' pages use ``OFFICER_WORDS``."""

    NOT_ASKED = "not_asked", "Nobody has asked yet"
    SHE_ASKED = "she_asked", "You asked for it"
    HANDED = "handed", "You asked the police to get it"
    REQUESTED = "requested", "The police asked for it"
    COLLECTED = "collected", "The police have the footage"
    NOT_KEPT = "not_kept", "It was not kept"
    REFUSED = "refused", "They refused"


OFFICER_WORDS = {
    CameraStatus.NOT_ASKED: "Nobody has asked",
    CameraStatus.SHE_ASKED: "Asked by the victim",
    CameraStatus.HANDED: "Handed to the police by the victim: not yet requested",
    CameraStatus.REQUESTED: "Requested by the police",
    CameraStatus.COLLECTED: "Footage collected",
    CameraStatus.NOT_KEPT: "Not kept (footage lost)",
    CameraStatus.REFUSED: "Refused",
}
# Nobody has asked the camera's owner for the footage yet (a hand-over asks the police to).
UNASKED = frozenset({CameraStatus.NOT_ASKED, CameraStatus.HANDED})
# The steps that close a camera: nothing more to ask.
SETTLED = frozenset({CameraStatus.COLLECTED, CameraStatus.NOT_KEPT, CameraStatus.REFUSED})


class Camera(SealedFields, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vault = models.ForeignKey("vault.Vault", on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey("vault.Incident", on_delete=models.CASCADE, related_name="cameras")
    number = models.PositiveIntegerField(help_text="Per vault: camera 1, 2, 3...")
    kind = models.CharField(max_length=32, choices=KIND_CHOICES)
    kept_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How long she says it keeps footage, if she knows."
    )
    appears = models.CharField(max_length=8, choices=Appears.choices, default=Appears.NOT_SURE)
    status = models.CharField(
        max_length=16, choices=CameraStatus.choices, default=CameraStatus.NOT_ASKED
    )
    # The case she handed it to, when she did (the police read it through her share).
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    footage = models.ForeignKey(
        "vault.Exhibit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sealed = models.BinaryField(default=b"", editable=False)
    owner = SealedField("")  # who runs it: "the corner shop", "Mr Patel at number 12"
    place = SealedField("")  # where the camera is
    kept_words = SealedField("")  # what she knows of how long it keeps footage, in her words
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    erased = models.BooleanField(default=False)  # its incident was deleted: the words are gone

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["vault", "number"], name="camera_number_unique")
        ]
        indexes = [models.Index(fields=["vault", "status"], name="camera_vault_status_idx")]

    def __str__(self) -> str:
        return f"Camera {self.number}"

    @property
    def kind_enum(self) -> Kind:
        return Kind(self.kind)

    @property
    def unasked(self) -> bool:
        return self.status in UNASKED


class CameraStatusChange(SealedFields, models.Model):
    """One step of what became of a camera's footage (append-only)."""

    # A UUID, not a sequence: sealed values are bound to the row's key, known before saving.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vault = models.ForeignKey("vault.Vault", on_delete=models.CASCADE, related_name="+")
    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="changes")
    seq = models.PositiveIntegerField(help_text="Per camera: step 1, 2, 3...")
    status = models.CharField(max_length=16, choices=CameraStatus.choices)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The case an officer acted for.",
    )
    ask_by = models.DateField(help_text="The ask-by date as it stood at this step.")
    in_time = models.BooleanField(help_text="The step was taken on or before its ask-by date.")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Continuity of footage collected: who (``by``), when, from whom, how.
    collected_at = models.DateTimeField(null=True, blank=True)
    exhibit = models.ForeignKey(
        "vault.Exhibit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sealed = models.BinaryField(default=b"", editable=False)
    note = SealedField("")
    collected_from = SealedField("")
    collected_how = SealedField("")

    class Meta:
        ordering = ["camera", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["camera", "seq"], name="camera_change_seq_unique")
        ]
        indexes = [models.Index(fields=["case", "status", "at"], name="camera_change_case_idx")]

    def __str__(self) -> str:
        return self.get_status_display()
