"""The terms editor of the officer's SPO pages (an application's terms, an order's as made).

Terms are rows of ``TermForm`` with the prefix ``term-<n>`` (``term-0-kind``,
``term-0-necessity``...), counted by ``term-count``: adding or removing a row is a plain form
post that re-renders the page, so the editor works without JavaScript."""

from __future__ import annotations

from typing import Any

from django import forms

from cairn.orders.models import Term, TermKind
from cairn.orders.rules import TermSpec

MAX_TERMS = 30
_NUMBER = {"invalid": "Enter a number, for example 53.4808"}


class TermForm(forms.Form):
    kind = forms.ChoiceField(
        label="Prohibition or requirement",
        required=False,
        choices=[("", "Choose a term"), *TermKind.choices],
    )
    details = forms.CharField(
        label="Details (optional)", required=False, widget=forms.Textarea, max_length=4000
    )
    necessity = forms.CharField(
        label="Why this term is necessary to protect the person",
        required=False,
        widget=forms.Textarea,
        max_length=4000,
        help_text="Each term must itself be necessary (s.2(2) of the Act).",
    )
    place = forms.CharField(
        label="Place (optional)",
        required=False,
        max_length=200,
        help_text="A place to keep out of, or to attend",
    )
    place_lat = forms.FloatField(
        label="Place's latitude (optional)", required=False, error_messages=_NUMBER
    )
    place_lon = forms.FloatField(
        label="Place's longitude (optional)", required=False, error_messages=_NUMBER
    )
    exception = forms.CharField(
        label="Exception (optional)",
        required=False,
        max_length=2000,
        help_text="For a contact term, for example: through solicitors about the children",
    )
    centre_lat = forms.FloatField(
        label="Zone's centre: latitude", required=False, error_messages=_NUMBER
    )
    centre_lon = forms.FloatField(
        label="Zone's centre: longitude", required=False, error_messages=_NUMBER
    )
    radius_m = forms.IntegerField(
        label="Radius or distance in metres",
        required=False,
        min_value=1,
        max_value=100_000,
        error_messages={"invalid": "Enter whole metres, for example 500"},
    )
    area = forms.CharField(
        label="Or the zone as an area: one corner a line, as latitude,longitude",
        required=False,
        widget=forms.Textarea,
        max_length=20000,
        help_text="At least three corners, for example 53.4810,-2.2450",
    )

    def clean_area(self) -> dict[str, Any] | None:
        text = self.cleaned_data.get("area") or ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if not lines:
            return None
        ring = []
        for line in lines:
            try:
                lat, lon = (float(part) for part in line.replace(";", ",").split(","))
            except ValueError:
                raise forms.ValidationError(
                    "Write each corner as latitude,longitude, for example 53.4810,-2.2450"
                ) from None
            ring.append([lon, lat])  # GeoJSON is longitude first
        if len(ring) < 3:
            raise forms.ValidationError("Give at least three corners")
        if ring[0] != ring[-1]:
            ring.append(ring[0])
        return {"type": "Polygon", "coordinates": [ring]}

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", None) or {}
        return not any(data.get(name) not in (None, "") for name in self.fields)

    def spec(self) -> TermSpec:
        data = self.cleaned_data
        return TermSpec(
            kind=data["kind"],
            necessity=data["necessity"],
            details=data["details"],
            place=data["place"],
            place_lat=data["place_lat"],
            place_lon=data["place_lon"],
            exception=data["exception"],
            area=data["area"],
            centre_lat=data["centre_lat"],
            centre_lon=data["centre_lon"],
            radius_m=data["radius_m"],
        )


def term_initial(term: Term | TermSpec) -> dict[str, Any]:
    """A stored term as the row's initial values (an area back into corner lines)."""
    area = ""
    if term.area:
        area = "\n".join(f"{lat},{lon}" for lon, lat in term.area["coordinates"][0][:-1])
    return {
        "kind": term.kind,
        "details": term.details,
        "necessity": term.necessity,
        "place": term.place,
        "place_lat": term.place_lat,
        "place_lon": term.place_lon,
        "exception": term.exception,
        "centre_lat": term.centre_lat,
        "centre_lon": term.centre_lon,
        "radius_m": term.radius_m,
        "area": area,
    }


def term_rows(
    data: Any, initial: list[dict[str, Any]] | None = None, minimum: int = 1
) -> list[TermForm]:
    """The term rows of a post (``term-count`` of them, one more after "Add another term",
    one fewer after a row's "Remove"), or the rows for ``initial``."""
    if data is None:
        rows = [
            TermForm(prefix=f"term-{n}", initial=values) for n, values in enumerate(initial or [])
        ]
        while len(rows) < minimum:
            rows.append(TermForm(prefix=f"term-{len(rows)}"))
        return rows
    try:
        count = max(0, min(int(data.get("term-count", 0)), MAX_TERMS))
    except ValueError:
        count = 0
    posted = [TermForm(data, prefix=f"term-{n}") for n in range(count)]
    removed = data.get("remove")
    if removed is not None and removed.isdigit() and int(removed) < count:
        posted.pop(int(removed))
    if data.get("action") == "add" and count < MAX_TERMS:
        posted.append(TermForm(prefix="new"))
    # Renumber: each row posts again under its new position.
    rows = []
    for n, row in enumerate(posted):
        values = {name: row[name].value() for name in row.fields} if row.is_bound else {}
        if row.is_bound:
            values["area"] = row["area"].value()
        rows.append(
            TermForm(
                {f"term-{n}-{k}": v for k, v in values.items() if v not in (None, "")},
                prefix=f"term-{n}",
            )
            if row.is_bound
            else TermForm(prefix=f"term-{n}")
        )
    return rows


def term_specs(rows: list[TermForm]) -> list[TermSpec] | None:
    """The filled-in rows as ``TermSpec``; None when a row has an error of its own."""
    valid = [row.is_valid() for row in rows]
    if not all(valid):
        return None
    specs = []
    for row in rows:
        if row.is_blank():
            continue
        if not row.cleaned_data["kind"]:
            row.add_error("kind", "Choose a prohibition or requirement, or remove the row")
            return None
        specs.append(row.spec())
    return specs
