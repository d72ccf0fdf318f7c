"""The officer's pages for the defendant's notification (ss.9-11), from the order page: a
change he must notify (s.9(3)-(4)), how a notification was given (s.10), sex offender
notification and its end (s.9(5)-(7)). A failure to notify (s.11) is recorded as a breach,
on the breaches app's page (``cairn.breaches.views.notification_failure``). Who may act,
and how refusals look, as in ``views_applications``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from cairn.orders import notification
from cairn.orders.access import get_notification
from cairn.orders.forms import ChangeForm, NotifiedForm, RegisterForm
from cairn.orders.models import Order
from cairn.orders.views_applications import _act, _order


def notification_rows(order: Order) -> list[dict[str, Any]]:
    """Every notification the defendant owed under the order's application (the person's
    duty, whichever order of the chain was in effect), oldest first, with its state today."""
    rows = []
    for event in order.application.notifications.select_related("order"):
        late = event.notified_on is not None and event.notified_on > event.due_on
        rows.append(
            {
                "event": event,
                "late": late,
                "overdue": notification.overdue(event),
                "failure": event.failures.first(),
            }
        )
    return rows


def _back(order: Order) -> str:
    return reverse("orders:spo-order", args=[order.application.case_id, order.pk]) + "#notification"


def _refused(request: HttpRequest, form: Any, order: Order) -> HttpResponse:
    for message in [m for errors in form.errors.values() for m in errors]:
        messages.error(request, message)
    return redirect(_back(order))


@login_required
@require_POST
def change_new(request: HttpRequest, case_id: str, order_id: str) -> HttpResponse:
    _case, order = _order(request, case_id, order_id)
    form = ChangeForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if (
            _act(
                lambda: notification.record_change(
                    actor=request.user,
                    application=order.application,
                    kind=d["kind"],
                    started_on=d["started_on"],
                    notified_on=d["notified_on"],
                    station=d["station"],
                    acknowledged_in_writing=d["acknowledged_in_writing"],
                    fingerprints_taken=d["fingerprints_taken"],
                    photographs_taken=d["photographs_taken"],
                ),
                form,
            )
            is not None
        ):
            messages.success(request, "Change recorded")
            return redirect(_back(order))
    return _refused(request, form, order)


@login_required
@require_POST
def given(request: HttpRequest, case_id: str, order_id: str, event_id: str) -> HttpResponse:
    _case, order = _order(request, case_id, order_id)
    event = get_notification(order, event_id)
    form = NotifiedForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if (
            _act(
                lambda: notification.record_given(
                    actor=request.user,
                    event=event,
                    notified_on=d["notified_on"],
                    station=d["station"],
                    acknowledged_in_writing=d["acknowledged_in_writing"],
                    fingerprints_taken=d["fingerprints_taken"],
                    photographs_taken=d["photographs_taken"],
                ),
                form,
            )
            is not None
        ):
            messages.success(request, "Notification recorded")
            return redirect(_back(order))
    return _refused(request, form, order)


@login_required
@require_POST
def register(request: HttpRequest, case_id: str, order_id: str) -> HttpResponse:
    _case, order = _order(request, case_id, order_id)
    form = RegisterForm(request.POST)
    if (
        form.is_valid()
        and _act(
            lambda: notification.set_register_exemption(
                actor=request.user,
                application=order.application,
                subject=form.cleaned_data["subject"],
                ended_on=form.cleaned_data["ended_on"],
            ),
            form,
        )
        is not None
    ):
        messages.success(request, "Sex offender notification recorded")
        return redirect(_back(order))
    return _refused(request, form, order)
