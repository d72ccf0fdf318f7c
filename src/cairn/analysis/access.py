"""Who may read risk answers: whoever may read the vault (today its owner only)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cairn.analysis.models import RiskAnswers
from cairn.vault import access as vault_access
from cairn.vault.models import Vault


def risk_answers_readable_by(user: Any, vault: Vault | None = None) -> QuerySet[RiskAnswers]:
    qs = RiskAnswers.objects.filter(vault__in=vault_access.vaults_readable_by(user))
    return qs.filter(vault=vault) if vault is not None else qs


def latest_risk_answers(user: Any, vault: Vault, form_id: str) -> RiskAnswers | None:
    return (
        risk_answers_readable_by(user, vault)
        .filter(form_id=form_id)
        .order_by("-created_at", "-id")
        .first()
    )
