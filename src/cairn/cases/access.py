"""Who may read what of cases, and of a victim's vault through her consent.

The rules, in one place (the access-matrix test walks them for every role):

- **investigator, supervisor**: the cases of their own unit; and, through a case's live share,
  the linked vault's content within the share's scope. Nothing of another unit or
  organisation.
- **advocate**: the vaults shared with them directly, within scope; no cases.
- **analyst, administrator**: no cases and no vault content (aggregates come later, issue 8).
- **the vault's owner** reads her vault through ``cairn.vault.access`` as before; here she
  reads her own shares and who looked at what.

Anything not readable is "not found" (404), never "forbidden", so refusals do not reveal that
an object exists. Every read of vault content by someone other than the owner goes through
``shared_*`` below, which write an audit record (who, when, what, why) before returning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404

from cairn.accounts.access import CASE_ROLES, membership_of
from cairn.accounts.models import Membership, Role
from cairn.audit import services as audit
from cairn.audit.models import AuditRecord
from cairn.cases.codes import code_hash
from cairn.cases.models import Case, Purpose, Referral, RightToKnow, RiskAssessment, Share
from cairn.vault.models import Exhibit, Incident, Vault

READ_ACTION = "vault.read"


def require_member(actor: Any, roles: Iterable[str]) -> Membership:
    """The actor's current membership if its role is one of ``roles``; else
    ``PermissionDenied`` (the services' check before any write)."""
    membership = membership_of(actor)
    if membership is None or membership.role not in tuple(roles):
        raise PermissionDenied("Your role does not allow this")
    return membership


def require_case_member(actor: Any, case: Case, roles: Iterable[str] = CASE_ROLES) -> Membership:
    """As ``require_member``, and the case must be of the actor's unit. Orders, breaches
    and multi-agency work call this before writing to a case."""
    membership = require_member(actor, roles)
    if membership.unit_id != case.unit_id:
        raise PermissionDenied("This case belongs to another unit")
    return membership


def cases_readable_by(user: Any) -> QuerySet[Case]:
    membership = membership_of(user)
    if membership is None or membership.role not in CASE_ROLES:
        return Case.objects.none()
    return Case.objects.filter(unit_id=membership.unit_id)


def get_case_for_user(user: Any, pk: Any) -> Case:
    try:
        return cases_readable_by(user).select_related("unit", "officer").get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("No such case") from None


def risk_assessments_readable_by(user: Any, case: Case) -> QuerySet[RiskAssessment]:
    return RiskAssessment.objects.filter(case__in=cases_readable_by(user), case=case)


def right_to_know_readable_by(user: Any, case: Case) -> QuerySet[RightToKnow]:
    """The case's right-to-know decisions, oldest first (issue 15, point 6)."""
    return RightToKnow.objects.filter(case__in=cases_readable_by(user), case=case).select_related(
        "by", "suspect"
    )


def referrals_readable_by(user: Any, case: Case | None = None) -> QuerySet[Referral]:
    """Referrals of the cases ``user`` may read (of ``case`` only, when given)."""
    found = Referral.objects.filter(case__in=cases_readable_by(user))
    return found.filter(case=case) if case is not None else found


def get_referral_for_user(user: Any, case: Case, pk: Any) -> Referral:
    try:
        return referrals_readable_by(user, case).select_related("case").get(pk=pk)
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise Http404("No such referral") from None


def shares_visible_to(user: Any) -> QuerySet[Share]:
    """Live shares whose content this user may read (not the owner's view of her own)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Share.objects.none()
    membership = membership_of(user)
    if membership is None:
        return Share.objects.none()
    live = Share.objects.filter(withdrawn_at__isnull=True)
    if membership.role in CASE_ROLES:
        return live.filter(case__unit_id=membership.unit_id)
    if membership.role == Role.ADVOCATE:
        return live.filter(advocate=user)
    return Share.objects.none()


def shares_of_owner(user: Any, vault: Vault) -> QuerySet[Share]:
    """The owner's own shares of her vault, live and withdrawn."""
    if user is None or not getattr(user, "is_authenticated", False) or vault.owner_id != user.pk:
        return Share.objects.none()
    return Share.objects.filter(vault=vault).select_related(
        "case", "case__unit", "case__organisation", "advocate"
    )


def get_share_of_owner(user: Any, vault: Vault, pk: Any) -> Share:
    try:
        return shares_of_owner(user, vault).get(pk=pk)
    except (Share.DoesNotExist, ValueError, TypeError):
        raise Http404("No such share") from None


def vaults_shared_with(user: Any, case: Case | None = None) -> QuerySet[Vault]:
    shares = shares_visible_to(user)
    if case is not None:
        shares = shares.filter(case=case)
    return Vault.objects.filter(pk__in=shares.values("vault_id"))


def get_shared_vault(user: Any, pk: Any, case: Case | None = None) -> Vault:
    try:
        return vaults_shared_with(user, case).get(pk=pk)
    except (Vault.DoesNotExist, ValueError, TypeError):
        raise Http404("No such vault") from None


@dataclass(frozen=True)
class Scope:
    """What of one vault a user may read, from the union of their live shares of it."""

    everything: bool
    incident_ids: frozenset[Any]
    exhibit_ids: frozenset[Any]

    @property
    def empty(self) -> bool:
        return not self.everything and not self.incident_ids and not self.exhibit_ids


def scope_for(user: Any, vault: Vault, case: Case | None = None) -> Scope:
    shares = shares_visible_to(user).filter(vault=vault)
    if case is not None:
        shares = shares.filter(case=case)
    everything = False
    incidents: set[Any] = set()
    exhibits: set[Any] = set()
    for share in shares.prefetch_related("incidents", "exhibits"):
        if share.scope == "all":
            everything = True
        incidents.update(i.pk for i in share.incidents.all())
        exhibits.update(e.pk for e in share.exhibits.all())
    return Scope(everything, frozenset(incidents), frozenset(exhibits))


def _incidents_in(scope: Scope, vault: Vault) -> QuerySet[Incident]:
    live = Incident.objects.filter(vault=vault, deleted_at__isnull=True)
    if scope.everything:
        return live
    return live.filter(pk__in=scope.incident_ids)


def _exhibits_in(scope: Scope, vault: Vault) -> QuerySet[Exhibit]:
    exhibits = Exhibit.objects.filter(vault=vault)
    if scope.everything:
        return exhibits
    return exhibits.filter(
        Q(pk__in=scope.exhibit_ids)
        | Q(incident_id__in=scope.incident_ids, incident__deleted_at__isnull=True)
    )


def check_purpose(purpose: str) -> str:
    if purpose not in Purpose.values:
        raise ValueError("choose why you are looking: " + ", ".join(Purpose.values))
    return purpose


def record_read(
    user: Any,
    vault: Vault,
    *,
    what: str,
    ids: list[Any],
    purpose: str,
    case: Case | None = None,
    given: bool = True,
) -> None:
    """The audit record of one look at vault content (ids and counts only, never content).
    ``given`` is False when the reader gave no reason and Cairn read on their behalf for a
    check of its own (``purpose`` then names the check, and is not shown as their reason)."""
    detail: dict[str, Any] = {
        "purpose": purpose,
        "count": len(ids),
        "ids": sorted(str(i) for i in ids)[:500],
        "case": str(case.pk) if case is not None else None,
    }
    if not given:
        detail["purpose_given"] = False
    with transaction.atomic():
        audit.record(
            actor=user,
            action=READ_ACTION,
            object_type=what,
            object_id=str(case.pk) if case is not None else str(vault.pk),
            vault_id=vault.pk,
            detail=detail,
        )


def shared_incidents(
    user: Any, vault: Vault, *, purpose: str, case: Case | None = None
) -> list[Incident]:
    """The incidents of ``vault`` this user may read, oldest first; the read is audited."""
    check_purpose(purpose)
    scope = scope_for(user, vault, case)
    if scope.empty:
        return []
    incidents = list(
        _incidents_in(scope, vault).prefetch_related("persons").order_by("start", "number")
    )
    record_read(
        user, vault, what="incidents", ids=[i.pk for i in incidents], purpose=purpose, case=case
    )
    return incidents


def shared_exhibits(
    user: Any, vault: Vault, *, purpose: str, case: Case | None = None
) -> list[Exhibit]:
    check_purpose(purpose)
    scope = scope_for(user, vault, case)
    if scope.empty:
        return []
    exhibits = list(_exhibits_in(scope, vault).order_by("number"))
    record_read(
        user, vault, what="exhibits", ids=[e.pk for e in exhibits], purpose=purpose, case=case
    )
    return exhibits


def get_shared_incident(
    user: Any, vault: Vault, pk: Any, *, purpose: str, case: Case | None = None
) -> Incident:
    check_purpose(purpose)
    try:
        incident = _incidents_in(scope_for(user, vault, case), vault).get(pk=pk)
    except (Incident.DoesNotExist, ValueError, TypeError):
        raise Http404("No such incident") from None
    record_read(user, vault, what="incident", ids=[incident.pk], purpose=purpose, case=case)
    return incident


def get_shared_exhibit(
    user: Any, vault: Vault, pk: Any, *, purpose: str, case: Case | None = None, audit: bool = True
) -> Exhibit:
    """One exhibit of ``vault`` in this user's scope, for opening or downloading its file;
    the read is audited with ``purpose`` (``audit`` False only to find where to send a reader
    who has not yet given a reason: nothing of the exhibit is shown then)."""
    check_purpose(purpose)
    try:
        exhibit = _exhibits_in(scope_for(user, vault, case), vault).get(pk=pk)
    except (Exhibit.DoesNotExist, ValueError, TypeError):
        raise Http404("No such exhibit") from None
    if audit:
        record_read(user, vault, what="exhibit", ids=[exhibit.pk], purpose=purpose, case=case)
    return exhibit


def shared_snapshot(
    user: Any, vault: Vault, *, purpose: str, case: Case | None = None, given: bool = True
) -> Any:
    """The vault as a snapshot cut down to this user's scope (for the analysis); audited
    (``given``: see ``record_read``)."""
    from cairn.packs.selection import Selection, resolve
    from cairn.vault.snapshot_loader import take_snapshot

    check_purpose(purpose)
    scope = scope_for(user, vault, case)
    incidents = [i.pk for i in _incidents_in(scope, vault).only("pk")]
    exhibits = [e.pk for e in _exhibits_in(scope, vault).only("pk")]
    snapshot = take_snapshot(vault)
    disclosed = resolve(snapshot, Selection.of(incidents, exhibits))
    record_read(
        user, vault, what="analysis", ids=incidents, purpose=purpose, case=case, given=given
    )
    return disclosed.snapshot


def shared_people_analysis(
    user: Any, vault: Vault, *, purpose: str, case: Case | None = None
) -> Any:
    """The analysis of what this user may read of ``vault``, one per person, in the third
    person: the kept one while it is valid (``cairn.analysis.kept``); the read is audited as
    ``shared_snapshot``'s is."""
    from cairn.analysis.base import THIRD_PERSON
    from cairn.analysis.kept import people_analysis, scope_key
    from cairn.packs.selection import Selection, resolve
    from cairn.vault.snapshot_loader import take_snapshot

    check_purpose(purpose)
    scope = scope_for(user, vault, case)
    incidents = [i.pk for i in _incidents_in(scope, vault).only("pk")]
    exhibits = [e.pk for e in _exhibits_in(scope, vault).only("pk")]
    result = people_analysis(
        vault,
        voice=THIRD_PERSON,
        scope=scope_key(incidents, exhibits),
        snapshot=lambda: resolve(take_snapshot(vault), Selection.of(incidents, exhibits)).snapshot,
    )
    record_read(user, vault, what="analysis", ids=incidents, purpose=purpose, case=case)
    return result


def access_log(user: Any, vault: Vault) -> QuerySet[AuditRecord]:
    """For the owner: every look at her vault by someone else, newest first."""
    if user is None or not getattr(user, "is_authenticated", False) or vault.owner_id != user.pk:
        return AuditRecord.objects.none()
    return (
        AuditRecord.objects.filter(vault_id=vault.pk, action=READ_ACTION)
        .exclude(actor=user)
        .select_related("actor")
        .order_by("-at", "-id")
    )


# --- for the owner: who a code or a share is for, and who read her log --------------------------


@dataclass(frozen=True)
class Recipient:
    """Who sees a vault through a share, as its owner is told before and after she agrees:
    a case's unit and force, or an advocate's name and organisation. Never an officer's own
    details: she shares with the unit, whoever is the officer in charge."""

    kind: str  # "case" or "advocate"
    organisation: str
    unit: str = ""
    person: str = ""
    case_id: Any = None
    advocate_id: Any = None

    def __str__(self) -> str:
        if self.kind == "case":
            return f"{self.unit}, {self.organisation}"
        return f"{self.person}, {self.organisation}" if self.organisation else self.person


def _advocate_recipient(advocate: Any) -> Recipient:
    membership = membership_of(advocate)
    organisation = membership.organisation.name if membership is not None else ""
    return Recipient(
        kind="advocate", organisation=organisation, person=str(advocate), advocate_id=advocate.pk
    )


def recipient_of_code(user: Any, vault: Vault, code: str) -> Recipient | None:
    """Who a share code would link ``vault`` to, for its owner to check before she agrees.

    Returns None when ``user`` is not the vault's owner, or when ``link_by_code`` would not
    accept the code now (wrong, used or expired), or when it is an advocate's code and that
    person no longer holds the advocate role. Only reads: the code is not used up and
    nothing is recorded. The code is compared as its keyed hash (HMAC-SHA-256 under the
    instance's secret, ``codes.code_hash``) in an equality lookup, exactly as
    ``link_by_code`` finds it, so the code itself is never compared character by character.
    """
    from django.utils import timezone

    from cairn.cases.models import ShareCode

    if user is None or not getattr(user, "is_authenticated", False) or vault.owner_id != user.pk:
        return None
    if not code:
        return None
    found = (
        ShareCode.objects.select_related("case__unit", "case__organisation", "advocate")
        .filter(code_hash=code_hash(code), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if found is None:
        return None
    if found.case is not None:
        return Recipient(
            kind="case",
            organisation=found.case.organisation.name,
            unit=found.case.unit.name,
            case_id=found.case_id,
        )
    membership = membership_of(found.advocate)
    if membership is None or membership.role != Role.ADVOCATE:
        return None
    return _advocate_recipient(found.advocate)


def recipient_of_share(share: Share) -> Recipient:
    """Who sees through ``share``, one the caller obtained through ``shares_of_owner``."""
    if share.case is not None:
        return Recipient(
            kind="case",
            organisation=share.case.organisation.name,
            unit=share.case.unit.name,
            case_id=share.case_id,
        )
    return _advocate_recipient(share.advocate)


def reader_memberships(user: Any, vault: Vault, actor_ids: Any) -> QuerySet[Membership]:
    """For the owner's access log: the roles, current and past, of people who read her vault
    (only people who appear in her log; ``actor_ids`` narrows it to one page of it)."""
    readers = (
        access_log(user, vault).filter(actor_id__in=list(actor_ids)).order_by().values("actor_id")
    )
    return (
        Membership.objects.filter(user_id__in=readers)
        .select_related("unit", "organisation")
        .order_by("created_at")
    )
