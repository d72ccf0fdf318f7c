"""Where she is signed in: a record of each session, new-device notices, ending sessions.

What: every sign-in makes a ``SessionRecord`` (when, the browser and device named from the
user agent, an approximate place where the instance has a place database), keyed by
``session_key_hash`` of the session key. ``SessionRecordMiddleware`` finds the record of each
signed-in request, notes when it was last used, follows the key when it changes (sign-in,
two-factor check, password change), and signs out a session whose record was ended.

Why: "how do I know if they are watching?" applies to Cairn itself. She sees every browser
signed in to her account and ends any of them; a sign-in from a browser her account has not
used before is shown to her, on the page, at her next sign-in elsewhere (never by e-mail,
which he may read).

Never kept: the session key itself (only its keyed hash, the same one the session store
keeps in place of the key: ``cairn.accounts.session_store``, so ending a session deletes its
session row as well and it is signed out at once), the IP address, the full user-agent
string.

Failures: a session whose record cannot be found (one older than this code) gets a record at
its next request; a place database that cannot be read gives no place, never an error.
"""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

import maxminddb
from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from ua_parser import parse

from cairn.accounts.hashing import keyed_hash
from cairn.accounts.models import EndReason, KnownDevice, Passkey, SessionRecord
from cairn.accounts.session_store import SessionStore, session_key_hash
from cairn.accounts.throttling import client_address
from cairn.audit import services as audit

DEVICE_COOKIE = "cairn_device"
DEVICE_COOKIE_AGE = 365 * 24 * 3600
TOUCH_EVERY = timedelta(minutes=1)
RECENT = timedelta(days=30)
NOTICE_FOR = timedelta(days=90)
NOTICE_PENDING = "cairn_sign_in_notice"


def device_hash(value: str) -> str:
    return keyed_hash("device", value)


# --- what a sign-in looked like ------------------------------------------------------------


@dataclass(frozen=True)
class Agent:
    browser: str
    platform: str


def describe_agent(user_agent: str) -> Agent:
    """The browser and the device or system, in words, from a user-agent string (ua-parser's
    rules); empty strings when it says nothing recognisable."""
    if not user_agent:
        return Agent("", "")
    result = parse(user_agent[:1000])
    browser = ""
    if result.user_agent is not None and result.user_agent.family != "Other":
        browser = result.user_agent.family
    system = result.os.family if result.os is not None and result.os.family != "Other" else ""
    device = ""
    if result.device is not None and result.device.family not in ("Other", "Spider"):
        device = result.device.family
    platform = (
        f"{device} ({system})" if device and system and system not in device else (device or system)
    )
    return Agent(browser[:100], platform[:100])


@cache
def _place_reader(path: str) -> Any:
    return maxminddb.open_database(path)


def place_of(address: str | None) -> str:
    """An approximate place ("Leeds, United Kingdom") for a public address, from the
    MaxMind-format database named by ``CAIRN_GEOIP_DATABASE``; "" when there is none, the
    address is private or local, or the database does not know it."""
    path = settings.CAIRN_GEOIP_DATABASE
    if not path or not address:
        return ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    if not ip.is_global:
        return ""
    try:
        found = _place_reader(path).get(str(ip))
    except (OSError, ValueError, maxminddb.InvalidDatabaseError):
        return ""
    if not isinstance(found, dict):
        return ""

    def name(part: str) -> str:
        names = (found.get(part) or {}).get("names") or {}
        return str(names.get("en", ""))

    return ", ".join(p for p in (name("city"), name("country")) if p)[:200]


# --- recording sign-ins --------------------------------------------------------------------


def _agent_of(request: HttpRequest) -> Agent:
    return describe_agent(request.META.get("HTTP_USER_AGENT", ""))


def _address_of(request: HttpRequest) -> str | None:
    return client_address(request)


def record_sign_in(request: HttpRequest, user: Any) -> SessionRecord:
    """Record a sign-in that has just happened on ``request`` (Django's ``user_logged_in``).

    The browser is recognised by its device cookie; one this account has not used before is
    a new device, unless the account has never been used anywhere (her very first sign-in).
    """
    session = request.session
    if session.session_key is None:
        session.save()
    key_hash = session_key_hash(str(session.session_key))
    same = SessionRecord.objects.filter(key_hash=key_hash, user=user, ended_at__isnull=True).first()
    if same is not None:  # signed in again in the same session (Django kept its key)
        request._cairn_session_record = same  # type: ignore[attr-defined]
        return same
    now = timezone.now()
    cookie = request.COOKIES.get(DEVICE_COOKIE, "")
    if not cookie or len(cookie) > 100:
        cookie = secrets.token_urlsafe(32)
    request._cairn_device_cookie = cookie  # type: ignore[attr-defined]
    agent = _agent_of(request)
    with transaction.atomic():
        first_ever = not KnownDevice.objects.filter(user=user).exists()
        device, created = KnownDevice.objects.get_or_create(user=user, key_hash=device_hash(cookie))
        record = SessionRecord.objects.create(
            user=user,
            key_hash=key_hash,
            device=device,
            new_device=created and not first_ever,
            browser=agent.browser,
            platform=agent.platform,
            place=place_of(_address_of(request)),
            signed_in_at=now,
            last_seen_at=now,
        )
        audit.record(
            actor=user,
            action="session.started",
            object_type="user",
            object_id=user.pk,
            detail={"new_device": record.new_device},
        )
    request._cairn_session_record = record  # type: ignore[attr-defined]
    # Shown at a sign-in on the sign-in page (not when an account is made or a test signs in).
    match = getattr(request, "resolver_match", None)
    if (
        match is not None
        and match.view_name == "accounts:sign-in"
        and new_device_notices(user, record).exists()
    ):
        session[NOTICE_PENDING] = True
    return record


def record_sign_out(request: HttpRequest) -> None:
    """Mark the current session's record ended (Django's ``user_logged_out``)."""
    key = getattr(request, "session", None) and request.session.session_key
    if key:
        SessionRecord.objects.filter(key_hash=session_key_hash(key), ended_at__isnull=True).update(
            ended_at=timezone.now(), end_reason=EndReason.SIGNED_OUT
        )


def current_record(request: HttpRequest) -> SessionRecord | None:
    return getattr(request, "_cairn_session_record", None)


# --- reading: for her own pages --------------------------------------------------------------


def is_active(record: SessionRecord, now: Any = None) -> bool:
    now = now or timezone.now()
    idle = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    return record.ended_at is None and record.last_seen_at > now - idle


def sessions_of(user: Any) -> QuerySet[SessionRecord]:
    """Her sign-ins of the last 30 days, newest first (her own, and only hers)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return SessionRecord.objects.none()
    return SessionRecord.objects.filter(user=user, signed_in_at__gte=timezone.now() - RECENT)


def active_sessions_of(user: Any) -> list[SessionRecord]:
    now = timezone.now()
    idle = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    return list(sessions_of(user).filter(ended_at__isnull=True, last_seen_at__gt=now - idle))


def get_session_of(user: Any, pk: Any) -> SessionRecord:
    try:
        return sessions_of(user).get(pk=pk)
    except (SessionRecord.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404("No such page") from None


def new_device_notices(user: Any, current: SessionRecord | None) -> QuerySet[SessionRecord]:
    """Sign-ins from a new device that she has not yet been shown, from any browser but the
    one she is using now (which knows its own sign-in)."""
    found = SessionRecord.objects.filter(
        user=user,
        new_device=True,
        notice_cleared_at__isnull=True,
        signed_in_at__gte=timezone.now() - NOTICE_FOR,
    )
    if current is not None:
        found = found.exclude(pk=current.pk)
        if current.device_id is not None:
            found = found.exclude(device_id=current.device_id)
    return found.order_by("-signed_in_at")


# --- the write path ----------------------------------------------------------------------------


def clear_notices(*, actor: Any, current: SessionRecord | None) -> int:
    """She has seen the new-device notices shown to her on this browser."""
    with transaction.atomic():
        cleared = new_device_notices(actor, current).update(notice_cleared_at=timezone.now())
        if cleared:
            audit.record(
                actor=actor,
                action="account.sign_in_notices_seen",
                object_type="user",
                object_id=actor.pk,
                detail={"count": cleared},
            )
    return cleared


def end_session(*, actor: Any, record: SessionRecord) -> None:
    """Sign out one of her other browsers: its session row is deleted, so its next request
    is signed out."""
    if record.user_id != actor.pk:
        raise PermissionDenied("Only the account's owner can end its sessions")
    with transaction.atomic():
        SessionRecord.objects.filter(pk=record.pk, ended_at__isnull=True).update(
            ended_at=timezone.now(), end_reason=EndReason.ENDED
        )
        SessionStore.delete_hashed([record.key_hash])
        audit.record(
            actor=actor,
            action="session.ended",
            object_type="user",
            object_id=actor.pk,
            detail={"sessions": 1},
        )


def end_sessions(*, actor: Any, user: Any, reason: str, keep: SessionRecord | None = None) -> int:
    """End every session of ``user`` but ``keep`` (their session rows are deleted); in the
    caller's transaction when there is one. Returns how many were ended."""
    with transaction.atomic():
        found = SessionRecord.objects.filter(user=user, ended_at__isnull=True)
        if keep is not None:
            found = found.exclude(pk=keep.pk)
        hashes = list(found.values_list("key_hash", flat=True))
        ended = found.update(ended_at=timezone.now(), end_reason=reason)
        SessionStore.delete_hashed(hashes)
        audit.record(
            actor=actor,
            action="session.ended",
            object_type="user",
            object_id=user.pk,
            detail={"sessions": ended, "reason": reason},
        )
    return ended


# --- the middleware's part -------------------------------------------------------------------


def follow_request(request: HttpRequest) -> None:
    """At the start of a signed-in request: find its record (making one for a session older
    than this code), sign it out if the record was ended, note the time."""
    user = request.user
    key = request.session.session_key
    if not user.is_authenticated or not key:
        return
    key_hash = session_key_hash(key)
    request._cairn_session_key_hash = key_hash  # type: ignore[attr-defined]
    # One query: the record, and whether she has a second factor (for the two-factor
    # middleware, which runs next: ``two_factor.requires_two_factor`` reads it).
    record = (
        SessionRecord.objects.filter(key_hash=key_hash)
        .annotate(
            has_app=Exists(TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True)),
            has_passkey=Exists(Passkey.objects.filter(user=OuterRef("user"), confirmed=True)),
        )
        .first()
    )
    if record is not None and record.user_id == user.pk:
        user._cairn_second_factor = record.has_app or record.has_passkey  # type: ignore[union-attr]
    if record is not None and (record.ended_at is not None or record.user_id != user.pk):
        logout(request)
        return
    now = timezone.now()
    if record is None:
        agent = _agent_of(request)
        record = SessionRecord.objects.create(
            user=user,
            key_hash=key_hash,
            browser=agent.browser,
            platform=agent.platform,
            signed_in_at=now,
            last_seen_at=now,
        )
    elif now - record.last_seen_at > TOUCH_EVERY:
        SessionRecord.objects.filter(pk=record.pk).update(last_seen_at=now)
        record.last_seen_at = now
    request._cairn_session_record = record  # type: ignore[attr-defined]


def finish_response(request: HttpRequest, response: HttpResponse) -> None:
    """At the end of the request: follow a changed session key, and give a browser that
    signed in its device cookie."""
    record = current_record(request)
    session = getattr(request, "session", None)
    if record is not None and session is not None and session.session_key:
        key_hash = session_key_hash(session.session_key)
        if key_hash != record.key_hash and record.ended_at is None:
            SessionRecord.objects.filter(pk=record.pk).update(key_hash=key_hash)
    cookie = getattr(request, "_cairn_device_cookie", None)
    if cookie and request.COOKIES.get(DEVICE_COOKIE) != cookie:
        response.set_cookie(
            DEVICE_COOKIE,
            cookie,
            max_age=DEVICE_COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
