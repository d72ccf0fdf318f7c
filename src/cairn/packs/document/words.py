"""The fixed words of the pack's PDF (labels, notes, the SPO test in the third person) and
how times, numbers and sizes read in it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cairn.law.pha1997 import ACTS_BY_CODE
from cairn.vault.snapshot import ExhibitSnapshot, IncidentSnapshot
from cairn.web import timeframe

TITLE = "Evidence pack"

# The words of cairn.vault.choices, kept here so this module needs no Django (a test checks
# that they match).
SOURCE_LABELS: dict[str, str] = {
    "upload": "Uploaded on the website",
    "cli": "Added from the command line",
    "import": "Imported from an export file",
    "demo": "Demo data",
    "redacted": "Redacted copy made in Cairn",
}
RELATIONSHIP_LABELS: dict[str, str] = {
    "ex_partner": "Ex-partner",
    "ex_colleague": "Ex-colleague",
    "colleague": "Colleague",
    "acquaintance": "Acquaintance",
    "neighbour": "Neighbour",
    "stranger": "Stranger",
    "unknown": "Not known",
}

# The SPO test in the third person: the pattern page words it for the victim ("protect
# you"); the pack is read by the police, a court and the defence.
LIMBS: dict[str, tuple[str, str, str]] = {
    "s1_1_a": (
        "s.1(1)(a)",
        "Acts associated with stalking",
        "The person has carried out acts associated with stalking (following, contacting, "
        "watching, loitering, interfering with property and similar).",
    ),
    "s1_1_b": (
        "s.1(1)(b)",
        "A risk associated with stalking",
        "The person poses a risk associated with stalking: a risk of physical or "
        "psychological harm to another person, including from acts that look harmless but "
        "the person knows are unwelcome.",
    ),
    "s1_1_c": (
        "s.1(1)(c)",
        "An order is necessary to protect",
        "There is reasonable cause to believe that an order is necessary to protect another "
        "person from that risk: for example, it went on after they were told no, blocked or "
        "reported.",
    ),
    "s2_1": (
        "s.2(1)",
        "The court's test",
        "The court is satisfied of (a) and (b) and that the order is necessary to protect "
        "another person from that risk; each prohibition or requirement must itself be "
        "necessary (s.2(2)).",
    ),
}
THRESHOLD_NOTE = (
    "This sets the evidence in this pack against each part of the test for a Stalking "
    "Protection Order. It is not legal advice: the police decide whether to apply, and a "
    "court decides."
)
ANALYSIS_NOTE = (
    "Cairn ran its analysis on the incidents in this pack only, once for each person named "
    "as doing this, over only the incidents linked to that person; people are analysed "
    "together only where the person who kept the log said they are the same person or "
    "acting together. Incidents with nobody named are analysed apart and are not counted "
    "against anyone. Each statement names the incidents (and their exhibits) it rests on "
    "and the law or study behind the rule. The figures behind the statistical statements "
    "are in the annex."
)
ANNEX_NOTE = (
    "How the statements of the analysis were worked out, with the figures behind them, so "
    "anyone can repeat them; and general research, which is about groups of people and is "
    "not evidence about anyone in this pack."
)
STATEMENT_NOTE = (
    "DRAFT. Cairn drafted this narrative from the log for the person who kept it to correct "
    "in their own words. It is not signed and is not a witness statement: the police take "
    "the statement and supply the form and its declaration."
)
CHARTS: dict[str, tuple[str, str]] = {
    "timeline": (
        "Timeline of incidents",
        "Each dot is an incident, placed by date and by its level on Cairn's own "
        "severity scale. Shaded: a "
        "long quiet period. Dashed lines: the weeks the rate changed.",
    ),
    "weekly": (
        "Incidents each week",
        "Bars: incidents each week. Orange lines: the average rate between the weeks "
        "the rate changed.",
    ),
    "severity": (
        "How serious, month by month",
        "Incidents each month, coloured by their level on Cairn's own severity scale.",
    ),
    "acts": (
        "Acts listed in s.2A(3)",
        "How many incidents show each act listed in the Protection from Harassment Act "
        "1997, s.2A(3).",
    ),
    "channels": (
        "How they got in touch",
        "Each row is a way of contact; bigger dots mean more incidents that month.",
    ),
    "time_of_day": (
        "Day of the week and hour",
        "Incidents with a known time, by day of the week and hour (the log's time "
        "zone). Darker means more.",
    ),
}


def vault_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/London")


def instant(value: datetime | None, zone: ZoneInfo) -> str:
    """A stored instant in the vault's zone, e.g. "Tuesday 3 June 2025 at 14:05" (the 24-hour
    clock of statements and court documents)."""
    if value is None:
        return "Not known"
    return timeframe.instant_words(value, zone, timeframe.clock_24h)


def incident_when(incident: IncidentSnapshot, zone: ZoneInfo) -> str:
    """An incident's time in the words of her timeline, with the 24-hour clock of court
    documents (``timeframe.describe_when``)."""
    return timeframe.describe_when(
        incident.start, incident.end, incident.precision, zone, timeframe.clock_24h
    )


def rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def number_ranges(numbers: Iterable[int]) -> str:
    """``[1, 2, 3, 4, 7]`` -> "1\u20134, 7": long citations stay readable."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts = []
    for run in runs:
        if len(run) > 2:
            parts.append(f"{run[0]}\u2013{run[-1]}")
        else:
            parts.extend(str(n) for n in run)
    return ", ".join(parts)


def incidents_text(numbers: tuple[int, ...]) -> str:
    if not numbers:
        return ""
    return f"Incident{'s' if len(numbers) > 1 else ''} {number_ranges(numbers)}"


def groups(hex_digest: str, size: int = 16) -> tuple[str, ...]:
    """A long hex string cut in groups, so it wraps only between groups when printed."""
    return tuple(hex_digest[n : n + size] for n in range(0, len(hex_digest), size))


def plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def file_size(size: int) -> str:
    if size < 1000:
        return plural(size, "byte", "bytes")
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit} ({size:,} bytes)"
    return plural(size, "byte", "bytes")  # pragma: no cover


def act_label(code: str, other_act: str = "") -> str:
    if code == "other":
        return f"Other: {other_act}" if other_act.strip() else "Another act linked to the stalking"
    act = ACTS_BY_CODE.get(code)
    return f"s.2A(3)({code}) {act.label}" if act is not None else code


def reference_key(reference: str) -> tuple[str, int, str]:
    """Exhibit references in number order: AB/2 before AB/10."""
    prefix, _, number = reference.rpartition("/")
    return (prefix, int(number) if number.isdigit() else 0, reference)


def exhibit_order(exhibit: ExhibitSnapshot) -> tuple[tuple[str, int, str], str]:
    return (reference_key(exhibit.reference), exhibit.id)
