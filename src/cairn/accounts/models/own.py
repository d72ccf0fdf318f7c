"""A victim's own account (docs/adr/0030-victims-own-accounts.md): how she joined, how she
gets back in, her passkeys, and where she is signed in.

Every secret here (an invitation code, a reset link, a recovery code, a device cookie) is
kept only as a keyed hash (``cairn.accounts.hashing.keyed_hash``), and a session key only as
the session store's keyed hash (``cairn.accounts.session_store``), so a copy of the database
lets nobody join, reset, recover or take over a session. Nothing here records an IP
address or a full user-agent string: a sign-in keeps the browser and device names and, where
the instance can tell, an approximate place.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin

from cairn.accounts.hashing import recovery_code_hash


class SignUpInvitation(models.Model):
    """A one-time code an advocate or officer gives a victim so she can create an account
    when the instance's sign-up is "invite"."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return "Sign-up invitation"


class ResetLink(models.Model):
    """A one-time link to set a new password, given to her by an advocate or officer who saw
    her in person. Its issue is recorded in her account's activity."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reset_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return "Reset link"


class RecoveryCodes(ThrottlingMixin, Device):
    """Her set of recovery codes, as a django-otp device: a code proves it is her when she
    has forgotten her password or lost her second factor. Each code works once; wrong codes
    make the set wait longer each time (django-otp's throttling)."""

    created_at = models.DateTimeField(auto_now_add=True)

    def get_throttle_factor(self) -> int:
        return 1

    def verify_token(self, token: Any) -> bool:
        """Use up the unused code ``token`` (spaces, hyphens and case ignored); False if it
        is not one. The caller checks ``verify_is_allowed`` first and holds a transaction."""
        found = (
            self.codes.select_for_update()
            .filter(code_hash=recovery_code_hash(str(token)), used_at__isnull=True)
            .first()
        )
        if found is None:
            self.throttle_increment()
            return False
        found.used_at = timezone.now()
        found.save(update_fields=["used_at"])
        self.throttle_reset()
        return True


class RecoveryCode(models.Model):
    codes = models.ForeignKey(RecoveryCodes, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return "Recovery code"


class Passkey(Device):
    """A WebAuthn credential (a passkey), as a django-otp device so that signing in with it
    marks the session as checked like an authenticator app's code does."""

    credential_id = models.CharField(max_length=1400, unique=True)  # base64url
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def verify_token(self, token: Any) -> bool:
        return False  # a passkey answers a challenge (cairn.accounts.passkeys), not a code


class RecoveryAddress(models.Model):
    """An e-mail address she chose to recover her account by; used only once confirmed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_address"
    )
    address = models.EmailField()
    token_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return "Recovery address"


class KnownDevice(models.Model):
    """A browser she has signed in from, recognised by a random cookie of which only the
    keyed hash is kept. A sign-in from a browser not known for her is a "new device"."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="known_devices"
    )
    key_hash = models.CharField(max_length=64)
    first_seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key_hash"], name="known_device_unique")
        ]

    def __str__(self) -> str:
        return "Known device"


class EndReason(models.TextChoices):
    SIGNED_OUT = "signed_out", "Signed out"
    ENDED = "ended", "Signed out from another browser"
    PASSWORD = "password", "Signed out when the password changed"
    RESET = "reset", "Signed out when the account was recovered"
    CLOSED = "closed", "Signed out when the account was closed"
    UPDATE = "update", "Signed out when Cairn was updated"


class SessionRecord(models.Model):
    """One signed-in session: when, which browser and device, roughly where, and how it
    ended. Keyed by ``cairn.accounts.session_store.session_key_hash`` of the session key,
    never the key itself: the session store keeps the same hash, so ending one marks it and
    deletes its session row (and the middleware signs out a session whose record ended)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_records"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    device = models.ForeignKey(
        KnownDevice, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    new_device = models.BooleanField(default=False)
    browser = models.CharField(max_length=100, blank=True)
    platform = models.CharField(max_length=100, blank=True)
    place = models.CharField(max_length=200, blank=True)
    signed_in_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True)
    notice_cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_in_at"]
        indexes = [models.Index(fields=["user", "signed_in_at"], name="session_user_idx")]

    def __str__(self) -> str:
        return "Session"


class AddressThrottle(models.Model):
    """One counted event (a sign-up, a wrong code) from an address, kept as a keyed hash
    of the address, for limits per address. Old rows are removed as new ones are counted."""

    kind = models.CharField(max_length=32)
    key_hash = models.CharField(max_length=64)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["kind", "key_hash", "at"], name="throttle_idx")]

    def __str__(self) -> str:
        return self.kind
