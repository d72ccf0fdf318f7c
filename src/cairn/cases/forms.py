"""Forms for the officer's pages. They parse what was typed; the services decide what is valid
(``cairn.vault.forms.add_service_errors`` puts a service's errors on the fields)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from cairn.accounts.models import User
from cairn.cases.models import (
    CaseStatus,
    EntryKind,
    Purpose,
    ReferralKind,
    ReferralOutcome,
    ReviewDecision,
    RightToKnowDecision,
)
from cairn.vault.choices import IdentifierKind
from cairn.vault.services import normalise_identifier
from cairn.web.fields import DateField

SUSPECT_IDENTIFIER_ROWS = 3


class PurposeForm(forms.Form):
    """Why the officer is looking at the shared evidence: recorded with every read."""

    purpose = forms.ChoiceField(
        label="Why are you looking at the shared evidence?",
        widget=forms.RadioSelect,
        choices=Purpose.choices,
        help_text="Every look at a victim's log is recorded with this reason, and she can "
        "see who looked and why.",
        error_messages={
            "required": "Choose why you are looking",
            "invalid_choice": "Choose why you are looking",
        },
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


SORTS = [
    ("review", "Next review, soonest first"),
    ("newest", "Newest first"),
    ("reference", "Reference"),
]


class CaseFilterForm(forms.Form):
    reference = forms.CharField(
        label="Case reference",
        required=False,
        max_length=64,
        help_text="All or part of it, for example 2026/0042",
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any"), *CaseStatus.choices]
    )
    mine = forms.BooleanField(label="Only cases where I am the officer in charge", required=False)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORTS)


class NewCaseForm(forms.Form):
    reference = forms.CharField(
        label="Case reference",
        max_length=64,
        help_text="Your force's own reference, for example NP/2026/0042",
        error_messages={"required": "Enter the case reference"},
    )
    officer = forms.ChoiceField(
        label="Officer in charge",
        error_messages={
            "required": "Choose the officer in charge",
            "invalid_choice": "Choose an officer of your unit",
        },
    )
    next_review = DateField(
        label="Next review (optional)", required=False, help_text="For example, 27 3 2026"
    )
    first_reported_on = DateField(
        label="First reported to the police on (optional)",
        required=False,
        help_text="The day the victim first reported the stalking, "
        "if before today. For example, 3 3 2026",
    )

    def __init__(self, *args: Any, officers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officers = {str(user.pk): user for user in officers}
        field = self.fields["officer"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(pk, str(user)) for pk, user in self.officers.items()]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "reference": data["reference"],
            "officer": self.officers[data["officer"]],
            "next_review": data["next_review"],
            "first_reported_on": data["first_reported_on"],
        }


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="New status",
        widget=forms.RadioSelect,
        choices=CaseStatus.choices,
        error_messages={"required": "Choose a status"},
    )
    note = forms.CharField(
        label="Why (optional)", required=False, widget=forms.Textarea, max_length=2000
    )


class ReviewDateForm(forms.Form):
    next_review = DateField(
        label="Next review",
        required=False,
        help_text="For example, 27 3 2026. Leave it empty if no review is planned.",
    )


class EntryForm(forms.Form):
    kind = forms.ChoiceField(
        label="Is this an action or a note?",
        widget=forms.RadioSelect,
        choices=EntryKind.choices,
        error_messages={"required": "Choose action or note"},
    )
    day = DateField(
        label="When", help_text="For example, 27 3 2026", required_message="Enter the date"
    )
    at = forms.TimeField(
        label="Time",
        help_text="Use the 24-hour clock, for example 14:30",
        input_formats=["%H:%M", "%H.%M"],
        error_messages={"required": "Enter the time", "invalid": "Enter a time like 14:30"},
    )
    text = forms.CharField(
        label="What was done or noted",
        widget=forms.Textarea,
        max_length=10_000,
        error_messages={"required": "Enter what was done or noted"},
    )

    @classmethod
    def initial_now(cls) -> dict[str, Any]:
        now = timezone.localtime()
        return {"day": now.date(), "at": now.time().replace(second=0, microsecond=0)}

    def happened_at(self) -> datetime:
        day: date = self.cleaned_data["day"]
        at: time = self.cleaned_data["at"]
        return timezone.make_aware(datetime.combine(day, at), timezone.get_current_timezone())


class SuspectForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="Write Unknown if they are not known yet",
        error_messages={"required": "Enter the suspect's name, or Unknown"},
    )
    date_of_birth = DateField(
        label="Date of birth (optional)", required=False, help_text="For example, 27 3 1985"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for row in range(1, SUSPECT_IDENTIFIER_ROWS + 1):
            self.fields[f"identifier_{row}_kind"] = forms.ChoiceField(
                label=f"Identifier {row} (optional): kind",
                required=False,
                choices=[("", "Choose"), *IdentifierKind.choices],
            )
            self.fields[f"identifier_{row}_value"] = forms.CharField(
                label=f"Identifier {row}: number, address, handle or registration",
                required=False,
                max_length=320,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for row in range(1, SUSPECT_IDENTIFIER_ROWS + 1):
            kind = data.get(f"identifier_{row}_kind")
            value = (data.get(f"identifier_{row}_value") or "").strip()
            if value and not kind:
                self.add_error(f"identifier_{row}_kind", "Choose what kind of detail this is")
            elif kind and not value:
                self.add_error(f"identifier_{row}_value", "Enter the detail, or choose no kind")
            elif kind and value:
                try:
                    normalise_identifier(kind, value)
                except ValueError as exc:
                    self.add_error(f"identifier_{row}_value", str(exc))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        identifiers = [
            (data[f"identifier_{row}_kind"], data[f"identifier_{row}_value"].strip())
            for row in range(1, SUSPECT_IDENTIFIER_ROWS + 1)
            if data.get(f"identifier_{row}_kind")
        ]
        return {
            "name": data["name"],
            "date_of_birth": data["date_of_birth"],
            "identifiers": identifiers,
        }


class ChooseRiskForm(forms.Form):
    form = forms.ChoiceField(
        label="Which form do you want to use?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a form"},
    )

    def __init__(self, *args: Any, definitions: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["form"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(key, d.title) for key, d in definitions.items()]


class AssessmentSummaryForm(forms.Form):
    """Beside the questionnaire, with a prefix so no form's question id can collide."""

    prefix = "assessment"
    summary = forms.CharField(
        label="Your summary (optional)",
        required=False,
        widget=forms.Textarea,
        max_length=10_000,
        help_text="What you conclude, and what you will do about it",
    )


class RiskReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your review",
        widget=forms.RadioSelect,
        choices=ReviewDecision.choices,
        error_messages={"required": "Choose agreed or changes needed"},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea,
        max_length=5000,
        help_text="Required if changes are needed: say what",
    )


class RightToKnowForm(forms.Form):
    """A decision on telling the victim who the stalker is (issue 15, point 6)."""

    identified_on = DateField(
        label="Day the stalker was identified",
        required_message="Enter the day the stalker was identified",
    )
    how_identified = forms.CharField(
        label="How the stalker was identified",
        widget=forms.Textarea,
        max_length=10000,
        required=False,
    )
    decision = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        choices=RightToKnowDecision.choices,
        error_messages={"required": "Choose the decision"},
    )
    reasons = forms.CharField(
        label="Reasons",
        widget=forms.Textarea,
        max_length=10000,
        required=False,
        help_text="Why she is told, or why not (for example, what telling her would risk)",
    )
    decided_on = DateField(
        label="Day of the decision", required=False, help_text="Today if left empty"
    )
    told_on = DateField(
        label="Day the victim was told", required=False, help_text="Only when she is told"
    )


class ReferralForm(forms.Form):
    kind = forms.ChoiceField(
        label="Referred to",
        widget=forms.RadioSelect,
        choices=ReferralKind.choices,
        error_messages={"required": "Choose where the case was referred"},
    )
    referred_on = DateField(
        label="Day of the referral", required_message="Enter the day of the referral"
    )
    agency = forms.CharField(label="Service or agency (optional)", required=False, max_length=200)
    meeting_on = DateField(label="MARAC meeting the case is listed for (optional)", required=False)
    note = forms.CharField(
        label="Note (optional)", required=False, widget=forms.Textarea, max_length=10000
    )


class ReferralOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[("", "Choose"), *ReferralOutcome.choices],
        error_messages={"required": "Choose the outcome"},
    )
    outcome_on = DateField(label="On", required_message="Enter the day")
