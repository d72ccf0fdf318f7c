"""The pack page's form: what to include, the statement, and how to protect the file."""

from __future__ import annotations

from typing import Any

from django import forms

from cairn.packs.crypt import PackCryptError, parse_recipients


class PackForm(forms.Form):
    scope = forms.ChoiceField(
        label="What to include",
        widget=forms.RadioSelect,
        initial="all",
        choices=[("all", "Everything in my log"), ("chosen", "Only the incidents I choose")],
    )
    incidents = forms.MultipleChoiceField(
        label="Incidents to include", required=False, widget=forms.CheckboxSelectMultiple
    )
    originals = forms.BooleanField(
        label="Also include the original files the incidents I choose were imported from",
        help_text="For example a chat export. It holds every message in it, including any "
        "about incidents you leave out.",
        required=False,
    )
    redacted = forms.BooleanField(
        label="Use my redacted copies instead of the originals, where I have made them",
        required=False,
    )
    statement = forms.ChoiceField(
        label="Statement draft",
        widget=forms.RadioSelect,
        initial="none",
        choices=[
            ("none", "Leave my statement draft out"),
            ("saved", "Put my saved statement draft in the pack"),
            ("draft", "Put a fresh draft of the incidents I include in the pack"),
        ],
    )
    protection = forms.ChoiceField(
        label="Protect the file",
        widget=forms.RadioSelect,
        initial="none",
        choices=[
            ("none", "No protection (a zip file)"),
            ("passphrase", "With a passphrase I will give the officer separately"),
            ("recipient", "With the police unit's key"),
        ],
    )
    passphrase = forms.CharField(
        label="Passphrase",
        required=False,
        strip=False,
        widget=forms.PasswordInput(),
        help_text="At least 12 characters.",
    )
    recipient = forms.CharField(
        label="The unit's key",
        required=False,
        help_text="It starts with age1. The officer can give it to you.",
    )

    def __init__(
        self,
        *args: Any,
        incident_choices: list[tuple[str, str]],
        building: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["incidents"].choices = incident_choices
        # The passphrase is typed on the page that makes the pack (never sent back in a page).
        self.building = building

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("scope") == "chosen" and not data.get("incidents"):
            self.add_error("incidents", "Choose at least one incident")
        protection = data.get("protection")
        if self.building and protection == "passphrase" and len(data.get("passphrase") or "") < 12:
            self.add_error("passphrase", "Enter a passphrase of at least 12 characters")
        if protection == "recipient":
            try:
                parse_recipients([data.get("recipient") or ""])
            except PackCryptError:
                self.add_error("recipient", "Enter the unit's key: it starts with age1")
        return data


class HiddenDetailsForm(forms.Form):
    """What to do with photos that carry where they were taken, a camera's serial number or an
    owner's name: asked only when the pack would hold any."""

    hidden_details = forms.ChoiceField(
        label="What should the pack hold?",
        widget=forms.RadioSelect,
        choices=[
            ("copies", "Copies without these details (recommended)"),
            ("originals", "The originals, with these details"),
        ],
        error_messages={
            "required": "Choose whether the pack holds copies without these "
            "details or the originals"
        },
    )
