"""The write path for SPO applications and orders (services are the only writers).

Every change is one transaction with an audit record (ids, kinds and dates only: never the
victim's evidence). Refusals as in ``cairn.cases.services``: ``PermissionDenied`` for a role
that may not act (only the investigators and supervisors of the case's unit may), ``Http404``
from ``cairn.orders.access`` for what the caller cannot see, ``ValidationError`` naming the
field for bad input. The rules themselves (lifecycle, deadlines, incompatible terms) are the
pure functions of ``cairn.orders.rules``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cairn.audit import services as audit
from cairn.cases.models import Case, Purpose
from cairn.cases.services import _case_member
from cairn.orders import rules
from cairn.orders.models import (
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    Order,
    OrderKind,
    Term,
    TermKind,
)
from cairn.orders.rules import TermSpec

LIMBS = {
    "s1_1_a": "s.1(1)(a): the defendant has carried out acts associated with stalking",
    "s1_1_b": "s.1(1)(b): the defendant poses a risk associated with stalking to another "
              "person",
    "s1_1_c": "s.1(1)(c): there is reasonable cause to believe the proposed order is "
              "necessary to protect that person from that risk",
}
# An order is no longer in force once its application reached one of these.
ENDED = (ApplicationStatus.WITHDRAWN, ApplicationStatus.REFUSED, ApplicationStatus.DISCHARGED,
         ApplicationStatus.EXPIRED)


# --- grounds from the analysis ----------------------------------------------------------------

def prefill_grounds(*, actor: Any, case: Case, now: datetime | None = None) -> dict[str, Any]:
    """The grounds under s.1(1)(a)-(c), prefilled from the threshold analysis of the
    defendant in each vault shared with the case (``cairn.cases.defendants``): only the
    incidents of the person the case is about, never of anyone else the log names. The
    statements are in the third person (a court reads them), with the incident numbers they
    rest on, per vault. A log that names several people and has no defendant chosen adds
    nothing. Each look at a vault is audited (purpose: SPO application)."""
    from cairn.analysis.base import THIRD_PERSON
    from cairn.analysis.engine import analyse_people
    from cairn.cases import access as case_access
    from cairn.cases.defendants import defendant_analysis

    _case_member(actor, case)
    now = now or timezone.now()
    grounds: dict[str, Any] = {key: {"title": title, "text": "", "evidence": []}
                               for key, title in LIMBS.items()}
    shares = (case_access.shares_visible_to(actor).filter(case=case)
              .select_related("vault").order_by("created_at"))
    statements: dict[str, list[str]] = {key: [] for key in LIMBS}
    for share in shares:
        snapshot = case_access.shared_snapshot(actor, share.vault,
                                               purpose=Purpose.SPO_APPLICATION, case=case)
        analysis = defendant_analysis(
            analyse_people(snapshot, now=now, voice=THIRD_PERSON), share).analysis
        if analysis is None:
            continue
        numbers = {p.id: p.number for p in analysis.points}
        for limb in analysis.threshold.limbs():
            if limb.key not in LIMBS:
                continue
            for finding in limb.findings:
                if finding.statement not in statements[limb.key]:
                    statements[limb.key].append(finding.statement)
            cited = sorted({numbers[i] for i in limb.evidence if i in numbers})
            if cited:
                grounds[limb.key]["evidence"].append({"vault": str(share.vault_id),
                                                      "incidents": cited})
    for key, found in statements.items():
        grounds[key]["text"] = " ".join(found)
    return grounds


def _clean_grounds(grounds: Mapping[str, Any]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key, title in LIMBS.items():
        ground = grounds.get(key) or {}
        if not isinstance(ground, Mapping):
            raise ValidationError({"grounds": [f"{title}: give the ground as text"]})
        evidence = []
        for item in ground.get("evidence") or []:
            try:
                evidence.append({"vault": str(item["vault"]),
                                 "incidents": sorted({int(n) for n in item["incidents"]})})
            except (KeyError, TypeError, ValueError):
                raise ValidationError({"grounds": [f"{title}: evidence is a vault and its "
                                                   "incident numbers"]}) from None
        cleaned[key] = {"title": title, "text": str(ground.get("text") or "").strip(),
                        "evidence": evidence}
    return cleaned


# --- terms ------------------------------------------------------------------------------------

def _clean_terms(terms: Iterable[TermSpec]) -> list[TermSpec]:
    """Each term on its own: a kind from the catalogue, a necessity reason (s.2(2)), and what
    its kind needs (a zone's area or centre and radius, a distance, a place)."""
    labels = dict(TermKind.choices)
    cleaned = []
    for n, term in enumerate(terms, start=1):
        if term.kind not in labels:
            raise ValidationError({"terms": [f"Term {n}: choose a prohibition or requirement "
                                             "from the list"]})
        label = labels[term.kind].split(": ", 1)[-1]
        where = f"Term {n} ({label})"
        if not term.necessity.strip():
            raise ValidationError({"terms": [f"{where}: say why this term is necessary to "
                                             "protect the person (s.2(2))"]})
        for lat, lon in ((term.place_lat, term.place_lon), (term.centre_lat, term.centre_lon)):
            if (lat is None) != (lon is None) or (
                    lat is not None and lon is not None and
                    not (-90 <= lat <= 90 and -180 <= lon <= 180)):
                raise ValidationError({"terms": [f"{where}: give a latitude and a longitude "
                                                 "on the map"]})
        if term.kind == TermKind.EXCLUSION_ZONE:
            has_area = term.area is not None
            has_circle = term.centre_lat is not None and bool(term.radius_m)
            if has_area == has_circle:
                raise ValidationError({"terms": [f"{where}: draw the zone as an area, or give "
                                                 "a centre and a radius in metres (one, not "
                                                 "both)"]})
            if has_area:
                try:
                    rules.polygon_ring(term.area or {})
                except ValueError as exc:
                    raise ValidationError({"terms": [f"{where}: {exc}"]}) from None
        if term.kind == TermKind.NOT_WITHIN_DISTANCE and not term.radius_m:
            raise ValidationError({"terms": [f"{where}: give the distance in metres"]})
        if term.kind == TermKind.NO_ENTRY_PLACES and not term.place.strip():
            raise ValidationError({"terms": [f"{where}: name the place"]})
        cleaned.append(TermSpec(**{**_spec_fields(term), "label": label,
                                   "necessity": term.necessity.strip(),
                                   "details": term.details.strip(),
                                   "place": term.place.strip(),
                                   "exception": term.exception.strip()}))
    return cleaned


def _spec_fields(term: Any) -> dict[str, Any]:
    return {name: getattr(term, name) for name in (
        "kind", "necessity", "details", "place", "place_lat", "place_lon", "exception", "area",
        "centre_lat", "centre_lon", "radius_m")}


def term_spec(term: Term, *, existing: bool = False) -> TermSpec:
    label = dict(TermKind.choices).get(term.kind, term.kind).split(": ", 1)[-1]
    return TermSpec(**_spec_fields(term), existing=existing, label=label)


def orders_in_force(case: Case, today: date | None = None) -> list[Order]:
    """The case's orders still in force: not ended, not past their expiry, and an interim
    order only until a full order is made on its application (a full order only until it is
    varied or renewed)."""
    today = today or timezone.localdate()
    found = list(Order.objects.filter(application__case=case)
                 .exclude(application__status__in=ENDED)
                 .filter(Q(expires_on__isnull=True) | Q(expires_on__gt=today))
                 .select_related("application").prefetch_related("terms"))
    return current_orders(found)


def _check_compatible(case: Case, terms: Sequence[TermSpec]) -> None:
    existing = [term_spec(t, existing=True) for o in orders_in_force(case)
                for t in o.terms.all()]
    clashes = rules.incompatibilities(terms, existing)
    if clashes:
        raise ValidationError({"terms": [message for _, message in clashes]})


def _create_terms(terms: Sequence[TermSpec], *, application: Application | None = None,
                  order: Order | None = None) -> list[Term]:
    return [Term.objects.create(application=application, order=order, position=n,
                                **{k: v for k, v in _spec_fields(t).items()})
            for n, t in enumerate(terms)]


def _clean_duration(duration_months: int | None, until_further_order: bool) -> int | None:
    """s.3: a fixed period of at least 2 years, or until further order."""
    if until_further_order:
        if duration_months is not None:
            raise ValidationError({"duration_months": ["Give a fixed period or 'until further "
                                                       "order', not both"]})
        return None
    if duration_months is None:
        raise ValidationError({"duration_months": ["Give the period in months (at least 24), "
                                                   "or choose 'until further order'"]})
    if duration_months < rules.MIN_FIXED_MONTHS:
        raise ValidationError({"duration_months": ["A fixed period must be at least 2 years "
                                                   "(24 months) (s.3), or choose 'until "
                                                   "further order'"]})
    return duration_months


def _clean_interim(requested: bool, reasoning: str) -> str:
    reasoning = (reasoning or "").strip()
    if requested and not reasoning:
        raise ValidationError({"interim_reasoning": ["Say why an interim order is appropriate "
                                                     "until the application is decided "
                                                     "(s.5)"]})
    return reasoning if requested else ""


# --- applications -----------------------------------------------------------------------------

def start_application(*, actor: Any, case: Case, terms: Iterable[TermSpec] = (),
                      duration_months: int | None = None, until_further_order: bool = False,
                      interim_requested: bool = False, interim_reasoning: str = "",
                      grounds: Mapping[str, Any] | None = None,
                      now: datetime | None = None) -> Application:
    """A draft application for ``case``. Without ``grounds``, they are prefilled from the
    analysis of the evidence shared with the case."""
    _case_member(actor, case)
    duration_months = _clean_duration(duration_months, until_further_order)
    interim_reasoning = _clean_interim(interim_requested, interim_reasoning)
    cleaned = _clean_terms(terms)
    _check_compatible(case, cleaned)
    prefilled = _clean_grounds(grounds if grounds is not None else
                               prefill_grounds(actor=actor, case=case, now=now))
    with transaction.atomic():
        application = Application.objects.create(
            case=case, duration_months=duration_months,
            until_further_order=until_further_order, interim_requested=interim_requested,
            interim_reasoning=interim_reasoning, grounds=prefilled, created_by=actor)
        _create_terms(cleaned, application=application)
        ApplicationStatusChange.objects.create(application=application,
                                               status=ApplicationStatus.DRAFT, by=actor)
        audit.record(actor=actor, action="spo_application.started",
                     object_type="spo_application", object_id=application.pk,
                     detail={"case": str(case.pk), "terms": len(cleaned)})
    return application


def _editable(actor: Any, application: Application) -> None:
    _case_member(actor, application.case)
    if application.status != ApplicationStatus.DRAFT:
        raise ValidationError({"status": ["Only a draft application can be changed"]})


def update_application(*, actor: Any, application: Application, terms: Iterable[TermSpec],
                       duration_months: int | None, until_further_order: bool,
                       interim_requested: bool, interim_reasoning: str,
                       grounds: Mapping[str, Any]) -> Application:
    """Change a draft: its terms are replaced as a whole (they are not yet before a court)."""
    _editable(actor, application)
    duration_months = _clean_duration(duration_months, until_further_order)
    interim_reasoning = _clean_interim(interim_requested, interim_reasoning)
    cleaned = _clean_terms(terms)
    _check_compatible(application.case, cleaned)
    with transaction.atomic():
        Application.objects.select_for_update().get(pk=application.pk)
        application.terms.all().delete()
        _create_terms(cleaned, application=application)
        application.duration_months = duration_months
        application.until_further_order = until_further_order
        application.interim_requested = interim_requested
        application.interim_reasoning = interim_reasoning
        application.grounds = _clean_grounds(grounds)
        application.save(update_fields=["duration_months", "until_further_order",
                                        "interim_requested", "interim_reasoning", "grounds"])
        audit.record(actor=actor, action="spo_application.changed",
                     object_type="spo_application", object_id=application.pk,
                     detail={"terms": len(cleaned)})
    return application


def change_status(*, actor: Any, application: Application, status: str, note: str = "",
                  hearing_on: date | None = None) -> ApplicationStatusChange:
    """The next step of the lifecycle, if ``rules.TRANSITIONS`` allows it. An order granted
    is recorded with ``record_order``, which moves the status itself."""
    _case_member(actor, application.case)
    if status not in ApplicationStatus.values:
        raise ValidationError({"status": ["Choose a status"]})
    if status == ApplicationStatus.HEARING_LISTED and hearing_on is None:
        raise ValidationError({"hearing_on": ["Give the date of the hearing"]})
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        _check_move(locked, status)
        if status == ApplicationStatus.SUBMITTED:
            _check_complete(locked)
        if status in (ApplicationStatus.GRANTED, ApplicationStatus.INTERIM_GRANTED):
            kind = OrderKind.FULL if status == ApplicationStatus.GRANTED else OrderKind.INTERIM
            if not locked.orders.filter(kind=kind).exists():
                raise ValidationError({"status": ["Record the order as the court made it"]})
        change = _move(actor, locked, status, note=note, hearing_on=hearing_on)
    application.status = status
    return change


def _check_move(application: Application, status: str) -> None:
    if not rules.can_move(application.status, status,
                          interim_requested=application.interim_requested):
        current = ApplicationStatus(application.status).label
        raise ValidationError({"status": [f"An application that is '{current}' cannot become "
                                          f"'{ApplicationStatus(status).label}'"]})


def _check_complete(application: Application) -> None:
    missing = [title for key, title in LIMBS.items()
               if not (application.grounds.get(key) or {}).get("text", "").strip()]
    if missing:
        raise ValidationError({"grounds": [f"Give the ground {t.split(':')[0]}"
                                           for t in missing]})
    if not application.terms.exists():
        raise ValidationError({"terms": ["Propose at least one prohibition or requirement"]})


def _move(actor: Any, application: Application, status: str, *, note: str = "",
          hearing_on: date | None = None) -> ApplicationStatusChange:
    change = ApplicationStatusChange.objects.create(
        application=application, status=status, note=(note or "").strip(),
        hearing_on=hearing_on if status == ApplicationStatus.HEARING_LISTED else None, by=actor)
    application.status = status
    application.save(update_fields=["status"])
    audit.record(actor=actor, action="spo_application.status", object_type="spo_application",
                 object_id=application.pk,
                 detail={"status": status,
                         "hearing_on": hearing_on.isoformat() if hearing_on else None})
    return change


# --- orders -----------------------------------------------------------------------------------

def record_order(*, actor: Any, application: Application, kind: str, made_on: date,
                 terms: Iterable[TermSpec] | None = None, duration_months: int | None = None,
                 until_further_order: bool = False, ends_on: date | None = None,
                 note: str = "") -> Order:
    """The order as the court made it, interim (s.5: until ``ends_on``, a fixed period stated
    in it) or full (s.3: ``duration_months`` of at least 24, or until further order). Its
    terms are those asked for unless ``terms`` says what the court made instead; they are
    recorded as made (the court decided them, so they are not refused as incompatible).
    Moves the application to "interim granted" or "granted"."""
    _case_member(actor, application.case)
    if kind not in OrderKind.values:
        raise ValidationError({"kind": ["Choose an interim or a full order"]})
    if kind == OrderKind.INTERIM:
        if not application.interim_requested:
            raise ValidationError({"kind": ["This application did not ask for an interim "
                                            "order"]})
        if ends_on is None or ends_on <= made_on:
            raise ValidationError({"ends_on": ["Give the day the interim order ends, after "
                                               "the day it was made"]})
        duration_months, until_further_order, expiry = None, False, ends_on
    else:
        duration_months = _clean_duration(duration_months, until_further_order)
        expiry = rules.expires_on(made_on, duration_months)
    status = ApplicationStatus.INTERIM_GRANTED if kind == OrderKind.INTERIM else \
        ApplicationStatus.GRANTED
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        _check_move(locked, status)
        asked = list(locked.terms.all())
        made = _clean_terms(terms) if terms is not None else [term_spec(t) for t in asked]
        if not made:
            raise ValidationError({"terms": ["An order has at least one prohibition or "
                                             "requirement"]})
        # s.9 (docs/law.md): no new notification when a full order replaces an interim one.
        replaces_interim = kind == OrderKind.FULL and locked.orders.filter(
            kind=OrderKind.INTERIM).exists()
        order = Order.objects.create(
            application=locked, kind=kind, made_on=made_on, duration_months=duration_months,
            until_further_order=until_further_order, expires_on=expiry,
            notification_required=not replaces_interim,
            renewal_review_on=(rules.renewal_review_on(made_on, expiry)
                               if kind == OrderKind.FULL else None),
            created_by=actor)
        _create_terms(made, order=order)
        audit.record(actor=actor, action="spo_order.recorded", object_type="spo_order",
                     object_id=order.pk,
                     detail={"application": str(locked.pk), "kind": kind,
                             "made_on": made_on.isoformat(), "terms": len(made),
                             "as_asked": terms is None})
        _move(actor, locked, status, note=note)
    application.status = status
    return order


def record_service(*, actor: Any, order: Order, served_on: date) -> Order:
    """The day the order was served on the defendant, and so the s.9 notification day."""
    _case_member(actor, order.application.case)
    if served_on < order.made_on:
        raise ValidationError({"served_on": ["An order is served on or after the day it was "
                                             "made"]})
    with transaction.atomic():
        order.served_on = served_on
        order.notification_due = (rules.notification_due(served_on)
                                  if order.notification_required else None)
        order.save(update_fields=["served_on", "notification_due"])
        audit.record(actor=actor, action="spo_order.served", object_type="spo_order",
                     object_id=order.pk, detail={"served_on": served_on.isoformat()})
    return order


def record_notification(*, actor: Any, order: Order, notified_on: date) -> Order:
    """The day the defendant notified their names and home address in person (s.9)."""
    _case_member(actor, order.application.case)
    if order.served_on is None:
        raise ValidationError({"notified_on": ["Record when the order was served first"]})
    if notified_on < order.served_on:
        raise ValidationError({"notified_on": ["Notification comes on or after service"]})
    with transaction.atomic():
        order.notified_on = notified_on
        order.save(update_fields=["notified_on"])
        audit.record(actor=actor, action="spo_order.notified", object_type="spo_order",
                     object_id=order.pk,
                     detail={"notified_on": notified_on.isoformat(),
                             "late": bool(order.notification_due
                                          and notified_on > order.notification_due)})
    return order


def set_renewal_review(*, actor: Any, order: Order, review_on: date | None) -> Order:
    _case_member(actor, order.application.case)
    with transaction.atomic():
        order.renewal_review_on = review_on
        order.save(update_fields=["renewal_review_on"])
        audit.record(actor=actor, action="spo_order.review_date", object_type="spo_order",
                     object_id=order.pk)
    return order


# --- variation and renewal (s.4) --------------------------------------------------------------

def _current_full_order(order: Order) -> None:
    if order.kind != OrderKind.FULL:
        raise ValidationError({"order": ["Only a full order can be varied or renewed"]})
    later = order.application.orders.filter(kind=OrderKind.FULL).exclude(pk=order.pk).filter(
        Q(made_on__gt=order.made_on) | Q(made_on=order.made_on,
                                         created_at__gt=order.created_at))
    if later.exists():
        raise ValidationError({"order": ["A later order replaced this one: vary or renew "
                                         "that one"]})


def vary_order(*, actor: Any, order: Order, varied_on: date, terms: Iterable[TermSpec],
               note: str = "") -> Order:
    """The court varied ``order`` (s.4): a new full order with the terms as varied, made on
    ``varied_on`` and ending when the varied order would have ended. The order it replaces is
    kept as it was. No new s.9 notification: the defendant's duty continues under the same
    order (docs/law.md lists none for a variation). The application becomes "varied"."""
    _case_member(actor, order.application.case)
    if varied_on < order.made_on:
        raise ValidationError({"varied_on": ["A variation comes on or after the day the "
                                             "order was made"]})
    made = _clean_terms(terms)
    if not made:
        raise ValidationError({"terms": ["An order has at least one prohibition or "
                                         "requirement"]})
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=order.application_id)
        _current_full_order(order)
        _check_move(locked, ApplicationStatus.VARIED)
        varied = Order.objects.create(
            application=locked, kind=OrderKind.FULL, made_on=varied_on,
            duration_months=order.duration_months,
            until_further_order=order.until_further_order, expires_on=order.expires_on,
            served_on=None, notification_required=False,
            renewal_review_on=order.renewal_review_on, created_by=actor)
        _create_terms(made, order=varied)
        audit.record(actor=actor, action="spo_order.varied", object_type="spo_order",
                     object_id=varied.pk,
                     detail={"application": str(locked.pk), "replaces": str(order.pk),
                             "made_on": varied_on.isoformat(), "terms": len(made)})
        _move(actor, locked, ApplicationStatus.VARIED, note=note)
    order.application.status = ApplicationStatus.VARIED
    return varied


def renew_order(*, actor: Any, order: Order, renewed_on: date,
                duration_months: int | None = None, until_further_order: bool = False,
                terms: Iterable[TermSpec] | None = None, note: str = "") -> Order:
    """The court renewed ``order`` (s.4): a new full order from ``renewed_on`` for the new
    duration (s.3: at least 24 months, or until further order), with the same terms unless
    ``terms`` says otherwise. The application becomes "renewed"; no new s.9 notification."""
    _case_member(actor, order.application.case)
    duration_months = _clean_duration(duration_months, until_further_order)
    if renewed_on < order.made_on:
        raise ValidationError({"renewed_on": ["A renewal comes on or after the day the order "
                                              "was made"]})
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=order.application_id)
        _current_full_order(order)
        _check_move(locked, ApplicationStatus.RENEWED)
        made = (_clean_terms(terms) if terms is not None
                else [term_spec(t) for t in order.terms.all()])
        if not made:
            raise ValidationError({"terms": ["An order has at least one prohibition or "
                                             "requirement"]})
        expiry = rules.expires_on(renewed_on, duration_months)
        renewed = Order.objects.create(
            application=locked, kind=OrderKind.FULL, made_on=renewed_on,
            duration_months=duration_months, until_further_order=until_further_order,
            expires_on=expiry, notification_required=False,
            renewal_review_on=rules.renewal_review_on(renewed_on, expiry), created_by=actor)
        _create_terms(made, order=renewed)
        audit.record(actor=actor, action="spo_order.renewed", object_type="spo_order",
                     object_id=renewed.pk,
                     detail={"application": str(locked.pk), "replaces": str(order.pk),
                             "made_on": renewed_on.isoformat(),
                             "expires_on": expiry.isoformat() if expiry else None})
        _move(actor, locked, ApplicationStatus.RENEWED, note=note)
    order.application.status = ApplicationStatus.RENEWED
    return renewed


def current_orders(orders: Iterable[Order]) -> list[Order]:
    """``orders`` without those a later order on the same application replaced: an interim
    order once a full one is made, a full order once it is varied or renewed."""
    listed = list(orders)
    latest: dict[Any, Order] = {}
    for order in listed:
        if order.kind != OrderKind.FULL:
            continue
        best = latest.get(order.application_id)
        if best is None or (order.made_on, order.created_at) > (best.made_on, best.created_at):
            latest[order.application_id] = order
    return [o for o in listed if latest.get(o.application_id, o) is o]
