"""Forms for the officer's SPO pages. They parse what was typed; the services in
``cairn.orders.services`` decide what is valid, and their errors go back on these fields.

The terms editor (rows of ``TermForm``) is ``cairn.orders.term_forms``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from cairn.orders.models import (
    Applicant,
    ApplicationStatus,
    DefendantArea,
    NotificationKind,
    OrderKind,
)
from cairn.orders.services import LIMBS
from cairn.web.fields import DateField


class ApplicationForm(forms.Form):
    """The draft: grounds per limb of s.1(1), duration (s.3), interim request (s.5). A term
    problem the service finds (incompatible terms, a missing necessity reason) is shown as
    an error of ``terms``, a field with no input of its own."""

    ground_s1_1_a = forms.CharField(label=LIMBS["s1_1_a"], required=False,
                                    widget=forms.Textarea, max_length=20000)
    ground_s1_1_b = forms.CharField(label=LIMBS["s1_1_b"], required=False,
                                    widget=forms.Textarea, max_length=20000)
    ground_s1_1_c = forms.CharField(label=LIMBS["s1_1_c"], required=False,
                                    widget=forms.Textarea, max_length=20000)
    duration_months = forms.IntegerField(
        label="Duration in months", required=False, min_value=1, max_value=1200,
        help_text="At least 24 (2 years, s.3). Leave empty for an order until further order.",
        error_messages={"invalid": "Enter the duration as a whole number of months"})
    until_further_order = forms.BooleanField(label="Until further order", required=False)
    defendant = forms.ChoiceField(
        label="The defendant", required=False,
        help_text="The suspect of this case the order is sought against. Cairn checks the "
                  "terms against every order in force on the same person, on any case of "
                  "the force (s.2(6)-(7)).",
        error_messages={"invalid_choice": "Choose a suspect of this case"})
    defendant_area = forms.ChoiceField(
        label="How is the defendant linked to the force's area? (s.1(3))", required=False,
        widget=forms.RadioSelect, choices=DefendantArea.choices,
        error_messages={"invalid_choice": "Choose one"})
    defendant_area_reasons = forms.CharField(
        label="What the chief officer's belief rests on (optional)", required=False,
        widget=forms.Textarea, max_length=4000,
        help_text="For example, where he was seen, or what he said of moving")
    conflicts_considered = forms.CharField(
        label="How do the terms avoid conflict with the defendant's religious beliefs, and "
              "with the times he normally works or attends education? (s.2(3))",
        required=False, widget=forms.Textarea, max_length=4000,
        help_text="So far as practicable. Say what is known of his religion, work and "
                  "education, and how the terms leave room for them.")
    interim_requested = forms.BooleanField(label="Ask for an interim order (s.5)",
                                           required=False)
    interim_reasoning = forms.CharField(
        label="Why an interim order is appropriate until the application is decided",
        required=False, widget=forms.Textarea, max_length=20000,
        help_text="The court makes one if it considers it appropriate (s.5).")
    terms = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, suspects: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["defendant"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Not named yet"), *((str(s.pk), suspect_label(s))
                                                  for s in suspects)]

    def grounds(self, stored: dict[str, Any]) -> dict[str, Any]:
        """The grounds typed, each keeping the evidence it was prefilled with."""
        return {key: {**(stored.get(key) or {}), "text": self.cleaned_data[f"ground_{key}"]}
                for key in LIMBS}


def suspect_label(suspect: Any) -> str:
    born = f", born {suspect.date_of_birth.day} {suspect.date_of_birth:%B %Y}" \
        if suspect.date_of_birth else ""
    return f"{suspect.name}{born}"


def application_initial(application: Any) -> dict[str, Any]:
    initial = {f"ground_{key}": (application.grounds.get(key) or {}).get("text", "")
               for key in LIMBS}
    initial.update(duration_months=application.duration_months,
                   until_further_order=application.until_further_order,
                   interim_requested=application.interim_requested,
                   interim_reasoning=application.interim_reasoning,
                   defendant=str(application.defendant_id or ""),
                   defendant_area=application.defendant_area,
                   defendant_area_reasons=application.defendant_area_reasons,
                   conflicts_considered=application.conflicts_considered)
    return initial


class SubmitForm(forms.Form):
    hearing_on = DateField(label="Date of the first hearing (optional)", required=False,
                           help_text="If the court has listed one. For example, 27 3 2027")
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea,
                           max_length=4000)


APPLICANT_CHOICES = [("", "Choose who applied"), *Applicant.choices]


def applicant_field(required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Who applied", required=required, choices=APPLICANT_CHOICES,
        help_text="The police, the defendant, or another force where the defendant lives or "
                  "is going (s.4(2), s.5(7))",
        error_messages={"required": "Say who applied",
                        "invalid_choice": "Say who applied"})


def victim_informed_field() -> DateField:
    return DateField(label="Victim told on (optional)", required=False,
                     help_text="The day the victim was told. Leave empty if she has not been "
                               "told yet: record it later from the history.")


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="What happened", widget=forms.RadioSelect,
                               error_messages={"required": "Choose what happened",
                                               "invalid_choice": "Choose what happened"})
    hearing_on = DateField(label="Date of the hearing", required=False,
                           help_text="For a hearing listed, or the first hearing when "
                                     "submitting. For example, 27 3 2027")
    decided_on = DateField(label="Day of the court's decision (optional)", required=False,
                           help_text="For a decision of the court. For example, 27 3 2027")
    applicant = applicant_field(required=False)
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea,
                           max_length=4000)

    def __init__(self, *args: Any, allowed: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(s, ApplicationStatus(s).label) for s in allowed]
        self.fields["applicant"].help_text = (
            "Only when an application to vary, renew or discharge the order was refused")


class InterimApplyForm(forms.Form):
    interim_reasoning = forms.CharField(
        label="Why an interim order is appropriate until the application is decided",
        widget=forms.Textarea, max_length=20000,
        help_text="The court makes one if it considers it appropriate (s.5(3)).",
        error_messages={"required": "Say why an interim order is appropriate (s.5)"})
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea,
                           max_length=4000)


class InterimStepForm(forms.Form):
    status = forms.ChoiceField(label="What happened to the interim application or order",
                               widget=forms.RadioSelect,
                               error_messages={"required": "Choose what happened",
                                               "invalid_choice": "Choose what happened"})
    decided_on = DateField(label="Day of the court's decision", required=False,
                           help_text="Not needed when the police withdrew the interim "
                                     "application. For example, 27 3 2027")
    applicant = applicant_field(required=False)
    victim_informed_on = victim_informed_field()
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea,
                           max_length=4000)

    def __init__(self, *args: Any, allowed: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(s, ApplicationStatus(s).label) for s in allowed]
        self.fields["applicant"].help_text = (
            "Only when an application to vary, renew or discharge it was refused")


class DischargeForm(forms.Form):
    discharged_on = DateField(label="Discharged on",
                              required_message="Enter the day the court discharged it",
                              help_text="For example, 27 3 2027")
    applicant = applicant_field()
    consent_defendant = forms.BooleanField(label="The defendant consented", required=False)
    consent_chief_officer = forms.BooleanField(label="The chief officer consented",
                                               required=False)
    victim_informed_on = victim_informed_field()
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea,
                           max_length=4000)
    consent = forms.CharField(required=False, widget=forms.HiddenInput)


class VictimInformedForm(forms.Form):
    victim_informed_on = DateField(label="Victim told on",
                                   required_message="Enter the day the victim was told")


class OrderForm(forms.Form):
    kind = forms.ChoiceField(label="Which order did the court make?",
                             widget=forms.RadioSelect, choices=OrderKind.choices,
                             error_messages={"required": "Choose an interim or a full order",
                                             "invalid_choice": "Choose an interim or a full "
                                                               "order"})
    made_on = DateField(label="Made on", help_text="For example, 27 3 2027",
                        required_message="Enter the day the order was made")
    ends_on = DateField(label="Interim order has effect until the end of", required=False,
                        help_text="Only for an interim order: the last day stated in it")
    duration_months = forms.IntegerField(
        label="Duration in months", required=False, min_value=1, max_value=1200,
        help_text="Only for a full order: at least 24. Leave empty for until further order.",
        error_messages={"invalid": "Enter the duration as a whole number of months"})
    until_further_order = forms.BooleanField(label="Until further order", required=False)
    as_asked = forms.ChoiceField(
        label="Terms", widget=forms.RadioSelect, initial="yes",
        choices=[("yes", "The court made the terms as asked"),
                 ("no", "The court made different terms (as in the rows below)")],
        error_messages={"required": "Say whether the terms were made as asked"})
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea,
                           max_length=4000)


class ServedForm(forms.Form):
    served_on = DateField(label="Served on", required_message="Enter the day it was served",
                          help_text="For example, 27 3 2027")


class NotifiedForm(forms.Form):
    """How a notification was given (s.10): in person at a police station, acknowledged in
    writing; fingerprints and photographs may be taken to check who he is."""

    notified_on = DateField(label="Notified on",
                            required_message="Enter the day the defendant notified",
                            help_text="The day he gave his names and home address at a "
                                      "police station (s.9)")
    station = forms.CharField(label="Police station attended", required=False,
                              max_length=200)
    acknowledged_in_writing = forms.BooleanField(
        label="Acknowledged in writing (s.10(4))", required=False)
    fingerprints_taken = forms.BooleanField(label="Fingerprints taken (s.10(5))",
                                            required=False)
    photographs_taken = forms.BooleanField(label="Photographs taken (s.10(5))",
                                           required=False)


class ChangeForm(forms.Form):
    """A change he must notify within 3 days (s.9(3)-(4)), notified or not yet."""

    kind = forms.ChoiceField(
        label="What changed", widget=forms.RadioSelect,
        choices=[(k, v) for k, v in NotificationKind.choices
                 if k in (NotificationKind.NEW_NAME, NotificationKind.NEW_ADDRESS)],
        error_messages={"required": "Choose what changed",
                        "invalid_choice": "Choose what changed"})
    started_on = DateField(label="The day he started using the name, or moved",
                           required_message="Enter the day it happened")
    notified_on = DateField(label="Notified on (leave empty if he has not)", required=False)
    station = forms.CharField(label="Police station attended (if he notified)",
                              required=False, max_length=200)
    acknowledged_in_writing = forms.BooleanField(
        label="Acknowledged in writing (s.10(4))", required=False)
    fingerprints_taken = forms.BooleanField(label="Fingerprints taken (s.10(5))",
                                            required=False)
    photographs_taken = forms.BooleanField(label="Photographs taken (s.10(5))",
                                           required=False)


class RegisterForm(forms.Form):
    """s.9(5)-(7): sex offender notification, and the day it ended."""

    subject = forms.BooleanField(
        label="He is, or was, subject to sex offender notification (Sexual Offences Act "
              "2003, Part 2)", required=False)
    ended_on = DateField(label="The day it ended (the final day, s.9(6))", required=False,
                         help_text="Leave empty while it continues")


class ReviewForm(forms.Form):
    renewal_review_on = DateField(label="Renewal review", required=False,
                                  help_text="Leave empty for no review date")


class VaryForm(forms.Form):
    varied_on = DateField(label="Varied on", required_message="Enter the day of the variation",
                          help_text="For example, 27 3 2027")
    applicant = applicant_field()
    victim_informed_on = victim_informed_field()
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea,
                           max_length=4000)


class RenewForm(forms.Form):
    renewed_on = DateField(label="Renewed on", required_message="Enter the day of the renewal",
                           help_text="For example, 27 3 2027")
    applicant = applicant_field()
    duration_months = forms.IntegerField(
        label="New duration in months", required=False, min_value=1, max_value=1200,
        help_text="At least 24. Leave empty for until further order.",
        error_messages={"invalid": "Enter the duration as a whole number of months"})
    until_further_order = forms.BooleanField(label="Until further order", required=False)
    victim_informed_on = victim_informed_field()
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea,
                           max_length=4000)


class RenewInterimForm(forms.Form):
    """Renewing (extending) an interim order (s.5(7)-(8)): a new last day, not a duration."""

    renewed_on = DateField(label="Renewed on", required_message="Enter the day of the renewal",
                           help_text="For example, 27 3 2027")
    applicant = applicant_field()
    ends_on = DateField(label="Now has effect until the end of",
                        required_message="Enter the new last day of the interim order",
                        help_text="The last day stated by the court")
    victim_informed_on = victim_informed_field()
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea,
                           max_length=4000)


def court_order_choices() -> list[tuple[str, str]]:
    """"<kind>:<basis>" for every order a court makes without a police application."""
    from cairn.orders.rules import ORDER_TYPES

    return [(f"{kind.value}:{basis}", f"{kind.label}: {made.split(' (')[0]}")
            for kind in ORDER_TYPES.values() for basis, made in kind.bases
            if basis != "application"]


class CourtOrderForm(forms.Form):
    """An order a court made without a police application (docs/adr/0041)."""

    made = forms.ChoiceField(label="What the court made", widget=forms.RadioSelect,
                             error_messages={"required": "Choose what the court made",
                                             "invalid_choice": "Choose what the court made"})
    court = forms.CharField(label="Court (optional)", required=False, max_length=200,
                            help_text="For example, Manchester Crown Court")
    made_on = DateField(label="Made on", required_message="Enter the day it was made",
                        help_text="For example, 27 3 2027")
    defendant = forms.ChoiceField(label="Against", required=False,
                                  error_messages={"invalid_choice": "Choose a suspect of this "
                                                                    "case"})
    duration_months = forms.IntegerField(
        label="For how many months", required=False, min_value=1, max_value=1200,
        help_text="A Stalking Protection Order: at least 24 (s.3). Or give its last day, or "
                  "choose until further order.",
        error_messages={"invalid": "Enter the duration as a whole number of months"})
    ends_on = DateField(label="Or: has effect until the end of", required=False,
                        help_text="The last day stated, or the next hearing for bail")
    until_further_order = forms.BooleanField(
        label="Until further order (for bail: until the case ends)", required=False)
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea,
                           max_length=4000)
    terms = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, suspects: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        made = self.fields["made"]
        assert isinstance(made, forms.ChoiceField)
        made.choices = court_order_choices()
        field = self.fields["defendant"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Not named"), *((str(s.pk), suspect_label(s)) for s in suspects)]
