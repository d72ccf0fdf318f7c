"""An authenticator app (TOTP, RFC 6238) whose shared secret is sealed at rest.

What: django-otp's ``TOTPDevice`` keeps the secret in plain hex in its ``key`` column, so a
copy of the database used to give anyone every member's codes. Here the column holds
``sealed:`` and the secret encrypted (``crypto.encrypt_secret``, AES-256-GCM) under the
credential key's ``totp-secret`` subkey (``cairn.store.keys``, wrapped by the KEK, ADR 0010),
bound to the account's id so a sealed secret moved to another account does not open.

- ``seal_before_saving`` (a ``pre_save`` receiver, connected in ``AccountsConfig.ready``)
  seals any plain key before the row is written, whichever class saves it (django-otp's own
  ``TOTPDevice``, the demo, tests), so no plain secret reaches the database.
- ``AuthenticatorApp`` is a proxy of ``TOTPDevice`` whose ``bin_key`` opens the sealed key:
  checking a code (``verify_token``), the set-up QR code and the typed key go through it
  (``cairn.accounts.access.totp_devices_of`` returns these). The rows are django-otp's, so a
  session checked with either class counts as checked.

Failures: ``bin_key`` of a plain ``TOTPDevice`` loaded from the database fails loudly (the key
is no longer hex); ``AuthenticatorApp.bin_key`` raises ``crypto.FieldDecryptionError`` if the
sealed key was altered or moved, ``keys.KeyUnavailable`` if the KEK does not open the
credential key. A secret longer than 25 bytes cannot be sealed in django-otp's 80-character
column (``ValueError``); django-otp makes 20-byte secrets.
"""

from __future__ import annotations

import base64
from typing import Any

from django_otp.plugins.otp_totp.models import TOTPDevice

from cairn.store import crypto, keys

SEALED_PREFIX = "sealed:"
TOTP_PURPOSE = "totp-secret"
KEY_COLUMN_LENGTH = 80  # django-otp's TOTPDevice.key


def _context(user_id: Any) -> bytes:
    return f"cairn:totp-secret:{user_id}".encode()


def is_sealed(stored: str) -> bool:
    return stored.startswith(SEALED_PREFIX)


def seal_totp_key(hex_key: str, user_id: Any) -> str:
    """The value stored in ``key`` for a secret given in hex."""
    blob = crypto.encrypt_secret(
        keys.credential_subkey(TOTP_PURPOSE), bytes.fromhex(hex_key), context=_context(user_id)
    )
    stored = SEALED_PREFIX + base64.urlsafe_b64encode(blob).decode("ascii").rstrip("=")
    if len(stored) > KEY_COLUMN_LENGTH:
        raise ValueError("an authenticator app's secret can be 25 bytes at most")
    return stored


def open_totp_key(stored: str, user_id: Any) -> bytes:
    """The secret of a sealed ``key`` value."""
    if not is_sealed(stored):
        raise ValueError("this authenticator app's secret is not sealed")
    text = stored[len(SEALED_PREFIX) :]
    blob = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    return crypto.decrypt_secret(
        keys.credential_subkey(TOTP_PURPOSE), blob, context=_context(user_id)
    )


class AuthenticatorApp(TOTPDevice):
    """A ``TOTPDevice`` read through its sealed secret (see the module)."""

    class Meta:
        proxy = True
        verbose_name = "authenticator app"

    @property
    def bin_key(self) -> bytes:
        return open_totp_key(self.key, self.user_id)


def seal_before_saving(sender: Any, instance: Any, **kwargs: Any) -> None:
    """``pre_save``: replace a plain hex secret by its sealed form before it is written."""
    if isinstance(instance, TOTPDevice) and instance.key and not is_sealed(instance.key):
        instance.key = seal_totp_key(instance.key, instance.user_id)
