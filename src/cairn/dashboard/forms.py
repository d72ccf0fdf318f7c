"""The dashboard's filter: whole months (from, to) and optionally one unit, as a query string."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from cairn.dashboard.figures import Period, add_months, first_of_month, month_key, month_label

FIRST_MONTH = date(2020, 1, 1)  # the Stalking Protection Act 2019 came into force in January 2020


def _month(value: str) -> date:
    year, month = value.split("-")
    return date(int(year), int(month), 1)


class DashboardFilterForm(forms.Form):
    """``from`` and ``to`` (``YYYY-MM``) and ``unit`` (a unit's id, or empty for all)."""

    def __init__(self, data: Any, *, today: date, units: list[tuple[str, str]]) -> None:
        default = Period.default(today)
        super().__init__(
            data or None,
            initial={"from": month_key(default.first), "to": month_key(default.last), "unit": ""},
        )
        self.default = default
        months, month = [], first_of_month(today)
        while month >= FIRST_MONTH:
            months.append((month_key(month), month_label(month)))
            month = add_months(month, -1)
        for name, label in (("from", "From"), ("to", "To")):
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=months,
                error_messages={
                    "required": f"Choose the month to count {label.lower()}",
                    "invalid_choice": "Choose a month from the list",
                },
            )
        self.fields["unit"] = forms.ChoiceField(
            label="Unit (for the table by month)",
            required=False,
            choices=[("", "All units"), *units],
            error_messages={"invalid_choice": "Choose a unit from the list"},
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("from") and data.get("to") and _month(data["from"]) > _month(data["to"]):
            self.add_error("to", "The end month must be the same as or after the start month")
        return data

    def period(self) -> Period:
        """The months asked for, or the last twelve when the filter is empty or wrong."""
        if self.is_bound and self.is_valid():
            return Period(_month(self.cleaned_data["from"]), _month(self.cleaned_data["to"]))
        return self.default

    def unit_id(self) -> str | None:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["unit"] or None
        return None
