"""The forms of the "Check my phone and accounts" page."""

from __future__ import annotations

from typing import Any

from django import forms

from cairn.checks.models import MarkKind
from cairn.checks.phone import FORMAT_DESCRIPTIONS, FORMATS

# Checked files are read whole, in memory: an app list is kilobytes, an AndroidQF zip a few
# megabytes (more only when it holds copies of the apps), an account export's sign-in file a
# few megabytes. Far larger is not one of these files.
MAX_APP_LIST_BYTES = 200 * 1024 * 1024
MAX_EXPORT_BYTES = 100 * 1024 * 1024

APP_FORMATS = [
    ("auto", "Work it out from what I give"),
    *(
        (name, FORMAT_DESCRIPTIONS[name][:1].upper() + FORMAT_DESCRIPTIONS[name][1:])
        for name in FORMATS
    ),
]


class AppsForm(forms.Form):
    file = forms.FileField(
        label="Upload the app list",
        required=False,
        help_text="A text file from adb shell pm list packages -i -U or adb shell dumpsys "
        "package, or an AndroidQF zip or its packages.json",
    )
    pasted = forms.CharField(
        label="Or type or paste the names of the apps",
        required=False,
        widget=forms.Textarea,
        help_text="One app on each line, as it shows in your phone's settings, or package names",
    )
    format = forms.ChoiceField(
        label="What is it?", choices=APP_FORMATS, initial="auto", required=False
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        if upload and upload.size > MAX_APP_LIST_BYTES:
            self.add_error(
                "file",
                "The file is too large to be an app list (over 200 MB): "
                "for an AndroidQF zip that holds copies of the apps, upload "
                "the packages.json from inside it",
            )
            return cleaned
        has_file = bool(upload)
        has_text = bool((cleaned.get("pasted") or "").strip())
        if has_file == has_text:
            self.add_error(
                "file",
                "Upload an app list, or type the app names, but not both"
                if has_file
                else "Upload an app list, or type the app names",
            )
        cleaned["format"] = cleaned.get("format") or "auto"
        return cleaned


class AccountsForm(forms.Form):
    prefix = "accounts"  # its file input sits on the same page as the app list's
    file = forms.FileField(
        label="Upload an account export",
        help_text="Telegram result.json, Facebook or Instagram account_activity.json or "
        "where_you're_logged_in.json, Google Takeout access log or devices CSV, or "
        "X ip-audit.js",
        error_messages={"required": "Select a file", "empty": "The selected file is empty"},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_EXPORT_BYTES:
            raise forms.ValidationError(
                "The file is too large to be a sign-in export (over "
                "100 MB): upload only the sign-in or session file"
            )
        return upload


class MarkForm(forms.Form):
    review = forms.UUIDField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=MarkKind.choices, widget=forms.HiddenInput)
    value = forms.CharField(max_length=300, widget=forms.HiddenInput)


class DecisionForm(forms.Form):
    check_id = forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"required": "There is no check to save"}
    )
    action = forms.ChoiceField(
        choices=[("save", "Save"), ("discard", "Put aside")],
        widget=forms.HiddenInput,
        error_messages={"required": "Choose to save or put aside"},
    )
