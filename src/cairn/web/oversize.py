"""What can be kept of a form too large to take: the text of its complete fields.

What: ``kept_fields`` reads the start of an ``application/x-www-form-urlencoded`` body (at
most the size Cairn takes from a form) and returns each field found in it, the last one cut
where the start ends. Why: a description pasted in full (a chat, a diary) can be larger than
a form may be; the page that says so shows her words back so she can copy them rather than
lose them. Failures: none; an undecodable byte becomes U+FFFD.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

NOT_SHOWN = frozenset({"csrfmiddlewaretoken", "next"})
_PARTIAL_ESCAPE = re.compile(r"%[0-9A-Fa-f]?$")


def kept_fields(start: bytes, *, complete: bool) -> list[tuple[str, str, bool]]:
    """(name, value, cut) for every non-empty field in ``start``; ``cut`` marks the last
    field when ``complete`` is false (the body went on beyond ``start``)."""
    text = start.decode("latin-1")
    pairs = text.split("&")
    found: list[tuple[str, str, bool]] = []
    for index, pair in enumerate(pairs):
        cut = not complete and index == len(pairs) - 1
        raw_name, _, raw_value = pair.partition("=")
        if cut:
            raw_value = _PARTIAL_ESCAPE.sub("", raw_value)
        name = unquote_plus(raw_name, errors="replace")
        value = unquote_plus(raw_value, errors="replace")
        if cut:
            value = value.rstrip("\ufffd")
        if value and name not in NOT_SHOWN:
            found.append((name, value, cut))
    return found


def field_label(name: str) -> str:
    """A field's name as words ("when_words" -> "When words")."""
    words = re.sub(r"[_\-]+", " ", name).strip()
    return words[:1].upper() + words[1:] if words else "Text"
