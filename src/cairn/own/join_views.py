"""Joining (``/account/sign-up/``), and the pages where an advocate or officer helps someone
join or get back into her account (``/account/help/``). docs/adr/0030.

Sign-up is "not found" when ``CAIRN_SIGN_UP`` is "closed". The help pages are "not found"
for anyone but an advocate, investigator or supervisor; a reset link can be made only for
the owner of a log shared with them.
"""

from __future__ import annotations

from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cairn.accounts import recovery, sign_up
from cairn.accounts.forms import SignInForm
from cairn.accounts.own_forms import SeenInPersonForm, SignUpForm
from cairn.accounts.throttling import (
    WRONG_CODES,
    count_against,
    is_throttled,
    sign_up_limit,
    too_many_response,
)
from cairn.cases.access import get_shared_vault, shares_visible_to
from cairn.own import reset
from cairn.own import sign_up as joining
from cairn.web.forms import add_service_errors
from cairn.web.own_device import is_own_device, remember_choice


class SignInView(auth_views.LoginView):
    """Django's sign-in, with a way to create an account where the instance allows it."""

    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_initial(self) -> dict[str, object]:
        return {**super().get_initial(), "remember": is_own_device(self.request)}

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        context["sign_up_mode"] = sign_up.mode()
        return context

    def form_valid(self, form: SignInForm) -> HttpResponse:
        response = super().form_valid(form)
        remember_choice(self.request, response, bool(form.cleaned_data.get("remember")))
        return response


@require_http_methods(["GET", "POST"])
def sign_up_page(request: HttpRequest) -> HttpResponse:
    """Safety advice first, then one form: code (invite only), username, password twice,
    initials. Answered by her recovery codes, shown once."""
    current = sign_up.mode()
    if current == sign_up.CLOSED:
        raise Http404("No such page")
    if request.user.is_authenticated:
        return redirect("vault:home")
    needs_code = current == sign_up.INVITE
    initial = {"code": request.GET.get("code", "")} if needs_code else None
    form = SignUpForm(
        request.POST if request.method == "POST" else None, needs_code=needs_code, initial=initial
    )
    if request.method == "POST":
        limit = sign_up_limit()
        if is_throttled(request, limit) or (needs_code and is_throttled(request, WRONG_CODES)):
            return too_many_response(request, limit)
        if form.is_valid():
            count_against(request, limit)
            try:
                user, vault, codes = joining.create_account(
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password1"],
                    initials=form.cleaned_data["initials"],
                    code=form.cleaned_data.get("code", ""),
                )
            except ValidationError as exc:
                if "code" in exc.message_dict:
                    count_against(request, WRONG_CODES)
                add_service_errors(form, exc)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return render(
                    request,
                    "accounts/recovery_codes_shown.html",
                    {
                        "codes": codes,
                        "continue_url": reverse("vault:vault", args=[vault.pk]),
                        "first_time": True,
                    },
                )
    return render(
        request,
        "accounts/sign_up.html",
        {"form": form, "needs_code": needs_code},
        status=400 if form.errors else 200,
    )


# --- for advocates and officers ----------------------------------------------------------------


def _helper(request: HttpRequest) -> None:
    if not sign_up.may_invite(request.user):
        raise Http404("No such page")


@login_required
@require_GET
def help_page(request: HttpRequest) -> HttpResponse:
    _helper(request)
    shares = (
        shares_visible_to(request.user)
        .select_related("vault", "vault__owner", "case")
        .order_by("-created_at")
    )
    people = {}
    for share in shares:
        people.setdefault(share.vault_id, share)
    return render(
        request,
        "accounts/help.html",
        {
            "nav": "account",
            "mode": sign_up.mode(),
            "people": list(people.values()),
            "invitations": sign_up.invitations_issued_by(request.user)[:20],
            "reset_links": recovery.reset_links_issued_by(request.user)[:20],
        },
    )


@login_required
@require_POST
def help_invite(request: HttpRequest) -> HttpResponse:
    """A sign-up code and its link, shown once on the page that answers the POST."""
    _helper(request)
    code = sign_up.issue_invitation(actor=request.user)
    link = request.build_absolute_uri(reverse("accounts:sign-up")) + f"?code={code}"
    return render(
        request,
        "accounts/help_invite.html",
        {
            "code": code,
            "link": link,
            "mode": sign_up.mode(),
            "nav": "account",
            "lifetime_days": sign_up.INVITATION_LIFETIME.days,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def help_reset(request: HttpRequest, vault_id: str) -> HttpResponse:
    """A one-time link for the owner of a log shared with this person to set a new
    password, after they confirm they have seen her in person."""
    _helper(request)
    vault = get_shared_vault(request.user, vault_id)
    form = SeenInPersonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        token = reset.issue_reset_link(actor=request.user, vault=vault)
        link = request.build_absolute_uri(reverse("accounts:reset-link", args=[token]))
        return render(
            request,
            "accounts/help_reset_link.html",
            {
                "link": link,
                "owner": vault.owner,
                "nav": "account",
                "lifetime_hours": int(recovery.RESET_LINK_LIFETIME.total_seconds() // 3600),
            },
        )
    return render(
        request,
        "accounts/help_reset.html",
        {
            "form": form,
            "owner": vault.owner,
            "shared_vault": vault,
            "nav": "account",
        },
        status=400 if form.errors else 200,
    )
