"""What the API accepts and returns (pydantic, through django-ninja), so the OpenAPI document
describes every field.

Ids are UUIDs (in URLs too; ADR 0003). Times are RFC 3339 with an offset (UTC as ``Z``);
dates are ``YYYY-MM-DD``. Text inputs are bounded to the database columns' lengths and may not
hold NUL characters (PostgreSQL refuses them), so bad input is a 422, never a server error.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Schema
from pydantic import AfterValidator, AwareDatetime, Field, model_validator

from cairn.cases.models import CaseStatus, EntryKind, Purpose, ShareScope
from cairn.vault.choices import IdentifierKind

NO_NUL = r"^[^\x00]*$"
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def _plausible_time(value: datetime) -> datetime:
    try:
        in_utc = value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError("Give a time between 1900 and 2200") from None
    if not EARLIEST <= in_utc < LATEST:
        raise ValueError("Give a time between 1900 and 2200")
    return in_utc


def text(max_length: int, *, min_length: int = 0, default: Any = ...) -> Any:
    """A text field of at most ``max_length`` characters (required unless given a default)."""
    return Field(default, min_length=min_length, max_length=max_length, pattern=NO_NUL)


Time = Annotated[AwareDatetime, AfterValidator(_plausible_time)]
IdList = Annotated[list[UUID], Field(max_length=1000)]


# --- refusals ---------------------------------------------------------------------------------


class Problem(Schema):
    """A refusal: 401 (no valid token), 403 (the role does not allow it), 404 (not found, or not
    yours to see: the two look the same)."""

    detail: str


class FieldErrors(Schema):
    """Bad input: messages by field name (``__all__`` for the request as a whole)."""

    errors: dict[str, list[str]]


# --- shared pieces ----------------------------------------------------------------------------


class PersonOut(Schema):
    id: UUID
    name: str


class Page(Schema):
    count: int = Field(description="How many items there are in all.")
    page: int
    pages: int


# --- cases ------------------------------------------------------------------------------------


class CaseIn(Schema):
    reference: str = text(64, min_length=1)
    officer_id: UUID | None = Field(
        None,
        description="The officer in charge, an investigator "
        "or supervisor of your unit; you if "
        "left out.",
    )
    next_review: date | None = None


class CaseOut(Schema):
    id: UUID
    reference: str
    status: CaseStatus
    officer: PersonOut
    next_review: date | None
    created_at: datetime


class CasePage(Page):
    items: list[CaseOut]


class UnitOut(Schema):
    id: UUID
    name: str


class StatusIn(Schema):
    status: CaseStatus
    note: str = text(2000, default="")


class StatusChangeOut(Schema):
    status: CaseStatus
    note: str
    at: datetime
    by: PersonOut


class EntryIn(Schema):
    kind: EntryKind
    text: str = text(20000, min_length=1)
    happened_at: Time | None = Field(None, description="When it was done; now if left out.")


class EntryOut(Schema):
    id: UUID
    kind: EntryKind
    happened_at: datetime
    text: str
    created_at: datetime
    created_by: PersonOut


class IdentifierIn(Schema):
    kind: IdentifierKind
    value: str = text(200, min_length=1)

    @model_validator(mode="after")
    def _normalisable(self) -> IdentifierIn:
        from cairn.vault.services import normalise_identifier

        try:
            normalise_identifier(self.kind, self.value)
        except (ValueError, DjangoValidationError) as exc:
            message = exc.messages[0] if isinstance(exc, DjangoValidationError) else str(exc)
            raise ValueError(message) from None
        return self


class IdentifierOut(Schema):
    kind: str
    value: str


class SuspectIn(Schema):
    name: str = text(200, min_length=1)
    date_of_birth: date | None = None
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=50)


class SuspectOut(Schema):
    id: UUID
    name: str
    date_of_birth: date | None
    identifiers: list[IdentifierOut]


class CaseDetail(CaseOut):
    unit: UnitOut
    status_history: list[StatusChangeOut]
    entries: list[EntryOut]
    suspects: list[SuspectOut]


class ShareCodeOut(Schema):
    code: str = Field(description="Give it to the victim; it works once.")
    valid_for_days: int


class LinkedVaultOut(Schema):
    """A vault linked to the case and what of it the victim shares (counts, not content)."""

    vault_id: UUID
    initials: str
    scope: ShareScope
    incidents: int | None = Field(description="Incidents chosen; null when she shares everything.")
    exhibits: int | None = Field(description="Exhibits chosen; null when she shares everything.")
    shared_at: datetime
    changed_at: datetime


class IncidentOut(Schema):
    id: UUID
    number: int
    start: datetime
    end: datetime | None
    precision: str
    channel: str
    acts: list[str] = Field(description="Codes of s.2A(3) PHA 1997.")
    feared_violence: bool
    reported_to_police: bool
    when_words: str
    location: str
    description: str
    impact: str
    witnesses: str
    recorded_at: datetime


class ReviewOut(Schema):
    decision: str
    note: str
    at: datetime
    by: PersonOut


class RiskAssessmentOut(Schema):
    id: UUID
    version: int
    form_id: str
    form_version: int
    level: str
    summary: str
    answers: dict[str, Any]
    prefilled: list[str]
    created_at: datetime
    created_by: PersonOut
    reviews: list[ReviewOut]


# --- the victim's consent ---------------------------------------------------------------------


class VaultOut(Schema):
    id: UUID
    name: str
    initials: str


class ShareIn(Schema):
    code: str = text(32, min_length=1)
    scope: ShareScope
    incident_ids: IdList = Field(default_factory=list)
    exhibit_ids: IdList = Field(default_factory=list)


class ScopeIn(Schema):
    scope: ShareScope
    incident_ids: IdList = Field(default_factory=list)
    exhibit_ids: IdList = Field(default_factory=list)


class RecipientOut(Schema):
    kind: Literal["case", "advocate"]
    organisation: str | None
    unit: str | None
    case_reference: str | None
    advocate: str | None


class ShareOut(Schema):
    id: UUID
    recipient: RecipientOut
    scope: ShareScope
    incident_ids: list[UUID]
    exhibit_ids: list[UUID]
    created_at: datetime
    changed_at: datetime
    withdrawn_at: datetime | None
    active: bool


class AccessOut(Schema):
    """One look at the vault by someone else: who, when, what, and the reason they gave."""

    at: datetime
    who: str
    organisation: str | None
    role: str | None
    what: str
    count: int
    purpose: Purpose | None = Field(
        description="The reason the reader gave; null when they "
        "gave none and Cairn read for a check of its "
        "own (the closure guard)."
    )
    case_id: UUID | None


class AccessPage(Page):
    items: list[AccessOut]
