"""The two-factor pages: set up an authenticator app, and give a code at sign-in (ADR 0014)."""

from __future__ import annotations

import math
from typing import Any

import django_otp
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cairn.accounts import access, reauth, two_factor
from cairn.accounts.access import membership_of
from cairn.accounts.forms import TwoFactorCodeForm
from cairn.web.redirects import local_next

WRONG = "The code is not right. Check the code your app shows now and try again"
WAIT = "Too many wrong codes. Wait {minutes}, then try again"


def next_url(request: HttpRequest) -> str:
    return local_next(request, two_factor.work_page_url(request.user))


def _error(form: TwoFactorCodeForm, outcome: two_factor.Check, device: Any = None) -> None:
    if outcome is not two_factor.Check.WAIT:
        form.add_error("code", WRONG)
        return
    until = two_factor.wait_until(device) if device is not None else None
    seconds = (until - timezone.now()).total_seconds() if until else 60
    minutes = max(1, math.ceil(seconds / 60))
    form.add_error(
        "code", WAIT.format(minutes="a minute" if minutes == 1 else f"{minutes} minutes")
    )


@login_required
@require_http_methods(["GET", "POST"])
def set_up(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: scan the QR code (or type the key), then give a code.

    Required for a member; a victim may add one (after typing her password again), and
    one who already has a passkey adds it from a checked session."""
    user = request.user
    member = two_factor.is_member(user)
    if two_factor.has_confirmed_device(user):
        if user.is_verified():  # type: ignore[union-attr]
            return redirect(next_url(request))
        return redirect("accounts:two-factor-verify")
    if not member:
        if two_factor.has_second_factor(user) and not user.is_verified():  # type: ignore[union-attr]
            return redirect("accounts:two-factor-verify")
        if not reauth.password_is_recent(request):
            return redirect(reauth.confirm_url(request.get_full_path()))
    device = two_factor.device_for_set_up(actor=user)
    form = TwoFactorCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        outcome, confirmed = two_factor.confirm_device(
            actor=user, device=device, code=form.cleaned_data["code"]
        )
        if confirmed is not None:
            request.session.cycle_key()
            django_otp.login(request, confirmed)
            return redirect(next_url(request))
        device.refresh_from_db()
        _error(form, outcome, device)
    return render(
        request,
        "accounts/two_factor_set_up.html",
        {
            "form": form,
            "secret": two_factor.secret_text(device),
            "qr_code": two_factor.qr_code_data_uri(device),
            "membership": membership_of(user),
            "is_member": member,
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the code the app shows now."""
    user = request.user
    if not two_factor.requires_two_factor(user):
        raise Http404("No such page")
    if user.is_verified():  # type: ignore[union-attr]
        return redirect(next_url(request))
    if not two_factor.has_second_factor(user):
        return redirect("accounts:two-factor-set-up")
    has_app = two_factor.has_confirmed_device(user)
    form = TwoFactorCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and has_app and form.is_valid():
        outcome, device = two_factor.check_code(actor=user, code=form.cleaned_data["code"])
        if device is not None:
            request.session.cycle_key()
            django_otp.login(request, device)
            return redirect(next_url(request))
        _error(form, outcome, access.confirmed_totp_device(user))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {
            "form": form,
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "has_app": has_app,
            "has_passkey": access.passkeys_of(user).exists(),
        },
        status=400 if form.errors else 200,
    )
