"""Organisations, units, roles and invitations: the write path for who may do what.

Setting up an organisation is an operator's job (``cairn org create``, or a superuser);
inviting people is its administrators'. An invitation is a link holding a random secret, of
which only the SHA-256 is kept; accepting it gives the role. Ending a role keeps the row.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cairn.accounts.models import (
    Invitation,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    Unit,
    User,
)
from cairn.audit import services as audit

INVITATION_LIFETIME = timedelta(days=7)


def _require_operator(actor: User) -> None:
    if actor is None or not getattr(actor, "is_superuser", False):
        raise PermissionDenied("Only the instance's operator can do this")


def _require_admin(actor: User, organisation: Organisation) -> Membership:
    membership = (
        Membership.objects.filter(
            user=actor, ended_at__isnull=True, organisation=organisation, role=Role.ADMINISTRATOR
        ).first()
        if actor is not None and getattr(actor, "is_authenticated", False)
        else None
    )
    if membership is None:
        raise PermissionDenied("Only an administrator of the organisation can do this")
    return membership


def create_organisation(*, actor: User, name: str, kind: str) -> Organisation:
    _require_operator(actor)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": ["Enter the organisation's name"]})
    if kind not in OrganisationKind.values:
        raise ValidationError({"kind": ["Choose police or charity"]})
    with transaction.atomic():
        organisation = Organisation.objects.create(name=name, kind=kind)
        audit.record(
            actor=actor,
            action="organisation.created",
            object_type="organisation",
            object_id=organisation.pk,
        )
    return organisation


def create_unit(*, actor: User, organisation: Organisation, name: str) -> Unit:
    if not getattr(actor, "is_superuser", False):
        _require_admin(actor, organisation)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": ["Enter the unit's name"]})
    try:
        with transaction.atomic():
            unit = Unit.objects.create(organisation=organisation, name=name)
            audit.record(actor=actor, action="unit.created", object_type="unit", object_id=unit.pk)
    except IntegrityError:
        raise ValidationError(
            {"name": ["The organisation already has a unit with this name"]}
        ) from None
    return unit


def grant_role(*, actor: User, user: User, unit: Unit, role: str) -> Membership:
    """Give ``user`` a role directly (the operator setting up a first administrator)."""
    if not getattr(actor, "is_superuser", False):
        _require_admin(actor, unit.organisation)
    if role not in Role.values:
        raise ValidationError({"role": ["Choose a role"]})
    with transaction.atomic():
        Membership.objects.filter(user=user, ended_at__isnull=True).update(ended_at=timezone.now())
        membership = Membership.objects.create(
            user=user, organisation=unit.organisation, unit=unit, role=role
        )
        audit.record(
            actor=actor,
            action="role.granted",
            object_type="user",
            object_id=user.pk,
            detail={"role": role, "unit": str(unit.pk)},
        )
    user.__dict__.pop("_cairn_membership", None)
    return membership


def end_role(*, actor: User, membership: Membership) -> Membership:
    _require_admin(actor, membership.organisation)
    with transaction.atomic():
        membership.ended_at = timezone.now()
        membership.save(update_fields=["ended_at"])
        audit.record(
            actor=actor, action="role.ended", object_type="user", object_id=membership.user_id
        )
    return membership


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(*, actor: User, unit: Unit, role: str) -> tuple[Invitation, str]:
    """An invitation and its secret (shown once, as part of the link). An administrator of
    the unit's organisation invites; so can the operator (``cairn org invite``)."""
    if not getattr(actor, "is_superuser", False):
        _require_admin(actor, unit.organisation)
    if role not in Role.values:
        raise ValidationError({"role": ["Choose a role"]})
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organisation=unit.organisation,
            unit=unit,
            role=role,
            token_sha256=_token_hash(token),
            created_by=actor,
            expires_at=timezone.now() + INVITATION_LIFETIME,
        )
        audit.record(
            actor=actor,
            action="invitation.created",
            object_type="invitation",
            object_id=invitation.pk,
            detail={"role": role},
        )
    return invitation, token


def find_invitation(token: str) -> Invitation | None:
    """The open invitation this secret belongs to, or None (wrong, used or expired)."""
    return (
        Invitation.objects.select_related("organisation", "unit")
        .filter(
            token_sha256=_token_hash(token or ""),
            accepted_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .first()
    )


def accept_invitation(*, actor: User, token: str) -> Membership:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Sign in or create an account first")
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(
                token_sha256=_token_hash(token or ""),
                accepted_at__isnull=True,
                expires_at__gt=timezone.now(),
            )
            .first()
        )
        if invitation is None:
            raise ValidationError(
                {"token": ["This invitation is not valid: it may have expired or been used"]}
            )
        invitation.accepted_by, invitation.accepted_at = actor, timezone.now()
        invitation.save(update_fields=["accepted_by", "accepted_at"])
        Membership.objects.filter(user=actor, ended_at__isnull=True).update(ended_at=timezone.now())
        membership = Membership.objects.create(
            user=actor,
            organisation=invitation.organisation,
            unit=invitation.unit,
            role=invitation.role,
        )
        audit.record(
            actor=actor,
            action="invitation.accepted",
            object_type="invitation",
            object_id=invitation.pk,
            detail={"role": invitation.role},
        )
    actor.__dict__.pop("_cairn_membership", None)
    return membership
