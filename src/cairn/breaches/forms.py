"""Forms for breaches: the victim's report, the officer's record, a failure to notify, and an
outcome. They parse
what was typed; the services in ``cairn.breaches.services`` decide what is valid."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils import timezone

from cairn.breaches.models import BreachOutcomeKind
from cairn.web.fields import DateField

WHOLE_ORDER = "whole"


class ReportBreachForm(forms.Form):
    """The victim's report. ``term`` values are ``<share id>:<order id>:<term id>`` (the term
    id is ``whole`` when she is not sure which part of the order was broken); ``incident``
    values are incident ids from her log."""

    term = forms.ChoiceField(
        label="Which part of the order did they break?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose what part of the order was broken",
            "invalid_choice": "Choose what part of the order was broken",
        },
    )
    incident = forms.ChoiceField(
        label="Which incident in your log is it?",
        widget=forms.RadioSelect,
        help_text="The incident and anything you added to it are shared with the police "
        "unit if they are not shared already.",
        error_messages={
            "required": "Choose the incident from your log",
            "invalid_choice": "Choose the incident from your log",
        },
    )

    def __init__(
        self,
        *args: Any,
        term_choices: list[tuple[str, str]],
        incident_choices: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"].choices = term_choices  # type: ignore[attr-defined]
        self.fields["incident"].choices = incident_choices  # type: ignore[attr-defined]

    def chosen(self) -> tuple[str, str, str | None]:
        """(share id, order id, term id or None)."""
        share_id, order_id, term_id = self.cleaned_data["term"].split(":")
        return share_id, order_id, None if term_id == WHOLE_ORDER else term_id


class RecordBreachForm(forms.Form):
    """An officer's record. ``term`` values are ``<order id>:<term id>`` (``whole`` for the
    order as a whole)."""

    term = forms.ChoiceField(
        label="Which term of which order was breached?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the term breached",
            "invalid_choice": "Choose the term breached",
        },
    )
    day = DateField(
        label="When did it happen?",
        help_text="For example, 27 3 2026",
        required_message="Enter the date",
    )
    at = forms.TimeField(
        label="Time",
        help_text="Use the 24-hour clock, for example 14:30",
        input_formats=["%H:%M", "%H.%M"],
        error_messages={"required": "Enter the time", "invalid": "Enter a time like 14:30"},
    )
    account = forms.CharField(
        label="What happened",
        widget=forms.Textarea,
        max_length=10_000,
        error_messages={"required": "Say what happened"},
    )
    crime_reference = forms.CharField(
        label="Crime reference (optional)", required=False, max_length=64
    )

    def __init__(self, *args: Any, term_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"].choices = term_choices  # type: ignore[attr-defined]

    def chosen(self) -> tuple[str, str | None]:
        order_id, term_id = self.cleaned_data["term"].split(":")
        return order_id, None if term_id == WHOLE_ORDER else term_id

    def occurred_at(self) -> datetime:
        day: date = self.cleaned_data["day"]
        at: time = self.cleaned_data["at"]
        return timezone.make_aware(datetime.combine(day, at), timezone.get_current_timezone())


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What happened?",
        widget=forms.RadioSelect,
        choices=BreachOutcomeKind.choices,
        error_messages={
            "required": "Choose what happened",
            "invalid_choice": "Choose what happened",
        },
    )
    on = DateField(
        label="On what date?", help_text="For example, 27 3 2026", required_message="Enter the date"
    )
    reason = forms.CharField(
        label="Reason or note",
        required=False,
        widget=forms.Textarea,
        max_length=5_000,
        help_text="Needed for no further action. The victim who reported the breach sees it.",
    )


class FailureForm(forms.Form):
    """An officer's record of a failure to notify (s.11): what happened, and the crime
    reference if there is one yet."""

    account = forms.CharField(
        label="What happened",
        widget=forms.Textarea,
        max_length=10000,
        help_text="For example: he did not attend by the last day; "
        "he was found living at another address.",
        error_messages={"required": "Say what happened"},
    )
    crime_reference = forms.CharField(
        label="Crime reference (optional)", required=False, max_length=64
    )
    notification = forms.CharField(required=False, widget=forms.HiddenInput)
