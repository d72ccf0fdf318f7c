from __future__ import annotations

from django import forms

KEY = r"^(person|candidate):[0-9a-f-]{36}$"


class ConfirmLeadForm(forms.Form):
    """Which suggested link the victim confirms (ids only; the lead is worked out again)."""

    suspect = forms.RegexField(
        regex=r"^person:[0-9a-f-]{36}$",
        max_length=50,
        error_messages={
            "required": "Choose a link to confirm",
            "invalid": "Choose a link to confirm",
        },
    )
    account = forms.RegexField(
        regex=KEY,
        max_length=50,
        error_messages={
            "required": "Choose a link to confirm",
            "invalid": "Choose a link to confirm",
        },
    )
