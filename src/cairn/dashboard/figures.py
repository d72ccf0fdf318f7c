"""The dashboard's figures, assembled from counts: pure, no Django, no database.

``cairn.dashboard.queries`` counts rows in the database (GROUP BY unit and calendar month in
Europe/London) and hands over plain ``Tally`` and ``Submissions`` values; this module puts them
into a grid of unit x month, adds up months, units and the whole period, takes medians, and
writes the CSV rows. Everything here is a count or a number of days: no names, no content.

A calendar month is a month in Europe/London (DESIGN.md invariant 3): a case opened at
23:30 UTC on 31 March, which is 00:30 on 1 April in British Summer Time, counts in April.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
DEFAULT_MONTHS = 12
NO_OUTCOME = "none_yet"  # a breach with no outcome recorded yet
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Cells a spreadsheet would read as a formula (CSV injection): =, +, -, @, and tab or carriage
# return, which some spreadsheets strip before looking.
# --- months -----------------------------------------------------------------------------------


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_of(moment: datetime) -> date:
    """The calendar month, in Europe/London, of an aware instant."""
    return first_of_month(moment.astimezone(LONDON).date())


def month_label(month: date) -> str:
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def month_key(month: date) -> str:
    return f"{month.year:04}-{month.month:02}"


@dataclass(frozen=True)
class Period:
    """Whole calendar months from ``first`` to ``last`` (each the first day of its month)."""

    first: date
    last: date

    @classmethod
    def default(cls, today: date) -> Period:
        """The last twelve months, this one included."""
        last = first_of_month(today)
        return cls(add_months(last, 1 - DEFAULT_MONTHS), last)

    def months(self) -> list[date]:
        count = (self.last.year - self.first.year) * 12 + self.last.month - self.first.month
        return [add_months(self.first, n) for n in range(count + 1)]

    @property
    def start(self) -> datetime:
        """Midnight in London at the start of the first month (aware)."""
        return datetime.combine(self.first, time(), tzinfo=LONDON)

    @property
    def end(self) -> datetime:
        """Midnight in London at the start of the month after the last (aware, excluded)."""
        return datetime.combine(add_months(self.last, 1), time(), tzinfo=LONDON)

    @property
    def end_day(self) -> date:
        """The first day after the period (excluded)."""
        return add_months(self.last, 1)

    def label(self) -> str:
        if self.first == self.last:
            return month_label(self.first)
        return f"{month_label(self.first)} to {month_label(self.last)}"


# --- the figures of one cell, one month, one unit or the whole period ------------------------


@dataclass
class Figures:
    cases_opened: int = 0
    applications_submitted: int = 0
    interim_granted: int = 0
    interim_refused: int = 0
    full_granted: int = 0
    full_refused: int = 0
    breaches_reported: int = 0
    # Issue 15, point 6: right-to-know decisions (by the day decided) and referrals to other
    # agencies (by the day referred).
    right_to_know_told: int = 0
    right_to_know_not_told: int = 0
    right_to_know_not_yet: int = 0
    referrals_advocate: int = 0
    referrals_marac: int = 0
    referrals_masip: int = 0
    # The latest outcome of each breach reported (its key, or NO_OUTCOME): counts.
    breach_outcomes: dict[str, int] = field(default_factory=dict)
    # Days from first report to submission, one per application submitted (for medians).
    days_to_application: list[int] = field(default_factory=list)

    def add(self, other: Figures) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for key, count in other.breach_outcomes.items():
            self.breach_outcomes[key] = self.breach_outcomes.get(key, 0) + count
        self.days_to_application.extend(other.days_to_application)

    @property
    def median_days(self) -> float | None:
        """Median days from first report to the application's submission; None if none."""
        if not self.days_to_application:
            return None
        return float(statistics.median(self.days_to_application))

    @property
    def applications_per_thousand(self) -> float | None:
        """Applications submitted per 1,000 cases opened; None when no case was opened."""
        if not self.cases_opened:
            return None
        return 1000 * self.applications_submitted / self.cases_opened


COUNTS = tuple(
    f.name for f in fields(Figures) if f.name not in ("breach_outcomes", "days_to_application")
)


# --- what the queries hand over ---------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """Counts for one unit and month: ``counts`` maps a ``Figures`` count's name, or
    ``outcome_<key>`` for breaches by latest outcome, to a number."""

    unit_id: str
    month: date
    counts: Mapping[str, int]


@dataclass(frozen=True)
class Submissions:
    """``count`` applications of one unit submitted to the court in ``month``, each ``days``
    after its case was first reported (``Case.first_reported_on``, or else the day the case
    was opened), both days in London."""

    unit_id: str
    month: date
    days: int
    count: int


# --- the whole dashboard ----------------------------------------------------------------------


@dataclass
class Dashboard:
    period: Period
    units: list[tuple[str, str]]  # (id, name), in the order to show them
    outcomes: list[tuple[str, str]]  # (key, label) of breach outcomes, NO_OUTCOME last
    cells: dict[tuple[str, date], Figures] = field(default_factory=dict)

    def cell(self, unit_id: str, month: date) -> Figures:
        return self.cells.get((unit_id, month)) or Figures()

    def by_month(self, unit_id: str | None = None) -> list[tuple[date, Figures]]:
        """Each month of the period: one unit's figures, or every unit's added up."""
        rows = []
        for month in self.period.months():
            total = Figures()
            for unit, _ in self.units:
                if unit_id is None or unit == unit_id:
                    total.add(self.cell(unit, month))
            rows.append((month, total))
        return rows

    def by_unit(self) -> list[tuple[str, str, Figures]]:
        """Each unit's figures over the whole period: (id, name, figures)."""
        rows = []
        for unit_id, name in self.units:
            total = Figures()
            for month in self.period.months():
                total.add(self.cell(unit_id, month))
            rows.append((unit_id, name, total))
        return rows

    def total(self, unit_id: str | None = None) -> Figures:
        total = Figures()
        for _, figures in self.by_month(unit_id):
            total.add(figures)
        return total

    def csv_header(self) -> list[str]:
        return [
            "unit",
            "month",
            *CSV_COUNTS[:6],
            "median_days_first_report_to_application",
            "breaches_reported",
            *(f"breaches_outcome_{key}" for key, _ in self.outcomes),
            *MULTIAGENCY_COUNTS,
        ]

    def csv_rows(self) -> list[list[str | int | float]]:
        """One row per unit and month, every figure (written through ``cairn.spreadsheet``,
        which makes text cells safe for spreadsheets)."""
        rows: list[list[str | int | float]] = []
        for unit_id, name in self.units:
            for month in self.period.months():
                figures = self.cell(unit_id, month)
                median = figures.median_days
                rows.append(
                    [
                        name,
                        month_key(month),
                        *(getattr(figures, count) for count in CSV_COUNTS[:6]),
                        "" if median is None else median,
                        figures.breaches_reported,
                        *(figures.breach_outcomes.get(key, 0) for key, _ in self.outcomes),
                        *(getattr(figures, count) for count in MULTIAGENCY_COUNTS),
                    ]
                )
        return rows


CSV_COUNTS = (
    "cases_opened",
    "applications_submitted",
    "interim_granted",
    "interim_refused",
    "full_granted",
    "full_refused",
)
MULTIAGENCY_COUNTS = (
    "right_to_know_told",
    "right_to_know_not_told",
    "right_to_know_not_yet",
    "referrals_advocate",
    "referrals_marac",
    "referrals_masip",
)


def assemble(
    period: Period,
    units: Sequence[tuple[str, str]],
    outcomes: Sequence[tuple[str, str]],
    tallies: Iterable[Tally],
    submissions: Iterable[Submissions],
) -> Dashboard:
    """The grid of unit x month from the database's counts. Counts for a unit not in
    ``units`` or a month outside the period are left out (they cannot be the analyst's)."""
    dashboard = Dashboard(
        period=period, units=list(units), outcomes=[*outcomes, (NO_OUTCOME, "No outcome yet")]
    )
    known_units = {unit_id for unit_id, _ in units}
    months = set(period.months())

    def cell(unit_id: str, month: date) -> Figures | None:
        if unit_id not in known_units or month not in months:
            return None
        return dashboard.cells.setdefault((unit_id, month), Figures())

    for tally in tallies:
        figures = cell(tally.unit_id, tally.month)
        if figures is None:
            continue
        for name, count in tally.counts.items():
            if name.startswith("outcome_"):
                key = name.removeprefix("outcome_") or NO_OUTCOME
                if count:
                    figures.breach_outcomes[key] = figures.breach_outcomes.get(key, 0) + count
            elif name in COUNTS:
                setattr(figures, name, getattr(figures, name) + count)
            else:
                raise ValueError(f"unknown count {name!r}")
    for submitted in submissions:
        figures = cell(submitted.unit_id, submitted.month)
        if figures is None:
            continue
        figures.applications_submitted += submitted.count
        figures.days_to_application.extend([submitted.days] * submitted.count)
    return dashboard
