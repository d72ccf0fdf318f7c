"""Forms for the camera pages: one question per page for her (``STEPS``), and the officer's
two forms. Forms only check shape; ``cairn.cameras.services`` decides."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms

from cairn.cameras.models import Appears, CameraStatus
from cairn.cameras.retention import MAX_KEPT_DAYS, Kind, table

TEXT_MAX = 200
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]


def kind_choices(*, officer: bool = False) -> list[tuple[str, str]]:
    figures = table()
    return [
        (kind.value, figures[kind].officer_label if officer else figures[kind].label)
        for kind in Kind
    ]


class KindForm(forms.Form):
    kind = forms.ChoiceField(
        label="Whose camera might have recorded it?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whose camera it is",
            "invalid_choice": "Choose whose camera it is",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = kind_choices()


class OwnerForm(forms.Form):
    owner = forms.CharField(
        label="Whose camera is it?",
        required=False,
        max_length=TEXT_MAX,
        help_text="For example the shop's name, the bus company or the neighbour at number 12. "
        "Leave it empty if you do not know.",
        error_messages={"max_length": f"Keep it under {TEXT_MAX} characters"},
    )


class PlaceForm(forms.Form):
    place = forms.CharField(
        label="Where is the camera?",
        required=False,
        max_length=TEXT_MAX,
        help_text="For example above the shop door on Mill Road, or the number 38 bus. Leave it "
        "empty if you do not know.",
        error_messages={"max_length": f"Keep it under {TEXT_MAX} characters"},
    )


class KeptForm(forms.Form):
    kept_days = forms.IntegerField(
        label="How many days does it keep footage?",
        required=False,
        min_value=1,
        max_value=MAX_KEPT_DAYS,
        help_text="Only if you know, for example from a sign or from asking. Leave it empty "
        "and Cairn uses what is often the case for this kind of camera.",
        error_messages={
            "invalid": "Enter a number of days, like 14",
            "min_value": "Enter a number of days, like 14",
            "max_value": f"Enter a number of days up to {MAX_KEPT_DAYS}",
        },
    )
    kept_words = forms.CharField(
        label="What you were told (optional)",
        required=False,
        max_length=TEXT_MAX,
        error_messages={"max_length": f"Keep it under {TEXT_MAX} characters"},
    )


class AppearsForm(forms.Form):
    appears = forms.ChoiceField(
        label="Might you be in the footage?",
        widget=forms.RadioSelect,
        choices=Appears.choices,
        help_text="If you are, you have a right to a copy of it, and Cairn can write the letter "
        "asking for it.",
        error_messages={
            "required": "Say whether you might be in the footage",
            "invalid_choice": "Say whether you might be in the footage",
        },
    )


# The questions, in order: (name, form). Her own camera skips "owner" and "appears".
STEPS: list[tuple[str, type[forms.Form]]] = [
    ("kind", KindForm),
    ("owner", OwnerForm),
    ("place", PlaceForm),
    ("kept", KeptForm),
    ("appears", AppearsForm),
]
OWN_SKIPS = frozenset({"owner", "appears"})


def steps_for(kind: str | None) -> list[tuple[str, type[forms.Form]]]:
    hers = kind in {k.value for k in Kind if k.hers}
    return [(name, form) for name, form in STEPS if not (hers and name in OWN_SKIPS)]


class HerStepForm(forms.Form):
    status = forms.ChoiceField(
        label="What happened?",
        widget=forms.RadioSelect,
        choices=[
            (CameraStatus.SHE_ASKED, "I asked them for the footage"),
            (CameraStatus.NOT_KEPT, "They told me it was not kept"),
            (CameraStatus.REFUSED, "They refused"),
        ],
        error_messages={
            "required": "Choose what happened",
            "invalid_choice": "Choose what happened",
        },
    )
    note = forms.CharField(
        label="Anything to note (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class ShareChoiceForm(forms.Form):
    share = forms.ChoiceField(
        label="Which case?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the case", "invalid_choice": "Choose the case"},
    )

    def __init__(self, *args: Any, shares: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["share"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = shares
        if len(shares) == 1:
            self.fields["share"].initial = shares[0][0]


class LetterForm(forms.Form):
    """What she chooses to put in a letter. Nothing here is stored: it goes into the PDF."""

    to = forms.CharField(
        label="Who it is to (optional)",
        required=False,
        max_length=TEXT_MAX,
        help_text="Leave it empty to write it by hand.",
    )
    where = forms.CharField(
        label="Where (optional)",
        required=False,
        max_length=TEXT_MAX,
        help_text="Where it happened or where the camera is, to help them find the footage. "
        "Leave it empty to leave the place out.",
    )
    looks = forms.CharField(
        label="What you looked like (optional)",
        required=False,
        max_length=TEXT_MAX,
        help_text="For example a red coat and a pushchair. Leave it empty to leave it out.",
    )
    name = forms.CharField(
        label="Your name (optional)",
        required=False,
        max_length=TEXT_MAX,
        help_text="Leave it empty to write it by hand.",
    )
    reply_to = forms.CharField(
        label="Where they should reply (optional)",
        required=False,
        max_length=TEXT_MAX,
        help_text="An address or e-mail address that is safe for you. Leave it empty to write "
        "it by hand.",
    )
    police_reference = forms.CharField(
        label="Police reference (optional)",
        required=False,
        max_length=64,
        help_text="Leave it empty to leave it out.",
    )


# --- the officer's forms -------------------------------------------------------------------------


class PoliceStepForm(forms.Form):
    status = forms.ChoiceField(
        label="What the police did",
        widget=forms.RadioSelect,
        choices=[
            (CameraStatus.REQUESTED, "Requested the footage"),
            (CameraStatus.NOT_KEPT, "Not kept: the footage no longer exists"),
            (CameraStatus.REFUSED, "Refused by its owner"),
        ],
        error_messages={
            "required": "Choose what the police did",
            "invalid_choice": "Choose what the police did",
        },
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class CollectedForm(forms.Form):
    collected_at = forms.DateTimeField(
        label="When it was collected",
        input_formats=DATETIME_FORMATS,
        help_text="Date and time, for example 27/03/2026 14:30",
        error_messages={
            "required": "Enter when the footage was collected",
            "invalid": "Enter a date and time, for example 27/03/2026 14:30",
        },
    )
    collected_from = forms.CharField(
        label="Collected from",
        max_length=TEXT_MAX,
        help_text="Who handed it over: their name and role, for example the shop's manager",
        error_messages={"required": "Say who the footage was collected from"},
    )
    collected_how = forms.CharField(
        label="How (optional)",
        required=False,
        max_length=TEXT_MAX,
        help_text="For example exported to a sealed USB stick, bag number",
    )
    file = forms.FileField(
        label="The footage file",
        error_messages={
            "required": "Select the footage file",
            "empty": "The selected file is empty",
        },
    )

    def __init__(self, *args: Any, tz: ZoneInfo, **kwargs: Any) -> None:
        self.tz = tz
        super().__init__(*args, **kwargs)

    def clean_collected_at(self) -> datetime:
        value: datetime = self.cleaned_data["collected_at"]
        # A wall-clock time where the victim's log is kept (UK time for every vault today).
        return value.replace(tzinfo=None).replace(tzinfo=self.tz)
