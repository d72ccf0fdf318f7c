"""Personal API tokens: made, revoked and checked here, and nowhere else.

What: a token is ``cairn_`` followed by 43 URL-safe characters (32 random bytes from
``secrets``). It is shown once, when it is made; the database keeps only a keyed hash of it
(HMAC-SHA256, under the credential key's ``api-token`` subkey, of the token's SHA-256), so a
copy of the database cannot be used to call the API, and without the credential key (wrapped
by the KEK, never in the database; ADR 0035) nobody can tell whether a token they hold
belongs to this instance. The inner SHA-256 lets the hashes of tokens made before the key
existed be converted in place (migration ``api.0002``).

Why the two-factor rule: every organisation role signs in to the pages with a second factor
(issue 7). A token skips sign-in, so it may be made for the holder of an organisation role
only while they have a confirmed TOTP device, and it stops working if they no longer have one
(or if they gain a role without one). A victim's token needs no device, as her sign-in needs
none.

Failures: ``create_token`` raises ``ValidationError`` naming the field (``name``, ``user``)
and ``PermissionDenied`` when the actor may not make tokens for that user. ``authenticate``
returns None for anything that is not a live token of an active user; it never says why,
to the caller or to the logs.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cairn.accounts.access import membership_of
from cairn.api.models import ApiToken
from cairn.audit import services as audit
from cairn.store import crypto, keys

TOKEN_PREFIX = "cairn_"  # noqa: S105 - a marker for secret scanners, not a secret
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 200  # anything longer is not ours; refused before hashing
# last_used_at is a hint for the holder, not an audit trail: written at most once a minute,
# so a busy client does not turn every read into a write.
LAST_USED_GRANULARITY = timedelta(minutes=1)


API_TOKEN_PURPOSE = "api-token"  # noqa: S105 - the name of a subkey, not a secret


def token_digest(raw: str) -> str:
    """What the database keeps of a token (see the module)."""
    inner = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()
    return crypto.keyed_digest(keys.credential_subkey(API_TOKEN_PURPOSE), inner)


def has_confirmed_totp_device(user: Any) -> bool:
    return bool(TOTPDevice.objects.devices_for_user(user, confirmed=True).exists())


def needs_two_factor(user: Any) -> bool:
    """Whether ``user`` holds an organisation role (and so needs a second factor)."""
    return membership_of(user) is not None


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": ["Say what the token is for, e.g. 'case system'"]})
    if len(name) > 100:
        raise ValidationError({"name": ["The name can be 100 characters at most"]})
    if "\x00" in name:
        raise ValidationError({"name": ["The name cannot hold a NUL character"]})
    return name


def create_token(*, actor: Any, user: Any, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the token, which is never shown again.

    The actor is the user or the instance's operator (a superuser, e.g. the CLI's)."""
    if actor is None or not (actor.pk == user.pk or getattr(actor, "is_superuser", False)):
        raise PermissionDenied("Only the user or the instance's operator can make their tokens")
    name = _clean_name(name)
    if not user.is_active:
        raise ValidationError({"user": ["This account is not active"]})
    if needs_two_factor(user) and not has_confirmed_totp_device(user):
        raise ValidationError(
            {
                "user": [
                    f"{user.username} holds an organisation role, so an API token needs a "
                    "confirmed "
                    "two-factor device first: set up two-factor sign-in, then try again"
                ]
            }
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(user=user, name=name, token_hash=token_digest(raw))
            audit.record(
                actor=actor,
                action="api_token.created",
                object_type="api_token",
                object_id=token.pk,
                detail={"user": str(user.pk)},
            )
    except IntegrityError:
        raise ValidationError(
            {
                "name": [
                    f"{user.username} already has a token named "
                    f"{name!r}; revoke it or choose another name"
                ]
            }
        ) from None
    return token, raw


def revoke_token(*, actor: Any, token: ApiToken) -> ApiToken:
    if actor is None or not (actor.pk == token.user_id or getattr(actor, "is_superuser", False)):
        raise PermissionDenied("Only the user or the instance's operator can revoke their tokens")
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor,
            action="api_token.revoked",
            object_type="api_token",
            object_id=token.pk,
            detail={"user": str(token.user_id)},
        )
    return token


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    """A user's tokens, live and revoked, oldest first."""
    return ApiToken.objects.filter(user=user).order_by("created_at")


def live_token_named(user: Any, name: str) -> ApiToken:
    name = " ".join((name or "").split())
    token = tokens_of(user).filter(name=name, revoked_at__isnull=True).first()
    if token is None:
        raise ValidationError({"name": [f"{user.username} has no live token named {name!r}"]})
    return token


def authenticate(raw: str) -> Any | None:
    """The user a presented token acts as, or None (unknown, revoked, inactive user, or an
    organisation role without a confirmed two-factor device)."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=token_digest(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    user = token.user
    if needs_two_factor(user) and not has_confirmed_totp_device(user):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user
