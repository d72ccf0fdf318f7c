"""Organisation administration (``/org/``) and joining by invitation (``/invite/<token>/``).

The ``/org/`` pages are for an administrator of the organisation and are "not found" (404)
for anyone else. An invitation link that is wrong, used or expired gets one neutral page
with status 404, whoever opens it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from cairn.accounts import access, invitations, services, two_factor
from cairn.accounts.access import membership_of
from cairn.accounts.org_forms import ROLE_HINTS, CreateAccountForm, InviteForm


@login_required
@require_GET
def organisation(request: HttpRequest) -> HttpResponse:
    admin = access.require_administrator(request.user)
    return render(
        request,
        "accounts/org_home.html",
        {
            "organisation": admin.organisation,
            "own_membership": admin,
            "units": access.units_of(admin.organisation),
            "members": access.current_members_of(admin.organisation),
            "nav": "org",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    """Choose a unit and a role; the link is shown once, on the page that answers the POST."""
    admin = access.require_administrator(request.user)
    form = InviteForm(
        request.POST if request.method == "POST" else None, organisation=admin.organisation
    )
    if request.method == "POST" and form.is_valid():
        invitation, token = services.invite(
            actor=request.user, unit=form.cleaned_data["unit"], role=form.cleaned_data["role"]
        )
        link = request.build_absolute_uri(reverse("org:invitation", args=[token]))
        return render(
            request,
            "accounts/org_invite_link.html",
            {
                "invitation": invitation,
                "link": link,
                "organisation": admin.organisation,
                "nav": "org",
            },
        )
    return render(
        request,
        "accounts/org_invite.html",
        {
            "form": form,
            "organisation": admin.organisation,
            "nav": "org",
            "role_hints": [
                (label, ROLE_HINTS[value]) for value, label in form.fields["role"].choices
            ],
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def end_role(request: HttpRequest, membership_id: str) -> HttpResponse:
    """Confirm, then end a member's role. An administrator cannot end their own here, so an
    organisation is never left without one by a slip."""
    admin = access.require_administrator(request.user)
    member = access.get_current_member_of(admin.organisation, membership_id)
    if member.pk == admin.pk:
        raise Http404("No such member")
    if request.method == "POST":
        services.end_role(actor=request.user, membership=member)
        messages.success(request, f"{member.user} no longer has a role in {admin.organisation}.")
        return redirect("org:home")
    return render(request, "accounts/org_end_role.html", {"member": member, "nav": "org"})


def _invalid_invitation(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/invitation_invalid.html", status=404)


def _sign_in_url(request: HttpRequest) -> str:
    return f"{reverse('accounts:sign-in')}?{urlencode({'next': request.path})}"


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """What the invitation offers; signed in, accept it; signed out, sign in or make an
    account first."""
    found = services.find_invitation(token)
    if found is None:
        return _invalid_invitation(request)
    user = request.user
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect(_sign_in_url(request))
        try:
            services.accept_invitation(actor=user, token=token)
        except ValidationError:
            return _invalid_invitation(request)
        # Two-factor set-up (or the check) comes next, by the middleware, then the work page.
        return redirect(two_factor.work_page_url(user))
    return render(
        request,
        "accounts/invitation.html",
        {
            "invitation": found,
            "token": token,
            "current": membership_of(user) if user.is_authenticated else None,
            "sign_in_url": _sign_in_url(request),
        },
    )


@require_http_methods(["GET", "POST"])
def invitation_create_account(request: HttpRequest, token: str) -> HttpResponse:
    found = services.find_invitation(token)
    if found is None:
        return _invalid_invitation(request)
    if request.user.is_authenticated:
        return redirect("org:invitation", token)
    form = CreateAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user, _membership = invitations.create_account_and_accept(
                token=token,
                username=form.cleaned_data["username"],
                display_name=form.cleaned_data["display_name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as exc:
            if "token" in exc.message_dict:
                return _invalid_invitation(request)
            for field, errors in exc.message_dict.items():
                form.add_error(
                    "password1"
                    if field == "password"
                    else (field if field in form.fields else None),
                    errors,
                )
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("accounts:two-factor-set-up")
    return render(
        request,
        "accounts/invitation_create_account.html",
        {
            "form": form,
            "invitation": found,
            "token": token,
        },
        status=400 if form.errors else 200,
    )
