"""Getting back in (``/account/recover/``, ``/account/reset/<link>/``), her recovery codes
and her recovery address. docs/adr/0030.

Wrong codes and links are counted against the address they came from; past the limit the
page says to wait. A wrong, used or expired link gets one neutral page with status 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from cairn.accounts import recovery
from cairn.accounts.own_forms import (
    AddressForm,
    NewPasswordFields,
    RecoverWithCodeForm,
    UsernameForm,
)
from cairn.accounts.reauth import needs_recent_password
from cairn.accounts.throttling import WRONG_CODES, count_against, is_throttled, too_many_response
from cairn.web.forms import add_service_errors

FIELDS = {"password1": "new_password1", "password": "new_password1"}


def _link_not_valid(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/link_not_valid.html", status=404)


@require_GET
def recover(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/recover.html", {"mail": recovery.mail_available()})


@require_http_methods(["GET", "POST"])
def recover_with_code(request: HttpRequest) -> HttpResponse:
    form = RecoverWithCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if is_throttled(request, WRONG_CODES):
            return too_many_response(request, WRONG_CODES)
        if form.is_valid():
            try:
                recovery.recover_with_code(
                    username=form.cleaned_data["username"],
                    code=form.cleaned_data["code"],
                    password=form.cleaned_data["new_password1"],
                )
            except ValidationError as exc:
                if "code" in exc.message_dict:
                    count_against(request, WRONG_CODES)
                add_service_errors(form, exc, FIELDS)
            else:
                messages.success(request, "Your password has been changed. Sign in with it.")
                return redirect("accounts:sign-in")
    return render(
        request, "accounts/recover_code.html", {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def reset_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link an advocate or officer gave her: set a new password."""
    if is_throttled(request, WRONG_CODES):
        return too_many_response(request, WRONG_CODES)
    link = recovery.open_reset_link(token)
    if link is None:
        count_against(request, WRONG_CODES)
        return _link_not_valid(request)
    form = NewPasswordFields(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            _user, codes = recovery.reset_with_link(
                token=token, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as exc:
            if "token" in exc.message_dict:
                return _link_not_valid(request)
            add_service_errors(form, exc, FIELDS)
        else:
            return render(
                request,
                "accounts/recovery_codes_shown.html",
                {"codes": codes, "continue_url": reverse("accounts:sign-in"), "after_reset": True},
            )
    return render(
        request,
        "accounts/reset_link.html",
        {"form": form, "username": link.user.get_username()},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def recover_by_email(request: HttpRequest) -> HttpResponse:
    if not recovery.mail_available():
        raise Http404("No such page")
    form = UsernameForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if is_throttled(request, WRONG_CODES):
            return too_many_response(request, WRONG_CODES)
        count_against(request, WRONG_CODES)  # each request counts: no flood of messages
        found = recovery.email_recovery_for(form.cleaned_data["username"])
        if found is not None:
            user, address, token = found
            link = request.build_absolute_uri(
                reverse("accounts:recover-email-link", args=[user.pk, token])
            )
            send_mail("Your sign-in link", _message(link), None, [address])
        return render(request, "accounts/recover_email_sent.html")
    return render(
        request, "accounts/recover_email.html", {"form": form}, status=400 if form.errors else 200
    )


def _message(link: str) -> str:
    return (
        "Someone asked to set a new password for your account. If it was you, open this "
        f"link:\n\n{link}\n\nIt works once. If it was not you, you can ignore this "
        "message: nothing has changed.\n"
    )


@require_http_methods(["GET", "POST"])
def recover_email_link(request: HttpRequest, user_id: str, token: str) -> HttpResponse:
    if not recovery.mail_available():
        raise Http404("No such page")
    user = recovery.user_for_email_token(user_id, token)
    if user is None:
        return _link_not_valid(request)
    form = NewPasswordFields(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            recovery.reset_with_email_token(
                user_id=user_id, token=token, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as exc:
            if "token" in exc.message_dict:
                return _link_not_valid(request)
            add_service_errors(form, exc, FIELDS)
        else:
            messages.success(request, "Your password has been changed. Sign in with it.")
            return redirect("accounts:sign-in")
    return render(
        request,
        "accounts/reset_link.html",
        {"form": form, "username": user.get_username()},
        status=400 if form.errors else 200,
    )


# --- signed in: her recovery codes and address ------------------------------------------------


@login_required
@needs_recent_password
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        codes = recovery.make_recovery_codes(actor=request.user)
        return render(
            request,
            "accounts/recovery_codes_shown.html",
            {"codes": codes, "continue_url": reverse("accounts:account")},
        )
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes_left": recovery.codes_left(request.user), "nav": "account"},
    )


@login_required
@needs_recent_password
@require_http_methods(["GET", "POST"])
def recovery_address(request: HttpRequest) -> HttpResponse:
    if not recovery.mail_available():
        raise Http404("No such page")
    form = AddressForm(
        request.POST if request.method == "POST" and "remove" not in request.POST else None
    )
    if request.method == "POST" and "remove" in request.POST:
        recovery.remove_recovery_address(actor=request.user)
        messages.success(request, "Your recovery address has been removed.")
        return redirect("accounts:account")
    if request.method == "POST" and form.is_valid():
        try:
            token = recovery.add_recovery_address(
                actor=request.user, address=form.cleaned_data["address"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            link = request.build_absolute_uri(reverse("accounts:email-confirm", args=[token]))
            send_mail(
                "Confirm your address",
                "Open this link to confirm this address for "
                f"getting back into your account:\n\n{link}\n",
                None,
                [form.cleaned_data["address"]],
            )
            messages.success(
                request,
                "We have sent a message to that address. Open the link "
                "in it to confirm the address.",
            )
            return redirect("accounts:account")
    return render(
        request,
        "accounts/recovery_address.html",
        {
            "form": form,
            "address": recovery.recovery_address_of(request.user),
            "nav": "account",
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def confirm_address(request: HttpRequest, token: str) -> HttpResponse:
    if not recovery.mail_available():
        raise Http404("No such page")
    if not recovery.confirm_recovery_address(actor=request.user, token=token):
        return _link_not_valid(request)
    messages.success(request, "Your recovery address is confirmed.")
    return redirect("accounts:account")
