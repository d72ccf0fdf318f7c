"""What the orders API accepts and returns (issue 15, point 9): applications, orders, terms,
service, notification events, breaches, court-made orders, right-to-know decisions and
referrals. Dates are ``YYYY-MM-DD`` between 1900 and 2200; text is bounded like the columns
it goes into and may not hold NUL characters, so bad input is a 422, never a server error."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Schema
from pydantic import AfterValidator, Field

from cairn.api.schemas import PersonOut, Time, text
from cairn.breaches.models import BreachKind, BreachOutcomeKind, BreachSource
from cairn.cases.models import ReferralKind, ReferralOutcome, RightToKnowDecision
from cairn.orders.models import (
    Applicant,
    ApplicationStatus,
    DefendantArea,
    NotificationKind,
    OrderKind,
    OrderType,
    TermKind,
)


def _plausible_day(value: date) -> date:
    if not date(1900, 1, 1) <= value < date(2200, 1, 1):
        raise ValueError("Give a date between 1900 and 2200")
    return value


Day = Annotated[date, AfterValidator(_plausible_day)]
Months = Annotated[int, Field(ge=1, le=1200)]


# --- terms ------------------------------------------------------------------------------------


class TermIn(Schema):
    """A prohibition or requirement (docs/law.md's catalogue), with its necessity reason
    (s.2(2)) and what its kind needs: a place, a zone (a GeoJSON Polygon, or a centre and a
    radius), a distance."""

    kind: TermKind
    necessity: str = text(4000, default="")
    details: str = text(4000, default="")
    place: str = text(200, default="")
    place_lat: float | None = Field(None, ge=-90, le=90)
    place_lon: float | None = Field(None, ge=-180, le=180)
    exception: str = text(2000, default="")
    area: dict[str, Any] | None = Field(None, description="A GeoJSON Polygon")
    centre_lat: float | None = Field(None, ge=-90, le=90)
    centre_lon: float | None = Field(None, ge=-180, le=180)
    radius_m: int | None = Field(None, ge=1, le=100_000)


class TermOut(Schema):
    id: UUID
    kind: TermKind
    label: str
    necessity: str
    details: str
    place: str
    exception: str
    radius_m: int | None
    area: dict[str, Any] | None
    centre_lat: float | None
    centre_lon: float | None


# --- applications -----------------------------------------------------------------------------


class GroundIn(Schema):
    text: str = text(20000, default="")


class GroundsIn(Schema):
    s1_1_a: GroundIn = Field(default_factory=GroundIn)
    s1_1_b: GroundIn = Field(default_factory=GroundIn)
    s1_1_c: GroundIn = Field(default_factory=GroundIn)


class ApplicationIn(Schema):
    """A draft SPO application. Without ``grounds`` they are prefilled from the analysis of
    the evidence shared with the case (each read audited, purpose "SPO application")."""

    terms: list[TermIn] = Field(default_factory=list, max_length=30)
    duration_months: Months | None = Field(
        None, description="At least 24 (s.3), or null with until_further_order"
    )
    until_further_order: bool = False
    interim_requested: bool = False
    interim_reasoning: str = text(20000, default="")
    grounds: GroundsIn | None = None
    defendant_id: UUID | None = Field(None, description="A suspect of this case")
    defendant_area: DefendantArea | Literal[""] = ""
    defendant_area_reasons: str = text(4000, default="")
    conflicts_considered: str = text(4000, default="")


class StepOut(Schema):
    id: int
    status: ApplicationStatus
    decided_on: date | None
    hearing_on: date | None
    applicant: Applicant | Literal[""]
    consent_defendant: bool | None
    consent_chief_officer: bool | None
    order_id: UUID | None
    note: str
    victim_informed_on: date | None
    at: datetime
    by: PersonOut


class ApplicationOut(Schema):
    id: UUID
    order_type: OrderType
    basis: str
    status: ApplicationStatus
    interim_status: ApplicationStatus | Literal[""] = Field(
        description="The interim track's state today: an interim order past its last day has lapsed"
    )
    created_at: datetime


class ApplicationDetail(ApplicationOut):
    duration_months: int | None
    until_further_order: bool
    interim_requested: bool
    interim_reasoning: str
    grounds: dict[str, Any]
    defendant_id: UUID | None
    defendant_area: str
    defendant_area_reasons: str
    conflicts_considered: str
    court: str
    terms: list[TermOut]
    history: list[StepOut]
    submission_problems: dict[str, list[str]] = Field(
        description="For a draft: what stops its submission, by field (empty when none)"
    )


class ApplicationStatusIn(Schema):
    """A step of the main track (``submitted``, ``hearing_listed``, ``refused``,
    ``withdrawn``, ``expired``, ``change_refused``, the appeals...)."""

    status: ApplicationStatus
    note: str = text(4000, default="")
    hearing_on: Day | None = None
    decided_on: Day | None = None
    applicant: Applicant | Literal[""] = ""


class InterimApplyIn(Schema):
    reasoning: str = text(20000, min_length=1)
    note: str = text(4000, default="")


class InterimStepIn(Schema):
    status: Literal[
        "interim_refused",
        "interim_withdrawn",
        "interim_appealed_by_applicant",
        "interim_appealed_by_respondent",
        "interim_change_refused",
    ]
    decided_on: Day | None = None
    applicant: Applicant | Literal[""] = ""
    note: str = text(4000, default="")
    victim_informed_on: Day | None = None


class VictimInformedIn(Schema):
    on: Day


class OrderMadeIn(Schema):
    """The order as the court made it on the application: interim (to the end of
    ``ends_on``) or full (s.3). ``terms`` null: as asked for."""

    kind: OrderKind
    made_on: Day
    terms: list[TermIn] | None = Field(None, max_length=30)
    duration_months: Months | None = None
    until_further_order: bool = False
    ends_on: Day | None = None
    note: str = text(4000, default="")


class CourtOrderIn(Schema):
    """An order a court made without a police application (docs/adr/0041)."""

    order_type: OrderType
    basis: str = text(24, min_length=1)
    made_on: Day
    terms: list[TermIn] = Field(min_length=1, max_length=30)
    court: str = text(200, default="")
    duration_months: Months | None = None
    until_further_order: bool = False
    ends_on: Day | None = None
    defendant_id: UUID | None = None
    note: str = text(4000, default="")


# --- orders -----------------------------------------------------------------------------------


class OrderOut(Schema):
    id: UUID
    application_id: UUID
    order_type: OrderType
    kind: OrderKind
    title: str
    made_on: date
    expires_on: date | None = Field(
        description="The last day it has effect (inclusive); null: until further order"
    )
    last_day_of_effect: date | None = Field(description="Earlier when a later step ended it")
    in_force: bool
    replaces: UUID | None
    served_on: date | None
    notification_required: bool
    notification_due: date | None
    notified_on: date | None


class OrderDetail(OrderOut):
    terms: list[TermOut]


class ServiceIn(Schema):
    served_on: Day


class VaryIn(Schema):
    varied_on: Day
    terms: list[TermIn] = Field(min_length=1, max_length=30)
    applicant: Applicant = Applicant.CHIEF_OFFICER
    note: str = text(4000, default="")
    victim_informed_on: Day | None = None


class RenewIn(Schema):
    renewed_on: Day
    duration_months: Months | None = None
    until_further_order: bool = False
    ends_on: Day | None = Field(None, description="An interim order's new last day")
    applicant: Applicant = Applicant.CHIEF_OFFICER
    note: str = text(4000, default="")
    victim_informed_on: Day | None = None


class DischargeIn(Schema):
    discharged_on: Day
    applicant: Applicant
    consent_defendant: bool | None = None
    consent_chief_officer: bool | None = None
    note: str = text(4000, default="")
    victim_informed_on: Day | None = None


# --- notification -----------------------------------------------------------------------------


class NotificationOut(Schema):
    id: UUID
    order_id: UUID
    kind: NotificationKind
    started_on: date
    due_on: date
    notified_on: date | None
    station: str
    acknowledged_in_writing: bool
    fingerprints_taken: bool
    photographs_taken: bool
    overdue: bool


class GivenIn(Schema):
    notified_on: Day
    station: str = text(200, default="")
    acknowledged_in_writing: bool = False
    fingerprints_taken: bool = False
    photographs_taken: bool = False


class ChangeIn(Schema):
    kind: Literal["new_name", "new_address"]
    started_on: Day
    notified_on: Day | None = None
    station: str = text(200, default="")
    acknowledged_in_writing: bool = False
    fingerprints_taken: bool = False
    photographs_taken: bool = False


class FailureIn(Schema):
    account: str = text(10000, min_length=1)
    crime_reference: str = text(64, default="")


# --- breaches ---------------------------------------------------------------------------------


class OutcomeOut(Schema):
    outcome: BreachOutcomeKind
    on: date
    reason: str
    at: datetime


class BreachOut(Schema):
    id: UUID
    order_id: UUID
    term_id: UUID | None
    kind: BreachKind
    source: BreachSource
    occurred_at: datetime
    account: str
    crime_reference: str
    outcome: BreachOutcomeKind | Literal[""]
    outcomes: list[OutcomeOut]
    reported_at: datetime


class BreachIn(Schema):
    order_id: UUID
    term_id: UUID | None = None
    occurred_at: Time
    account: str = text(10000, min_length=1)
    crime_reference: str = text(64, default="")


class OutcomeIn(Schema):
    outcome: BreachOutcomeKind
    on: Day
    reason: str = text(5000, default="")


# --- the victim's side ------------------------------------------------------------------------


class VictimTermOut(Schema):
    id: UUID
    words: str = Field(description="What the order says, in plain words")


class VictimOrderOut(Schema):
    """An order she can report a breach of, in her words."""

    share_id: UUID
    order_id: UUID
    title: str
    made_on: date
    last_day: date | None
    recipient: str
    terms: list[VictimTermOut]


class ReportIn(Schema):
    share_id: UUID
    incident_id: UUID
    order_id: UUID | None = None
    term_id: UUID | None = None


class ReportOut(Schema):
    id: UUID
    order: str
    term: str
    incident_id: UUID | None
    occurred_at: datetime
    reported_at: datetime
    what_happened: list[str] = Field(description="Each outcome in plain words, with its day")


# --- the right to know and referrals ----------------------------------------------------------


class RightToKnowIn(Schema):
    identified_on: Day
    how_identified: str = text(10000, min_length=1)
    decision: RightToKnowDecision
    reasons: str = text(10000, min_length=1)
    decided_on: Day | None = None
    told_on: Day | None = None
    suspect_id: UUID | None = None


class RightToKnowOut(Schema):
    id: int
    suspect_id: UUID | None
    identified_on: date
    how_identified: str
    decision: RightToKnowDecision
    reasons: str
    decided_on: date
    told_on: date | None
    at: datetime
    by: PersonOut


class ReferralIn(Schema):
    kind: ReferralKind
    referred_on: Day
    agency: str = text(200, default="")
    meeting_on: Day | None = None
    note: str = text(10000, default="")


class ReferralOutcomeIn(Schema):
    outcome: ReferralOutcome
    on: Day


class ReferralOut(Schema):
    id: int
    kind: ReferralKind
    referred_on: date
    agency: str
    meeting_on: date | None
    outcome: ReferralOutcome | Literal[""]
    outcome_on: date | None
    note: str
    at: datetime
    by: PersonOut
