"""Forms for organisation administration and for joining by invitation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator

from cairn.accounts import access
from cairn.accounts.models import Organisation, Role, User

ROLE_HINTS = {
    Role.INVESTIGATOR: "Works on the unit's cases and sees what victims share with them",
    Role.SUPERVISOR: "Works on the unit's cases and reviews risk assessments",
    Role.ADVOCATE: "Supports victims who share their log with them directly",
    Role.ANALYST: "Sees no cases or logs for now",
    Role.ADMINISTRATOR: "Invites people and ends roles in this organisation",
}


class InviteForm(forms.Form):
    unit = forms.ModelChoiceField(
        label="Unit",
        queryset=None,
        empty_label=None,
        error_messages={"required": "Choose a unit", "invalid_choice": "Choose a unit"},
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        error_messages={"required": "Choose a role", "invalid_choice": "Choose a role"},
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = access.units_of(organisation)  # type: ignore[attr-defined]

    @property
    def role_hints(self) -> dict[str, str]:
        return {str(role): hint for role, hint in ROLE_HINTS.items()}


class CreateAccountForm(forms.Form):
    """A new account's username, name and password (twice), checked by Django's password
    validators against the name and username too."""

    username = forms.CharField(
        label="Username",
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="Letters, digits and . @ + - _ only. You will sign in with it.",
        error_messages={"required": "Enter a username"},
    )
    display_name = forms.CharField(
        label="Your name",
        max_length=150,
        help_text="Shown to colleagues in your organisation.",
        error_messages={"required": "Enter your name"},
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput,
        help_text="At least 10 characters. Not one you use anywhere else.",
        error_messages={"required": "Enter a password"},
    )
    password2 = forms.CharField(
        label="Enter the password again",
        strip=False,
        widget=forms.PasswordInput,
        error_messages={"required": "Enter the password again"},
    )

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if access.user_named(username) is not None:
            raise forms.ValidationError("This username is taken: choose another")
        return username

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The passwords do not match")
        elif first:
            candidate = User(
                username=cleaned.get("username", ""), display_name=cleaned.get("display_name", "")
            )
            try:
                validate_password(first, user=candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned
