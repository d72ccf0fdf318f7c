"""Who may read which breach (docs/adr/0020).

- The investigators and supervisors of the case's unit: every breach of the case, reached
  through the case (``cairn.cases.access.cases_readable_by``). A breach looked up through
  another case's address is "not found", like anything else they may not read.
- The victim: the breaches she reported herself from her vault, with their outcomes; not
  those an officer recorded, nor anyone else's.

Anything else is "not found" (404), never "forbidden".
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from cairn.breaches.models import Breach, BreachSource
from cairn.cases.access import cases_readable_by, shares_of_owner
from cairn.cases.models import Case, Share
from cairn.orders.models import Order
from cairn.vault.models import Vault


def breaches_readable_by(user: Any, case: Case) -> QuerySet[Breach]:
    return Breach.objects.filter(case__in=cases_readable_by(user), case=case).select_related(
        "order", "term", "reported_by"
    )


def get_breach_for_user(user: Any, case: Case, pk: Any) -> Breach:
    try:
        return (
            breaches_readable_by(user, case)
            .select_related("case", "order__application", "vault")
            .get(pk=pk)
        )
    except (Breach.DoesNotExist, ValueError, TypeError):
        raise Http404("No such breach") from None


def breaches_reported_by(user: Any, vault: Vault) -> QuerySet[Breach]:
    """For the vault's owner: the breaches she reported from it, newest first."""
    if user is None or not getattr(user, "is_authenticated", False) or vault.owner_id != user.pk:
        return Breach.objects.none()
    return (
        Breach.objects.filter(vault=vault, reported_by=user, source=BreachSource.VICTIM)
        .select_related("order", "term", "incident", "case__unit", "case__organisation")
        .prefetch_related("outcomes")
    )


def get_reported_breach(user: Any, vault: Vault, pk: Any) -> Breach:
    try:
        return breaches_reported_by(user, vault).get(pk=pk)
    except (Breach.DoesNotExist, ValueError, TypeError):
        raise Http404("No such report") from None


def orders_for_victim(user: Any, vault: Vault) -> list[tuple[Share, Order]]:
    """For the vault's owner: each order in force on a case she shares her log with now, or
    ended in the last few weeks (``orders_reportable``), with the share (so she can tell them
    apart, and report a breach of one)."""
    from cairn.orders.services import orders_reportable

    found = []
    shares = (
        shares_of_owner(user, vault)
        .filter(withdrawn_at__isnull=True, case__isnull=False)
        .order_by("created_at")
    )
    for share in shares:
        found.extend((share, order) for order in orders_reportable(share.case))
    return found
