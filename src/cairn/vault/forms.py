"""Forms for the vault's pages. They parse what was typed; the services decide what is valid.

A service's ``ValidationError`` is keyed by its own field names (``start``, ``acts``,
``file``, ``identifier_2``...); ``add_service_errors`` puts each message on the form field
the person typed it into, so it shows at the field and in the error summary.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from cairn.law.pha1997 import ACTS
from cairn.vault import services
from cairn.vault.choices import Channel, IdentifierKind, PersonRole, Relationship
from cairn.vault.models import Incident, Person
from cairn.vault.timeline import TimelineFilter
from cairn.web import timeframe
from cairn.web.fields import DateField
from cairn.web.forms import add_service_errors as add_service_errors  # one place: web.forms

TIME_FORMATS = ["%H:%M", "%H.%M", "%H%M"]
YES_NO = [("yes", "Yes"), ("no", "No")]
ACT_CHOICES = [(act.code, act.plain) for act in ACTS]
# The longest free text an incident's form takes (about 80,000 words). A validator, not the
# field's max_length: a browser would cut a longer paste silently at a maxlength attribute,
# where this keeps her whole text in the form with a message.
LONG_TEXT_MAX = 500_000


def long_text_limit(what: str) -> Any:
    def check(value: str) -> None:
        if len(value) > LONG_TEXT_MAX:
            raise ValidationError(
                f"{what} can be at most {LONG_TEXT_MAX:,} characters, and this has "
                f"{len(value):,}. Shorten it, or keep the full text as a file on the incident"
            )

    return check


# The s.2A(3) paragraph each act comes from, shown as the checkbox's hint.
ACT_HINTS = {
    act.code: (
        f"Section 2A(3)({act.code})"
        if act.code != "other"
        else "Anything else you link to what is happening"
    )
    for act in ACTS
}


def _time_field(label: str, hint: str = "") -> forms.TimeField:
    return forms.TimeField(
        label=label,
        help_text=hint,
        required=False,
        input_formats=TIME_FORMATS,
        error_messages={"invalid": "Enter a time like 14:30"},
    )


class IncidentForm(forms.Form):
    """Essentials first (date, how, what, what happened, fear), then the details."""

    date = DateField(
        label="When did it happen?",
        help_text="For example, 27 3 2025",
        required_message="Enter the date it happened",
    )
    time = _time_field("Time (optional)", "Use the 24-hour clock, for example 14:30")
    overnight = forms.BooleanField(
        label="It happened overnight",
        required=False,
        help_text="Some time between the evening and next morning",
    )
    channel = forms.ChoiceField(
        label="How did they do it?",
        choices=Channel.choices,
        error_messages={
            "required": "Choose how it happened",
            "invalid_choice": "Choose how it happened",
        },
    )
    acts = forms.MultipleChoiceField(
        label="What did they do?",
        choices=ACT_CHOICES,
        required=False,
        error_messages={"invalid_choice": "Choose what they did from the list"},
    )
    other_act = forms.CharField(label="What else did they do?", required=False, max_length=500)
    description = forms.CharField(
        label="What happened?",
        required=False,
        help_text="In your own words. You can add to it later.",
        validators=[long_text_limit("What happened")],
    )
    feared_violence = forms.ChoiceField(
        label="Did it make you fear they would use violence against you?",
        choices=YES_NO,
        error_messages={
            "required": "Select yes if it made you fear violence, or no",
            "invalid_choice": "Select yes or no",
        },
    )

    # Details.
    when_words = forms.CharField(
        label="When, in your own words",
        required=False,
        max_length=500,
        help_text="For example, 'just after I left work'",
    )
    end_time = _time_field("Time it ended (optional)", "Only if you gave a start time")
    location = forms.CharField(label="Where did it happen?", required=False, max_length=500)
    latitude = forms.CharField(label="Latitude (optional)", required=False, max_length=20)
    longitude = forms.CharField(label="Longitude (optional)", required=False, max_length=20)
    impact = forms.CharField(
        label="What has it changed in your daily life?",
        required=False,
        help_text="For example, changing your route or staying in",
        validators=[long_text_limit("What it changed")],
    )
    witnesses = forms.CharField(
        label="Who saw it or knows about it?",
        required=False,
        validators=[long_text_limit("Who saw it")],
    )
    reported_to_police = forms.BooleanField(label="I reported it to the police", required=False)
    police_reference = forms.CharField(
        label="Police reference (optional)", required=False, max_length=64
    )
    persons = forms.ModelMultipleChoiceField(
        label="Who was involved?",
        queryset=None,
        required=False,
        error_messages={
            "invalid_choice": "Choose people from the list",
            "invalid_pk_value": "Choose people from the list",
        },
    )

    # Where each service error key belongs on this form.
    SERVICE_FIELDS = {"start": "date", "end": "end_time", "precision": "date", "tz": "date"}
    TIME_FIELDS = ("date", "time", "overnight", "end_time")

    def __init__(
        self,
        *args: Any,
        persons: QuerySet[Person],
        tz: ZoneInfo,
        incident: Incident | None = None,
        **kwargs: Any,
    ) -> None:
        self.tz = tz
        self.incident = incident
        if incident is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(incident, tz)
        super().__init__(*args, **kwargs)
        persons_field = self.fields["persons"]
        assert isinstance(persons_field, forms.ModelMultipleChoiceField)
        persons_field.queryset = persons

    @staticmethod
    def initial_from(incident: Incident, tz: ZoneInfo) -> dict[str, Any]:
        start = incident.start.astimezone(tz)
        exact = incident.precision == timeframe.Precision.EXACT
        end = incident.end.astimezone(tz) if incident.end and exact else None
        return {
            "date": start.date(),
            "time": start.time().replace(second=0, microsecond=0) if exact else None,
            "overnight": incident.precision == timeframe.Precision.OVERNIGHT,
            "end_time": end.time().replace(second=0, microsecond=0) if end else None,
            "channel": incident.channel,
            "acts": incident.act_codes,
            "other_act": incident.other_act,
            "description": incident.description,
            "feared_violence": "yes" if incident.feared_violence else "no",
            "when_words": incident.when_words,
            "location": incident.location,
            "latitude": "" if incident.latitude is None else str(incident.latitude),
            "longitude": "" if incident.longitude is None else str(incident.longitude),
            "impact": incident.impact,
            "witnesses": incident.witnesses,
            "reported_to_police": incident.reported_to_police,
            "police_reference": incident.police_reference,
            "persons": [str(pk) for pk in incident.persons.values_list("pk", flat=True)],
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("overnight") and data.get("time"):
            self.add_error("time", "Leave the time empty if it happened overnight")
        if data.get("end_time") and not data.get("time"):
            self.add_error("end_time", "Enter the start time as well as the end time")
        return data

    def timeframe(self) -> tuple[datetime, datetime | None, str]:
        """Start, end and precision from the date and time boxes.

        Editing an incident without touching its time keeps the time exactly as stored,
        so a precision the form cannot express ("within the hour") is not lost.
        """
        data = self.cleaned_data
        if self.incident is not None and not set(self.TIME_FIELDS) & set(self.changed_data):
            return self.incident.start, self.incident.end, self.incident.precision
        day: date = data["date"]
        at: time | None = data.get("time")
        start, end, precision = timeframe.from_local(
            day, at, self.tz, overnight=bool(data.get("overnight")), until=data.get("end_time")
        )
        return start, end, precision.value

    def to_input(self) -> services.IncidentInput:
        data = self.cleaned_data
        start, end, precision = self.timeframe()
        return services.IncidentInput(
            start=start,
            end=end,
            precision=precision,
            when_words=data["when_words"],
            location=data["location"],
            latitude=data["latitude"] or None,
            longitude=data["longitude"] or None,
            channel=data["channel"],
            acts=data["acts"],
            other_act=data["other_act"],
            description=data["description"],
            impact=data["impact"],
            feared_violence=data["feared_violence"] == "yes",
            witnesses=data["witnesses"],
            reported_to_police=data["reported_to_police"],
            police_reference=data["police_reference"],
            persons=list(data["persons"]),
        )

    def add_service_errors(self, error: ValidationError) -> None:
        add_service_errors(self, error, self.SERVICE_FIELDS)


class ExhibitForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        help_text="A screenshot, photo, recording or document",
        error_messages={"required": "Select a file", "empty": "The selected file is empty"},
    )
    captured_at = forms.DateTimeField(
        label="When was it taken or made? (optional)",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        help_text="For a photo or recording. Leave empty if you do not know.",
        error_messages={"invalid": "Enter a date and time, for example 27/03/2025 14:30"},
    )
    received_at = forms.DateTimeField(
        label="When did you receive it? (optional)",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        help_text="For a message, letter or gift. Leave empty if you do not know.",
        error_messages={"invalid": "Enter a date and time, for example 27/03/2025 14:30"},
    )
    description = forms.CharField(label="What is it? (optional)", required=False)

    def __init__(self, *args: Any, tz: ZoneInfo, **kwargs: Any) -> None:
        self.tz = tz
        super().__init__(*args, **kwargs)

    def _in_vault_zone(self, name: str) -> datetime | None:
        value: datetime | None = self.cleaned_data.get(name)
        if value is None:
            return None
        # Typed times are wall-clock times where the vault's owner lives.
        return value.replace(tzinfo=None).replace(tzinfo=self.tz)

    def clean_captured_at(self) -> datetime | None:
        return self._in_vault_zone("captured_at")

    def clean_received_at(self) -> datetime | None:
        return self._in_vault_zone("received_at")


class VaultForm(forms.Form):
    name = forms.CharField(
        label="Name for your log",
        max_length=100,
        help_text="Only you see this. For example, 'My log'",
        error_messages={"required": "Enter a name for your log"},
    )
    initials = forms.CharField(
        label="Your initials",
        max_length=4,
        help_text="Used in exhibit references, like AB/1",
        error_messages={"required": "Enter your initials"},
    )


IDENTIFIER_ROWS_MIN = 3
IDENTIFIER_ROWS_MAX = 10


class PersonForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="Or how you refer to them, for example 'unknown man'",
        error_messages={"required": "Enter a name, or how you refer to them"},
    )
    role = forms.ChoiceField(
        label="Who are they?", choices=PersonRole.choices, initial=PersonRole.SUSPECT
    )
    relationship = forms.ChoiceField(
        label="How do you know them?", choices=Relationship.choices, initial=Relationship.UNKNOWN
    )
    aliases = forms.CharField(
        label="Other names they use (optional)",
        required=False,
        help_text="Separate names with commas",
    )
    notes = forms.CharField(label="Notes (optional)", required=False)

    def __init__(self, *args: Any, person: Person | None = None, **kwargs: Any) -> None:
        identifiers = list(person.identifiers.all()) if person is not None else []
        if person is not None and "initial" not in kwargs:
            initial: dict[str, Any] = {
                "name": person.name,
                "role": person.role,
                "relationship": person.relationship,
                "aliases": ", ".join(person.aliases),
                "notes": person.notes,
            }
            for index, item in enumerate(identifiers, start=1):
                initial.update(
                    {
                        f"identifier_{index}_kind": item.kind,
                        f"identifier_{index}_value": item.value,
                        f"identifier_{index}_platform": item.platform,
                    }
                )
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        rows = max(IDENTIFIER_ROWS_MIN, len(identifiers) + 2)
        if self.is_bound:
            rows = max(rows, *(self._row_number(key) for key in self.data))
        self.identifier_rows = min(rows, IDENTIFIER_ROWS_MAX)
        kind_choices = [("", "Choose"), *IdentifierKind.choices]
        for index in range(1, self.identifier_rows + 1):
            self.fields[f"identifier_{index}_kind"] = forms.ChoiceField(
                label="Kind", choices=kind_choices, required=False
            )
            self.fields[f"identifier_{index}_value"] = forms.CharField(
                label="Number, address, handle or registration", required=False, max_length=320
            )
            self.fields[f"identifier_{index}_platform"] = forms.CharField(
                label="Where (for a handle, optional)", required=False, max_length=64
            )
        self._sent_rows: list[int] = []

    @staticmethod
    def _row_number(key: str) -> int:
        parts = key.split("_")
        if len(parts) == 3 and parts[0] == "identifier" and parts[1].isdigit():
            return int(parts[1])
        return 0

    def identifier_fields(
        self,
    ) -> list[tuple[int, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (
                index,
                self[f"identifier_{index}_kind"],
                self[f"identifier_{index}_value"],
                self[f"identifier_{index}_platform"],
            )
            for index in range(1, self.identifier_rows + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for index in range(1, self.identifier_rows + 1):
            kind = data.get(f"identifier_{index}_kind")
            value = (data.get(f"identifier_{index}_value") or "").strip()
            if value and not kind:
                self.add_error(f"identifier_{index}_kind", "Choose what kind of detail this is")
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        identifiers = []
        self._sent_rows = []
        for index in range(1, self.identifier_rows + 1):
            value = (data.get(f"identifier_{index}_value") or "").strip()
            if not value:
                continue
            identifiers.append(
                services.IdentifierInput(
                    kind=data[f"identifier_{index}_kind"],
                    value=value,
                    platform=data.get(f"identifier_{index}_platform") or "",
                )
            )
            self._sent_rows.append(index)
        return {
            "name": data["name"],
            "role": data["role"],
            "relationship": data["relationship"],
            "aliases": [alias.strip() for alias in data["aliases"].split(",")],
            "identifiers": identifiers,
            "notes": data["notes"],
        }

    def add_service_errors(self, error: ValidationError) -> None:
        # The service numbers only the identifiers it was given; map back to the rows typed.
        field_map = {
            f"identifier_{position}": f"identifier_{row}_value"
            for position, row in enumerate(self._sent_rows, start=1)
        }
        add_service_errors(self, error, field_map)


class TimelineFilterForm(forms.Form):
    date_from = DateField(label="From", required=False)
    date_to = DateField(label="To", required=False)
    act = forms.ChoiceField(
        label="What they did", required=False, choices=[("", "Any"), *ACT_CHOICES]
    )
    channel = forms.ChoiceField(
        label="How", required=False, choices=[("", "Any"), *Channel.choices]
    )
    person = forms.ChoiceField(label="Who", required=False, choices=[("", "Anyone")])

    def __init__(self, *args: Any, persons: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person_field = self.fields["person"]
        assert isinstance(person_field, forms.ChoiceField)
        person_field.choices = [("", "Anyone"), *((str(p.pk), p.name) for p in persons)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The 'to' date must be the same as or after 'from'")
        return data

    def to_filter(self) -> TimelineFilter:
        if not self.is_valid():
            return TimelineFilter()
        data = self.cleaned_data
        return TimelineFilter(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            act=data.get("act") or None,
            channel=data.get("channel") or None,
            person=UUID(data["person"]) if data.get("person") else None,
        )
