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
    vault = models.ForeignKey("vault.Vault", on_delete=models.CASCADE,
                              related_name="statement_drafts")
    sealed = models.BinaryField(default=b"", editable=False)
    text = SealedField("")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["vault", "-created_at"], name="statement_latest_idx")]

    def __str__(self) -> str:
        return "Statement draft"
