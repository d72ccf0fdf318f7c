"""The victim's sharing forms: the code she was given, and what of her log to share."""

from __future__ import annotations

from typing import Any

from django import forms

from cairn.cases.models import ShareScope
from cairn.cases.services import CODE_ALPHABET, CODE_LENGTH

CODE_FORMAT_ERROR = "Enter the code as you were given it: 8 letters and numbers, like ABCD-2345"


class ScopeForm(forms.Form):
    """What to share: everything, or chosen incidents and exhibits (values are their ids)."""

    scope = forms.ChoiceField(
        label="What do you want to share?",
        widget=forms.RadioSelect,
        choices=[
            (ShareScope.ALL, "Everything in my log, including what I add later"),
            (ShareScope.CHOSEN, "Only what I choose"),
        ],
        error_messages={"required": "Choose what you want to share"},
    )
    incidents = forms.MultipleChoiceField(
        label="Incidents to share",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose incidents from your log"},
    )
    exhibits = forms.MultipleChoiceField(
        label="Exhibits to share",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The exhibits added to an incident you choose are shared with it. Choose "
        "here any other exhibit you want to share.",
        error_messages={"invalid_choice": "Choose exhibits from your log"},
    )

    def __init__(
        self,
        *args: Any,
        incident_choices: list[tuple[str, str]],
        exhibit_choices: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["incidents"].choices = incident_choices
        self.fields["exhibits"].choices = exhibit_choices

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            data.get("scope") == ShareScope.CHOSEN
            and not data.get("incidents")
            and not data.get("exhibits")
            and "incidents" not in self.errors
        ):
            self.add_error("incidents", "Choose at least one incident or exhibit to share")
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        chosen = data["scope"] == ShareScope.CHOSEN
        return {
            "scope": data["scope"],
            "incident_ids": data["incidents"] if chosen else [],
            "exhibit_ids": data["exhibits"] if chosen else [],
        }


def normalise_code(value: str) -> str:
    """``abcd 2345`` or ``ABCD-2345`` as ``ABCD-2345``; ValidationError if it cannot be a code."""
    letters = "".join(ch for ch in (value or "").upper() if ch.isalnum())
    if len(letters) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in letters):
        raise forms.ValidationError(CODE_FORMAT_ERROR)
    return f"{letters[:4]}-{letters[4:]}"


class LinkForm(ScopeForm):
    """Link her log to a case or an advocate: the code first, then the scope."""

    code = forms.CharField(
        label="The code you were given",
        max_length=40,
        help_text="The officer or advocate gives you a code of 8 letters and numbers, like "
        "ABCD-2345. Capital or small letters both work.",
        error_messages={
            "required": "Enter the code you were given",
            "max_length": CODE_FORMAT_ERROR,
        },
    )

    field_order = ["code", "scope", "incidents", "exhibits"]

    def clean_code(self) -> str:
        return normalise_code(self.cleaned_data.get("code", ""))
