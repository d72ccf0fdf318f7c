"""The right to know and multi-agency referrals on a case (issue 15, point 6; docs/adr/0042).

- ``decide_right_to_know``: a victim of an anonymous or online stalker is told who the
  stalker is at the earliest opportunity unless that would be unsafe (Home Office measures,
  December 2024; statutory guidance powers in the Crime and Policing Act 2026). Each
  decision is a row: when and how the stalker was identified, the decision with its reasons,
  and the day she was told. "Not yet" keeps the question open; telling her records the day.
- ``refer`` and ``record_referral_outcome``: the stalking advocate (ISAC), MARAC and a MASIP,
  with the day of the referral, the MARAC meeting it is listed for, and the outcome.

Only the investigators and supervisors of the case's unit act. Each step is one transaction
with an audit record of ids, kinds and dates (never the reasons or notes). These are police
records: nothing is written to the victim's vault.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cairn.audit import services as audit
from cairn.cases.access import require_case_member
from cairn.cases.models import (
    Case,
    CaseSuspect,
    Referral,
    ReferralKind,
    ReferralOutcome,
    RightToKnow,
    RightToKnowDecision,
)

TEXT_MAX = 10_000
AGENCY_MAX = 200


def _text(value: str, field: str, required: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: [required]})
    if len(value) > TEXT_MAX:
        raise ValidationError({field: [f"Keep it under {TEXT_MAX:,} characters"]})
    return value


def _not_future(day: date | None, field: str, today: date, required: str) -> date:
    if day is None:
        raise ValidationError({field: [required]})
    if day > today:
        raise ValidationError({field: ["The day cannot be in the future"]})
    return day


def decide_right_to_know(
    *,
    actor: Any,
    case: Case,
    identified_on: date,
    how_identified: str,
    decision: str,
    reasons: str,
    decided_on: date | None = None,
    told_on: date | None = None,
    suspect: CaseSuspect | None = None,
    today: date | None = None,
) -> RightToKnow:
    """A decision on telling the victim who the stalker is, with its reasons. Telling her
    needs the day she was told; any other decision records why not (its reasons)."""
    require_case_member(actor, case)
    today = today or timezone.localdate()
    if decision not in RightToKnowDecision.values:
        raise ValidationError({"decision": ["Choose the decision"]})
    if suspect is not None and suspect.case_id != case.pk:
        raise ValidationError({"suspect": ["Choose a suspect of this case"]})
    identified_on = _not_future(
        identified_on, "identified_on", today, "Enter the day the stalker was identified"
    )
    decided_on = _not_future(decided_on or today, "decided_on", today, "Enter the day")
    if decided_on < identified_on:
        raise ValidationError({"decided_on": ["The decision comes on or after the identification"]})
    how_identified = _text(how_identified, "how_identified", "Say how the stalker was identified")
    reasons = _text(reasons, "reasons", "Give the reasons for the decision")
    if decision == RightToKnowDecision.TELL:
        told_on = _not_future(told_on, "told_on", today, "Enter the day the victim was told")
        if told_on < decided_on:
            raise ValidationError({"told_on": ["She is told on or after the decision"]})
    elif told_on is not None:
        raise ValidationError({"told_on": ["Only a decision to tell her has a day she was told"]})
    with transaction.atomic():
        row = RightToKnow.objects.create(
            case=case,
            suspect=suspect,
            identified_on=identified_on,
            how_identified=how_identified,
            decision=decision,
            reasons=reasons,
            decided_on=decided_on,
            told_on=told_on,
            by=actor,
        )
        audit.record(
            actor=actor,
            action="case.right_to_know",
            object_type="case",
            object_id=case.pk,
            detail={
                "decision": decision,
                "decided_on": decided_on.isoformat(),
                "identified_on": identified_on.isoformat(),
                "told_on": told_on.isoformat() if told_on else None,
            },
        )
    return row


def right_to_know_state(case: Case) -> RightToKnow | None:
    """The decision standing (the latest), or None."""
    return case.right_to_know.order_by("-decided_on", "-at", "-id").first()


def refer(
    *,
    actor: Any,
    case: Case,
    kind: str,
    referred_on: date,
    agency: str = "",
    meeting_on: date | None = None,
    note: str = "",
    today: date | None = None,
) -> Referral:
    """A referral to the stalking advocate, MARAC or a MASIP. A MARAC referral may name the
    meeting it is listed for, which becomes a deadline on the case."""
    require_case_member(actor, case)
    today = today or timezone.localdate()
    if kind not in ReferralKind.values:
        raise ValidationError({"kind": ["Choose where the case was referred"]})
    referred_on = _not_future(referred_on, "referred_on", today, "Enter the day of the referral")
    if meeting_on is not None and kind != ReferralKind.MARAC:
        raise ValidationError({"meeting_on": ["Only a MARAC referral has a meeting date"]})
    if meeting_on is not None and meeting_on < referred_on:
        raise ValidationError({"meeting_on": ["The meeting comes on or after the referral"]})
    agency = " ".join((agency or "").split())
    if len(agency) > AGENCY_MAX:
        raise ValidationError({"agency": [f"At most {AGENCY_MAX} characters"]})
    with transaction.atomic():
        referral = Referral.objects.create(
            case=case,
            kind=kind,
            referred_on=referred_on,
            agency=agency,
            meeting_on=meeting_on,
            note=_text(note, "note"),
            by=actor,
        )
        audit.record(
            actor=actor,
            action="case.referral",
            object_type="case",
            object_id=case.pk,
            detail={
                "referral": referral.pk,
                "kind": kind,
                "referred_on": referred_on.isoformat(),
                "meeting_on": meeting_on.isoformat() if meeting_on else None,
            },
        )
    return referral


def record_referral_outcome(
    *, actor: Any, referral: Referral, outcome: str, on: date, today: date | None = None
) -> Referral:
    """What came of a referral, once."""
    require_case_member(actor, referral.case)
    today = today or timezone.localdate()
    if outcome not in ReferralOutcome.values:
        raise ValidationError({"outcome": ["Choose the outcome"]})
    on = _not_future(on, "outcome_on", today, "Enter the day")
    if on < referral.referred_on:
        raise ValidationError({"outcome_on": ["The outcome comes on or after the referral"]})
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.outcome:
            raise ValidationError({"outcome": ["The outcome is recorded already"]})
        locked.outcome, locked.outcome_on = outcome, on
        locked.save(update_fields=["outcome", "outcome_on"])
        audit.record(
            actor=actor,
            action="case.referral_outcome",
            object_type="case",
            object_id=locked.case_id,
            detail={"referral": locked.pk, "outcome": outcome, "on": on.isoformat()},
        )
    return locked
