"""The SPO application's download: one zip holding ``application.pdf`` and, for each log
shared with the case, its evidence pack (``evidence-pack-<n>.zip``, the BagIt bag of
ADR 0013, built from what the victim shares with the case and nothing more). See
docs/adr/0019.

The shared evidence is read through ``cairn.cases.access.shared_snapshot`` with the purpose
"SPO application", so the victim sees the read in her access log. File names carry numbers
only: never a name, a case reference or anything from a log.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from cairn.analysis.base import THIRD_PERSON
from cairn.analysis.engine import analyse_people
from cairn.audit import services as audit
from cairn.cases import access as case_access
from cairn.cases.access import require_case_member
from cairn.cases.defendants import defendant_analysis
from cairn.cases.models import Case, Purpose
from cairn.orders.application_document import (
    ApplicationDocument,
    GroundText,
    TermText,
    evidence_line,
    render,
    zone_words,
)
from cairn.orders.models import PROHIBITIONS, Application, TermKind
from cairn.orders.services import LIMBS
from cairn.packs.selection import Selection
from cairn.packs.services import build_pack

FIXED_DATE = (1980, 1, 1, 0, 0, 0)  # zip entries carry no build time (reproducible)


def pack_name(number: int) -> str:
    return f"evidence-pack-{number}.zip"


def application_document(
    application: Application, *, actor: Any, packs: dict[str, int], built_at: datetime
) -> ApplicationDocument:
    """The document for ``application``; ``packs`` numbers the shared vaults (by id)."""
    case: Case = application.case
    labels = dict(TermKind.choices)
    grounds = []
    for key, title in LIMBS.items():
        ground = application.grounds.get(key) or {}
        section, _, words = title.partition(": ")
        evidence = tuple(
            evidence_line(packs[item["vault"]], item["incidents"])
            for item in ground.get("evidence") or []
            if item.get("vault") in packs and item.get("incidents")
        )
        grounds.append(
            GroundText(section=section, title=words, text=ground.get("text", ""), evidence=evidence)
        )
    terms = tuple(
        TermText(
            number=n,
            kind="Prohibition" if t.kind in PROHIBITIONS else "Requirement",
            label=labels.get(t.kind, t.kind).split(": ", 1)[-1],
            details=t.details,
            place=t.place,
            exception=t.exception,
            zone=zone_words(t.area, t.centre_lat, t.centre_lon, t.radius_m, t.kind),
            necessity=t.necessity,
        )
        for n, t in enumerate(application.terms.all(), start=1)
    )
    if application.until_further_order:
        duration = "Until further order."
    else:
        duration = (
            f"{application.duration_months} months from the day the order is made "
            "(at least 2 years, s.3)."
        )
    respondents = tuple(
        s.name + (f", born {s.date_of_birth:%-d %B %Y}" if s.date_of_birth else "")
        for s in case.suspects.all()
    )
    force = case.organisation.name
    return ApplicationDocument(
        case_reference=case.reference,
        force=force,
        unit=case.unit.name,
        applicant=f"The Chief Officer of Police, {force}",
        respondents=respondents,
        status=application.get_status_display(),
        grounds=tuple(grounds),
        terms=terms,
        duration=duration,
        interim_requested=application.interim_requested,
        interim_reasoning=application.interim_reasoning,
        packs=tuple(f"Evidence pack {n}: {pack_name(n)}" for n in sorted(packs.values())),
        built_at=timezone.localtime(built_at),
        built_by=str(actor),
    )


def build_bundle(
    *, actor: Any, application: Application, out: Path, now: datetime | None = None
) -> list[str]:
    """Write the zip to ``out``; returns the names it holds. Audited (ids and counts)."""
    case = application.case
    require_case_member(actor, case)
    built_at = (now or timezone.now()).replace(microsecond=0)
    shares = list(
        case_access.shares_visible_to(actor)
        .filter(case=case)
        .select_related("vault")
        .order_by("created_at")
    )
    packs: dict[str, int] = {}
    for share in shares:
        packs.setdefault(str(share.vault_id), len(packs) + 1)
    work = Path(tempfile.mkdtemp(prefix="cairn-spo-bundle-"))
    names = ["application.pdf"]
    try:
        pdf = render(application_document(application, actor=actor, packs=packs, built_at=built_at))
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            bundle.writestr(zipfile.ZipInfo("application.pdf", FIXED_DATE), pdf)
            done: set[str] = set()
            for share in shares:
                vault_id = str(share.vault_id)
                if vault_id in done:
                    continue
                done.add(vault_id)
                snapshot = case_access.shared_snapshot(
                    actor, share.vault, purpose=Purpose.SPO_APPLICATION, case=case
                )
                selection = _defendant_selection(snapshot, share, built_at)
                name = pack_name(packs[vault_id])
                build_pack(
                    actor=actor,
                    vault=share.vault,
                    selection=selection,
                    out=work / name,
                    statement="none",
                    now=built_at,
                    case=case,
                    scope=case_access.scope_for(actor, share.vault, case),
                )
                info = zipfile.ZipInfo(name, FIXED_DATE)
                with (work / name).open("rb") as source, bundle.open(info, "w") as target:
                    shutil.copyfileobj(source, target)
                names.append(name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="spo_application.downloaded",
            object_type="spo_application",
            object_id=application.pk,
            detail={"case": str(case.pk), "packs": len(names) - 1},
        )
    return names


def _defendant_selection(snapshot: Any, share: Any, now: datetime) -> Selection:
    """What a court gets of one log: the defendant's incidents and their exhibits (DESIGN.md
    invariant 8). Before a defendant is known (several people, none chosen), everything
    shared, whose PDF analyses each person apart."""
    chosen = defendant_analysis(
        analyse_people(snapshot, now=now, voice=THIRD_PERSON), share
    ).analysis
    if chosen is None:
        return Selection.of([i.id for i in snapshot.incidents], [e.id for e in snapshot.exhibits])
    ids = {p.id for p in chosen.points}
    return Selection.of(sorted(ids), [e.id for e in snapshot.exhibits if e.incident_id in ids])
