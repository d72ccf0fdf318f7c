"""Her account's pages under ``/account/``: the account page, password, where she is signed
in, the new-device notice, another log, and closing the account (docs/adr/0030).

Every page here is about the signed-in person's own account and reads only hers; pages a
member of an organisation may not use (another log, closing) are "not found" for them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cairn.accounts import access, reauth, recovery, sessions, sign_up, two_factor
from cairn.accounts.own_forms import ChangePasswordForm, NewLogForm, PasswordForm
from cairn.accounts.throttling import WRONG_PASSWORDS, count_against, is_throttled
from cairn.accounts.throttling import too_many_response as too_many
from cairn.own import account as own
from cairn.vault import access as vault_access
from cairn.vault import services as vault_services
from cairn.web.forms import add_service_errors
from cairn.web.redirects import local_next

CLOSE_CONFIRMED = "cairn_close_confirmed"


def _safe_next(request: HttpRequest, default: str) -> str:
    return local_next(request, default)


def _victim(request: HttpRequest) -> None:
    if not own.may_close(request.user):
        raise Http404("No such page")


def _password_checked(
    request: HttpRequest, form: PasswordForm | ChangePasswordForm, field: str
) -> bool | None:
    """Validate a form that holds her password, counting wrong passwords against her
    address; None when there have been too many."""
    extra = str(request.user.pk)
    if request.method == "POST" and is_throttled(request, WRONG_PASSWORDS, extra):
        return None
    valid = form.is_valid()
    if request.method == "POST" and field in form.errors and request.POST.get(field):
        count_against(request, WRONG_PASSWORDS, extra)
    return valid


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "nav": "account",
            "is_member": two_factor.is_member(user),
            "has_app": two_factor.has_confirmed_device(user),
            "passkeys": access.passkeys_of(user),
            "codes_left": recovery.codes_left(user),
            "mail": recovery.mail_available(),
            "address": recovery.recovery_address_of(user),
            "active": len(sessions.active_sessions_of(user)),
            "activity": recovery.account_activity(user)[:10],
            "logs": vault_access.vaults_readable_by(user),
            "may_invite": sign_up.may_invite(user),
            "may_close": own.may_close(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def password(request: HttpRequest) -> HttpResponse:
    form = ChangePasswordForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST":
        checked = _password_checked(request, form, "old_password")
        if checked is None:
            return too_many(request, WRONG_PASSWORDS)
        if checked:
            try:
                own.change_password(
                    actor=request.user,
                    password=form.cleaned_data["new_password1"],
                    keep=sessions.current_record(request),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                update_session_auth_hash(request, request.user)
                reauth.note_password_typed(request)
                messages.success(
                    request,
                    "Your password has been changed. Any other browser "
                    "signed in to your account has been signed out.",
                )
                return redirect("accounts:account")
    return render(
        request,
        "accounts/password.html",
        {"form": form, "nav": "account"},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def confirm_password(request: HttpRequest) -> HttpResponse:
    form = PasswordForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST":
        checked = _password_checked(request, form, "password")
        if checked is None:
            return too_many(request, WRONG_PASSWORDS)
        if checked:
            reauth.note_password_typed(request)
            return redirect(_safe_next(request, "accounts:account"))
    return render(
        request,
        "accounts/confirm_password.html",
        {
            "form": form,
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "nav": "account",
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    current = sessions.current_record(request)
    records = list(sessions.sessions_of(request.user)[:50])
    active = [r for r in records if sessions.is_active(r)]
    return render(
        request,
        "accounts/sessions.html",
        {
            "nav": "account",
            "current": current,
            "active": active,
            "others": [r for r in active if current is None or r.pk != current.pk],
            "recent": records,
            "places_known": bool(_places_known()),
        },
    )


def _places_known() -> bool:
    return bool(settings.CAIRN_GEOIP_DATABASE)


@login_required
@require_POST
def session_end(request: HttpRequest, session_id: str) -> HttpResponse:
    record = sessions.get_session_of(request.user, session_id)
    current = sessions.current_record(request)
    if current is not None and record.pk == current.pk:
        return redirect("accounts:sessions")  # this browser signs out with "Sign out"
    sessions.end_session(actor=request.user, record=record)
    messages.success(request, "That browser has been signed out.")
    return redirect("accounts:sessions")


@login_required
@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    ended = sessions.end_sessions(
        actor=request.user,
        user=request.user,
        reason=sessions.EndReason.ENDED,
        keep=sessions.current_record(request),
    )
    messages.success(
        request,
        "Every other browser has been signed out." if ended else "No other browser was signed in.",
    )
    return redirect("accounts:sessions")


@login_required
@require_http_methods(["GET", "POST"])
def sign_in_notice(request: HttpRequest) -> HttpResponse:
    current = sessions.current_record(request)
    notices = list(sessions.new_device_notices(request.user, current)[:20])
    if request.method == "POST" or not notices:
        sessions.clear_notices(actor=request.user, current=current)
        request.session.pop(sessions.NOTICE_PENDING, None)
        return redirect(_safe_next(request, "vault:home"))
    return render(
        request,
        "accounts/sign_in_notice.html",
        {"notices": notices, "next": request.GET.get("next", ""), "nav": "account"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_log(request: HttpRequest) -> HttpResponse:
    """Another log (for example for her child) from her home page."""
    _victim(request)
    form = NewLogForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            vault = vault_services.create_vault(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("vault:vault", vault.pk)
    return render(
        request,
        "accounts/new_log.html",
        {"form": form, "nav": "home"},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest) -> HttpResponse:
    """What closing means, the packs to download first, then her password."""
    _victim(request)
    form = PasswordForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST":
        checked = _password_checked(request, form, "password")
        if checked is None:
            return too_many(request, WRONG_PASSWORDS)
        if checked:
            reauth.note_password_typed(request)
            request.session[CLOSE_CONFIRMED] = True
            return redirect("accounts:close-check")
    return render(
        request,
        "accounts/close.html",
        {
            "form": form,
            "closing": own.what_closing_does(request.user),
            "nav": "account",
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def close_check(request: HttpRequest) -> HttpResponse:
    """Check your answers, then destroy every log and close the account."""
    _victim(request)
    if not request.session.get(CLOSE_CONFIRMED) or not reauth.password_is_recent(request):
        return redirect("accounts:close")
    if request.method == "POST":
        own.close_account(actor=request.user)
        logout(request)
        return redirect("accounts:closed")
    return render(
        request,
        "accounts/close_check.html",
        {"closing": own.what_closing_does(request.user), "nav": "account"},
    )


@require_GET
def closed(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/closed.html")
