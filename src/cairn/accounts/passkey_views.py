"""Her second factor: passkeys (``/account/passkeys/``), turning off an authenticator app,
and the sign-in steps that take a passkey or a recovery code instead of an app's code.

The passkey ceremonies are two JSON calls each (options, then the browser's answer), made
by ``accounts/static/accounts/passkeys.js`` with the page's CSRF token.
"""

from __future__ import annotations

import json
from typing import Any

import django_otp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cairn.accounts import access, passkeys, reauth, recovery, two_factor
from cairn.accounts.own_forms import RecoveryCodeForm
from cairn.accounts.two_factor_views import next_url

NAME_LIMIT = 64


def _body(request: HttpRequest) -> dict[str, Any]:
    """The JSON the page's script posted: ``{"credential": {...}, "name": "..."}``."""
    try:
        body = json.loads(request.body.decode("utf-8", errors="replace")[:40000] or "{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _credential(request: HttpRequest) -> str:
    return json.dumps(_body(request).get("credential") or {})


@login_required
@reauth.needs_recent_password
@require_GET
def passkey_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/passkeys.html",
        {"passkeys": access.passkeys_of(request.user), "nav": "account"},
    )


@login_required
@require_POST
def passkey_options(request: HttpRequest) -> HttpResponse:
    if not reauth.password_is_recent(request):
        return JsonResponse({"error": "Confirm your password again", "reload": True}, status=400)
    return HttpResponse(passkeys.registration_options(request), content_type="application/json")


@login_required
@require_POST
def passkey_add(request: HttpRequest) -> HttpResponse:
    if not reauth.password_is_recent(request):
        return JsonResponse({"error": "Confirm your password again", "reload": True}, status=400)
    name = " ".join(str(_body(request).get("name") or "").split())[:NAME_LIMIT] or "Passkey"
    try:
        passkey = passkeys.register(
            actor=request.user, request=request, credential=_credential(request), name=name
        )
    except passkeys.PasskeyError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    # This browser has just shown the passkey: it counts as checked.
    django_otp.login(request, passkey)
    messages.success(request, "Your passkey has been added. You will use it each time you sign in.")
    return JsonResponse({"redirect": reverse("accounts:passkeys")})


@login_required
@reauth.needs_recent_password
@require_POST
def passkey_remove(request: HttpRequest, passkey_id: int) -> HttpResponse:
    passkey = passkeys.get_passkey_of(request.user, passkey_id)
    passkeys.remove_passkey(actor=request.user, passkey=passkey)
    messages.success(request, "The passkey has been removed.")
    return redirect("accounts:passkeys")


@login_required
@reauth.needs_recent_password
@require_POST
def app_remove(request: HttpRequest) -> HttpResponse:
    """A victim turns off her authenticator app (members keep theirs)."""
    if two_factor.is_member(request.user) or not two_factor.has_confirmed_device(request.user):
        raise Http404("No such page")
    two_factor.remove_app(actor=request.user)
    messages.success(request, "Your authenticator app is no longer asked for.")
    return redirect("accounts:account")


# --- at sign-in, instead of an app's code ------------------------------------------------------


def _second_step(request: HttpRequest) -> None:
    if not two_factor.requires_two_factor(request.user):
        raise Http404("No such page")


@login_required
@require_POST
def sign_in_passkey_options(request: HttpRequest) -> HttpResponse:
    _second_step(request)
    if not access.passkeys_of(request.user).exists():
        raise Http404("No such page")
    return HttpResponse(passkeys.authentication_options(request), content_type="application/json")


@login_required
@require_POST
def sign_in_passkey(request: HttpRequest) -> HttpResponse:
    _second_step(request)
    try:
        passkey = passkeys.authenticate(request=request, credential=_credential(request))
    except passkeys.PasskeyError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    request.session.cycle_key()
    django_otp.login(request, passkey)
    return JsonResponse({"redirect": next_url(request)})


@login_required
@require_http_methods(["GET", "POST"])
def sign_in_recovery_code(request: HttpRequest) -> HttpResponse:
    """A recovery code in place of the second factor (a lost phone): used up."""
    _second_step(request)
    form = RecoveryCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        outcome, device = recovery.check_recovery_code(
            actor=request.user, code=form.cleaned_data["code"]
        )
        if device is not None:
            request.session.cycle_key()
            django_otp.login(request, device)
            return redirect(next_url(request))
        form.add_error(
            "code",
            "Too many wrong codes. Wait a minute, then try again"
            if outcome is two_factor.Check.WAIT
            else "That code is not right, or has been used",
        )
    return render(
        request,
        "accounts/two_factor_recovery_code.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
        status=400 if form.errors else 200,
    )
