"""What the orders app says stands in the way of closing a case (issue 15, point 7),
registered with the closure guard (``cairn.cases.closure_hooks.register_blocker``) by
``OrdersConfig.ready``: an order in force, an application or interim application still
before the court. Plain words with dates and kinds only. A breach with no outcome is the
breaches app's to say (``cairn.breaches.closure_checks``)."""

from __future__ import annotations

from cairn.cases.models import Case
from cairn.orders import rules, services
from cairn.orders.models import Application, ApplicationStatus

# The main application is before the court (or an appeal is) in these states.
LIVE_APPLICATION = frozenset(
    {
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.HEARING_LISTED,
        ApplicationStatus.APPEALED_BY_APPLICANT,
        ApplicationStatus.APPEALED_BY_RESPONDENT,
    }
)


def _day(value: object) -> str:
    return f"{value.day} {value:%B %Y}"  # type: ignore[attr-defined]


def order_blockers(case: Case) -> list[str]:
    found = []
    for order in services.orders_in_force(case):
        until = (
            f"until the end of {_day(order.expires_on)}"
            if order.expires_on
            else "until further order"
        )
        found.append(
            f"the {order.get_kind_display()} made on {_day(order.made_on)} is in force ({until})"
        )
    for application in Application.objects.filter(case=case):
        if application.status in LIVE_APPLICATION:
            found.append(
                f"the SPO application started {_day(application.created_at)} is "
                f"'{application.get_status_display()}'"
            )
        state = services.interim_state(application)
        if state in (rules.INTERIM_LIVE - rules.INTERIM_IN_FORCE):
            found.append(f"an interim order applied for is '{ApplicationStatus(state).label}'")
    return found
