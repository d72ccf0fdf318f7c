"""The victim's own statement draft, kept between pack builds (sealed like her other text)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from cairn.store.sealed import SealedField, SealedFields


class StatementDraft(SealedFields, models.Model):
    """The first-person narrative as the victim last corrected it. Rows are append-only: the
    latest row of a vault is the current draft, earlier ones are its history."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vault = models.ForeignKey(
        "vault.Vault", on_delete=models.CASCADE, related_name="statement_drafts"
    )
    sealed = models.BinaryField(default=b"", editable=False)
    text = SealedField("")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["vault", "-created_at"], name="statement_latest_idx")]

    def __str__(self) -> str:
        return "Statement draft"


class PackJobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Making the pack"
    DONE = "done", "Ready"
    FAILED = "failed", "Could not be made"


class PackJob(SealedFields, models.Model):
    """An evidence pack being made in the background (cairn/packs/jobs.py).

    What she chose (the selection, the statement, how it is protected: a passphrase too) is
    sealed with her vault's key, and the passphrase is wiped once the pack is made. The
    finished pack waits in her vault's encrypted store under its SHA-256 until she downloads
    it, for ``RESULT_HOURS`` at most. Progress is counts and a phase, never content.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vault = models.ForeignKey("vault.Vault", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=16, choices=PackJobStatus.choices, default=PackJobStatus.QUEUED
    )
    phase = models.CharField(max_length=16, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=500, blank=True, help_text="What to do; no content.")
    sealed = models.BinaryField(default=b"", editable=False)
    options = SealedField(None)
    result_sha256 = models.CharField(max_length=64, blank=True)
    result_name = models.CharField(max_length=80, blank=True)
    result_size = models.PositiveBigIntegerField(default=0)
    encrypted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return "Pack job"

    @property
    def finished(self) -> bool:
        return self.status in (PackJobStatus.DONE, PackJobStatus.FAILED)
