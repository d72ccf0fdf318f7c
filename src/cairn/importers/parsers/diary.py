"""A diary kept in a spreadsheet (CSV): map the columns, confirm, then read the rows.

Two steps, because only the victim knows what their columns mean:

1. ``inspect(data, name=...)`` detects the encoding (UTF-8 with or without BOM, UTF-16 by
   BOM, else Windows-1252 as Excel writes in the UK) and the delimiter (comma, semicolon,
   tab, pipe), takes the first non-empty row as the header, and suggests which column holds
   each diary field (``FIELDS``) by its header name: case, spacing and punctuation ignored,
   common synonyms known ("Location" for place, "Crime ref" for police reference...).
2. ``parse(data, name=..., mapping=..., tz=..., date_order=...)`` reads every row with the
   confirmed mapping (field name to 0-based column index) into ``DiaryRow`` items.

Input: a ``Source`` (bytes, a path or a binary stream; see ``_input``); a diary is small, so
it is read whole. Dates: three numbers separated by ``/``, ``-`` or ``.`` (two-digit years as
20yy), ``d Month yyyy`` ("3rd March 2024", "Sun 3 Mar 24"), ``yyyy-mm-dd`` (ISO 8601). The
order of day, month and year of the numeric dates is settled from the whole date column by
``cairn.importers.dates.settle`` (every date real, from 1900 to two days after ``today``, and
the rows in time order, oldest or newest first); when the column leaves it open,
``AmbiguousDates`` names a row whose date reads differently, unless the caller passes
``date_order`` (a key of ``dates.ORDERS``). Times: ``14:30``, ``2.30pm``,
``2pm``, ``1430``; the words "morning", "afternoon", "evening", "night"/"overnight" give
an interval with a coarser precision. The date and time cells as written are kept in
``when_words``. A date that cannot be real ("31/02/2024"), or a date cell that is not a date,
raises ``ImportFailure`` naming the row's line and the column's header; cell contents are
never quoted.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cairn.importers import dates
from cairn.importers.base import AmbiguousDates, DiaryRow, ImportFailure, Origin, ParsedImport
from cairn.importers.parsers._input import Source, open_binary, source_name

__all__ = ["DATE_ORDERS", "FIELDS", "FORMAT", "DiaryPreview", "inspect", "parse"]

FORMAT = "csv"
FIELDS = ("date", "time", "place", "what_happened", "witnesses", "impact", "police_reference")
REQUIRED = ("date", "what_happened")
DATE_ORDERS = tuple(dates.ORDERS)
EARLIEST = date(1900, 1, 1)  # a diary may look back a long way, but not this far
MAX_SIZE = 64 * 1024 * 1024
_DELIMITERS = ",;\t|"

# Header names (normalised: lower case, letters and digits, single spaces) for each field.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("date", "day", "date of incident", "incident date", "date occurred", "on",
             "when date"),
    "time": ("time", "time of incident", "approx time", "approximate time", "incident time",
             "at", "time approx"),
    "place": ("place", "location", "where", "address", "venue", "where it happened",
              "where did it happen", "place location"),
    "what_happened": ("what happened", "description", "incident", "details", "event",
                      "what", "summary", "account", "what did they do", "incident details",
                      "notes", "what happened description"),
    "witnesses": ("witnesses", "witness", "who saw", "who was there", "witness es",
                  "witness names", "anyone else there"),
    "impact": ("how it made me feel", "how i felt", "impact", "feelings", "feeling",
               "effect", "how did it make you feel", "impact on me", "how it affected me",
               "effect on me", "how i feel"),
    "police_reference": ("police reference", "police ref", "crime reference", "crime ref",
                         "crime number", "crime reference number", "reference", "ref",
                         "reported to police", "police", "cad number", "cad",
                         "incident number", "log number", "urn", "reported"),
}

MONTHS = {name: number for number, names in enumerate(
    (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
     ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
     ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
     ("december", "dec")), start=1) for name in names}

_NUMERIC_DATE = re.compile(r"^(\d{1,4})[/.\-](\d{1,4})[/.\-](\d{1,4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_WORD_DATE = re.compile(r"^(?:[a-z]+,?\s+)?(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+"
                        r"(\d{4}|\d{2})$")
_CLOCK = re.compile(r"(?<![\d.:])(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?(?![\d:])")
_FOUR_DIGITS = re.compile(r"^(\d{2})(\d{2})(?:\s*(?:hrs|h))?$")
_PERIODS = {
    "morning": (time(6), time(12)), "afternoon": (time(12), time(18)),
    "evening": (time(18), time(23)), "night": (time(18), time(9)),
    "overnight": (time(18), time(9)),
}


@dataclass(frozen=True)
class DiaryPreview:
    """What ``inspect`` found, for the person to confirm or correct."""

    source_name: str
    encoding: str
    delimiter: str
    header: tuple[str, ...]
    suggested_mapping: dict[str, int]  # field name -> 0-based column index
    sample_rows: tuple[tuple[str, ...], ...]  # the first few rows after the header
    row_count: int  # non-empty rows after the header


def inspect(data: Source, *, name: str | None = None) -> DiaryPreview:
    """Detect encoding and delimiter, read the header, and suggest a column mapping."""
    file_name = source_name(data, name)
    text, encoding = _decode(_read(data, file_name), file_name)
    delimiter = _delimiter(text)
    rows = [(line, row) for line, _, row in _rows(text, delimiter, file_name)]
    if not rows:
        raise ImportFailure(file_name, "the file has no rows")
    header = tuple(cell.strip() for cell in rows[0][1])
    body = [row for _, row in rows[1:]]
    return DiaryPreview(source_name=file_name, encoding=encoding, delimiter=delimiter,
                        header=header, suggested_mapping=suggest_mapping(header),
                        sample_rows=tuple(tuple(r) for r in body[:5]), row_count=len(body))


def suggest_mapping(header: tuple[str, ...] | list[str]) -> dict[str, int]:
    """Field -> column index, from header names: exact synonyms first, then containment."""
    normal = [_normalise(h) for h in header]
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for exact in (True, False):
        for field_name in FIELDS:
            if field_name in mapping:
                continue
            for index, cell in enumerate(normal):
                if index in used or not cell:
                    continue
                synonyms = SYNONYMS[field_name]
                hit = cell in synonyms if exact else any(
                    len(s) > 3 and re.search(rf"\b{re.escape(s)}\b", cell) for s in synonyms)
                if hit:
                    mapping[field_name] = index
                    used.add(index)
                    break
    return {f: mapping[f] for f in FIELDS if f in mapping}


def parse(data: Source, *, name: str | None = None, mapping: Mapping[str, int],
          tz: str = "Europe/London", date_order: str | None = None,
          has_header: bool = True, today: date | None = None) -> ParsedImport:
    """Read the diary's rows with a confirmed ``mapping`` (see ``inspect``).

    Raises ``ImportFailure`` (``AmbiguousDates`` when the order of day, month and year of
    the numeric dates is not settled and ``date_order`` is not given)."""
    file_name = source_name(data, name)
    if date_order is not None and date_order not in DATE_ORDERS:
        raise ImportFailure(file_name, f"the date order must be one of {', '.join(DATE_ORDERS)}")
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImportFailure(file_name, "unknown time zone (give a zoneinfo name such as "
                                       "Europe/London)") from None
    unknown = set(mapping) - set(FIELDS)
    if unknown:
        raise ImportFailure(file_name, "the mapping names fields a diary does not have: "
                                       + ", ".join(sorted(unknown)))
    missing = [f for f in REQUIRED if f not in mapping]
    if missing:
        raise ImportFailure(file_name, "say which column holds: " + ", ".join(missing))
    text, encoding = _decode(_read(data, file_name), file_name)
    delimiter = _delimiter(text)
    rows = list(_rows(text, delimiter, file_name))
    if not rows:
        raise ImportFailure(file_name, "the file has no rows")
    header = tuple(c.strip() for c in rows[0][2]) if has_header else ()
    width = max(len(r) for _, _, r in rows)
    for field_name, column in mapping.items():
        if not isinstance(column, int) or not 0 <= column < width:
            raise ImportFailure(file_name, f"the column chosen for {field_name} is not in "
                                           "the file")
    body = rows[1:] if has_header else rows

    def cell(row: list[str], field_name: str) -> str:
        column = mapping.get(field_name)
        return row[column].strip() if column is not None and column < len(row) else ""

    def where(field_name: str, line: int) -> str:
        column = mapping[field_name]
        label = header[column] if column < len(header) and header[column] else \
            f"column {column + 1}"
        return f"{file_name}, line {line}, column {label!r}"

    order = date_order or _settle_order(
        [(line, " ".join(cell(row, "date").lower().split())) for line, _, row in body],
        where=lambda line: where("date", line),
        latest=(today or datetime.now(zone).date()) + _SLACK)
    diary: list[DiaryRow] = []
    for index, (line_start, line_end, row) in enumerate(body):
        start, end, precision = _when(cell(row, "date"), cell(row, "time"), zone, order,
                                      where("date", line_start))
        diary.append(DiaryRow(
            origin=Origin(line_start=line_start, line_end=line_end, entry=f"rows[{index}]"),
            start=start, end=end, precision=precision,
            when_words=" ".join(p for p in (cell(row, "date"), cell(row, "time")) if p),
            location=cell(row, "place"), description=cell(row, "what_happened"),
            witnesses=cell(row, "witnesses"), impact=cell(row, "impact"),
            police_reference=cell(row, "police_reference")))
    notes = [f"read as {encoding}, columns separated by {_DELIMITER_NAMES[delimiter]}"]
    if date_order is None and order != _NO_NUMERIC_DATES:
        notes.append(f"date order inferred: {order} ({dates.LABELS[order].lower()})")
    if any(r.start is not None for r in diary):
        notes.append(f"dates and times were read in {tz}")
    return ParsedImport(format=FORMAT, source_name=file_name, assumed_time_zone=tz,
                        diary=tuple(diary), notes=tuple(notes))


_DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def _read(data: Source, name: str) -> bytes:
    try:
        with open_binary(data) as stream:
            raw = stream.read(MAX_SIZE + 1)
    except OSError:
        raise ImportFailure(name, "the file could not be read") from None
    if len(raw) > MAX_SIZE:
        raise ImportFailure(name, f"the file is larger than {MAX_SIZE // (1024 * 1024)} MiB; "
                                  "a diary should be far smaller")
    if not raw.strip():
        raise ImportFailure(name, "the file is empty")
    return raw


def _decode(raw: bytes, name: str) -> tuple[str, str]:
    if raw.startswith(codecs.BOM_UTF8):
        if not _utf8(raw[3:]):
            raise ImportFailure(name, _bad_utf8(raw[3:]))
        text, encoding = raw[3:].decode("utf-8"), "utf-8"
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text, encoding = raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise ImportFailure(name, "the file says it is UTF-16 but is not") from None
    elif _utf8(raw):
        text, encoding = raw.decode("utf-8"), "utf-8"
    else:
        try:
            text, encoding = raw.decode("cp1252"), "windows-1252"
        except UnicodeDecodeError:
            raise ImportFailure(name, _bad_utf8(raw)) from None
    if "\x00" in text:
        raise ImportFailure(name, "this is a binary file, not a CSV spreadsheet")
    controls = sum(1 for c in text if c < " " and c not in "\t\r\n")
    if controls > max(2, len(text) // 1000):
        raise ImportFailure(name, "this is a binary file, not a CSV spreadsheet")
    return text, encoding


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _bad_utf8(raw: bytes) -> str:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return f"the text is not valid UTF-8 or Windows-1252 (line {line})"
    return "the text encoding could not be recognised"


def _delimiter(text: str) -> str:
    sample = text[:65536]
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        first = next((line for line in sample.splitlines() if line.strip()), "")
        counts = {d: first.count(d) for d in _DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _rows(text: str, delimiter: str, name: str) -> list[tuple[int, int, list[str]]]:
    """(first line, last line, cells) for each row that has any content."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    rows: list[tuple[int, int, list[str]]] = []
    previous_end = 0
    try:
        for row in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if any(cell.strip() for cell in row):
                rows.append((start, reader.line_num, row))
    except csv.Error:
        raise ImportFailure(f"{name}, line {reader.line_num}", "this line cannot be read as "
                                                               "CSV") from None
    return rows


def _normalise(header: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", header.lower()).split())


# -- dates and times -------------------------------------------------------------------------


def _when(date_text: str, time_text: str, zone: ZoneInfo, date_order: str,
          where: str) -> tuple[datetime | None, datetime | None, str]:
    """(start, end, precision) for a row; ImportFailure for an impossible date."""
    if not date_text:
        return None, None, "unknown"
    day = _date(date_text, date_order, where)
    words = time_text.lower()
    clock = _clock(words)
    if clock is not None:
        start = _aware(day, clock, zone)
        precision = "exact" if clock.minute or re.search(r"\d[:.]\d\d", words) else "hour"
        if "about" in words or "approx" in words or "around" in words or "~" in words:
            precision = "hour"
        return start, None, precision
    for period, (begin, finish) in _PERIODS.items():
        if period in words:
            # A part of the day is an interval; "night" runs into the next morning.
            end_day = day + timedelta(days=1) if finish <= begin else day
            precision = "overnight" if period in ("night", "overnight") else "day"
            return _aware(day, begin, zone), _aware(end_day, finish, zone), precision
    return _aware(day, time(0), zone), None, "day"


def _aware(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


_SLACK = timedelta(days=2)  # a local date can run ahead of the importer's own day
_NO_NUMERIC_DATES = "day-first"  # any order reads a column with no numeric dates alike


def _numeric(value: str) -> dates.Written | None:
    """The three numbers of a numeric date that is not ISO 8601, or None."""
    if _ISO_DATE.match(value):
        return None
    match = _NUMERIC_DATE.match(value)
    return (match.group(1), match.group(2), match.group(3)) if match else None


def _settle_order(cells: list[tuple[int, str]], *, where: Callable[[int], str],
                  latest: date) -> str:
    """The order of day, month and year of the column's numeric dates (see the module
    docstring); ``AmbiguousDates`` or ``ImportFailure`` naming a row when not settled."""
    lines: list[int] = []
    keys: list[str] = []
    written: dict[str, dates.Written] = {}
    for line, value in cells:
        numbers = _numeric(value)
        if numbers is not None:
            lines.append(line)
            keys.append(value)
            written[value] = numbers
    if not keys:
        return _NO_NUMERIC_DATES
    verdict = dates.settle(keys, written, earliest=EARLIEST, latest=latest, direction="either")
    if verdict.kind == "settled":
        assert verdict.order is not None
        return verdict.order
    if verdict.kind == "impossible":
        at = verdict.impossible_at or 0
        raise ImportFailure(where(lines[at]), "the date is not a real date in any order of "
                                              "day, month and year")
    at = verdict.shown_at or 0
    raise AmbiguousDates(where(lines[at]), verdict.choices, written=keys[at],
                         readings={o: verdict.readings[o].dates[keys[at]]
                                   for o in verdict.choices})


def _date(text: str, date_order: str, where: str) -> date:
    value = " ".join(text.lower().split())
    numbers: tuple[int, int, int] | None = None
    if match := _ISO_DATE.match(value):
        numbers = (int(match.group(1)), int(match.group(2)), int(match.group(3)))
    elif (written := _numeric(value)) is not None:
        read = dates.read(written, date_order)
        if read is None:
            raise ImportFailure(where, f"the date is not a real date read {date_order} "
                                       f"({dates.why_impossible(written, date_order)})")
        return read
    elif match := _WORD_DATE.match(value):
        month_number = MONTHS.get(match.group(2))
        if month_number is None:
            raise ImportFailure(where, "the month name is not recognised")
        numbers = (_full_year(int(match.group(3)), match.group(3)), month_number,
                   int(match.group(1)))
    if numbers is None:
        raise ImportFailure(where, "the date is not in a recognised form (dd/mm/yyyy, "
                                   "d Month yyyy or yyyy-mm-dd)")
    year, month, day_ = numbers
    try:
        return date(year, month, day_)
    except ValueError:
        raise ImportFailure(where, f"the date is not a real date (day {day_}, month {month}, "
                                   f"year {year})") from None


def _full_year(year: int, digits: str) -> int:
    return 2000 + year if len(digits) == 2 else year


def _clock(words: str) -> time | None:
    if match := _FOUR_DIGITS.match(words.strip()):
        hour, minute = int(match.group(1)), int(match.group(2))
        return time(hour, minute) if hour < 24 and minute < 60 else None
    if "midnight" in words:
        return time(0)
    if "midday" in words or "noon" in words:
        return time(12)
    for match in _CLOCK.finditer(words):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        suffix = (match.group(3) or "").replace(".", "")
        if not suffix and match.group(2) is None:
            continue  # a bare number ("2") is not a time
        if suffix:
            if not 1 <= hour <= 12:
                continue
            hour = hour % 12 + (12 if suffix == "pm" else 0)
        if hour < 24 and minute < 60:
            return time(hour, minute)
    return None
