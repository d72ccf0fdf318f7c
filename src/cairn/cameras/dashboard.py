"""The force dashboard's footage figures (issue 22, point 4): per unit, over the dashboard's
period, how many requests for footage were made in time and how much footage was lost.

Counts only, from the steps officers and victims recorded on cases of the analyst's own
organisation (``CameraStatusChange`` rows with a case): no text column is selected and no
vault is read, so nothing here needs a ``vault.read`` audit record (ADR 0021's rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from cairn.accounts.models import Organisation
from cairn.cameras.models import CameraStatus, CameraStatusChange


@dataclass
class FootageFigures:
    label: str
    handed: int = 0  # victims asked the police to get footage
    in_time: int = 0  # the police requested it by its ask-by date
    late: int = 0  # the police requested it after its ask-by date
    collected: int = 0
    lost: int = 0  # not kept: the footage was gone
    refused: int = 0

    def add(self, other: FootageFigures) -> None:
        for name in ("handed", "in_time", "late", "collected", "lost", "refused"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Footage:
    units: list[FootageFigures] = field(default_factory=list)
    total: FootageFigures = field(default_factory=lambda: FootageFigures("Total"))


def footage_for(
    organisation: Organisation,
    period: Any,
    units: list[tuple[str, str]],
    unit_id: str | None = None,
) -> Footage:
    """One grouped query: steps by unit, status and whether they came in time."""
    rows = (
        CameraStatusChange.objects.filter(
            case__organisation=organisation, at__gte=period.start, at__lt=period.end
        )
        .values("case__unit_id", "status", "in_time")
        .annotate(count=Count("id"))
        .order_by()
    )
    by_unit = {pk: FootageFigures(name) for pk, name in units if unit_id is None or pk == unit_id}
    for row in rows:
        figures = by_unit.get(str(row["case__unit_id"]))
        if figures is None:
            continue
        status, count = row["status"], row["count"]
        if status == CameraStatus.REQUESTED:
            if row["in_time"]:
                figures.in_time += count
            else:
                figures.late += count
        elif status == CameraStatus.HANDED:
            figures.handed += count
        elif status == CameraStatus.COLLECTED:
            figures.collected += count
        elif status == CameraStatus.NOT_KEPT:
            figures.lost += count
        elif status == CameraStatus.REFUSED:
            figures.refused += count
    result = Footage(units=list(by_unit.values()))
    for figures in result.units:
        result.total.add(figures)
    return result
