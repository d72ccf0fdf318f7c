"""Forms for making a redacted copy: areas of a picture, or words and phrases of a text.

They parse what was typed; ``cairn.vault.redaction`` decides what is valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from cairn.vault.redaction import MAX_AREAS, Rectangle

# The four numbers of an area, in the order the service takes them.
AREA_PARTS = (
    ("x", "From the left"),
    ("y", "From the top"),
    ("width", "Width"),
    ("height", "Height"),
)
DEFAULT_ROWS = 3


def _row_count(data: Mapping[str, Any] | None) -> int:
    try:
        count = int((data or {}).get("areas") or DEFAULT_ROWS)
    except (TypeError, ValueError):
        count = DEFAULT_ROWS
    return max(1, min(count, MAX_AREAS))


class AreasForm(forms.Form):
    """Areas of a picture to cover, one row of four whole numbers (pixels) each.

    Rows left empty are ignored, so the page can offer more rows than are used; the hidden
    ``areas`` field says how many rows the page had (the drawing helper adds rows).
    """

    areas = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, data: Mapping[str, Any] | None = None, *, extra_row: bool = False) -> None:
        super().__init__(data)
        self.row_count = min(_row_count(data) + (1 if extra_row else 0), MAX_AREAS)
        self.initial["areas"] = self.row_count
        for number in range(1, self.row_count + 1):
            for part, label in AREA_PARTS:
                self.fields[f"area_{number}_{part}"] = forms.IntegerField(
                    label=label,
                    required=False,
                    min_value=0,
                    error_messages={
                        "invalid": f"Area {number}: enter whole pixels, like 120",
                        "min_value": f"Area {number}: pixels count from 0",
                    },
                )

    def rows(self) -> list[tuple[int, list[forms.BoundField]]]:
        return [
            (number, [self[f"area_{number}_{part}"] for part, _ in AREA_PARTS])
            for number in range(1, self.row_count + 1)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        rectangles: list[Rectangle] = []
        for number in range(1, self.row_count + 1):
            names = [f"area_{number}_{part}" for part, _ in AREA_PARTS]
            if any(name in self.errors for name in names):
                continue
            values = [cleaned.get(name) for name in names]
            if all(value is None for value in values):
                continue
            missing = [name for name, value in zip(names, values, strict=True) if value is None]
            if missing:
                self.add_error(missing[0], f"Area {number}: enter all four numbers")
                continue
            rectangles.append(Rectangle(*values))
        if not rectangles and not self.errors:
            self.add_error("area_1_x", "Enter at least one area to cover")
        cleaned["rectangles"] = rectangles
        return cleaned


class PhrasesForm(forms.Form):
    phrases = forms.CharField(
        label="Words or phrases to hide",
        max_length=20_000,
        help_text="One on each line, like a name, a phone number or an address. Capital "
        "letters do not matter. Every place each one appears is hidden.",
        error_messages={"required": "Enter at least one word or phrase to hide"},
    )

    def phrase_list(self) -> list[str]:
        return [line for line in self.cleaned_data["phrases"].splitlines() if line.strip()]
