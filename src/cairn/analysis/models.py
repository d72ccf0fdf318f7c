"""The victim's answers to a risk questionnaire. Rows are append-only (the latest answers of
a vault for a form are its current ones), written only by ``cairn.analysis.services`` and read
through ``cairn.analysis.access``. The answers are sensitive, so they are sealed with the
vault's data key like the vault's other free text (``cairn.store.sealed``)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from cairn.store.sealed import SealedField, SealedFields


class RiskAnswers(SealedFields, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vault = models.ForeignKey("vault.Vault", on_delete=models.CASCADE, related_name="risk_answers")
    form_id = models.CharField(max_length=64)
    form_version = models.PositiveIntegerField()
    sealed = models.BinaryField(default=b"", editable=False)
    answers = SealedField({})
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["vault", "form_id", "-created_at"], name="risk_answers_latest_idx")
        ]

    def __str__(self) -> str:
        return f"Answers to {self.form_id} v{self.form_version}"
