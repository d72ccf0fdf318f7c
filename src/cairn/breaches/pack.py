"""The breach pack for the prosecutor (docs/adr/0020).

A zipped BagIt bag in the evidence pack's own layout (ADR 0013, ``cairn.packs.layout``), so
``cairn verify-pack`` checks it with nothing but the pack: ``data/pack.pdf`` is the breach's
PDF (the order as made, the term breached, the breach, its outcomes so far, and the victim's
record of it), and the bag carries the breach's incident and its exhibits from her log, each
ledger entry about them with its inclusion proof in a signed tree head.

What the officer's pack may carry is what the victim shares with the case, no more: the
incident and exhibits are read through ``cairn.cases.access.shared_snapshot`` (audited, with
the purpose "court") and then cut down to the breach's incident. A breach an officer recorded
without an incident from her log has no evidence to prove, so its pack is the PDF alone.

No victim content in names: the download is named by the breach's id, the bag's folder
likewise, and each exhibit file in the bag is named by its reference and the file's type
(``AB-3 exhibit.jpg``), not by the name she gave it (the record and the PDF keep that).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cairn.audit import services as audit
from cairn.breaches.document import (
    BreachFacts,
    OrderFacts,
    OutcomeFacts,
    build_breach_document,
)
from cairn.breaches.models import Breach, BreachKind, BreachOutcomeKind
from cairn.cases import access as case_access
from cairn.cases.access import require_case_member
from cairn.cases.models import Purpose
from cairn.orders import rules
from cairn.orders.words import day_words as _day
from cairn.orders.words import notification_facts, order_title, term_label
from cairn.packs.bag import BagWriter
from cairn.packs.builder import PackBuildError, write_bag
from cairn.packs.document import instant, vault_zone
from cairn.packs.pdf import render_pdf
from cairn.packs.selection import Disclosed, Selection, SelectionError, resolve
from cairn.packs.services import _log_material  # the evidence pack's own log reader
from cairn.store.blobs import default_store
from cairn.vault.snapshot import ExhibitSnapshot

TEMPLATE = Path(__file__).with_name("breach.typ")
SAFE_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}$")


class BreachPackError(RuntimeError):
    """The pack cannot be built (the evidence is no longer shared, or the log disagrees)."""


@dataclass(frozen=True)
class BreachPackResult:
    path: Path
    zipped: bool  # False: the PDF alone (no evidence from a victim's log)
    incidents: int
    exhibits: int


def pack_name(breach: Breach, *, zipped: bool) -> str:
    return f"breach-pack-{str(breach.pk)[:8]}{'.zip' if zipped else '.pdf'}"


def breach_facts(breach: Breach, zone: Any) -> BreachFacts:
    """The order, term, breach and outcomes of ``breach`` as plain strings."""
    order = breach.order
    kind = rules.order_type(order.application.order_type)
    terms = list(order.terms.all())
    if order.until_further_order:
        ends = "Until further order"
    elif order.expires_on is not None:
        # expires_on is the last day the order has effect (dates are inclusive).
        ends = f"The end of {_day(order.expires_on)}"
    else:
        ends = "Not recorded"
    notification = notification_facts(order)
    number = next((n for n, t in enumerate(terms, start=1) if t.pk == breach.term_id), None)
    outcomes = tuple(
        OutcomeFacts(
            outcome=str(BreachOutcomeKind(o.outcome).label),
            on=_day(o.on),
            reason=o.reason,
            recorded=f"Recorded by {o.by} on {instant(o.at, zone)}",
        )
        for o in breach.outcomes.select_related("by").order_by("on", "at", "id")
    )
    return BreachFacts(
        breach_id=str(breach.pk),
        case_reference=breach.case.reference,
        unit=breach.case.unit.name,
        force=breach.case.organisation.name,
        order=OrderFacts(
            kind=order_title(order),
            made_on=_day(order.made_on),
            ends=ends,
            served_on=_day(order.served_on),
            notification=notification,
            terms=tuple(term_label(t) for t in terms),
        ),
        term=_breached(breach, number),
        term_number=number,
        occurred=instant(breach.occurred_at, zone),
        source=breach.get_source_display(),
        reported=f"By {breach.reported_by} on {instant(breach.reported_at, zone)}",
        crime_reference=breach.crime_reference,
        account=breach.account,
        incident_number=breach.incident.number if breach.incident is not None else None,
        outcomes=outcomes,
        latest_outcome=(
            str(BreachOutcomeKind(breach.outcome).label) if breach.outcome else "None recorded yet"
        ),
        kind=breach.kind,
        offence=(
            "Stalking Protection Act 2019, s.11"
            if breach.kind == BreachKind.NOTIFICATION_FAILURE
            else kind.breach
        ),
        offence_note="" if kind.value == "spo" else kind.breach_note,
        title=PACK_TITLES.get(kind.value, ""),
    )


# The pack's title for kinds of order other than an SPO (docs/adr/0041).
PACK_TITLES = {
    "restraining_order": "Breach of a restraining order",
    "bail": "Breach of bail conditions",
    "non_molestation": "Breach of a non-molestation order",
    "dapo": "Breach of a Domestic Abuse Protection Order",
}


def _breached(breach: Breach, number: int | None) -> str:
    """The term said to be breached, or for a failure to notify the notification due."""
    event = breach.notification
    if event is not None:
        given = f"given late, on {_day(event.notified_on)}" if event.notified_on else "not given"
        return (
            f"{event.get_kind_display()}: due by {_day(event.due_on)} (3 days beginning "
            f"with {_day(event.started_on)}); {given}"
        )
    if breach.term is not None and number is not None:
        return f"Term {number}: {term_label(breach.term)}"
    return "No single term was named: the order as a whole"


def _neutral(exhibit: ExhibitSnapshot) -> ExhibitSnapshot:
    """The exhibit with a file name that says nothing of its content, for its path in the
    bag: "exhibit" and the original's type suffix."""
    match = SAFE_SUFFIX.search(exhibit.original_name or "")
    return replace(exhibit, original_name="exhibit" + (match.group(0).lower() if match else ""))


def _disclosed(actor: Any, breach: Breach) -> Disclosed:
    vault = breach.vault
    assert vault is not None
    if not case_access.shares_visible_to(actor).filter(case=breach.case, vault=vault).exists():
        raise BreachPackError(
            "The victim no longer shares her log with this case, so her "
            "record of the breach cannot go in the pack"
        )
    snapshot = case_access.shared_snapshot(actor, vault, purpose=Purpose.COURT, case=breach.case)
    try:
        return resolve(snapshot, Selection.of([str(breach.incident_id)]))
    except SelectionError:
        raise BreachPackError(
            "The victim no longer shares the incident she reported with "
            "this case, so it cannot go in the pack"
        ) from None


def build_breach_pack(
    *, actor: Any, breach: Breach, out_dir: Path, now: datetime | None = None
) -> BreachPackResult:
    """Write the pack for ``breach`` into ``out_dir`` (named by ``pack_name``); audited."""
    require_case_member(actor, breach.case)
    built_at = (now or timezone.now()).replace(microsecond=0)
    zone_name = breach.vault.time_zone if breach.vault is not None else settings.TIME_ZONE
    facts = breach_facts(breach, vault_zone(zone_name))
    out_dir.mkdir(parents=True, exist_ok=True)
    if breach.vault is None or breach.incident_id is None:
        document = build_breach_document(facts, built_at=built_at, time_zone=zone_name)
        out = out_dir / pack_name(breach, zipped=False)
        out.write_bytes(render_pdf(document, TEMPLATE))
        result = BreachPackResult(out, zipped=False, incidents=0, exhibits=0)
    else:
        result = _build_bag(actor, breach, facts, out_dir, zone_name, built_at)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="spo_breach.pack",
            object_type="spo_breach",
            object_id=breach.pk,
            vault_id=breach.vault_id,
            detail={
                "case": str(breach.case_id),
                "incidents": result.incidents,
                "exhibits": result.exhibits,
                "zipped": result.zipped,
            },
        )
    return result


def _build_bag(
    actor: Any,
    breach: Breach,
    facts: BreachFacts,
    out_dir: Path,
    zone_name: str,
    built_at: datetime,
) -> BreachPackResult:
    from cairn.accounts.models import User

    vault = breach.vault
    assert vault is not None
    disclosed = _disclosed(actor, breach)
    try:
        material = _log_material(vault, disclosed)
    except PackBuildError as exc:
        raise BreachPackError(str(exc)) from None
    user_ids = {e.added_by for e in disclosed.snapshot.exhibits}
    continuity = {str(u.pk): str(u) for u in User.objects.filter(pk__in=user_ids)}
    document = build_breach_document(
        facts,
        built_at=built_at,
        time_zone=zone_name,
        disclosed=disclosed,
        head=material.head,
        omitted_entries=material.head.size - len(material.entries),
        continuity=continuity,
    )
    pdf = render_pdf(document, TEMPLATE)
    neutral = replace(
        disclosed,
        snapshot=replace(
            disclosed.snapshot, exhibits=tuple(_neutral(e) for e in disclosed.snapshot.exhibits)
        ),
    )
    store = default_store()

    def open_exhibit(exhibit: ExhibitSnapshot) -> Iterable[bytes]:
        return store.iter_bytes(str(vault.pk), exhibit.sha256)

    out = out_dir / pack_name(breach, zipped=True)
    work = Path(tempfile.mkdtemp(prefix=".cairn-breach-", dir=out_dir))
    try:
        target = work / "bag.zip"
        writer = BagWriter(target, zip_prefix=out.name.removesuffix(".zip"))
        try:
            index = write_bag(
                writer, neutral, material, pdf=pdf, open_exhibit=open_exhibit, built_at=built_at
            )
        except BaseException:
            writer.abort()
            raise
        os.replace(target, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return BreachPackResult(
        out,
        zipped=True,
        incidents=len(disclosed.snapshot.incidents),
        exhibits=len(index["exhibits"]),
    )
