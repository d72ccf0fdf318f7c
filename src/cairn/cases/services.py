"""The write path for cases and consent (DESIGN.md "Shape": services are the only writers).

Case work (opening, status, actions and notes, suspects, risk assessments and reviews) is
police data: each change is one transaction with an audit record. Consent is the victim's:
granting, changing and withdrawing a share are also entries in her vault's ledger (through
``cairn.vault.services.record_change``), so what she agreed to, and when, is provable.

Refusals: a user without the role gets ``PermissionDenied``; a case or share they cannot see
is ``Http404`` from the access functions (callers look objects up there first); bad input is
``ValidationError`` naming the field.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cairn.accounts.access import CASE_ROLES, membership_of
from cairn.accounts.models import Role, User
from cairn.analysis.questionnaire import AnswerError, FormDefinition, clean_answers, score
from cairn.audit import services as audit
from cairn.cases import closure, links
from cairn.cases.access import require_case_member, require_member
from cairn.cases.codes import code_hash
from cairn.cases.models import (
    Case,
    CaseEntry,
    CaseStatus,
    CaseStatusChange,
    CaseSuspect,
    EntryKind,
    ReviewDecision,
    RiskAssessment,
    RiskReview,
    Share,
    ShareCode,
    ShareScope,
)
from cairn.vault import services as vault_services
from cairn.vault.models import Exhibit, Incident, Vault

# django-stubs checks the names given to create() and to update_fields against a model's
# columns; a sealed field (cairn.store.sealed) is not one, though CaseSealedFields takes it in
# both. Those calls carry `type: ignore[misc]  # sealed fields`.

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud on the phone
CODE_LENGTH = 8
CODE_LIFETIME = timedelta(days=14)


# --- who may do what --------------------------------------------------------------------------

# --- cases ------------------------------------------------------------------------------------


def open_case(
    *,
    actor: User,
    reference: str,
    officer: User | None = None,
    next_review: date | None = None,
    first_reported_on: date | None = None,
) -> Case:
    """A case of the actor's unit. ``first_reported_on``: the day the victim first reported
    the stalking to the police, if earlier than today (the force dashboard counts the time to
    an SPO application from it; ADR 0021)."""
    membership = require_member(actor, CASE_ROLES)
    reference = " ".join((reference or "").split())
    if not reference:
        raise ValidationError({"reference": ["Enter the case reference"]})
    if len(reference) > 64:
        raise ValidationError({"reference": ["The reference can be 64 characters at most"]})
    if first_reported_on is not None and first_reported_on > timezone.localdate():
        raise ValidationError(
            {"first_reported_on": ["The day it was first reported must be today or in the past"]}
        )
    officer = officer or actor
    officer_membership = membership_of(officer)
    if (
        officer_membership is None
        or officer_membership.unit_id != membership.unit_id
        or officer_membership.role not in CASE_ROLES
    ):
        raise ValidationError({"officer": ["Choose an officer of your unit"]})
    try:
        with transaction.atomic():
            case = Case.objects.create(
                organisation_id=membership.organisation_id,
                unit_id=membership.unit_id,
                reference=reference,
                officer=officer,
                next_review=next_review,
                first_reported_on=first_reported_on,
                created_by=actor,
            )
            CaseStatusChange.objects.create(case=case, status=CaseStatus.OPEN, by=actor)
            audit.record(actor=actor, action="case.opened", object_type="case", object_id=case.pk)
    except IntegrityError:
        raise ValidationError(
            {"reference": ["Your force already has a case with this reference"]}
        ) from None
    return case


def change_status(
    *, actor: User, case: Case, status: str, note: str = "", purpose: str | None = None
) -> CaseStatusChange:
    """A new status row. Closing runs the closure guard, which reads the shared logs with
    ``purpose`` when the officer gave one for the case (else as its own check, no reason
    given)."""
    require_case_member(actor, case)
    if status not in CaseStatus.values:
        raise ValidationError({"status": ["Choose a status"]})
    if status == CaseStatus.CLOSED and case.status != CaseStatus.CLOSED:
        # The closure guard: refuses what stands in the way, and the recurrence warning
        # without a supervisor's sign-off.
        closure.check_closing(actor, case, purpose)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.status == status:
            raise ValidationError({"status": ["The case already has this status"]})
        change = CaseStatusChange.objects.create(  # type: ignore[misc]  # sealed fields
            case=locked, status=status, note=note.strip(), by=actor
        )
        locked.status = status
        locked.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="case.status",
            object_type="case",
            object_id=case.pk,
            detail={"status": status},
        )
    case.status = status
    return change


def set_next_review(*, actor: User, case: Case, next_review: date | None) -> Case:
    require_case_member(actor, case)
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(next_review=next_review)
        audit.record(actor=actor, action="case.review_date", object_type="case", object_id=case.pk)
    case.next_review = next_review
    return case


def add_entry(
    *, actor: User, case: Case, kind: str, text: str, happened_at: datetime | None = None
) -> CaseEntry:
    require_case_member(actor, case)
    if kind not in EntryKind.values:
        raise ValidationError({"kind": ["Choose action or note"]})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": ["Enter what was done or noted"]})
    happened_at = happened_at or timezone.now()
    if timezone.is_naive(happened_at):
        raise ValidationError({"happened_at": ["The time needs a time zone"]})
    with transaction.atomic():
        entry = CaseEntry.objects.create(  # type: ignore[misc]  # sealed fields
            case=case, kind=kind, text=text, happened_at=happened_at, created_by=actor
        )
        audit.record(actor=actor, action=f"case.{kind}", object_type="case", object_id=case.pk)
    return entry


def add_suspect(
    *,
    actor: User,
    case: Case,
    name: str,
    date_of_birth: date | None = None,
    identifiers: Iterable[tuple[str, str]] = (),
) -> CaseSuspect:
    require_case_member(actor, case)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": ["Enter the suspect's name, or 'Unknown'"]})
    cleaned = []
    for kind, value in identifiers:
        try:
            normalised = vault_services.normalise_identifier(kind, value)
        except ValueError as exc:
            raise ValidationError({"identifiers": [str(exc)]}) from None
        cleaned.append({"kind": kind, "value": normalised})
    with transaction.atomic():
        suspect = CaseSuspect.objects.create(  # type: ignore[misc]  # sealed fields
            case=case, name=name, date_of_birth=date_of_birth, identifiers=cleaned
        )
        links.write_keys(suspect)
        audit.record(actor=actor, action="case.suspect", object_type="case", object_id=case.pk)
    return suspect


# --- share codes and consent ------------------------------------------------------------------


def issue_share_code(*, actor: User, case: Case | None = None) -> str:
    """A one-use code for the victim: for a case (its unit's officers) or for an advocate."""
    if case is not None:
        require_case_member(actor, case)
    else:
        require_member(actor, (Role.ADVOCATE,))
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    with transaction.atomic():
        ShareCode.objects.create(
            case=case,
            advocate=None if case is not None else actor,
            code_hash=code_hash(raw),
            created_by=actor,
            expires_at=timezone.now() + CODE_LIFETIME,
        )
        audit.record(
            actor=actor,
            action="share_code.issued",
            object_type="case" if case else "user",
            object_id=case.pk if case else actor.pk,
        )
    return f"{raw[:4]}-{raw[4:]}"


def share_content(share: Share) -> dict[str, Any]:
    """What the vault's ledger records of a share: to whom, the scope, and its items."""
    return {
        "id": str(share.pk),
        "vault": str(share.vault_id),
        "case": str(share.case_id) if share.case_id else None,
        "advocate": str(share.advocate_id) if share.advocate_id else None,
        "scope": share.scope,
        "incidents": sorted(str(pk) for pk in share.incidents.values_list("pk", flat=True)),
        "exhibits": sorted(str(pk) for pk in share.exhibits.values_list("pk", flat=True)),
        "withdrawn": share.withdrawn_at is not None,
    }


def _clean_scope(
    vault: Vault, scope: str, incident_ids: Iterable[Any], exhibit_ids: Iterable[Any]
) -> tuple[list[Incident], list[Exhibit]]:
    if scope not in ShareScope.values:
        raise ValidationError({"scope": ["Choose what to share"]})
    if scope == ShareScope.ALL:
        return [], []
    incident_ids, exhibit_ids = list(incident_ids), list(exhibit_ids)
    try:
        incidents = list(
            Incident.objects.filter(vault=vault, deleted_at__isnull=True, pk__in=incident_ids)
        )
        exhibits = list(Exhibit.objects.filter(vault=vault, pk__in=exhibit_ids))
    except (ValueError, ValidationError):
        raise ValidationError({"incidents": ["Choose incidents from your log"]}) from None
    if len(incidents) != len(set(map(str, incident_ids))):
        raise ValidationError({"incidents": ["Choose incidents from your log"]})
    if len(exhibits) != len(set(map(str, exhibit_ids))):
        raise ValidationError({"exhibits": ["Choose exhibits from your log"]})
    if not incidents and not exhibits:
        raise ValidationError({"incidents": ["Choose at least one incident or exhibit"]})
    return incidents, exhibits


def link_by_code(
    *,
    actor: User,
    vault: Vault,
    code: str,
    scope: str,
    incident_ids: Iterable[Any] = (),
    exhibit_ids: Iterable[Any] = (),
) -> Share:
    """The victim links her vault to a case (or an advocate) with the code she was given."""
    vault_services.require_owner(actor, vault)
    incidents, exhibits = _clean_scope(vault, scope, incident_ids, exhibit_ids)
    now = timezone.now()
    with transaction.atomic():
        found = (
            ShareCode.objects.select_for_update()
            .filter(code_hash=code_hash(code or ""), used_at__isnull=True, expires_at__gt=now)
            .first()
        )
        if found is None:
            raise ValidationError(
                {
                    "code": [
                        "This code is not right, or it has expired or been used. Ask for a new one."
                    ]
                }
            )
        if (
            found.case_id
            and Share.objects.filter(
                vault=vault, case_id=found.case_id, withdrawn_at__isnull=True
            ).exists()
        ):
            raise ValidationError({"code": ["Your log is already shared with this case"]})
        found.used_at, found.used_by = now, actor
        found.save(update_fields=["used_at", "used_by"])
        share = Share.objects.create(
            vault=vault, case_id=found.case_id, advocate_id=found.advocate_id, scope=scope
        )
        share.incidents.set(incidents)
        share.exhibits.set(exhibits)
        vault_services.record_change(
            actor=actor,
            vault=vault,
            action="share.granted",
            obj=share,
            content=share_content(share),
            detail={"scope": scope, "incidents": len(incidents), "exhibits": len(exhibits)},
        )
    return share


def change_share(
    *,
    actor: User,
    share: Share,
    scope: str,
    incident_ids: Iterable[Any] = (),
    exhibit_ids: Iterable[Any] = (),
) -> Share:
    """Widen or narrow what a share covers; the other side sees the new scope at once."""
    vault = share.vault
    vault_services.require_owner(actor, vault)
    if share.withdrawn_at is not None:
        raise ValidationError({"share": ["This share was withdrawn; share again with a new code"]})
    incidents, exhibits = _clean_scope(vault, scope, incident_ids, exhibit_ids)
    with transaction.atomic():
        share.scope = scope
        share.save(update_fields=["scope", "changed_at"])
        share.incidents.set(incidents)
        share.exhibits.set(exhibits)
        vault_services.record_change(
            actor=actor,
            vault=vault,
            action="share.changed",
            obj=share,
            content=share_content(share),
            detail={"scope": scope, "incidents": len(incidents), "exhibits": len(exhibits)},
        )
    return share


def withdraw_share(*, actor: User, share: Share) -> Share:
    vault = share.vault
    vault_services.require_owner(actor, vault)
    if share.withdrawn_at is not None:
        return share
    with transaction.atomic():
        share.withdrawn_at = timezone.now()
        share.save(update_fields=["withdrawn_at", "changed_at"])
        vault_services.record_change(
            actor=actor,
            vault=vault,
            action="share.withdrawn",
            obj=share,
            content=share_content(share),
        )
    return share


# --- risk assessments -------------------------------------------------------------------------


def record_risk_assessment(
    *,
    actor: User,
    case: Case,
    form: FormDefinition,
    answers: Mapping[str, Any],
    prefilled: Iterable[str] = (),
    summary: str = "",
) -> RiskAssessment:
    """A new version of the case's risk assessment, answered with ``form`` (a
    ``cairn.analysis.questionnaire.FormDefinition``)."""
    require_case_member(actor, case)
    try:
        answers = clean_answers(form, answers)
    except AnswerError as exc:
        raise ValidationError({key: [text] for key, text in exc.errors.items()}) from None
    result = score(form, answers)
    with transaction.atomic():
        Case.objects.select_for_update().get(pk=case.pk)
        latest = case.risk_assessments.order_by("-version").first()
        from_evidence = sorted(set(prefilled) & set(answers))
        # Answers from the evidence derive from her log: sealed under its key too (ADR 0044).
        quoted = (
            [
                str(v)
                for v in Share.objects.filter(
                    case=case, withdrawn_at__isnull=True, vault__key__destroyed_at__isnull=True
                ).values_list("vault_id", flat=True)
            ]
            if from_evidence
            else []
        )
        assessment = RiskAssessment.objects.create(  # type: ignore[misc]  # sealed fields
            case=case,
            version=(latest.version + 1) if latest else 1,
            form_id=form.id,
            form_version=form.version,
            answers=dict(answers),
            prefilled=from_evidence,
            quoted_vaults=quoted,
            level=result.band,
            summary=summary.strip(),
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="risk_assessment.recorded",
            object_type="case",
            object_id=case.pk,
            detail={"version": assessment.version},
        )
    return assessment


def review_risk_assessment(
    *, actor: User, assessment: RiskAssessment, decision: str, note: str = ""
) -> RiskReview:
    """A supervisor's review; someone cannot review their own assessment."""
    require_case_member(actor, assessment.case, (Role.SUPERVISOR,))
    if decision not in ReviewDecision.values:
        raise ValidationError({"decision": ["Choose agreed or changes needed"]})
    if assessment.created_by_id == actor.pk:
        raise ValidationError({"decision": ["Someone else must review your own assessment"]})
    if decision == ReviewDecision.CHANGES and not note.strip():
        raise ValidationError({"note": ["Say what needs to change"]})
    with transaction.atomic():
        review = RiskReview.objects.create(  # type: ignore[misc]  # sealed fields
            assessment=assessment, decision=decision, note=note.strip(), by=actor
        )
        audit.record(
            actor=actor,
            action="risk_assessment.reviewed",
            object_type="case",
            object_id=assessment.case_id,
            detail={"version": assessment.version, "decision": decision},
        )
    return review
