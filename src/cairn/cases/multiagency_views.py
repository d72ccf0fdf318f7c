"""The case page's "Right to know" and "Referrals" sections (issue 15, point 6): each form
posts here, the services in ``cairn.cases.multiagency`` act, and the officer returns to the
section, with the service's refusal shown there. Who may act: the case's unit (404 for anyone
else, as for the case)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from cairn.cases import access, multiagency
from cairn.cases.forms import ReferralForm, ReferralOutcomeForm, RightToKnowForm
from cairn.cases.models import Case


def _done(
    request: HttpRequest, case: Case, anchor: str, form: Any, call: Any, success: str
) -> HttpResponse:
    target = reverse("cases:case", args=[case.pk]) + f"#{anchor}"
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except PermissionDenied:
            raise Http404("No such page") from None
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, success)
        return redirect(target)
    for message in [m for errors in form.errors.values() for m in errors]:
        messages.error(request, message)
    return redirect(target)


@login_required
@require_POST
def right_to_know(request: HttpRequest, case_id: str) -> HttpResponse:
    case = access.get_case_for_user(request.user, case_id)
    suspects = list(case.suspects.all())
    return _done(
        request,
        case,
        "right-to-know",
        RightToKnowForm(request.POST),
        lambda d: multiagency.decide_right_to_know(
            actor=request.user,
            case=case,
            identified_on=d["identified_on"],
            how_identified=d["how_identified"],
            decision=d["decision"],
            reasons=d["reasons"],
            decided_on=d["decided_on"],
            told_on=d["told_on"],
            suspect=suspects[0] if len(suspects) == 1 else None,
        ),
        "Right-to-know decision recorded",
    )


@login_required
@require_POST
def referral_new(request: HttpRequest, case_id: str) -> HttpResponse:
    case = access.get_case_for_user(request.user, case_id)
    return _done(
        request,
        case,
        "referrals",
        ReferralForm(request.POST),
        lambda d: multiagency.refer(
            actor=request.user,
            case=case,
            kind=d["kind"],
            referred_on=d["referred_on"],
            agency=d["agency"],
            meeting_on=d["meeting_on"],
            note=d["note"],
        ),
        "Referral recorded",
    )


@login_required
@require_POST
def referral_outcome(request: HttpRequest, case_id: str, referral_id: int) -> HttpResponse:
    case = access.get_case_for_user(request.user, case_id)
    referral = access.get_referral_for_user(request.user, case, referral_id)
    return _done(
        request,
        case,
        "referrals",
        ReferralOutcomeForm(request.POST),
        lambda d: multiagency.record_referral_outcome(
            actor=request.user, referral=referral, outcome=d["outcome"], on=d["outcome_on"]
        ),
        "Outcome recorded",
    )
