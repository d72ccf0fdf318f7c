"""Pages of the closure guard (``cairn.cases.closure``): the supervisor's sign-off, posted from
the officer's case page, and the victim's one-step "Ask the unit to reopen the case", posted
from her sharing page. Anyone else gets 404, as elsewhere."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cairn.accounts.models import Role
from cairn.cases import access, closure, defendants
from cairn.cases.models import CaseStatus
from cairn.vault import access as vault_access
from cairn.web.forms import add_service_errors


class SignOffForm(forms.Form):
    reason = forms.CharField(
        label="Why the case can be closed despite the warning",
        help_text="This is kept with the case, with your name, the time and the warning as it "
        "stands now. It cannot be changed later.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": "Write why the case can be closed despite the warning"},
    )


def can_sign_off(user: object, case: object) -> bool:
    membership = access.membership_of(user)
    return (
        membership is not None
        and membership.role == Role.SUPERVISOR
        and getattr(case, "officer_id", None) != getattr(user, "pk", None)
        and getattr(case, "status", None) != CaseStatus.CLOSED
    )


@login_required
@require_POST
def sign_off(request: HttpRequest, case_id: str) -> HttpResponse:
    case = access.get_case_for_user(request.user, case_id)
    if not can_sign_off(request.user, case):
        raise Http404("No such page")
    form = SignOffForm(request.POST)
    if form.is_valid():
        try:
            closure.sign_off_closure(
                actor=request.user, case=case, reason=form.cleaned_data["reason"]
            )
        except PermissionDenied:
            raise Http404("No such page") from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Closure signed off. The case can now be closed.")
            return redirect(reverse("cases:case", args=[case.pk]) + "#closure")
    return render(
        request,
        "cases/case_form.html",
        {
            "nav": "cases",
            "case": case,
            "form": form,
            "title": "Sign off closing the case",
            "button": "Sign off",
            "back": reverse("cases:case", args=[case.pk]),
        },
        status=400,
    )


@login_required
@require_POST
def reopen(request: HttpRequest, vault_id: str, share_id: str) -> HttpResponse:
    """The victim asks the unit to reopen a closed case: one button, no further step."""
    vault = vault_access.get_vault_for_user(request.user, vault_id)
    share = access.get_share_of_owner(request.user, vault, share_id)
    recipient = access.recipient_of_share(share)
    try:
        closure.request_reopen(actor=request.user, vault=vault, share=share)
    except ValidationError:
        messages.info(request, "The case is open already.")
    else:
        messages.success(
            request,
            f"The case is open again. {recipient} can see that you asked for it to be reopened.",
        )
    return redirect("sharing:share", vault.pk)


@login_required
@require_POST
def choose_defendant(request: HttpRequest, case_id: str, share_id: str) -> HttpResponse:
    """An officer says which person of a shared log the case is about (posted from the case
    page's analysis): the SPO grounds and the closure guard read only that person's."""
    case = access.get_case_for_user(request.user, case_id)
    share = access.shares_visible_to(request.user).filter(case=case, pk=share_id).first()
    if share is None:
        raise Http404("No such page")
    try:
        defendants.choose_defendant(
            actor=request.user, share=share, person_id=request.POST.get("defendant", "")
        )
    except PermissionDenied:
        raise Http404("No such page") from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Saved: the case is about the person you chose in this log.")
    return redirect(reverse("cases:case", args=[case.pk]) + "#analysis")
