"""Who may read SPO applications and orders: the case roles of the case's unit, exactly as
for the case itself (``cairn.cases.access``); anything else is "not found"."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from cairn.cases.access import cases_readable_by
from cairn.orders.models import (
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    NotificationEvent,
    Order,
)


def applications_readable_by(user: Any) -> QuerySet[Application]:
    return Application.objects.filter(case__in=cases_readable_by(user))


def get_application_for_user(user: Any, pk: Any) -> Application:
    try:
        return applications_readable_by(user).select_related("case").get(pk=pk)
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404("No such application") from None


def orders_readable_by(user: Any) -> QuerySet[Order]:
    return Order.objects.filter(application__case__in=cases_readable_by(user))


def get_order_for_user(user: Any, pk: Any) -> Order:
    try:
        return orders_readable_by(user).select_related("application__case").get(pk=pk)
    except (Order.DoesNotExist, ValueError, TypeError):
        raise Http404("No such order") from None


def get_case_order_for_user(user: Any, case: Any, pk: Any) -> Order:
    """An order made on ``case`` that ``user`` may read; 404 for any other, including an order
    of another case looked up through this case's address."""
    order = get_order_for_user(user, pk)
    if order.application.case_id != case.pk:
        raise Http404("No such order")
    return order


def get_notification(order: Order, pk: Any) -> NotificationEvent:
    """One of the defendant's notifications (s.9) on ``order``'s application, or 404."""
    try:
        return order.application.notifications.get(pk=pk)
    except (NotificationEvent.DoesNotExist, ValueError):
        raise Http404("No such notification") from None


def notifications_readable_by(user: Any) -> QuerySet[NotificationEvent]:
    """The defendant's notifications (s.9) on the applications ``user`` may read."""
    return NotificationEvent.objects.filter(application__in=applications_readable_by(user))


def hearings_readable_by(user: Any) -> QuerySet[ApplicationStatusChange]:
    """The hearings of the applications ``user`` may read: each "hearing listed" step, and
    the first hearing when one was given on submission."""
    return ApplicationStatusChange.objects.filter(
        application__in=applications_readable_by(user),
        status__in=(ApplicationStatus.HEARING_LISTED, ApplicationStatus.SUBMITTED),
        hearing_on__isnull=False,
    )


def shared_incident_ids(user: Any, vault: Any, case: Any, numbers: Any) -> dict[int, Any]:
    """{number: id} of the incidents numbered ``numbers`` that ``user`` may read in ``vault``
    through its share with ``case``: enough to link the evidence of an application's grounds
    to the shared incident pages (those pages audit the read). Numbers and ids only."""
    from cairn.cases.access import scope_for
    from cairn.vault.models import Incident

    scope = scope_for(user, vault, case)
    if scope.empty:
        return {}
    live = Incident.objects.filter(vault=vault, number__in=list(numbers), deleted_at__isnull=True)
    if not scope.everything:
        live = live.filter(pk__in=scope.incident_ids)
    return dict(live.values_list("number", "id"))


def get_status_change(application: Application, pk: Any) -> ApplicationStatusChange:
    """A step of ``application`` (which the caller already read through
    ``get_application_for_user``)."""
    try:
        return application.status_changes.get(pk=pk)
    except (ApplicationStatusChange.DoesNotExist, ValueError, TypeError):
        raise Http404("No such step") from None
