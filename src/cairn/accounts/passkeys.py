"""Passkeys (WebAuthn) as a second factor, through py_webauthn (docs/adr/0030).

What: ``registration_options`` and ``register`` add a passkey to her account;
``authentication_options`` and ``authenticate`` check one at sign-in, after her password.
The browser side is ``accounts/static/accounts/passkeys.js`` (``navigator.credentials``).
A passkey is a django-otp device (``Passkey``), so a session checked with one counts as
checked exactly as one checked with an authenticator app's code.

Why: a passkey is bound to this site and cannot be read over her shoulder, typed into a
look-alike site or guessed; it lives on a device she chooses (a phone he cannot reach).

Inputs: the request (its host is the relying party id, its scheme and host the expected
origin; ``ALLOWED_HOSTS`` limits both), and the credential as the browser's JSON. Each
ceremony's challenge is kept in the session and used once. Outputs: the saved or checked
``Passkey``. Failures: ``PasskeyError`` with a plain message when the browser's answer does
not verify (wrong challenge, origin, signature, or an unknown credential).
"""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from cairn.accounts.access import passkeys_of
from cairn.accounts.models import Passkey
from cairn.audit import services as audit

REGISTRATION_CHALLENGE = "cairn_passkey_registration"
AUTHENTICATION_CHALLENGE = "cairn_passkey_authentication"
RP_NAME = "Cairn"


class PasskeyError(ValueError):
    """The browser's answer did not verify; the message can be shown to her."""


def rp_id(request: HttpRequest) -> str:
    host = request.get_host()
    if host.startswith("["):
        return host[1 : host.index("]")]
    return host.rsplit(":", 1)[0] if ":" in host else host


def expected_origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def get_passkey_of(user: Any, pk: Any) -> Passkey:
    try:
        return passkeys_of(user).get(pk=pk)
    except (Passkey.DoesNotExist, ValueError, TypeError):
        raise Http404("No such page") from None


def _descriptors(user: Any) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(id=base64url_to_bytes(p.credential_id))
        for p in passkeys_of(user)
    ]


def registration_options(request: HttpRequest) -> str:
    """The options for ``navigator.credentials.create``, as JSON; the challenge is kept."""
    user = request.user
    options = generate_registration_options(
        rp_id=rp_id(request),
        rp_name=RP_NAME,
        user_name=user.get_username(),
        user_id=user.pk.bytes,
        user_display_name=user.get_username(),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(user),
    )
    request.session[REGISTRATION_CHALLENGE] = bytes_to_base64url(options.challenge)
    return str(options_to_json(options))


def _challenge(request: HttpRequest, key: str) -> bytes:
    stored = request.session.pop(key, None)
    if not stored:
        raise PasskeyError("Start again: the page had expired")
    return base64url_to_bytes(stored)


def register(*, actor: Any, request: HttpRequest, credential: str, name: str) -> Passkey:
    """Verify the browser's new credential and keep it as one of her passkeys."""
    challenge = _challenge(request, REGISTRATION_CHALLENGE)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id(request),
            expected_origin=expected_origin(request),
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise PasskeyError("The passkey could not be added. Try again") from exc
    transports = []
    try:
        transports = [
            str(t) for t in json.loads(credential).get("response", {}).get("transports", [])
        ][:8]
    except (ValueError, AttributeError):
        transports = []
    credential_id = bytes_to_base64url(verified.credential_id)
    with transaction.atomic():
        if Passkey.objects.filter(credential_id=credential_id).exists():
            raise PasskeyError("This passkey is already added")
        passkey = Passkey.objects.create(
            user=actor,
            name=(name or "Passkey")[:64],
            confirmed=True,
            credential_id=credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=transports,
        )
        audit.record(
            actor=actor,
            action="passkey.added",
            object_type="user",
            object_id=actor.pk,
            detail={"passkey": passkey.pk},
        )
    return passkey


def authentication_options(request: HttpRequest) -> str:
    """The options for ``navigator.credentials.get``, allowing only her passkeys."""
    options = generate_authentication_options(
        rp_id=rp_id(request),
        allow_credentials=_descriptors(request.user),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    request.session[AUTHENTICATION_CHALLENGE] = bytes_to_base64url(options.challenge)
    return str(options_to_json(options))


def authenticate(*, request: HttpRequest, credential: str) -> Passkey:
    """Check the browser's answer against the signed-in person's passkeys."""
    challenge = _challenge(request, AUTHENTICATION_CHALLENGE)
    try:
        credential_id = str(json.loads(credential)["id"])
    except (ValueError, KeyError, TypeError) as exc:
        raise PasskeyError("The passkey could not be checked. Try again") from exc
    with transaction.atomic():
        passkey = (
            passkeys_of(request.user)
            .select_for_update()
            .filter(credential_id=credential_id)
            .first()
        )
        if passkey is None:
            raise PasskeyError("This passkey is not one of yours")
        try:
            verified = verify_authentication_response(
                credential=credential,
                expected_challenge=challenge,
                expected_rp_id=rp_id(request),
                expected_origin=expected_origin(request),
                credential_public_key=bytes(passkey.public_key),
                credential_current_sign_count=passkey.sign_count,
            )
        except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
            raise PasskeyError("The passkey could not be checked. Try again") from exc
        passkey.sign_count, passkey.last_used_at = verified.new_sign_count, timezone.now()
        passkey.save(update_fields=["sign_count", "last_used_at"])
    return passkey


def remove_passkey(*, actor: Any, passkey: Passkey) -> None:
    with transaction.atomic():
        passkeys_of(actor).filter(pk=passkey.pk).delete()
        audit.record(
            actor=actor,
            action="passkey.removed",
            object_type="user",
            object_id=actor.pk,
            detail={"passkey": passkey.pk},
        )
