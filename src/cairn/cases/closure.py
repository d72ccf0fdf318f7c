"""The closure guard (issue 8, point 5): a case is not closed just because the stalking
"appears to have stopped".

Closing a case runs the analysis over every log shared with it (through
``access.shared_snapshot`` with the purpose "supervision", so each read is in the victim's
access log with that reason), one analysis per person, and reads the defendant's
(``cairn.cases.defendants``): the person the case is about, never everyone in the log together.
Until an officer has chosen among several people, each person's own analysis is read. Its
recurrence warning (``cairn.analysis.lulls.recurrence_warning``, Cairn's own rule) is raised
when it has not stopped (the time since the defendant's last incident is no longer than the
usual gaps), or when it is quiet now but an earlier quiet period that ended in a restart lasted
longer. No year or other countdown is used. When any log warns, closing needs a supervisor's
written sign-off (``ClosureSignOff``) made since the case was last reopened;
``services.change_status`` refuses without one, naming the warning.

When a case is closed, the victim sees it on her sharing page with a one-step "Ask the unit to
reopen the case" (``request_reopen``): it records a ``ReopenRequest`` and reopens the case at
once with a status row written by her, noted as her request, so the officer's case page shows
who reopened it and why; the request is also an entry in her vault's ledger.

What is kept of the warning (``warning_summary``) holds no vault content: per log, the number
of days of the current quiet period, the date of the last incident, and the length and dates
of the earlier lull, if one is the reason.

Besides the warning, which a supervisor may sign off, some things refuse closing outright
(issue 15, point 7): an order in force, a live application, a breach with no outcome. They
belong to apps above this one, so each registers a blocker (``cairn.cases.closure_hooks``,
from its ``AppConfig.ready``) that returns what stands in the way, in plain words; an app may
also register further reasons for a sign-off (cameras: footage nobody asked for).

The guard's reads of the shared logs are the officer's when he chose a reason for the case
(the purpose kept for it); otherwise they are recorded as Cairn's check with no reason given,
so the victim's access log never shows a reason nobody gave.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cairn.accounts.models import Role
from cairn.analysis.base import THIRD_PERSON
from cairn.analysis.engine import Analysis, analyse_people
from cairn.audit import services as audit
from cairn.cases import access, closure_hooks
from cairn.cases.defendants import defendant_analysis
from cairn.cases.models import (
    Case,
    CaseStatus,
    CaseStatusChange,
    ClosureSignOff,
    Purpose,
    ReopenRequest,
    Share,
)
from cairn.vault import services as vault_services

PURPOSE = Purpose.SUPERVISION
REOPEN_NOTE = "Reopened at the victim's request, from her log"


@dataclass(frozen=True)
class LogWarning:
    """Why one shared log warns, in numbers and dates only."""

    vault_id: str
    quiet_days: int
    last_incident: date
    ongoing: bool  # the time since the last incident is no longer than the usual gaps
    lull_days: int | None = None  # the longest earlier lull longer than the quiet period
    lull_start: date | None = None
    lull_end: date | None = None
    person: str = ""  # the analysed person's id (never a name): several may warn in one log

    def text(self) -> str:
        if self.ongoing:
            return (
                f"it has not stopped: the last incident was on {self.last_incident:%d %B %Y}, "
                "no longer ago than the usual gaps between incidents"
            )
        return (
            f"it has been quiet for {self.quiet_days} days (since "
            f"{self.last_incident:%d %B %Y}), but an earlier quiet period of "
            f"{self.lull_days} days ({self.lull_start:%d %B %Y} to "
            f"{self.lull_end:%d %B %Y}) ended when it started again"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "vault": self.vault_id,
            "person": self.person,
            "quiet_days": self.quiet_days,
            "last_incident": self.last_incident.isoformat(),
            "ongoing": self.ongoing,
            "lull_days": self.lull_days,
            "lull_start": self.lull_start.isoformat() if self.lull_start else None,
            "lull_end": self.lull_end.isoformat() if self.lull_end else None,
        }


def _local(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def log_warning(vault_id: Any, analysis: Analysis) -> LogWarning | None:
    """The warning of one log's analysis as numbers and dates, or None when it does not warn."""
    current = analysis.lulls.current
    if not analysis.recurrence.warning or current is None:
        return None
    person = analysis.subject.key if analysis.subject is not None else ""
    starts = {point.id: point.start for point in analysis.points}
    zone = analysis.time_zone
    longer = [
        lull for lull in analysis.lulls.lulls if lull.ended_in_restart and lull.days > current.days
    ]
    lull = max(longer, key=lambda item: item.days, default=None)
    return LogWarning(
        vault_id=str(vault_id),
        quiet_days=round(current.days),
        last_incident=_local(starts[current.since_id], zone),
        ongoing=analysis.recurrence.ongoing,
        person=person,
        lull_days=round(lull.days) if lull else None,
        lull_start=_local(lull.start, zone) if lull else None,
        lull_end=_local(lull.end, zone) if lull else None,
    )


def recurrence_warnings(actor: Any, case: Case, purpose: str | None = None) -> list[LogWarning]:
    """The warnings of every log shared with ``case`` that ``actor`` can see, from the
    defendant's analysis of each log. Each analysis read is audited with ``purpose`` when the
    reader gave one, else as the guard's own check with no reason given. Empty when no log
    warns."""
    now = timezone.now()
    warnings = []
    shares = (
        access.shares_visible_to(actor)
        .filter(case=case)
        .select_related("vault")
        .order_by("vault__created_at")
    )
    for share in shares:
        snapshot = access.shared_snapshot(
            actor, share.vault, purpose=purpose or PURPOSE, case=case, given=purpose is not None
        )
        for analysis in defendant_analyses(
            analyse_people(snapshot, now=now, voice=THIRD_PERSON), share
        ):
            found = log_warning(share.vault_id, analysis)
            if found is not None:
                warnings.append(found)
    return warnings


def defendant_analyses(people: Any, share: Share) -> tuple[Analysis, ...]:
    """What the guard reads of one log: the defendant's analysis; before an officer has
    chosen among several people, each person's own; with nobody named, the incidents with
    nobody named (so a log that names nobody is still guarded)."""
    chosen = defendant_analysis(people, share)
    if chosen.analysis is not None:
        return (chosen.analysis,)
    if people.people:
        return tuple(people.people)
    return (people.unattributed,) if people.unattributed is not None else ()


def warning_text(warnings: list[LogWarning]) -> str:
    """One sentence per warning log, for messages and the sign-off page."""
    several = len(warnings) > 1
    return " ".join(
        f"{f'Log {n}: ' if several else ''}{w.text()[0].upper()}{w.text()[1:]}."
        for n, w in enumerate(warnings, start=1)
    )


def _latest_change(case: Case) -> CaseStatusChange:
    return case.status_changes.order_by("-id")[0]


def valid_sign_off(case: Case) -> ClosureSignOff | None:
    """The latest sign-off made since the case was last closed (and so since it was last
    reopened), if any."""
    last_closed = (
        case.status_changes.filter(status=CaseStatus.CLOSED)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    sign_offs = case.closure_sign_offs.order_by("-id")
    if last_closed is not None:
        sign_offs = sign_offs.filter(after_change_id__gte=last_closed)
    return sign_offs.first()


def closure_blockers(case: Case) -> list[str]:
    """What refuses closing ``case`` whatever a supervisor says: every registered blocker."""
    return [reason for check in closure_hooks.blockers() for reason in check(case)]


def check_closing(actor: Any, case: Case, purpose: str | None = None) -> None:
    """Raise a ValidationError when ``case`` cannot be closed: naming what stands in the way
    (an order in force, a breach with no outcome...), or the recurrence warning when it needs
    a sign-off that has not been given. Called by ``services.change_status``."""
    blockers = closure_blockers(case)
    if blockers:
        raise ValidationError(
            {"status": ["This case cannot be closed while " + "; ".join(blockers) + "."]}
        )
    if valid_sign_off(case) is not None:
        return
    warnings = recurrence_warnings(actor, case, purpose)
    because = (
        [
            "the analysis of the shared evidence warns that the stalking may start again: "
            + warning_text(warnings)
        ]
        if warnings
        else []
    )
    because += [
        clause for check in closure_hooks.sign_off_reasons() for clause in check(actor, case)
    ]
    if because:
        raise ValidationError(
            {
                "status": [
                    "A supervisor must sign off closing this case, with a written reason, because "
                    + " Also, ".join(because)
                ]
            }
        )


def sign_off_closure(*, actor: Any, case: Case, reason: str) -> ClosureSignOff:
    """A supervisor of the case's unit, not the officer in charge, agrees in writing that the
    case may be closed despite the warning. Kept with the warning as it stood."""

    access.require_case_member(actor, case, (Role.SUPERVISOR,))
    if case.officer_id == actor.pk:
        raise PermissionDenied("A supervisor other than the officer in charge signs off")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Write why the case can be closed despite the warning"]})
    if case.status == CaseStatus.CLOSED:
        raise ValidationError({"reason": ["The case is already closed"]})
    # The supervisor reads the shared logs to supervise: the reason is hers.
    warnings = recurrence_warnings(actor, case, PURPOSE)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        sign_off = ClosureSignOff.objects.create(
            case=locked,
            supervisor=actor,
            reason=reason,
            warning=[w.as_json() for w in warnings],
            after_change=_latest_change(locked),
        )
        audit.record(
            actor=actor,
            action="case.closure_signed_off",
            object_type="case",
            object_id=case.pk,
            detail={"purpose": PURPOSE, "warning": sign_off.warning, "sign_off": sign_off.pk},
        )
    return sign_off


# --- the victim's side --------------------------------------------------------------------------


@dataclass(frozen=True)
class ClosedNotice:
    share: Share
    reference: str
    recipient: str  # "Stalking Unit, North Police"
    closed_on: date  # in the vault's time zone


def closed_notices(user: Any, vault: Any) -> list[ClosedNotice]:
    """For the owner: the cases her live shares link to that are closed, with when."""
    shares = access.shares_of_owner(user, vault).filter(
        withdrawn_at__isnull=True, case__status=CaseStatus.CLOSED
    )
    notices = []
    for share in shares:
        assert share.case is not None  # filtered on the case's status
        closed = share.case.status_changes.filter(status=CaseStatus.CLOSED).order_by("-id").first()
        notices.append(
            ClosedNotice(
                share,
                share.case.reference,
                str(access.recipient_of_share(share)),
                _local(closed.at if closed else share.case.created_at, vault.time_zone),
            )
        )
    return notices


def request_reopen(*, actor: Any, vault: Any, share: Share) -> ReopenRequest:
    """The victim reopens a closed case her log is shared with, in one step: the request is
    kept, and the case is open again with a status row by her."""
    vault_services.require_owner(actor, vault)
    if share.vault_id != vault.pk or share.case_id is None or share.withdrawn_at is not None:
        raise ValidationError({"share": ["Your log is not shared with this case"]})
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=share.case_id)
        if case.status != CaseStatus.CLOSED:
            raise ValidationError({"share": ["The case is open already"]})
        change = CaseStatusChange.objects.create(
            case=case, status=CaseStatus.OPEN, note=REOPEN_NOTE, by=actor
        )
        case.status = CaseStatus.OPEN
        case.save(update_fields=["status"])
        request = ReopenRequest.objects.create(victim=actor, case=case, status_change=change)
        # Her own proof too: an entry in her vault's ledger, with the audit record.
        vault_services.record_change(
            actor=actor,
            vault=vault,
            action="case.reopen_requested",
            obj=request,
            content={
                "request": request.pk,
                "case": str(case.pk),
                "share": str(share.pk),
                "status_change": change.pk,
            },
            detail={"case": str(case.pk), "status": CaseStatus.OPEN},
        )
    return request
