"""Terms of an application or an order: each cleaned on its own (a kind from the catalogue, its
s.2(2) necessity reason, what its kind needs), stored as rows, and checked against the terms
of every order in force on the same defendant (s.2(6)-(7)), on this case or on another of the
organisation found through the suspects' keyed hashes (``cairn.cases.links``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError

from cairn.cases.models import Case, CaseSuspect, SuspectKey
from cairn.orders import rules
from cairn.orders.models import Application, Order, Term, TermKind
from cairn.orders.rules import TermSpec
from cairn.orders.standing import orders_in_force


def clean_terms(terms: Iterable[TermSpec], *, need_necessity: bool = True) -> list[TermSpec]:
    """Each term on its own: a kind from the catalogue, a necessity reason (s.2(2)), and what
    its kind needs (a zone's area or centre and radius, a distance, a place)."""
    labels = dict(TermKind.choices)
    cleaned = []
    for n, term in enumerate(terms, start=1):
        if term.kind not in labels:
            raise ValidationError(
                {"terms": [f"Term {n}: choose a prohibition or requirement from the list"]}
            )
        label = labels[term.kind].split(": ", 1)[-1]
        where = f"Term {n} ({label})"
        if need_necessity and not term.necessity.strip():
            raise ValidationError(
                {
                    "terms": [
                        f"{where}: say why this term is necessary to protect the person (s.2(2))"
                    ]
                }
            )
        for lat, lon in ((term.place_lat, term.place_lon), (term.centre_lat, term.centre_lon)):
            if (lat is None) != (lon is None) or (
                lat is not None
                and lon is not None
                and not (-90 <= lat <= 90 and -180 <= lon <= 180)
            ):
                raise ValidationError(
                    {"terms": [f"{where}: give a latitude and a longitude on the map"]}
                )
        if term.kind == TermKind.EXCLUSION_ZONE:
            has_area = term.area is not None
            has_circle = term.centre_lat is not None and bool(term.radius_m)
            if has_area == has_circle:
                raise ValidationError(
                    {
                        "terms": [
                            f"{where}: draw the zone as an area, or give "
                            "a centre and a radius in metres (one, not "
                            "both)"
                        ]
                    }
                )
            if has_area:
                try:
                    rules.polygon_ring(term.area or {})
                except ValueError as exc:
                    raise ValidationError({"terms": [f"{where}: {exc}"]}) from None
        if term.kind == TermKind.NOT_WITHIN_DISTANCE and not term.radius_m:
            raise ValidationError({"terms": [f"{where}: give the distance in metres"]})
        if term.kind == TermKind.NO_ENTRY_PLACES and not term.place.strip():
            raise ValidationError({"terms": [f"{where}: name the place"]})
        cleaned.append(
            TermSpec(
                **{
                    **spec_fields(term),
                    "label": label,
                    "necessity": term.necessity.strip(),
                    "details": term.details.strip(),
                    "place": term.place.strip(),
                    "exception": term.exception.strip(),
                }
            )
        )
    return cleaned


def spec_fields(term: Any) -> dict[str, Any]:
    return {
        name: getattr(term, name)
        for name in (
            "kind",
            "necessity",
            "details",
            "place",
            "place_lat",
            "place_lon",
            "exception",
            "area",
            "centre_lat",
            "centre_lon",
            "radius_m",
        )
    }


def term_spec(term: Term, *, existing: bool = False, source: str = "") -> TermSpec:
    label = dict(TermKind.choices).get(term.kind, term.kind).split(": ", 1)[-1]
    return TermSpec(**spec_fields(term), existing=existing, label=label, source=source)


def create_terms(
    terms: Sequence[TermSpec], *, application: Application | None = None, order: Order | None = None
) -> list[Term]:
    return [
        Term.objects.create(
            application=application,
            order=order,
            position=n,
            **{k: v for k, v in spec_fields(t).items()},
        )
        for n, t in enumerate(terms)
    ]


def defendant_orders(case: Case, defendant: CaseSuspect | None) -> list[tuple[Order, str]]:
    """Every order in force on the defendant, with where it is, as the messages name it:
    the orders of this case, and those of any case of the organisation (any unit) whose
    suspect shares a keyed hash with ``defendant`` (s.2(6): "whether made by that court or
    another"). Without a named defendant, this case's orders only. Another unit's case is
    named by its reference and unit alone (docs/adr/0018)."""
    found = [(order, "in the existing order") for order in orders_in_force(case)]
    if defendant is None:
        return found
    hashes = SuspectKey.objects.filter(suspect=defendant).values("key_hash")
    others = (
        SuspectKey.objects.filter(organisation_id=case.organisation_id, key_hash__in=hashes)
        .exclude(case=case)
        .values_list("case_id", flat=True)
        .distinct()
    )
    for other in (
        Case.objects.filter(pk__in=list(others)).select_related("unit").order_by("reference")
    ):
        where = (
            f"in the order on case {other.reference}"
            if other.unit_id == case.unit_id
            else f"in an order on another unit's case, {other.reference} ({other.unit.name})"
        )
        found += [(order, where) for order in orders_in_force(other)]
    return found


def check_compatible(
    case: Case, terms: Sequence[TermSpec], defendant: CaseSuspect | None = None
) -> None:
    """Refuse terms that clash with each other or with a term of an order in force on the
    same defendant (s.2(6)-(7)), naming both terms and where the other one is."""
    existing = [
        term_spec(t, existing=True, source=where)
        for order, where in defendant_orders(case, defendant)
        for t in order.terms.all()
    ]
    clashes = rules.incompatibilities(terms, existing)
    if clashes:
        raise ValidationError({"terms": [message for _, message in clashes]})
