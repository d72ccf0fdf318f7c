"""Lulls and recurrence: quiet periods much longer than the usual gap, whether each ended in
a restart and how intense the restart was, and the current gap against the earlier ones.
``recurrence_warning`` is what the police side uses to guard a case against being closed
because the stalking "appears to have stopped".

The lull rule and the comparison with earlier lulls are Cairn's own, not validated by research.
No rule here uses the time since the last incident as a risk: research on reoffending
(Rosenfeld 2003) counts from a court referral in a group of cases, and is never a countdown for
one person (research.md)."""

from __future__ import annotations

import itertools
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from cairn.analysis import sources
from cairn.analysis.base import Finding, Index, days_between, plural
from cairn.vault.snapshot import IncidentSnapshot

MIN_LULL_DAYS = 28  # four weeks
LULL_GAP_FACTOR = 5  # times the median gap
RESTART_WINDOW = timedelta(weeks=8)  # rates before and after a lull are compared over this


@dataclass(frozen=True)
class Lull:
    last_before_id: str
    first_after_id: str
    start: datetime
    end: datetime
    days: float
    ended_in_restart: bool
    rate_before: float  # incidents a week in the window before the lull
    rate_after: float  # ...and after the restart
    severity_before: float | None  # mean severity level in those windows
    severity_after: float | None
    restart_more_intense: bool
    finding: Finding


@dataclass(frozen=True)
class QuietNow:
    since_id: str
    days: float
    is_lull: bool
    finding: Finding


@dataclass(frozen=True)
class RecurrenceWarning:
    """Why closing a case now could be premature: it has not stopped (the current gap is no
    longer than the usual gaps), or it is quiet now but was quiet for longer before and
    started again. Neither is a measure of risk."""

    warning: bool
    reasons: tuple[Finding, ...]
    ongoing: bool = False  # the current gap is not a quiet period


@dataclass(frozen=True)
class Lulls:
    method: str
    median_gap_days: float | None
    threshold_days: float | None
    lulls: tuple[Lull, ...]
    current: QuietNow | None
    context: tuple[Finding, ...]
    findings: tuple[Finding, ...]


def _window(index: Index, start: datetime, end: datetime) -> tuple[float, float | None]:
    inside = [i for i in index.incidents if start <= i.start < end]
    weeks = max(days_between(start, end) / 7, 1.0)
    levels = [index.severity[i.id].level for i in inside]
    mean = round(statistics.fmean(levels), 2) if levels else None
    return round(len(inside) / weeks, 2), mean


def gap_threshold(index: Index) -> tuple[float | None, float]:
    """The median gap between incidents, and the gap past which a quiet period is a lull."""
    gaps = [days_between(a.start, b.start) for a, b in itertools.pairwise(index.incidents)]
    median_gap = round(statistics.median(gaps), 2) if gaps else None
    return median_gap, round(max(MIN_LULL_DAYS, LULL_GAP_FACTOR * (median_gap or 0)), 2)


def past_lulls(index: Index, threshold: float) -> tuple[Lull, ...]:
    """Each gap longer than ``threshold`` that ended when it started again, with the rate and
    seriousness either side, and a finding citing the incidents at its two ends."""
    return tuple(
        _lull(index, before, after, days)
        for before, after in itertools.pairwise(index.incidents)
        if (days := days_between(before.start, after.start)) > threshold
    )


def _lull(index: Index, before: IncidentSnapshot, after: IncidentSnapshot, days: float) -> Lull:
    rate_before, sev_before = _window(
        index,
        before.start - RESTART_WINDOW + timedelta(microseconds=1),
        before.start + timedelta(microseconds=1),
    )
    window_end = min(after.start + RESTART_WINDOW, max(index.now, after.start + timedelta(weeks=1)))
    rate_after, sev_after = _window(index, after.start, window_end)
    more = rate_after > rate_before or (
        sev_after is not None and sev_before is not None and sev_after > sev_before
    )
    how = (
        "more often or more seriously than before"
        if more
        else ("no more often or seriously than before")
    )
    finding = index.find(
        f"Nothing was logged for {days:.0f} days ({index.local_date(before.start)} to "
        f"{index.local_date(after.start)}), then it started again, {how}: about "
        f"{rate_after} incidents a week after, against {rate_before} before.",
        (before.id, after.id),
        sources.METHOD_LULL,
    )
    return Lull(
        before.id,
        after.id,
        before.start,
        after.start,
        round(days, 2),
        True,
        rate_before,
        rate_after,
        sev_before,
        sev_after,
        more,
        finding,
    )


def quiet_now(index: Index, threshold: float, earlier: tuple[Lull, ...]) -> QuietNow:
    """The time since the last incident, whether it is itself a lull, and the longest earlier
    quiet period that ended when it started again."""
    last = index.incidents[-1]
    quiet = round(max(days_between(last.start, index.now), 0.0), 2)
    longest = max(earlier, key=lambda lull: lull.days, default=None)
    if quiet < 1:
        text = f"The last incident logged was on {index.local_date(last.start)}, under a day ago."
    else:
        text = (
            f"It is {plural(round(quiet), 'day')} since the last incident logged "
            f"({index.local_date(last.start)})."
        )
    if longest is not None:
        text += (
            f" The longest earlier quiet period lasted {longest.days:.0f} days and "
            "ended when it started again."
        )
    return QuietNow(
        last.id, quiet, quiet > threshold, index.find(text, (last.id,), sources.METHOD_LULL)
    )


def gone_on(index: Index) -> Finding | None:
    """How long it has gone on, from the first incident to the last, past two weeks."""
    first, last = index.incidents[0], index.incidents[-1]
    span = days_between(first.start, last.start)
    if span < 14:
        return None
    return index.find(
        f"This has gone on for {span / 7:.0f} weeks, from the first incident logged to the last.",
        (first.id, last.id),
        sources.PURCELL_2004,
    )


def lulls(index: Index) -> Lulls:
    """Past quiet periods, the quiet now, and how long it has gone on."""
    if not index.incidents:
        return Lulls(sources.METHOD_LULL, None, None, (), None, (), ())
    median_gap, threshold = gap_threshold(index)
    found = past_lulls(index, threshold)
    current = quiet_now(index, threshold, found)
    context = gone_on(index)
    return Lulls(
        sources.METHOD_LULL,
        median_gap,
        threshold,
        found,
        current,
        (context,) if context is not None else (),
        (*(lull.finding for lull in found), current.finding),
    )


def recurrence_warning(index: Index, result: Lulls) -> RecurrenceWarning:
    """Warns when the current gap is not itself a quiet period (it has not stopped), or when
    it is, but an earlier quiet period that ended in a restart lasted longer. Cairn's own rule,
    for the closure guard; never a risk factor."""
    current = result.current
    if current is None:
        return RecurrenceWarning(False, ())
    if not current.is_lull:
        ongoing = index.find(
            index.say(
                "It has not stopped: the time since the last incident is no longer than the "
                "usual gaps between incidents in your log.",
                "It has not stopped: the time since the last incident is no longer than the "
                "usual gaps between incidents in the log.",
            ),
            (current.since_id,),
            sources.METHOD_LULL,
        )
        return RecurrenceWarning(True, (ongoing,), ongoing=True)
    longer = [lull for lull in result.lulls if lull.ended_in_restart and lull.days > current.days]
    if not longer:
        return RecurrenceWarning(False, ())
    lull = max(longer, key=lambda item: item.days)
    reason = index.find(
        f"It has been quiet for {current.days:.0f} days, but an earlier quiet period of "
        f"{lull.days:.0f} days ended when it started again.",
        (lull.last_before_id, lull.first_after_id, current.since_id),
        sources.METHOD_LULL,
    )
    return RecurrenceWarning(True, (reason,))
