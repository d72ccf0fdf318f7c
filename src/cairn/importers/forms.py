"""Forms for the import pages. They parse what was typed; the services decide what is valid."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django import forms

from cairn.importers.models import DateOrder, ImportFormat
from cairn.vault.choices import PersonRole


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Upload the export file",
        help_text="A chat export, text message backup, e-mail, social media download, photos "
        "or a diary. The file is kept exactly as it is.",
        error_messages={"required": "Select a file", "empty": "The selected file is empty"},
    )
    format = forms.ChoiceField(
        label="What kind of file is it?",
        choices=ImportFormat.choices,
        initial=ImportFormat.AUTO,
        error_messages={
            "required": "Choose what kind of file it is",
            "invalid_choice": "Choose what kind of file it is",
        },
    )
    time_zone = forms.CharField(
        label="Time zone",
        max_length=64,
        help_text="Times in the file that have no time zone are read in this one",
        error_messages={"required": "Enter a time zone, for example Europe/London"},
    )
    owner = forms.CharField(
        label="Your name in the chat (optional)",
        required=False,
        max_length=200,
        help_text="So your own replies are kept as yours",
    )

    SERVICE_FIELDS = {"tz": "time_zone"}

    def __init__(self, *args: Any, time_zone: str, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"format": ImportFormat.AUTO, "time_zone": time_zone})
        super().__init__(*args, **kwargs)


class DateOrderForm(forms.Form):
    """ "How are dates written in this file?", asked only when the file cannot settle it.

    One radio per order the file leaves open (``ImportJob.date_question``), each with a hint
    saying what the file's example line would then be."""

    date_order = forms.ChoiceField(
        label="How are dates written in this file?",
        error_messages={
            "required": "Choose how dates are written in the file",
            "invalid_choice": "Choose how dates are written in the file",
        },
    )

    def __init__(self, *args: Any, question: Mapping[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        readings = question.get("readings") or {}
        line = question.get("line")
        self.fields["date_order"].choices = [
            (order, DateOrder(order).label) for order in readings if order in DateOrder.values
        ]
        self.item_hints = {
            order: (
                f"Line {line} would be {_long_date(value)}"
                if line
                else f"The example date would be {_long_date(value)}"
            )
            for order, value in readings.items()
        }


def _long_date(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%B} {day.year}"


class ConfirmCandidateForm(forms.Form):
    name = forms.CharField(
        label="Name",
        required=False,
        max_length=200,
        help_text="Leave as it is, or give the name you know them by",
    )
    role = forms.ChoiceField(
        label="Who are they?",
        choices=PersonRole.choices,
        initial=PersonRole.SUSPECT,
        error_messages={"required": "Choose who they are", "invalid_choice": "Choose who they are"},
    )


# What each diary field is called on the "Check the columns" page (parsers.diary.FIELDS).
DIARY_FIELD_LABELS = {
    "date": "Date",
    "time": "Time",
    "place": "Where it happened",
    "what_happened": "What happened",
    "witnesses": "Witnesses",
    "impact": "How it affected you",
    "police_reference": "Police reference",
}
DIARY_REQUIRED_MESSAGES = {
    "date": "Choose the column that holds the date",
    "what_happened": "Choose the column that says what happened",
}


class DiaryColumnsForm(forms.Form):
    """One select per diary field, choosing a column of the file (or none).

    ``header`` is the file's first row; values are 0-based column numbers as strings."""

    def __init__(
        self,
        *args: Any,
        header: tuple[str, ...],
        width: int,
        suggested: dict[str, int],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("initial", {f: str(c) for f, c in suggested.items()})
        super().__init__(*args, **kwargs)
        columns = [
            (
                str(i),
                f"Column {i + 1}: {header[i]}"
                if i < len(header) and header[i]
                else f"Column {i + 1}",
            )
            for i in range(width)
        ]
        for name, label in DIARY_FIELD_LABELS.items():
            required = name in DIARY_REQUIRED_MESSAGES
            message = DIARY_REQUIRED_MESSAGES.get(name, f"Choose a column for {label.lower()}")
            self.fields[name] = forms.ChoiceField(
                label=label,
                required=required,
                choices=[("", "None"), *columns],
                error_messages={"required": message, "invalid_choice": message},
            )

    def mapping(self) -> dict[str, int]:
        """The chosen columns, {field: 0-based column}, after ``is_valid``."""
        return {name: int(value) for name, value in self.cleaned_data.items() if value != ""}
