"""The "Breaches" section of the officer's case page (docs/adr/0020), read through
``cairn.breaches.access`` so the case page's view needs no change for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from cairn.breaches import access as breach_access
from cairn.breaches.models import Breach
from cairn.orders.words import term_label

register = template.Library()


@dataclass(frozen=True)
class BreachRow:
    breach: Breach
    term: str


@register.simple_tag(takes_context=True)
def case_breaches(context: template.Context, case: Any) -> list[BreachRow]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return [
        BreachRow(b, term_label(b.term) if b.term is not None else "The order as a whole")
        for b in breach_access.breaches_readable_by(user, case)
    ]
