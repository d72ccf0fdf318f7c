"""A case's risk assessments: the versions, a new one answered with the questionnaire engine
(Cairn's own form, and any a deployment adds in ``CAIRN_RISK_FORM_DIRS``), prefilled from the
analysis of the shared evidence, and a supervisor's review.

A new assessment reads the shared evidence (to prefill answers) only with the purpose the
officer chose for the case, through ``access.shared_snapshot`` (audited). What the evidence
answered is kept in the session between showing the form and saving it, so saving does not
read the victim's log again; ``prefilled`` records the questions whose answer was still the
evidence's when saved."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cairn.accounts.models import Role
from cairn.analysis import reading
from cairn.analysis.base import THIRD_PERSON
from cairn.analysis.engine import analyse_people
from cairn.analysis.forms import QuestionnaireForm
from cairn.analysis.questionnaire import BAND_NOTE_THIRD, CAIRN_FORM_ID, FormDefinition
from cairn.cases import access, services
from cairn.cases.casework import prefill_answers, still_prefilled
from cairn.cases.closure import defendant_analyses
from cairn.cases.forms import AssessmentSummaryForm, ChooseRiskForm, RiskReviewForm
from cairn.cases.models import Case, RiskAssessment
from cairn.cases.officers import officer_membership
from cairn.cases.purpose import purpose_context, purpose_for
from cairn.cases.views import live_shares
from cairn.web.forms import add_service_errors, posted_data


def _assessments(request: HttpRequest, case: Case) -> Any:
    return (
        access.risk_assessments_readable_by(request.user, case)
        .select_related("created_by")
        .prefetch_related("reviews__by")
    )


@login_required
@require_GET
def risk_list(request: HttpRequest, case_id: str) -> HttpResponse:
    case = access.get_case_for_user(request.user, case_id)
    definitions = reading.forms()
    assessments = list(_assessments(request, case).order_by("-version"))
    for assessment in assessments:
        definition = definitions.get(assessment.form_id)
        assessment.form_title = definition.title if definition else assessment.form_id
        reviews = list(assessment.reviews.all())
        assessment.last_review = reviews[-1] if reviews else None
    return render(
        request, "cases/risk_list.html", {"nav": "cases", "case": case, "assessments": assessments}
    )


def _prefill_key(case: Case, definition: FormDefinition) -> str:
    return f"risk-prefill:{case.pk}:{definition.id}@{definition.version}"


def _read_prefill(
    request: HttpRequest, case: Case, shares: list[Any], purpose: str, definition: FormDefinition
) -> dict[str, dict[str, Any]]:
    """What the analysis of each linked vault's shared evidence answers (audited reads)."""
    now = timezone.now()
    indicator_sets = []
    for share in shares:
        snapshot = access.shared_snapshot(request.user, share.vault, purpose=purpose, case=case)
        # The defendant's indicators only (never everyone in the log together).
        people = analyse_people(snapshot, now=now, voice=THIRD_PERSON)
        indicator_sets += [a.risk_indicators for a in defendant_analyses(people, share)]
    return {
        qid: {"answer": p.answer, "evidence": p.evidence}
        for qid, p in prefill_answers(definition, indicator_sets).items()
    }


def _mark_prefilled(form: QuestionnaireForm, prefilled: dict[str, dict[str, Any]]) -> None:
    for qid, item in prefilled.items():
        if qid in form.fields:
            hint = form.fields[qid].help_text
            form.fields[qid].help_text = item["evidence"] + (f" {hint}" if hint else "")


@login_required
@require_http_methods(["GET", "POST"])
def risk_new(request: HttpRequest, case_id: str) -> HttpResponse:
    case = access.get_case_for_user(request.user, case_id)
    definitions = reading.forms()
    chosen = request.GET.get("form") or (next(iter(definitions)) if len(definitions) == 1 else None)
    context: dict[str, Any] = {"nav": "cases", "case": case}
    if chosen is None:
        choose = ChooseRiskForm(request.GET or None, definitions=definitions)
        return render(
            request,
            "cases/case_form.html",
            {
                **context,
                "form": choose,
                "title": "New risk assessment",
                "method": "get",
                "button": "Continue",
                "back": reverse("cases:risk", args=[case.pk]),
            },
            status=400 if choose.errors else 200,
        )
    definition = definitions.get(chosen)
    if definition is None:
        raise Http404("No such form")
    shares = list(live_shares(request, case))
    purpose = purpose_for(request, case)
    context.update(definition=definition, shares=shares, **purpose_context(request, case, purpose))
    if shares and purpose is None:
        return render(request, "cases/risk_new.html", context)

    key = _prefill_key(case, definition)
    summary_form = AssessmentSummaryForm(posted_data(request))
    if request.method == "POST":
        prefilled: dict[str, dict[str, Any]] = request.session.get(key, {})
        form = QuestionnaireForm(definition, request.POST)
        if form.is_valid() and summary_form.is_valid():
            answers = form.cleaned_data
            from_evidence = still_prefilled(
                {qid: item["answer"] for qid, item in prefilled.items()}, answers
            )
            try:
                assessment = services.record_risk_assessment(
                    actor=request.user,
                    case=case,
                    form=definition,
                    answers=answers,
                    prefilled=from_evidence,
                    summary=summary_form.cleaned_data["summary"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                request.session.pop(key, None)
                messages.success(request, f"Risk assessment version {assessment.version} saved")
                return redirect("cases:risk-assessment", case.pk, assessment.pk)
    else:
        prefilled = (
            _read_prefill(request, case, shares, purpose, definition) if shares and purpose else {}
        )
        request.session[key] = prefilled
        previous = (
            access.risk_assessments_readable_by(request.user, case)
            .filter(form_id=definition.id)
            .order_by("-version")
            .first()
        )
        initial = dict(previous.answers) if previous is not None else {}
        initial.update({qid: item["answer"] for qid, item in prefilled.items()})
        form = QuestionnaireForm(definition, initial=initial)
    _mark_prefilled(form, prefilled)
    context.update(form=form, summary_form=summary_form, prefilled=prefilled)
    return render(
        request,
        "cases/risk_new.html",
        context,
        status=400 if form.errors or summary_form.errors else 200,
    )


def _answer_rows(
    assessment: RiskAssessment, definition: FormDefinition | None
) -> list[dict[str, Any]]:
    rows = []
    prefilled = set(assessment.prefilled)
    if definition is not None and definition.version == assessment.form_version:
        for question in definition.questions:
            value = assessment.answers.get(question.id)
            if value is None:
                words = "Not answered"
            elif isinstance(value, list):
                words = ", ".join(question.label_of(v) for v in value)
            else:
                words = question.label_of(value) if question.options else str(value)
            rows.append(
                {
                    "question": question.text,
                    "answer": words,
                    "from_evidence": question.id in prefilled,
                }
            )
    else:  # the form is no longer loaded, or changed: show what was stored
        for qid, value in assessment.answers.items():
            rows.append(
                {
                    "question": qid,
                    "from_evidence": qid in prefilled,
                    "answer": ", ".join(value) if isinstance(value, list) else value,
                }
            )
    return rows


def _assessment_page(
    request: HttpRequest,
    case: Case,
    assessment: RiskAssessment,
    review_form: RiskReviewForm | None = None,
) -> HttpResponse:
    membership = officer_membership(request)
    definition = reading.forms().get(assessment.form_id)
    can_review = membership.role == Role.SUPERVISOR and assessment.created_by_id != request.user.pk
    if can_review and review_form is None:
        review_form = RiskReviewForm()
    return render(
        request,
        "cases/risk_assessment.html",
        {
            "nav": "cases",
            "case": case,
            "assessment": assessment,
            "definition": definition,
            "rows": _answer_rows(assessment, definition),
            "band_note": (
                BAND_NOTE_THIRD if assessment.form_id == CAIRN_FORM_ID and assessment.level else ""
            ),
            "reviews": list(assessment.reviews.all()),
            "can_review": can_review,
            "form": review_form if can_review else None,
        },
        status=400 if review_form is not None and review_form.errors else 200,
    )


def _get_assessment(request: HttpRequest, case: Case, assessment_id: str) -> RiskAssessment:
    try:
        return _assessments(request, case).get(pk=assessment_id)  # type: ignore[no-any-return]
    except (RiskAssessment.DoesNotExist, ValueError, ValidationError):
        raise Http404("No such assessment") from None


@login_required
@require_GET
def risk_assessment(request: HttpRequest, case_id: str, assessment_id: str) -> HttpResponse:
    case = access.get_case_for_user(request.user, case_id)
    return _assessment_page(request, case, _get_assessment(request, case, assessment_id))


@login_required
@require_POST
def risk_review(request: HttpRequest, case_id: str, assessment_id: str) -> HttpResponse:
    case = access.get_case_for_user(request.user, case_id)
    assessment = _get_assessment(request, case, assessment_id)
    form = RiskReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review_risk_assessment(
                actor=request.user, assessment=assessment, **form.cleaned_data
            )
        except PermissionDenied:
            raise Http404("No such page") from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Review saved")
            return redirect("cases:risk-assessment", case.pk, assessment.pk)
    return _assessment_page(request, case, assessment, form)
