"""Echap's stalkerware indicators as shipped with Cairn, so the phone check works out of the box.

The files in ``data/stalkerware_indicators/`` are Echap's ``ioc.yaml`` and ``watchware.yaml``
at commit a04c5c1 (2026-06-21), unchanged, with their licence (CC-BY 4.0; credit "Echap,
stalkerware-indicators"). They are loaded into an IndicatorSet on first use and by
``cairn demo``; ``cairn indicators update`` loads a newer copy over them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "data" / "stalkerware_indicators"
FILES = ("ioc.yaml", "watchware.yaml")
VERSION = "a04c5c1"
DATA_DATE = date(2026, 6, 21)
SOURCE = "bundled with Cairn (AssoEchap/stalkerware-indicators @a04c5c1)"


def files() -> list[tuple[str, bytes]]:
    """(name, bytes) of each bundled file."""
    return [(name, (FOLDER / name).read_bytes()) for name in FILES]
