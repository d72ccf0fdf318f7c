"""``build_document``: word the whole PDF of one pack from what was disclosed, its analysis
and the signed tree head (see ``cairn.packs.document``)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from datetime import datetime

from cairn.analysis.base import THIRD_PERSON
from cairn.analysis.engine import PeopleAnalysis
from cairn.packs.document.model import (
    DocumentError,
    PackDocument,
    Statement,
)
from cairn.packs.document.parts import (
    Citer,
    annex_items,
    chart_parts,
    chronology_entry,
    cover_part,
    exhibit_entry,
    paragraphs,
    person_part,
    summary_part,
    verification_steps,
)
from cairn.packs.document.words import (
    ANALYSIS_NOTE,
    ANNEX_NOTE,
    STATEMENT_NOTE,
    TITLE,
    exhibit_order,
    vault_zone,
)
from cairn.packs.head import HeadInfo
from cairn.packs.selection import Disclosed
from cairn.vault.snapshot import VaultSnapshot


def build_document(
    disclosed: Disclosed,
    analysis: PeopleAnalysis,
    head: HeadInfo,
    *,
    statement: str,
    built_at: datetime,
    omitted_entries: int,
    continuity: Mapping[str, str],
    pack_id: str | None = None,
) -> PackDocument:
    """Word the whole PDF for one pack.

    ``analysis`` must be ``analyse_people(disclosed.snapshot, ..., voice=THIRD_PERSON)``;
    ``head`` the signed tree head of
    this vault that the pack's inclusion proofs lead to; ``statement`` the narrative to print
    (a saved or fresh draft; "" for none); ``continuity`` maps user ids to the names to print
    for who added each exhibit. ``pack_id`` defaults to a digest of everything else, so the
    same pack gets the same id. Raises DocumentError when the inputs do not belong together.
    """
    if built_at.tzinfo is None or built_at.utcoffset() is None:
        raise DocumentError("built_at must be an aware datetime")
    if omitted_entries < 0:
        raise DocumentError("omitted_entries cannot be negative")
    snapshot = disclosed.snapshot
    _check_belongs(snapshot, analysis, head)
    zone = vault_zone(snapshot.time_zone)
    incidents = tuple(sorted(snapshot.incidents, key=lambda i: (i.start, i.number, i.id)))
    exhibits = tuple(sorted(snapshot.exhibits, key=exhibit_order))
    numbers = {i.id: i.number for i in incidents}
    references = {e.id: e.reference for e in exhibits}
    cite = Citer(numbers, references)

    document = PackDocument(
        pack_id=pack_id or "",
        title=TITLE,
        built_at=built_at,
        cover=cover_part(snapshot, zone, built_at, len(incidents), len(exhibits)),
        summary=summary_part(snapshot, analysis, zone, incidents, exhibits, cite),
        chronology=tuple(chronology_entry(i, snapshot, zone, references) for i in incidents),
        charts=tuple(chart_parts(analysis)),
        exhibits=tuple(exhibit_entry(e, disclosed, zone, numbers, continuity) for e in exhibits),
        analysis_note=ANALYSIS_NOTE,
        people=tuple(person_part(a, cite) for a in analysis.all()),
        annex_note=ANNEX_NOTE,
        annex=annex_items(analysis),
        statement=Statement(STATEMENT_NOTE, paragraphs(statement)),
        verification=verification_steps(head, omitted_entries),
    )
    if pack_id is None:
        digest = hashlib.sha256(
            json.dumps(document.to_json(), sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        document = dataclasses.replace(document, pack_id=digest[:12])
    return document


def _check_belongs(snapshot: VaultSnapshot, analysis: PeopleAnalysis, head: HeadInfo) -> None:
    if analysis.vault_id != snapshot.id or head.vault_id != snapshot.id:
        raise DocumentError("the analysis and the tree head must be of the pack's vault")
    if any(a.voice != THIRD_PERSON for a in analysis.all()):
        raise DocumentError("a pack's analysis speaks in the third person")
    disclosed_ids = {i.id for i in snapshot.incidents}
    analysed_ids = {p.id for a in analysis.all() for p in a.points}
    cited_ids = {i for f in analysis.findings() for i in f.incident_ids}
    if analysed_ids != disclosed_ids or not cited_ids <= disclosed_ids:
        # Charts and findings of a wider analysis would tell of incidents left out.
        raise DocumentError("the analysis must be of the disclosed snapshot only")
