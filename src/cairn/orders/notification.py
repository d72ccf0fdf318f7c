"""The defendant's notification to the police (Stalking Protection Act 2019 ss.9-11; docs/law.md).

- ``record_service`` (in ``services``) starts the s.9(1) duty: names and home address within
  3 days beginning with the day of service, as a ``NotificationEvent`` of kind "initial".
  None for a full order replacing an interim one (s.9(1)(a)), nor while the defendant is
  subject to sex offender notification (s.9(5)).
- ``record_change``: a name not notified before (s.9(3)) or a new home address (s.9(4)), each
  due within 3 days beginning with the day it happened; given now or later.
- ``record_given``: how he notified (s.10): at a police station, acknowledged in writing,
  fingerprints and photographs if taken.
- ``set_register_exemption``: s.9(5)-(7). While subject to Part 2 of the Sexual Offences Act
  2003 nothing is due; when that ends with an order in force, the duty runs from the final
  day as if it were the day of service.
- ``overdue``: a notification not given by its last day. Failing to notify is an offence
  (s.11), recorded by ``cairn.breaches.services.record_failure`` as a breach of kind
  "notification failure", so it has outcomes, a pack and a place in the closure guard like
  any breach.

A variation or renewal is not a new order: the duty carries on, and events stay with the
application (the person), each naming the order in force that day. Every step is one
transaction with an audit record of ids, kinds and dates only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cairn.audit import services as audit
from cairn.cases.access import require_case_member
from cairn.orders import rules
from cairn.orders.models import Application, NotificationEvent, NotificationKind, Order
from cairn.orders.standing import last_day_of_effect

STATION_MAX = 200


def exempt_on(application: Application, day: date) -> bool:
    """s.9(5): no duty while subject to sex offender notification (until the final day)."""
    if not application.sex_offender_notification:
        return False
    ended = application.sex_offender_notification_ended_on
    return ended is None or day < ended


def _order_on(application: Application, day: date) -> Order:
    """The order of ``application`` that had effect on ``day`` (the duty is the person's while
    he is subject to an order, whichever order of the chain it is)."""
    for order in sorted(
        application.orders.all(), key=lambda o: (o.made_on, o.created_at), reverse=True
    ):
        last = last_day_of_effect(order)
        if rules.has_effect_on(day, order.made_on, last):
            return order
    raise ValidationError(
        {
            "started_on": [
                "No order had effect on that day: the duty to "
                "notify applies while he is subject to one (s.9)"
            ]
        }
    )


def _log(actor: Any, action: str, event: NotificationEvent) -> None:
    audit.record(
        actor=actor,
        action=action,
        object_type="spo_notification",
        object_id=event.pk,
        detail={
            "order": str(event.order_id),
            "kind": event.kind,
            "started_on": event.started_on.isoformat(),
            "due_on": event.due_on.isoformat(),
            "notified_on": event.notified_on.isoformat() if event.notified_on else None,
        },
    )


def start_duty(actor: Any, order: Order, kind: str, started_on: date) -> NotificationEvent:
    """Open a notification due within 3 days of ``started_on`` (in the caller's
    transaction)."""
    event = NotificationEvent.objects.create(
        application=order.application,
        order=order,
        kind=kind,
        started_on=started_on,
        due_on=rules.notification_due(started_on),
        created_by=actor,
    )
    _log(actor, "spo_notification.due", event)
    return event


def _clean_method(notified_on: date | None, started_on: date, station: str) -> str:
    station = " ".join((station or "").split())
    if notified_on is None:
        return station
    if notified_on < started_on:
        raise ValidationError({"notified_on": ["He notifies on or after the day it started"]})
    if not station:
        raise ValidationError(
            {
                "station": [
                    "Name the police station he attended: a "
                    "notification is given in person there (s.10)"
                ]
            }
        )
    if len(station) > STATION_MAX:
        raise ValidationError({"station": [f"At most {STATION_MAX} characters"]})
    return station


def record_change(
    *,
    actor: Any,
    application: Application,
    kind: str,
    started_on: date,
    notified_on: date | None = None,
    station: str = "",
    acknowledged_in_writing: bool = False,
    fingerprints_taken: bool = False,
    photographs_taken: bool = False,
) -> NotificationEvent:
    """A new name used (s.9(3)) or a new home address (s.9(4)) on ``started_on``: due within
    3 days beginning with that day; given on ``notified_on`` if he has notified it."""
    require_case_member(actor, application.case)
    if kind not in (NotificationKind.NEW_NAME, NotificationKind.NEW_ADDRESS):
        raise ValidationError({"kind": ["Choose a new name or a new home address"]})
    if started_on is None:
        raise ValidationError({"started_on": ["Enter the day he started using the name or moved"]})
    if exempt_on(application, started_on):
        raise ValidationError(
            {
                "kind": [
                    "No duty to notify while he is subject to sex offender notification (s.9(5))"
                ]
            }
        )
    order = _order_on(application, started_on)
    station = _clean_method(notified_on, started_on, station)
    with transaction.atomic():
        event = start_duty(actor, order, kind, started_on)
        if notified_on is not None:
            _given(
                actor,
                event,
                notified_on,
                station,
                acknowledged_in_writing,
                fingerprints_taken,
                photographs_taken,
            )
    return event


def _given(
    actor: Any,
    event: NotificationEvent,
    notified_on: date,
    station: str,
    acknowledged: bool,
    fingerprints: bool,
    photographs: bool,
) -> None:
    event.notified_on, event.station = notified_on, station
    event.acknowledged_in_writing = acknowledged
    event.fingerprints_taken, event.photographs_taken = fingerprints, photographs
    event.save(
        update_fields=[
            "notified_on",
            "station",
            "acknowledged_in_writing",
            "fingerprints_taken",
            "photographs_taken",
        ]
    )
    if event.kind == NotificationKind.INITIAL and event.order.notified_on is None:
        event.order.notified_on = notified_on
        event.order.save(update_fields=["notified_on"])
    _log(actor, "spo_notification.given", event)


def record_given(
    *,
    actor: Any,
    event: NotificationEvent,
    notified_on: date,
    station: str,
    acknowledged_in_writing: bool = False,
    fingerprints_taken: bool = False,
    photographs_taken: bool = False,
) -> NotificationEvent:
    """How and when he gave a notification due (s.10): in person at ``station``, with the
    written acknowledgement and what was taken to check who he is. Once; never changed."""
    require_case_member(actor, event.application.case)
    if notified_on is None:
        raise ValidationError({"notified_on": ["Enter the day he notified"]})
    station = _clean_method(notified_on, event.started_on, station)
    with transaction.atomic():
        locked = NotificationEvent.objects.select_for_update().get(pk=event.pk)
        if locked.notified_on is not None:
            raise ValidationError({"notified_on": ["This notification is recorded already"]})
        _given(
            actor,
            locked,
            notified_on,
            station,
            acknowledged_in_writing,
            fingerprints_taken,
            photographs_taken,
        )
    return locked


def set_register_exemption(
    *, actor: Any, application: Application, subject: bool, ended_on: date | None = None
) -> Application:
    """s.9(5)-(7): whether the defendant is subject to sex offender notification, and the
    "final day" it ended. When it ends while an order is in effect, the s.9 duty starts from
    that day as if it were the day of service."""
    require_case_member(actor, application.case)
    if not subject and ended_on is not None:
        raise ValidationError({"ended_on": ["Give the day it ended only if he was subject to it"]})
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        locked.sex_offender_notification = subject
        locked.sex_offender_notification_ended_on = ended_on
        locked.save(
            update_fields=["sex_offender_notification", "sex_offender_notification_ended_on"]
        )
        audit.record(
            actor=actor,
            action="spo_application.register_exemption",
            object_type="spo_application",
            object_id=locked.pk,
            detail={"subject": subject, "ended_on": ended_on.isoformat() if ended_on else None},
        )
        if (
            subject
            and ended_on is not None
            and not locked.notifications.filter(
                kind=NotificationKind.AFTER_REGISTER, started_on=ended_on
            ).exists()
        ):
            try:
                order = _order_on(locked, ended_on)
            except ValidationError:
                order = None  # no order in effect on the final day: no duty starts
            if order is not None:
                start_duty(actor, order, NotificationKind.AFTER_REGISTER, ended_on)
    application.sex_offender_notification = subject
    application.sex_offender_notification_ended_on = ended_on
    return application


def overdue(event: NotificationEvent, today: date | None = None) -> bool:
    return event.notified_on is None and event.due_on < (today or timezone.localdate())


def initial_event(order: Order) -> NotificationEvent | None:
    return order.notifications.filter(kind=NotificationKind.INITIAL).first()
