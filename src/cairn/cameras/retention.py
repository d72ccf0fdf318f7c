"""How long a camera often keeps its footage, and by when to ask for it (pure: no Django).

The figures are data, ``retention.yaml`` beside this module: one per kind of camera, each with
its sources and the day they were checked, or marked as Cairn's own cautious default where no
source gives one. A figure is what operators publish, never a promise, so every sentence made
here says "often".

The "ask by" rule (docs/adr/0033-cameras-and-the-ask-by-date.md):

- footage recorded at time T, kept for N days, may be gone from T + N days;
- T is the earliest moment the incident could have happened (the start of its interval), so
  an interval never makes the date later;
- ask by the day before the footage may go: D + N - 1, D being T's date in the vault's zone;
- when the time is known only to the day, overnight, or not at all, one day earlier still
  (D + N - 2): a rough time may be a day out, and many recorders delete a whole day at once;
- never earlier than D itself.

A figure she gives ("they keep it for 14 days") replaces the table's; the rule is the same.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

TABLE = Path(__file__).with_name("retention.yaml")
MAX_KEPT_DAYS = 366
PRECISE = frozenset({"exact", "hour"})  # cairn.web.timeframe.Precision values known to the hour
SOON_DAYS = 14  # "near": the home page lists cameras to ask within this many days, and overdue


class Kind(enum.StrEnum):
    OWN_DOORBELL = "own_doorbell"
    OWN_DASHCAM = "own_dashcam"
    NEIGHBOUR_DOORBELL = "neighbour_doorbell"
    SHOP = "shop"
    BUS_OR_TRAIN = "bus_or_train"
    COUNCIL_OR_CAR_PARK = "council_or_car_park"
    TAXI = "taxi"
    OTHER = "other"

    @property
    def hers(self) -> bool:
        """Her own camera: she keeps the footage herself rather than asking anyone."""
        return self in (Kind.OWN_DOORBELL, Kind.OWN_DASHCAM)


class TableError(ValueError):
    """The retention table is not as this module reads it; the message names the entry."""


@dataclass(frozen=True)
class Source:
    title: str
    url: str
    says: str
    checked: date


@dataclass(frozen=True)
class Figure:
    """What the table says of one kind of camera."""

    kind: Kind
    label: str  # for her: "A shop, pub or other business"
    officer_label: str
    days: int
    range: str
    cairn_own: bool
    no_figure: str  # why there is no published figure, when cairn_own
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Table:
    figures: dict[Kind, Figure]
    general: tuple[Source, ...]
    guidance: tuple[Source, ...]  # for the page on her own camera

    def __getitem__(self, kind: Kind | str) -> Figure:
        return self.figures[Kind(kind)]


def _source(raw: Any, where: str) -> Source:
    if not isinstance(raw, dict):
        raise TableError(f"{where}: a source is a mapping with title, url, says and checked")
    missing = [name for name in ("title", "url", "says", "checked") if not raw.get(name)]
    if missing:
        raise TableError(f"{where}: the source has no {', '.join(missing)}")
    checked = raw["checked"]
    if not isinstance(checked, date):
        raise TableError(f"{where}: checked must be a date like 2026-12-04")
    return Source(
        title=" ".join(str(raw["title"]).split()),
        url=str(raw["url"]).strip(),
        says=" ".join(str(raw["says"]).split()),
        checked=checked,
    )


def parse_table(data: Any, *, name: str = TABLE.name) -> Table:
    """The table from its YAML data. Raises TableError naming the kind or field at fault: a
    kind missing, a figure without a source that is not marked as Cairn's own, a bad number."""
    if not isinstance(data, dict) or not isinstance(data.get("kinds"), dict):
        raise TableError(f"{name}: expected a mapping with 'kinds'")
    figures: dict[Kind, Figure] = {}
    for key, raw in data["kinds"].items():
        where = f"{name}, kinds.{key}"
        try:
            kind = Kind(key)
        except ValueError:
            raise TableError(f"{where}: not a kind of camera Cairn knows") from None
        if not isinstance(raw, dict):
            raise TableError(f"{where}: expected a mapping")
        days = raw.get("days")
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_KEPT_DAYS:
            raise TableError(f"{where}.days: a whole number of days from 1 to {MAX_KEPT_DAYS}")
        sources = tuple(
            _source(item, f"{where}.sources[{n}]")
            for n, item in enumerate(raw.get("sources") or [])
        )
        cairn_own = bool(raw.get("cairn_own"))
        no_figure = " ".join(str(raw.get("no_figure") or "").split())
        if not cairn_own and not sources:
            raise TableError(f"{where}: a figure needs a source, or cairn_own: true")
        if cairn_own and not no_figure:
            raise TableError(f"{where}.no_figure: say why no source gives a figure")
        for field in ("label", "officer_label", "range"):
            if not raw.get(field):
                raise TableError(f"{where}.{field}: missing")
        figures[kind] = Figure(
            kind=kind,
            label=str(raw["label"]),
            officer_label=str(raw["officer_label"]),
            days=days,
            range=str(raw["range"]),
            cairn_own=cairn_own,
            no_figure=no_figure,
            sources=sources,
        )
    missing = [kind.value for kind in Kind if kind not in figures]
    if missing:
        raise TableError(f"{name}: no figure for {', '.join(missing)}")
    general = tuple(
        _source(item, f"{name}, general[{n}]") for n, item in enumerate(data.get("general") or [])
    )
    guidance = tuple(
        _source(item, f"{name}, guidance[{n}]") for n, item in enumerate(data.get("guidance") or [])
    )
    return Table(figures=figures, general=general, guidance=guidance)


@functools.cache
def table() -> Table:
    """The repository's table (read once)."""
    with TABLE.open(encoding="utf-8") as handle:
        return parse_table(yaml.safe_load(handle))


# --- the ask-by date ----------------------------------------------------------------------------


def ask_by(start: datetime, precision: str, zone: ZoneInfo, days: int) -> date:
    """The last day to ask for footage of an incident that began (at the earliest) at
    ``start``, from a camera that keeps footage for ``days`` days (the rule above)."""
    if start.tzinfo is None:
        raise ValueError("start needs a time zone")
    first_day = start.astimezone(zone).date()
    margin = 1 if precision in PRECISE else 2
    return max(first_day, first_day + timedelta(days=days - margin))


Day = date  # the type, for annotations inside AskBy (whose field is named "date")


@dataclass(frozen=True)
class AskBy:
    """By when to ask, and what the date rests on."""

    date: Day
    days: int  # the keeping period it was worked out from
    from_her: bool  # her own figure, rather than the table's
    rough_time: bool  # the incident's time is known only roughly: the cautious date
    figure: Figure

    def days_left(self, today: Day) -> int:
        return (self.date - today).days

    def overdue(self, today: Day) -> bool:
        return self.date < today

    def near(self, today: Day) -> bool:
        return self.days_left(today) <= SOON_DAYS


def work_out(
    kind: Kind | str, start: datetime, precision: str, zone: ZoneInfo, kept_days: int | None = None
) -> AskBy:
    figure = table()[kind]
    days = kept_days if kept_days else figure.days
    return AskBy(
        date=ask_by(start, precision, zone, days),
        days=days,
        from_her=bool(kept_days),
        rough_time=precision not in PRECISE,
        figure=figure,
    )


def _day(value: date) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


def _about(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


def basis(ask: AskBy, *, officer: bool = False) -> str:
    """What the date rests on, always as "often", never as certain."""
    if ask.from_her:
        who = "She said" if officer else "You said"
        text = f"{who} it keeps footage for about {_about(ask.days)}."
    elif ask.figure.cairn_own:
        text = (
            f"Nobody publishes how long this kind of camera keeps footage, so Cairn "
            f"assumes about {_about(ask.days)} to be safe ({ask.figure.range})."
        )
    else:
        text = (
            f"Footage like this is often kept for about {_about(ask.days)} "
            f"(often {ask.figure.range})."
        )
    if ask.rough_time:
        text += (
            " The time of the incident is known only roughly, so the date is a day "
            "earlier to be safe."
        )
    return text


def deadline(ask: AskBy, today: date, *, officer: bool = False) -> str:
    """ "Ask by ..." (for her own camera, "Save it by ...") with how long is left, or that the
    date has passed."""
    verb = "Save it" if ask.figure.kind.hers else "Ask"
    left = ask.days_left(today)
    if left < 0:
        again = "save it" if ask.figure.kind.hers else "ask"
        return (
            f"The {'save' if ask.figure.kind.hers else 'ask'}-by date was "
            f"{_day(ask.date)}: the footage may already be gone. "
            + (
                f"{again.capitalize()} today all the same: some systems keep it longer."
                if not officer
                else f"Some systems keep it longer: {again} today."
            )
        )
    if left == 0:
        return f"{verb} by today, {_day(ask.date)}."
    if left == 1:
        return f"{verb} by tomorrow, {_day(ask.date)}."
    return f"{verb} by {_day(ask.date)} ({left} days from today)."
