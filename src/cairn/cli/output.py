"""Tables for people to read.

Cells are always plain text (never rich markup), so a description containing ``[red]`` or
``[/]`` is shown as typed. rich renders about five hundred rows a second, so a long log is
printed as plain aligned columns instead (the JSON and CSV formats are for machines).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

RICH_ROW_LIMIT = 1000
MOST_RANGES = 8


def number_ranges(numbers: Iterable[int], *, most: int = MOST_RANGES) -> str:
    """Numbers as runs, ``2-4, 7, 8, 10-12``: ten thousand new incidents read ``1-10000``.

    Past ``most`` runs the rest is counted (``and 120 more``), so the line stays short
    however scattered the numbers are. Two in a row are written out (``7, 8``)."""
    runs: list[list[int]] = []
    for number in sorted(set(numbers)):
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    shown = [
        str(low) if low == high else f"{low}, {high}" if high == low + 1 else f"{low}-{high}"
        for low, high in runs[:most]
    ]
    rest = sum(high - low + 1 for low, high in runs[most:])
    return ", ".join(shown) + (f" and {rest} more" if rest else "")


def print_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    title: str = "",
    min_width: int = 120,
    one_line: Sequence[str] = (),
    flexible: str | None = None,
) -> None:
    """Print rows under headers. Columns named in ``one_line`` are never wrapped; the
    ``flexible`` column takes the width left over and is cut with an ellipsis."""
    from rich.console import Console

    console = Console()
    if not console.is_terminal:  # a pipe or file: room for every column, nothing squeezed
        console = Console(width=max(min_width, console.width))
    if len(rows) > RICH_ROW_LIMIT:
        _print_plain(console, headers, rows, title)
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title) if title else None)
    for header in headers:
        if header == flexible:
            table.add_column(header, no_wrap=True, overflow="ellipsis", ratio=1)
        elif header in one_line:
            table.add_column(header, no_wrap=True)
        else:
            table.add_column(header)
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    console.print(table)


def _print_plain(
    console: object, headers: Sequence[str], rows: Sequence[Sequence[str]], title: str
) -> None:
    from rich.cells import cell_len

    widths = [cell_len(header) for header in headers]
    for row in rows:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], cell_len(cell))

    def line(cells: Sequence[str]) -> str:
        padded = (cell + " " * (widths[i] - cell_len(cell)) for i, cell in enumerate(cells))
        return "  ".join(padded).rstrip()

    out = sys.stdout
    if title:
        out.write(f"{title}\n")
    out.write(line(headers) + "\n")
    out.write(line(["-" * width for width in widths]) + "\n")
    for row in rows:
        out.write(line(row) + "\n")
    out.flush()


def with_progress(work: Any, *, quiet: bool, phases: Mapping[str, str] | None = None) -> Any:
    """Run ``work(progress)`` under a rich progress bar on stderr: only on a terminal, and
    not with --json. ``progress(phase, done, total)`` names the phase through ``phases``."""
    from rich.console import Console

    console = Console(stderr=True)
    if quiet or not console.is_terminal:
        return work(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    names = phases or {}
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(next(iter(names.values()), "Working"), total=None)

        def progress(phase: str, done: int, total: int | None) -> None:
            bar.update(
                task, description=names.get(phase, phase.title()), completed=done, total=total
            )

        return work(progress)
