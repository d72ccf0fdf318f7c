"""The SPO application as a document (pure: no Django, no database) and its PDF.

``ApplicationDocument`` holds what the court reads: the case reference, the applicant (the
chief officer of police of the force, s.1), the respondent (the suspects recorded on the
case), the grounds under s.1(1)(a)-(c) with the evidence each rests on (incident numbers in a
numbered evidence pack), the terms each with its necessity reason (s.2(2)), the duration
(s.3) and the interim request with its reasoning (s.5). ``render`` lays it out with
``application.typ`` through the pack's child-process Typst (``cairn.packs.pdf``, ADR 0016),
so user text is only ever a JSON string value, never Typst markup.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cairn.packs.document import number_ranges

TEMPLATE = Path(__file__).with_name("application.typ")


@dataclass(frozen=True)
class GroundText:
    section: str
    title: str
    text: str
    evidence: tuple[str, ...]  # "Evidence pack 1: incidents 1-4, 7"


@dataclass(frozen=True)
class TermText:
    number: int
    kind: str  # "Prohibition" or "Requirement"
    label: str
    details: str
    place: str
    exception: str
    zone: str
    necessity: str


@dataclass(frozen=True)
class ApplicationDocument:
    case_reference: str
    force: str
    unit: str
    applicant: str
    respondents: tuple[str, ...]
    status: str
    grounds: tuple[GroundText, ...]
    terms: tuple[TermText, ...]
    duration: str
    interim_requested: bool
    interim_reasoning: str
    packs: tuple[str, ...]  # "Evidence pack 1: spo-evidence-1.zip (a log shared in part)"
    built_at: datetime
    built_by: str

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["built_at"] = self.built_at.strftime("%-d %B %Y, %H:%M")
        data["title"] = f"Application for a Stalking Protection Order: {self.case_reference}"
        return data


def evidence_line(pack_number: int, incidents: list[int]) -> str:
    word = "incident" if len(incidents) == 1 else "incidents"
    return f"Evidence pack {pack_number}: {word} {number_ranges(incidents)}"


def zone_words(
    area: Any, centre_lat: float | None, centre_lon: float | None, radius_m: int | None, kind: str
) -> str:
    """An exclusion zone or a distance in words (a court order names it plainly)."""
    if area:
        corners = area["coordinates"][0][:-1]
        points = "; ".join(f"{lat:.5f}, {lon:.5f}" for lon, lat in corners)
        return f"The area within the corners (latitude, longitude): {points}"
    if centre_lat is not None and centre_lon is not None and radius_m:
        return f"Within {radius_m} metres of latitude {centre_lat:.5f}, longitude {centre_lon:.5f}"
    if radius_m and kind == "not_within_distance":
        return f"Within {radius_m} metres of the person"
    return ""


def render(document: ApplicationDocument) -> bytes:
    """The application's PDF/A-2b bytes (raises ``cairn.packs.pdf.PdfError``)."""
    from cairn.packs.pdf import render_pdf

    return render_pdf(document, template=TEMPLATE)
