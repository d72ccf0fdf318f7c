"""Form fields for GOV.UK Frontend components that Django has no field for."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms


class DateWidget(forms.MultiWidget):
    """Three text boxes: ``<name>_day``, ``<name>_month``, ``<name>_year``."""

    def __init__(self) -> None:
        super().__init__(
            widgets={"day": forms.TextInput, "month": forms.TextInput, "year": forms.TextInput}
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class DateField(forms.MultiValueField):
    """A GOV.UK date input (day, month and year boxes) that cleans to a ``date``.

    The boxes are named ``<name>_day``, ``<name>_month`` and ``<name>_year``. Errors are one
    plain message for the whole date, never one per box.
    """

    def __init__(self, *, required_message: str = "Enter a date", **kwargs: Any) -> None:
        error_messages = {
            "required": required_message,
            "incomplete": "Enter a full date, with day, month and year",
            "invalid": "Enter a real date, for example 27 3 2025",
        }
        fields = (
            forms.IntegerField(required=False),
            forms.IntegerField(required=False),
            forms.IntegerField(required=False),
        )
        super().__init__(
            fields=fields,
            widget=DateWidget(),
            error_messages=error_messages,
            require_all_fields=False,
            **kwargs,
        )

    def clean(self, value: Any) -> Any:
        try:
            return super().clean(value)
        except forms.ValidationError as exc:
            first = exc.messages[0] if exc.messages else ""
            if first in self.error_messages.values():
                raise forms.ValidationError(first) from None
            raise forms.ValidationError(self.error_messages["invalid"]) from None

    def compress(self, data_list: list[Any]) -> date | None:
        if not data_list or all(part in (None, "") for part in data_list):
            if self.required:
                raise forms.ValidationError(self.error_messages["required"])
            return None
        if any(part in (None, "") for part in data_list):
            raise forms.ValidationError(self.error_messages["incomplete"])
        day, month, year = data_list
        if year < 1900:
            raise forms.ValidationError(self.error_messages["invalid"])
        try:
            return date(year, month, day)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"]) from None
