"""Forms for the import pages. They parse what was typed; the services decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms

from cairn.importers.models import DateOrder, ImportFormat
from cairn.vault.choices import PersonRole


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Upload the export file",
        help_text="A chat export, text message backup, e-mail, social media download, photos "
                  "or a diary. The file is kept exactly as it is.",
        error_messages={"required": "Select a file", "empty": "The selected file is empty"})
    format = forms.ChoiceField(
        label="What kind of file is it?", choices=ImportFormat.choices,
        initial=ImportFormat.AUTO,
        error_messages={"required": "Choose what kind of file it is",
                        "invalid_choice": "Choose what kind of file it is"})
    time_zone = forms.CharField(
        label="Time zone", max_length=64,
        help_text="Times in the file that have no time zone are read in this one",
        error_messages={"required": "Enter a time zone, for example Europe/London"})
    date_order = forms.ChoiceField(
        label="How are dates written in the file?", required=False,
        choices=[("auto", "Work it out from the file"), *DateOrder.choices],
        help_text="Only needed if we cannot tell from the file")
    owner = forms.CharField(
        label="Your name in the chat (optional)", required=False, max_length=200,
        help_text="So your own replies are kept as yours")

    SERVICE_FIELDS = {"tz": "time_zone"}

    def clean_date_order(self) -> str | None:
        value = self.cleaned_data.get("date_order")
        return None if value in (None, "", "auto") else str(value)

    def __init__(self, *args: Any, time_zone: str, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"format": ImportFormat.AUTO, "time_zone": time_zone,
                                      "date_order": "auto"})
        super().__init__(*args, **kwargs)


class ConfirmCandidateForm(forms.Form):
    name = forms.CharField(label="Name", required=False, max_length=200,
                           help_text="Leave as it is, or give the name you know them by")
    role = forms.ChoiceField(label="Who are they?", choices=PersonRole.choices,
                             initial=PersonRole.SUSPECT,
                             error_messages={"required": "Choose who they are",
                                             "invalid_choice": "Choose who they are"})


# What each diary field is called on the "Check the columns" page (parsers.diary.FIELDS).
DIARY_FIELD_LABELS = {
    "date": "Date", "time": "Time", "place": "Where it happened",
    "what_happened": "What happened", "witnesses": "Witnesses",
    "impact": "How it affected you", "police_reference": "Police reference",
}
DIARY_REQUIRED_MESSAGES = {
    "date": "Choose the column that holds the date",
    "what_happened": "Choose the column that says what happened",
}


class DiaryColumnsForm(forms.Form):
    """One select per diary field, choosing a column of the file (or none).

    ``header`` is the file's first row; values are 0-based column numbers as strings."""

    def __init__(self, *args: Any, header: tuple[str, ...], width: int,
                 suggested: dict[str, int], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {f: str(c) for f, c in suggested.items()})
        super().__init__(*args, **kwargs)
        columns = [(str(i), f"Column {i + 1}: {header[i]}" if i < len(header) and header[i]
                    else f"Column {i + 1}") for i in range(width)]
        for name, label in DIARY_FIELD_LABELS.items():
            required = name in DIARY_REQUIRED_MESSAGES
            message = DIARY_REQUIRED_MESSAGES.get(name, f"Choose a column for {label.lower()}")
            self.fields[name] = forms.ChoiceField(
                label=label, required=required, choices=[("", "None"), *columns],
                error_messages={"required": message, "invalid_choice": message})

    def mapping(self) -> dict[str, int]:
        """The chosen columns, {field: 0-based column}, after ``is_valid``."""
        return {name: int(value) for name, value in self.cleaned_data.items() if value != ""}
