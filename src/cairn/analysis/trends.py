"""The statistics under the escalation rules: Kendall's trend test and the change-points of a
weekly count. Pure arithmetic on numbers; no wording and no incidents."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

SIGNIFICANCE = 0.05
MIN_SEGMENT_WEEKS = 3


def kendall(x: np.ndarray[Any, Any], y: np.ndarray[Any, Any]) -> tuple[float | None, float | None]:
    """Kendall's tau-b and its p-value, rounded; None for both with too little to test."""
    if len(x) < 4 or np.all(y == y[0]) or np.all(x == x[0]):
        return None, None
    # Imported here: scipy.stats takes about a second to import, and only this test uses it.
    from scipy import stats

    result = stats.kendalltau(x, y)
    tau, p = float(result.statistic), float(result.pvalue)
    if math.isnan(tau) or math.isnan(p):
        return None, None
    return round(tau, 4), float(f"{p:.4g}")


def direction(tau: float | None, p: float | None) -> str:
    """ "rising", "falling", "no_clear_trend" or "not_enough_data"."""
    if tau is None or p is None:
        return "not_enough_data"
    if p < SIGNIFICANCE:
        return "rising" if tau > 0 else "falling"
    return "no_clear_trend"


def _poisson_cost(total: np.ndarray[Any, Any], weeks: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Minus the maximised Poisson log-likelihood of stretches (constant terms left out)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        cost = -(total * np.log(total / weeks) - total)
    return np.where(total > 0, cost, 0.0)


def change_points(counts: list[int]) -> list[int]:
    """Week positions where the rate changes (sources.METHOD_CHANGE_POINTS).

    Optimal partitioning (Jackson et al. 2005) of the weekly counts under a Poisson model:
    the split that minimises the sum of each part's negative log-likelihood plus a penalty of
    log(number of weeks) per change (BIC: a new rate and a new position each time), with every
    part at least MIN_SEGMENT_WEEKS long. Exact, so a quiet stretch in the middle of two busy
    ones is found, which one-split-at-a-time methods miss. O(weeks squared), vectorised.
    """
    n = len(counts)
    if n < 2 * MIN_SEGMENT_WEEKS:
        return []
    cumulative = np.concatenate([[0.0], np.cumsum(np.asarray(counts, dtype=float))])
    penalty = math.log(n)
    best = np.full(n + 1, np.inf)
    best[0] = -penalty
    last = np.zeros(n + 1, dtype=int)
    for t in range(MIN_SEGMENT_WEEKS, n + 1):
        starts = np.arange(0, t - MIN_SEGMENT_WEEKS + 1)
        starts = starts[(starts == 0) | (starts >= MIN_SEGMENT_WEEKS)]
        costs = (
            best[starts]
            + _poisson_cost(cumulative[t] - cumulative[starts], (t - starts).astype(float))
            + penalty
        )
        k = int(np.argmin(costs))  # the earliest start on a tie: deterministic
        best[t], last[t] = costs[k], starts[k]
    found = []
    t = n
    while t > 0:
        t = int(last[t])
        if t > 0:
            found.append(t)
    return sorted(found)


def rate(count: int, weeks: int) -> float:
    """Incidents a week, to two places."""
    return round(count / weeks, 2) if weeks else 0.0
