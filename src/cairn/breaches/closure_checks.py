"""What the breaches app says stands in the way of closing a case (issue 15, point 7): a
breach, or a failure to notify, with no outcome recorded. Registered with the closure guard
(``cairn.cases.closure_hooks.register_blocker``) by ``BreachesConfig.ready``, after the
orders app's own checks. Plain words with dates only."""

from __future__ import annotations

from django.utils import timezone

from cairn.breaches.models import Breach
from cairn.cases.models import Case


def breach_blockers(case: Case) -> list[str]:
    found = []
    for breach in Breach.objects.filter(case=case, outcome=""):
        day = timezone.localdate(breach.occurred_at)
        found.append(f"the breach of {day.day} {day:%B %Y} has no outcome recorded")
    return found
