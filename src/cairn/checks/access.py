"""The read path of the checks: the indicator data in use, and a vault's pending checks and
marks for a user who may read the vault (404 otherwise, as in ``cairn.vault.access``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from cairn.checks.models import IndicatorSet, OwnMark, PendingCheck
from cairn.vault.access import vaults_readable_by
from cairn.vault.models import Vault


def current_indicator_set() -> IndicatorSet | None:
    """The newest indicator set loaded: reference data, the same for every user."""
    return IndicatorSet.objects.order_by("-loaded_at").first()


def indicator_sets() -> QuerySet[IndicatorSet]:
    return IndicatorSet.objects.order_by("-loaded_at")


def pending_checks_of(user: Any, vault: Vault) -> QuerySet[PendingCheck]:
    return PendingCheck.objects.filter(vault__in=vaults_readable_by(user), vault=vault)


def get_pending_check_for_user(user: Any, vault: Vault, pk: Any, kind: str) -> PendingCheck:
    try:
        return (
            pending_checks_of(user, vault)
            .select_related("vault", "indicator_set")
            .get(pk=pk, kind=kind)
        )
    except (PendingCheck.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404("No such check") from None


def marks_of(user: Any, vault: Vault) -> QuerySet[OwnMark]:
    return OwnMark.objects.filter(vault__in=vaults_readable_by(user), vault=vault)


def get_mark_for_user(user: Any, vault: Vault, pk: Any) -> OwnMark:
    try:
        return marks_of(user, vault).select_related("vault").get(pk=pk)
    except (OwnMark.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404("No such mark") from None
