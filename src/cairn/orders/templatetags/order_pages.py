"""The "Protective orders" section of the officer's case page, as an inclusion tag, so the
case page (``cairn.cases``, a lower layer) shows it without importing ``cairn.orders``:
its applications and orders, and its deadlines, read through ``cairn.orders.access``."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from cairn.orders.access import applications_readable_by
from cairn.orders.deadlines import case_deadlines

register = template.Library()


@register.inclusion_tag("orders/_case_spo.html", takes_context=True)
def case_orders(context: template.Context, case: Any) -> dict[str, Any]:
    user = getattr(context.get("request"), "user", None)
    return {
        "case": case,
        "spo_applications": list(applications_readable_by(user).filter(case=case)),
        "spo_deadlines": case_deadlines(user, case, timezone.localdate()),
    }
