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


class IncidentFacts(SealedFields, models.Model):
    """What one incident revision's words show (``cairn.analysis.derived``), kept so the
    analysis reads each revision's words once (ADR 0045).

    Derived, not evidence: written by ``cairn.analysis.kept`` when the analysis finds it
    missing, with no ledger entry or audit record (it records nothing the vault did not
    already hold), and read again only for the same revision, rules version and words (the
    sealed ``digest``). Sealed like the vault's text: the facts and the digest of the words
    they came from say something about them. Deleting the incident deletes its facts."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vault = models.ForeignKey("vault.Vault", on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey("vault.Incident", on_delete=models.CASCADE, related_name="+")
    revision = models.PositiveIntegerField()
    version = models.CharField(max_length=64)
    sealed = models.BinaryField(default=b"", editable=False)
    facts = SealedField([])
    digest = SealedField("")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "revision", "version"], name="incident_facts_unique"
            ),
        ]
        indexes = [models.Index(fields=["vault", "version"], name="incident_facts_vault_idx")]

    def __str__(self) -> str:
        return f"Facts of revision {self.revision}"


class KeptAnalysis(models.Model):
    """The last analysis of a vault (one per person, ``engine.PeopleAnalysis``) for one reader
    and scope, with the ledger size and the time it was worked out at (ADR 0045).

    Valid while the vault's ledger has the same size (every change to a vault appends an
    entry), the analysis code, the answers, the form and the scope are the same, and for
    ``cairn.analysis.kept.KEPT_FOR`` after ``analysed_at`` (some findings, such as how long it
    has been quiet, depend on the time). ``result`` is sealed with the vault's key like its
    other text: it quotes places and names. Derived, not evidence: no ledger entry."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vault = models.ForeignKey("vault.Vault", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64, help_text="Who reads it and what of the vault.")
    ledger_size = models.PositiveBigIntegerField()
    version = models.CharField(max_length=64)
    inputs = models.CharField(max_length=64, help_text="Digest of the answers, form and zone.")
    analysed_at = models.DateTimeField()
    result = models.BinaryField(editable=False)
    text = models.BinaryField(null=True, editable=False, help_text="Its JSON, once asked for.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vault", "key"], name="kept_analysis_unique"),
        ]

    def __str__(self) -> str:
        return f"Analysis at {self.ledger_size} entries"
