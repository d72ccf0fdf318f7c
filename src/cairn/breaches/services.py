"""The write path for breaches of Stalking Protection Orders (s.8; docs/adr/0020).

A breach of an SPO or interim SPO without reasonable excuse is an either-way offence (s.8),
so every breach is a crime to record. A breach reaches Cairn two ways:

- ``report_breach``: the victim reports, from her vault, an incident she logged as a breach
  of an order in force on a case she shares her log with. If her share covers only chosen
  incidents and this one is not among them, the same step adds it to the share through
  ``cairn.cases.services.change_share``, so the widening is an entry in her vault's ledger
  like any other change of consent.
- ``record_breach``: an investigator or supervisor of the case's unit records one (with an
  account of what happened in the officer's words).

- ``record_failure``: an officer records a failure to notify (s.11): a notification of the
  defendant's (ss.9-10) not given by its last day, or given late.

``record_outcome`` appends what happened next (arrest, charge, no further action with its
reason...). Outcomes are never changed or removed; ``Breach.outcome`` keeps the latest.

Each service is one transaction with an audit record of ids, kinds and dates only: never the
account, the reason or anything from the victim's log. Refusals as elsewhere:
``PermissionDenied`` for a role that may not act, ``ValidationError`` naming the field for
bad input.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cairn.accounts.models import User
from cairn.audit import services as audit
from cairn.breaches.models import Breach, BreachKind, BreachOutcome, BreachOutcomeKind, BreachSource
from cairn.cases import services as case_services
from cairn.cases.access import require_case_member
from cairn.cases.models import Case, Share, ShareScope
from cairn.orders.models import NotificationEvent, Order, Term
from cairn.orders.notification import overdue
from cairn.orders.services import last_day_of_effect, orders_reportable
from cairn.vault import services as vault_services
from cairn.vault.models import Incident, Vault

# django-stubs checks the names given to create() and to update_fields against a model's
# columns; a sealed field (cairn.store.sealed) is not one, though CaseSealedFields takes it in
# both. Those calls carry `type: ignore[misc]  # sealed fields`.

ACCOUNT_MAX = 10_000
REASON_MAX = 5_000
CRIME_REFERENCE_MAX = 64


def _account(account: str) -> str:
    """An officer's account of what happened: required, and not a novel."""
    account = (account or "").strip()
    if not account:
        raise ValidationError({"account": ["Say what happened"]})
    if len(account) > ACCOUNT_MAX:
        raise ValidationError({"account": [f"Keep the account under {ACCOUNT_MAX:,} characters"]})
    return account


def _crime_reference(value: str) -> str:
    """A crime reference with its spaces tidied (optional; short)."""
    value = " ".join((value or "").split())
    if len(value) > CRIME_REFERENCE_MAX:
        raise ValidationError(
            {
                "crime_reference": [
                    f"The crime reference can be {CRIME_REFERENCE_MAX} characters at most"
                ]
            }
        )
    return value


def _order_dates_cover(order: Order, moment: datetime, field: str) -> None:
    """A breach happens while the order has effect: from the day it was made to the end of
    its last day, both included ("until the end of 14 March")."""
    day = timezone.localdate(moment)
    if day < order.made_on:
        raise ValidationError(
            {field: [f"This happened before the order was made ({order.made_on:%-d %B %Y})"]}
        )
    last = last_day_of_effect(order)
    if last is not None and day > last:
        raise ValidationError(
            {
                field: [
                    "This happened after the order ended (it had effect "
                    f"until the end of {last:%-d %B %Y})"
                ]
            }
        )


def _term_of(order: Order, term: Term | None) -> Term | None:
    if term is not None and term.order_id != order.pk:
        raise ValidationError({"term": ["Choose a term of this order"]})
    return term


# --- the victim's report ----------------------------------------------------------------------


def report_breach(
    *,
    actor: User,
    vault: Vault,
    incident: Incident,
    share: Share,
    order: Order | None = None,
    term: Term | None = None,
    now: datetime | None = None,
) -> Breach:
    """The victim reports ``incident`` of her ``vault`` as a breach of an order in force on
    the case she shares it with through ``share``. ``term`` (a term of that order) is the
    part of it she says was breached; without it, ``order`` names the order (or the case's
    only order in force is meant)."""
    vault_services.require_owner(actor, vault)
    if share.vault_id != vault.pk:
        raise PermissionDenied("This share is not of this vault")
    case = share.case
    if case is None:
        raise ValidationError(
            {
                "share": [
                    "Report a breach to the police unit working on your case, not to an advocate"
                ]
            }
        )
    if share.withdrawn_at is not None:
        raise ValidationError(
            {
                "share": [
                    "You have stopped sharing your log with this case. "
                    "Share it again to report a breach"
                ]
            }
        )
    if incident.vault_id != vault.pk or incident.deleted_at is not None:
        raise ValidationError({"incident": ["Choose an incident from your log"]})
    in_force = orders_reportable(case, timezone.localdate(now) if now else None)
    if term is not None and order is None:
        order = next((o for o in in_force if o.pk == term.order_id), None)
        if order is None:
            raise ValidationError({"term": ["Choose a term of an order that is in force"]})
    if order is None:
        if len(in_force) != 1:
            raise ValidationError(
                {
                    "order": [
                        "Choose the order that was breached"
                        if in_force
                        else "There is no order in force on this case"
                    ]
                }
            )
        order = in_force[0]
    if order.pk not in {o.pk for o in in_force}:
        raise ValidationError({"order": ["There is no order in force on this case"]})
    term = _term_of(order, term)
    _order_dates_cover(order, incident.start, "incident")
    with transaction.atomic():
        locked = Share.objects.select_for_update().get(pk=share.pk)
        if locked.withdrawn_at is not None:
            raise ValidationError(
                {
                    "share": [
                        "You have stopped sharing your log with this "
                        "case. Share it again to report a breach"
                    ]
                }
            )
        if Breach.objects.filter(case=case, incident=incident, order=order).exists():
            raise ValidationError(
                {"incident": ["You have already reported this incident as a breach of this order"]}
            )
        widened = False
        if (
            locked.scope == ShareScope.CHOSEN
            and not locked.incidents.filter(pk=incident.pk).exists()
        ):
            # Her consent widens by exactly this incident (its exhibits go with it), as an
            # entry in her vault's ledger.
            case_services.change_share(
                actor=actor,
                share=locked,
                scope=ShareScope.CHOSEN,
                incident_ids=[*locked.incidents.values_list("pk", flat=True), incident.pk],
                exhibit_ids=list(locked.exhibits.values_list("pk", flat=True)),
            )
            widened = True
        breach = Breach.objects.create(
            case=case,
            order=order,
            term=term,
            source=BreachSource.VICTIM,
            vault=vault,
            incident=incident,
            occurred_at=incident.start,
            reported_by=actor,
        )
        audit.record(
            actor=actor,
            action="spo_breach.reported",
            object_type="spo_breach",
            object_id=breach.pk,
            vault_id=vault.pk,
            detail={
                "case": str(case.pk),
                "order": str(order.pk),
                "term": str(term.pk) if term else None,
                "incident": str(incident.pk),
                "share_widened": widened,
                "occurred_on": timezone.localdate(incident.start).isoformat(),
            },
        )
    return breach


# --- the officer's record ---------------------------------------------------------------------


def record_breach(
    *,
    actor: User,
    case: Case,
    order: Order,
    term: Term | None,
    occurred_at: datetime,
    account: str,
    crime_reference: str = "",
    now: datetime | None = None,
) -> Breach:
    """A breach an investigator or supervisor of the case's unit records, in their words."""
    require_case_member(actor, case)
    if order.application.case_id != case.pk:
        raise ValidationError({"order": ["Choose an order made on this case"]})
    term = _term_of(order, term)
    if timezone.is_naive(occurred_at):
        raise ValidationError({"occurred_at": ["The time needs a time zone"]})
    if occurred_at > (now or timezone.now()):
        raise ValidationError({"occurred_at": ["The breach cannot be in the future"]})
    _order_dates_cover(order, occurred_at, "occurred_at")
    account = _account(account)
    crime_reference = _crime_reference(crime_reference)
    with transaction.atomic():
        breach = Breach.objects.create(  # type: ignore[misc]  # sealed fields
            case=case,
            order=order,
            term=term,
            source=BreachSource.OFFICER,
            occurred_at=occurred_at,
            account=account,
            crime_reference=crime_reference,
            reported_by=actor,
        )
        audit.record(
            actor=actor,
            action="spo_breach.recorded",
            object_type="spo_breach",
            object_id=breach.pk,
            detail={
                "case": str(case.pk),
                "order": str(order.pk),
                "term": str(term.pk) if term else None,
                "occurred_on": timezone.localdate(occurred_at).isoformat(),
            },
        )
    return breach


def set_crime_reference(*, actor: User, breach: Breach, crime_reference: str) -> Breach:
    """The crime reference, once the breach is recorded as a crime (or corrected)."""
    require_case_member(actor, breach.case)
    crime_reference = _crime_reference(crime_reference)
    with transaction.atomic():
        breach.crime_reference = crime_reference
        breach.save(update_fields=["crime_reference"])  # type: ignore[misc]  # sealed fields
        audit.record(
            actor=actor,
            action="spo_breach.crime_reference",
            object_type="spo_breach",
            object_id=breach.pk,
        )
    return breach


def record_failure(
    *,
    actor: User,
    event: NotificationEvent,
    account: str,
    crime_reference: str = "",
    today: date | None = None,
) -> Breach:
    """A notification not given by its last day (s.11(1)(a): failing to comply with s.9 is
    an offence), recorded as a breach of kind "notification failure": the day after the last
    day, with the officer's account. A notification given late is a failure too."""
    require_case_member(actor, event.application.case)
    today = today or timezone.localdate()
    late = event.notified_on is not None and event.notified_on > event.due_on
    if not (late or overdue(event, today)):
        raise ValidationError(
            {
                "notification": [
                    "The notification is not overdue: it is due "
                    f"by {event.due_on.day} {event.due_on:%B %Y}"
                ]
            }
        )
    account = _account(account)
    crime_reference = _crime_reference(crime_reference)
    failed = event.due_on + timedelta(days=1)
    occurred_at = timezone.make_aware(datetime.combine(failed, time()))
    with transaction.atomic():
        if Breach.objects.filter(notification=event).exists():
            raise ValidationError(
                {"notification": ["A failure to notify is recorded for this already"]}
            )
        breach = Breach.objects.create(  # type: ignore[misc]  # sealed fields
            case=event.application.case,
            order=event.order,
            term=None,
            kind=BreachKind.NOTIFICATION_FAILURE,
            notification=event,
            source=BreachSource.OFFICER,
            occurred_at=occurred_at,
            account=account,
            crime_reference=crime_reference,
            reported_by=actor,
        )
        audit.record(
            actor=actor,
            action="spo_breach.notification_failure",
            object_type="spo_breach",
            object_id=breach.pk,
            detail={
                "case": str(breach.case_id),
                "order": str(event.order_id),
                "notification": str(event.pk),
                "kind": event.kind,
                "due_on": event.due_on.isoformat(),
            },
        )
    return breach


# --- outcomes ---------------------------------------------------------------------------------


def record_outcome(
    *,
    actor: User,
    breach: Breach,
    outcome: str,
    on: date,
    reason: str = "",
    today: date | None = None,
) -> BreachOutcome:
    """What happened to a breach, on the day it happened. Appended, never changed: a later
    outcome (charged after arrested) is a new row. No further action needs its reason, which
    the victim who reported the breach is shown."""
    require_case_member(actor, breach.case)
    if outcome not in BreachOutcomeKind.values:
        raise ValidationError({"outcome": ["Choose what happened"]})
    reason = (reason or "").strip()
    if outcome == BreachOutcomeKind.NO_FURTHER_ACTION and not reason:
        raise ValidationError(
            {
                "reason": [
                    "Give the reason for no further action: the victim who reported it is told it"
                ]
            }
        )
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [f"Keep the reason under {REASON_MAX:,} characters"]})
    if on is None:
        raise ValidationError({"on": ["Enter the date"]})
    if on > (today or timezone.localdate()):
        raise ValidationError({"on": ["The date cannot be in the future"]})
    if on < timezone.localdate(breach.occurred_at):
        raise ValidationError({"on": ["The date cannot be before the breach"]})
    with transaction.atomic():
        locked = Breach.objects.select_for_update().get(pk=breach.pk)
        row = BreachOutcome.objects.create(  # type: ignore[misc]  # sealed fields
            breach=locked, outcome=outcome, on=on, reason=reason, by=actor
        )
        latest = locked.outcomes.order_by("-on", "-at", "-id").first()
        locked.outcome = latest.outcome if latest is not None else outcome
        locked.save(update_fields=["outcome"])
        audit.record(
            actor=actor,
            action="spo_breach.outcome",
            object_type="spo_breach",
            object_id=breach.pk,
            detail={"outcome": outcome, "on": on.isoformat(), "case": str(breach.case_id)},
        )
    breach.outcome = locked.outcome
    return row
