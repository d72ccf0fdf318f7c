"""Forms for the officer's SPO pages. They parse what was typed; the services in
``cairn.orders.services`` decide what is valid, and their errors go back on these fields.

Terms are rows of ``TermForm`` with the prefix ``term-<n>`` (``term-0-kind``,
``term-0-necessity``...), counted by ``term-count``: adding or removing a row is a plain form
post that re-renders the page, so the editor works without JavaScript."""

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
    Term,
    TermKind,
)
from cairn.orders.rules import TermSpec
from cairn.orders.services import LIMBS
from cairn.web.fields import DateField

MAX_TERMS = 30
_NUMBER = {"invalid": "Enter a number, for example 53.4808"}


class TermForm(forms.Form):
    kind = forms.ChoiceField(label="Prohibition or requirement", required=False,
                             choices=[("", "Choose a term"), *TermKind.choices])
    details = forms.CharField(label="Details (optional)", required=False,
                              widget=forms.Textarea, max_length=4000)
    necessity = forms.CharField(
        label="Why this term is necessary to protect the person", required=False,
        widget=forms.Textarea, max_length=4000,
        help_text="Each term must itself be necessary (s.2(2) of the Act).")
    place = forms.CharField(label="Place (optional)", required=False, max_length=200,
                            help_text="A place to keep out of, or to attend")
    place_lat = forms.FloatField(label="Place's latitude (optional)", required=False,
                                 error_messages=_NUMBER)
    place_lon = forms.FloatField(label="Place's longitude (optional)", required=False,
                                 error_messages=_NUMBER)
    exception = forms.CharField(label="Exception (optional)", required=False, max_length=2000,
                                help_text="For a contact term, for example: through "
                                          "solicitors about the children")
    centre_lat = forms.FloatField(label="Zone's centre: latitude", required=False,
                                  error_messages=_NUMBER)
    centre_lon = forms.FloatField(label="Zone's centre: longitude", required=False,
                                  error_messages=_NUMBER)
    radius_m = forms.IntegerField(label="Radius or distance in metres", required=False,
                                  min_value=1, max_value=100_000,
                                  error_messages={"invalid": "Enter whole metres, for example "
                                                             "500"})
    area = forms.CharField(
        label="Or the zone as an area: one corner a line, as latitude,longitude",
        required=False, widget=forms.Textarea, max_length=20000,
        help_text="At least three corners, for example 53.4810,-2.2450")

    def clean_area(self) -> dict[str, Any] | None:
        text = self.cleaned_data.get("area") or ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if not lines:
            return None
        ring = []
        for line in lines:
            try:
                lat, lon = (float(part) for part in line.replace(";", ",").split(","))
            except ValueError:
                raise forms.ValidationError("Write each corner as latitude,longitude, for "
                                            "example 53.4810,-2.2450") from None
            ring.append([lon, lat])  # GeoJSON is longitude first
        if len(ring) < 3:
            raise forms.ValidationError("Give at least three corners")
        if ring[0] != ring[-1]:
            ring.append(ring[0])
        return {"type": "Polygon", "coordinates": [ring]}

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", None) or {}
        return not any(data.get(name) not in (None, "") for name in self.fields)

    def spec(self) -> TermSpec:
        data = self.cleaned_data
        return TermSpec(kind=data["kind"], necessity=data["necessity"],
                        details=data["details"], place=data["place"],
                        place_lat=data["place_lat"], place_lon=data["place_lon"],
                        exception=data["exception"], area=data["area"],
                        centre_lat=data["centre_lat"], centre_lon=data["centre_lon"],
                        radius_m=data["radius_m"])


def term_initial(term: Term | TermSpec) -> dict[str, Any]:
    """A stored term as the row's initial values (an area back into corner lines)."""
    area = ""
    if term.area:
        area = "\n".join(f"{lat},{lon}" for lon, lat in term.area["coordinates"][0][:-1])
    return {"kind": term.kind, "details": term.details, "necessity": term.necessity,
            "place": term.place, "place_lat": term.place_lat, "place_lon": term.place_lon,
            "exception": term.exception, "centre_lat": term.centre_lat,
            "centre_lon": term.centre_lon, "radius_m": term.radius_m, "area": area}


def term_rows(data: Any, initial: list[dict[str, Any]] | None = None,
              minimum: int = 1) -> list[TermForm]:
    """The term rows of a post (``term-count`` of them, one more after "Add another term",
    one fewer after a row's "Remove"), or the rows for ``initial``."""
    if data is None:
        rows = [TermForm(prefix=f"term-{n}", initial=values)
                for n, values in enumerate(initial or [])]
        while len(rows) < minimum:
            rows.append(TermForm(prefix=f"term-{len(rows)}"))
        return rows
    try:
        count = max(0, min(int(data.get("term-count", 0)), MAX_TERMS))
    except ValueError:
        count = 0
    posted = [TermForm(data, prefix=f"term-{n}") for n in range(count)]
    removed = data.get("remove")
    if removed is not None and removed.isdigit() and int(removed) < count:
        posted.pop(int(removed))
    if data.get("action") == "add" and count < MAX_TERMS:
        posted.append(TermForm(prefix="new"))
    # Renumber: each row posts again under its new position.
    rows = []
    for n, row in enumerate(posted):
        values = ({name: row[name].value() for name in row.fields} if row.is_bound else {})
        if row.is_bound:
            values["area"] = row["area"].value()
        rows.append(TermForm({f"term-{n}-{k}": v for k, v in values.items()
                              if v not in (None, "")}, prefix=f"term-{n}")
                    if row.is_bound else TermForm(prefix=f"term-{n}"))
    return rows


def term_specs(rows: list[TermForm]) -> list[TermSpec] | None:
    """The filled-in rows as ``TermSpec``; None when a row has an error of its own."""
    valid = [row.is_valid() for row in rows]
    if not all(valid):
        return None
    specs = []
    for row in rows:
        if row.is_blank():
            continue
        if not row.cleaned_data["kind"]:
            row.add_error("kind", "Choose a prohibition or requirement, or remove the row")
            return None
        specs.append(row.spec())
    return specs


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


class FailureForm(forms.Form):
    account = forms.CharField(label="What happened", widget=forms.Textarea, max_length=10000,
                              help_text="For example: he did not attend by the last day; "
                                        "he was found living at another address.",
                              error_messages={"required": "Say what happened"})
    crime_reference = forms.CharField(label="Crime reference (optional)", required=False,
                                      max_length=64)
    notification = forms.CharField(required=False, widget=forms.HiddenInput)


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
