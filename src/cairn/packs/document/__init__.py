"""Everything the pack's PDF shows, as plain frozen data (pure: no Django, no database).

``build_document`` takes what was disclosed (``selection.resolve``), the analysis of that
disclosed snapshot (one per person, in the third person: ``analyse_people(...,
voice=THIRD_PERSON)``), and the signed tree head the pack's proofs lead to, and words every
part of the PDF: the cover, the summary, the SPO threshold view per person, the chronology,
the charts, the exhibit schedule with continuity, the analysis with its citations, the annex
(methods with their figures, and general research labelled as such), the statement draft and
how to verify the pack. ``cairn.packs.pdf`` only lays it out.

The package's modules: ``model`` (the frozen dataclasses), ``words`` (fixed words, how times
and numbers read), ``parts`` (each part worded), ``build`` (``build_document``). The breach
report of ``cairn.orders`` reuses the chronology, exhibit and verification parts.

The PDF is a court document: it speaks of the person who kept the log in the third person
and never says "you" outside her own quoted words (DESIGN.md invariant 10).

Rules it keeps:
- Only the disclosed snapshot is read. The analysis must be of that snapshot: a finding that
  cites an incident outside it is refused, so nothing left out can leak through a chart or a
  citation. What is left out is described by one number, ``omitted_entries``.
- Deterministic: the same input gives the same document, field for field (no clock reads,
  every list in a stated order), so the same pack built twice gives the same PDF.
- Times are shown in the vault's time zone, worded by their precision (DESIGN.md invariant 3).
- The vault's private name is never shown; the cover carries the owner's initials, which her
  exhibit references carry anyway.
"""

from __future__ import annotations

from cairn.packs.document.build import (
    build_document,
)
from cairn.packs.document.model import (
    ActCount,
    AnalysisSection,
    AnnexItem,
    Chart,
    ChronologyEntry,
    Cited,
    Cover,
    DocumentError,
    ExhibitEntry,
    Limb,
    PackDocument,
    PersonPart,
    Statement,
    Summary,
    Verification,
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
    CHARTS,
    LIMBS,
    RELATIONSHIP_LABELS,
    SOURCE_LABELS,
    STATEMENT_NOTE,
    THRESHOLD_NOTE,
    TITLE,
    act_label,
    exhibit_order,
    file_size,
    groups,
    incident_when,
    incidents_text,
    instant,
    number_ranges,
    plural,
    reference_key,
    rfc3339,
    vault_zone,
)

__all__ = [
    "ANALYSIS_NOTE",
    "ANNEX_NOTE",
    "CHARTS",
    "LIMBS",
    "RELATIONSHIP_LABELS",
    "SOURCE_LABELS",
    "STATEMENT_NOTE",
    "THRESHOLD_NOTE",
    "TITLE",
    "ActCount",
    "AnalysisSection",
    "AnnexItem",
    "Chart",
    "ChronologyEntry",
    "Cited",
    "Citer",
    "Cover",
    "DocumentError",
    "ExhibitEntry",
    "Limb",
    "PackDocument",
    "PersonPart",
    "Statement",
    "Summary",
    "Verification",
    "act_label",
    "annex_items",
    "build_document",
    "chart_parts",
    "chronology_entry",
    "cover_part",
    "exhibit_entry",
    "exhibit_order",
    "file_size",
    "groups",
    "incident_when",
    "incidents_text",
    "instant",
    "number_ranges",
    "paragraphs",
    "person_part",
    "plural",
    "reference_key",
    "rfc3339",
    "summary_part",
    "vault_zone",
    "verification_steps",
]
