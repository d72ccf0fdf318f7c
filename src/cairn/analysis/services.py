"""The only write path for analysis data: the victim's answers to a risk questionnaire.

Takes the acting user, checks they own the vault, validates the answers against the form,
and stores them in one transaction with their audit record and ledger entry
(``cairn.vault.services.record_change``). Bad answers raise ``ValidationError`` keyed by
question id and change nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from cairn.accounts.models import User
from cairn.analysis.models import RiskAnswers
from cairn.analysis.questionnaire import AnswerError, FormDefinition, clean_answers
from cairn.vault.models import Vault
from cairn.vault.services import record_change, require_owner


def risk_answers_content(row: RiskAnswers) -> dict[str, Any]:
    """The canonical content the ledger entry hashes (never stored in the ledger itself)."""
    return {
        "id": str(row.pk),
        "vault": str(row.vault_id),
        "form": row.form_id,
        "version": row.form_version,
        "answers": row.answers,
    }


def record_risk_answers(
    *, actor: User, vault: Vault, form: FormDefinition, answers: Mapping[str, Any]
) -> RiskAnswers:
    require_owner(actor, vault)
    try:
        cleaned = clean_answers(form, answers)
    except AnswerError as exc:
        raise ValidationError({key: [message] for key, message in exc.errors.items()}) from None
    with transaction.atomic():
        row = RiskAnswers(vault=vault, form_id=form.id, form_version=form.version, created_by=actor)
        row.answers = cleaned
        row.save()
        record_change(
            actor=actor,
            vault=vault,
            action="risk.answered",
            obj=row,
            content=risk_answers_content(row),
            detail={"form": form.id, "version": form.version, "answered": len(cleaned)},
        )
    return row
