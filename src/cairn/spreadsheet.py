"""CSV that a spreadsheet opens as data, never as formulas: every CSV export writes here.

What: ``writer(stream)`` is ``csv.writer`` whose rows pass through ``safe_cell``: text that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe,
which Excel, LibreOffice Calc and Google Sheets show as text and do not evaluate (OWASP, "CSV
Injection"). Numbers and other values are written as they are.

Why: what a CSV carries was typed or imported by someone else: a message reading
``=HYPERLINK("http://...","Open")`` would become a live link in an officer's spreadsheet, and
``+cmd|' /C calc'!A0`` could start a program. The apostrophe shows, and the cell's meaning
is kept. JSON output (``cairn incident list --format json``) is left as it was written.

Failures: none of its own; the stream's.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` with an apostrophe before text a spreadsheet would take for a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` with every cell passed through ``safe_cell``."""

    def __init__(self, stream: Any, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream: Any, **options: Any) -> SafeWriter:
    """A CSV writer for an export (``csv.writer``'s options)."""
    return SafeWriter(stream, **options)
