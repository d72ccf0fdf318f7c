"""What the import's notes say, in her words, with what to do (issue 16, point 5).

The parsers write their notes for the record and the command line ("date order inferred:
day-first (a day of 13 on line 9)"). The review page shows each as a plain sentence and a next
step. A note this module does not know is shown as a general sentence, never as it is: a
parser's words can carry field names and codes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from cairn.importers import dates
from cairn.web.timeframe import zone_words

KEPT = "The original file is kept exactly as it was."
CHECK_TIMES = "If you were somewhere else at the time, those times may be out by a few hours."
ADD_WHEN = "If you know when it was taken, add it when you change the incident."


@dataclass(frozen=True)
class PlainNote:
    text: str
    todo: str


def _times(n: str, one: str, many: str) -> str:
    return f"{n} {one if n == '1' else many}"


def _how_often(n: str) -> str:
    return {"1": "once", "2": "twice"}.get(n, f"{n} times")


def _order(match: re.Match[str]) -> PlainNote:
    order = match["order"]
    example = dates.EXAMPLES.get(order, "")
    text = f"Dates in the file were read in the order {dates.LABELS.get(order, order).lower()}"
    text += f" (so {example} is 31 December 2024)." if example else "."
    if match["reasons"]:
        text += " Other ways of reading them would give dates that cannot be right."
    return PlainNote(
        text, "Check the dates of a few suggestions against your phone before you add them."
    )


_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], PlainNote]]] = [
    (
        re.compile(r"^read as (?P<enc>.+), columns separated by (?P<sep>.+)$"),
        lambda m: PlainNote(
            f"The diary was read with its columns separated by {m['sep']}.",
            "If words look garbled or in the wrong column, the original file is "
            "kept as it was: ask whoever helps you with Cairn.",
        ),
    ),
    (
        re.compile(r"^date order inferred: (?P<order>[a-z-]+) \([^)]*\)(?:: (?P<reasons>.*))?$"),
        _order,
    ),
    (
        re.compile(r"^dates and times were read in (?P<tz>.+)$"),
        lambda m: PlainNote(f"Times were read as {zone_words(m['tz'])}.", CHECK_TIMES),
    ),
    (
        re.compile(
            r"^(?P<where>.+): its MIME structure is damaged \(.*\); it was read as far "
            r"as its parts could be found$"
        ),
        lambda m: PlainNote(
            f"{m['where']}: part of this e-mail is damaged. Cairn read what it could.",
            KEPT + " The police can examine it.",
        ),
    ),
    (
        re.compile(r"^(?P<where>.+): the Date header is not a valid date; no sending time kept$"),
        lambda m: PlainNote(
            f"{m['where']}: the date this e-mail was sent could not be read.",
            "If you know when it came, add it when you change the incident.",
        ),
    ),
    (
        re.compile(r"^(?P<where>.+): read from an Outlook \.msg file; .*$"),
        lambda m: PlainNote(
            f"{m['where']}: this came from Outlook, so Cairn cannot check the "
            "signature that shows it was not changed.",
            "If you can, save the e-mail from Outlook as an .eml file and add that too.",
        ),
    ),
    (
        re.compile(
            r"^(?P<where>.+): possible spoof: the sender's name shows the address "
            r"(?P<shown>\S+), but the message was sent from (?P<real>\S+)$"
        ),
        lambda m: PlainNote(
            f"{m['where']}: this may not be from who it seems. The name shows "
            f"{m['shown']}, but it was sent from {m['real']}.",
            "Tell the police about this when you give them your evidence.",
        ),
    ),
    (
        re.compile(
            r"^(?P<label>.+): Cairn does not read the metadata of (?P<kind>.+) pictures "
            r"yet; .*$"
        ),
        lambda m: PlainNote(
            f"{m['label']}: Cairn cannot read when this picture was taken.", ADD_WHEN
        ),
    ),
    (
        re.compile(r"^(?P<label>.+): its metadata could not be read; capture time unknown$"),
        lambda m: PlainNote(
            f"{m['label']}: the details inside this file could not be read, so "
            "when it was taken is not known.",
            ADD_WHEN,
        ),
    ),
    (
        re.compile(r"^(?P<label>.+): no capture time in its metadata$"),
        lambda m: PlainNote(f"{m['label']}: the file does not say when it was taken.", ADD_WHEN),
    ),
    (
        re.compile(r"^(?P<n>\d+) emoji written as invalid XML character references .*$"),
        lambda m: PlainNote(
            f"{_times(m['n'], 'emoji was', 'emoji were')} stored oddly in the "
            "backup, and read as the emoji.",
            "Nothing to do.",
        ),
    ),
    (
        re.compile(r"^(?P<n>\d+) characters that XML cannot hold .*$"),
        lambda m: PlainNote(
            f"{_times(m['n'], 'character', 'characters')} in the backup could "
            "not be read and show as \N{REPLACEMENT CHARACTER}.",
            KEPT,
        ),
    ),
    (
        re.compile(r"^(?P<n>\d+) elements other than <sms> and <mms> were skipped$"),
        lambda m: PlainNote(
            f"{_times(m['n'], 'item', 'items')} in the backup were not texts or "
            "picture messages, and were left out.",
            KEPT,
        ),
    ),
    (
        re.compile(
            r"^(?P<entry>.+) part (?P<i>\d+): the attachment's data is not valid base64 "
            r"and was not extracted$"
        ),
        lambda m: PlainNote(
            "A picture or file sent with one of the messages is damaged in the "
            "backup and could not be taken out.",
            "If you still have it on your phone, add it as an exhibit.",
        ),
    ),
    (
        re.compile(
            r"^(?P<n>\d+) message time\(s\) had no date_unixtime and were read as "
            r"wall-clock times in (?P<tz>.+)$"
        ),
        lambda m: PlainNote(
            f"{_times(m['n'], 'message time was', 'message times were')} read as "
            f"{zone_words(m['tz'])}, because the export does not say which.",
            CHECK_TIMES,
        ),
    ),
    (
        re.compile(r"^the file is not valid UTF-8 from line (?P<line>\d+): .*$"),
        lambda m: PlainNote(
            f"From line {m['line']}, some characters could not be read and show "
            "as \N{REPLACEMENT CHARACTER}.",
            KEPT,
        ),
    ),
    (
        re.compile(
            r"^(?P<n>\d+) date\(s\) fall before 2009 or after today, first on line "
            r"(?P<line>\d+): .*$"
        ),
        lambda m: PlainNote(
            f"{_times(m['n'], 'message is', 'messages are')} dated before "
            f"WhatsApp existed or after today (first on line {m['line']}): the "
            "phone's clock may have been wrong.",
            "Check those dates before you add them.",
        ),
    ),
    (
        re.compile(
            r"^the dates go back in time (?P<n>\d+) time\(s\), first on line "
            r"(?P<line>\d+)$"
        ),
        lambda m: PlainNote(
            f"The dates go back in time {_how_often(m['n'])} (first on line {m['line']}).",
            "Check the messages around there before you add them.",
        ),
    ),
    (
        re.compile(
            r"^(?P<n>\d+) time\(s\) fell in the hour skipped when the clocks went forward "
            r".*$"
        ),
        lambda m: PlainNote(
            f"{_times(m['n'], 'message time falls', 'message times fall')} in the "
            "hour skipped when the clocks went forward.",
            "They may be an hour out.",
        ),
    ),
    (
        re.compile(
            r"^(?P<n>\d+) time\(s\) fell in the hour repeated when the clocks went back "
            r".*$"
        ),
        lambda m: PlainNote(
            f"{_times(m['n'], 'message time falls', 'message times fall')} in the "
            "hour the clocks went back, which happens twice; the first was used.",
            "They may be an hour out.",
        ),
    ),
    (
        re.compile(r"^(?P<n>\d+) file\(s\) in the export are not named by any message$"),
        lambda m: PlainNote(
            f"{_times(m['n'], 'file', 'files')} in the export "
            f"{'is' if m['n'] == '1' else 'are'} not attached to any message.",
            KEPT,
        ),
    ),
]

UNKNOWN = PlainNote(
    "Cairn noted something about how part of this file was read.",
    KEPT + " Whoever helps you with Cairn can look at it with you.",
)


def plain(note: str) -> PlainNote:
    """The note in plain words with what to do; a general sentence for a note not known."""
    for pattern, words in _RULES:
        match = pattern.match(note)
        if match:
            return words(match)
    return UNKNOWN
