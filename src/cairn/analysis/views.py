"""The victim's "Understand the pattern" page and the risk questions.

Only the vault's owner reaches them (``cairn.vault.access``); anyone else gets 404. Titles and
URLs carry no vault content (DESIGN.md invariant 5)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from cairn.analysis import charts, services, sources
from cairn.analysis.forms import QuestionnaireForm
from cairn.analysis.questionnaire import BAND_NOTE
from cairn.analysis.reading import analyse_vault_people, latest_answers, risk_form
from cairn.analysis.severity import LEVELS
from cairn.analysis.templatetags.pattern import incident_links
from cairn.law.pha1997 import ACTS_BY_CODE
from cairn.vault import access
from cairn.vault.forms import add_service_errors


@login_required
@require_http_methods(["GET"])
def pattern(request: HttpRequest, vault_id: str) -> HttpResponse:
    """One person's pattern at a time (``?person=`` an id, or "none" for the incidents with
    nobody named); the page lists every person's analysis. Without a choice, the person with
    the most incidents, and the page says so."""
    vault = access.get_vault_for_user(request.user, vault_id)
    people = analyse_vault_people(request.user, vault)
    choices = people.all()
    wanted = request.GET.get("person", "")
    analysis = next((a for a in choices if a.subject is not None and a.subject.key == wanted),
                    choices[0] if choices else None)
    numbers = {p.id: p.number for p in analysis.points} if analysis else {}
    # Charts are built here from our own data, with every text escaped (charts._text).
    svgs = ({name: mark_safe(svg)  # noqa: S308
             for name, svg in charts.all_charts(analysis).items()} if analysis else {})
    indicators = analysis.risk_indicators if analysis else ()
    context = {
        "vault": vault,
        "nav": "pattern",
        "people": people,
        "choices": choices,
        "chosen_by_default": not wanted and len(choices) > 1,
        "analysis": analysis,
        "combined_words": (analysis.subject.combined_words(victim=True)
                           if analysis and analysis.subject else ""),
        "background": [sources.STUDIES[key] for key in sources.BACKGROUND],
        "background_note": sources.BACKGROUND_NOTE,
        "band_note": BAND_NOTE,
        "charts": svgs,
        "incident_links": incident_links(numbers),
        "levels": LEVELS,
        "acts_by_code": ACTS_BY_CODE,
        "indicators_present": [i for i in indicators if i.status == "present"],
        "indicators_to_ask": [i for i in indicators if i.status == "ask"],
        "indicators_other": [i for i in indicators if i.status not in ("present", "ask")],
    }
    return render(request, "analysis/pattern.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def risk_questions(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = access.get_vault_for_user(request.user, vault_id)
    definition = risk_form()
    if request.method == "POST":
        form = QuestionnaireForm(definition, request.POST)
        if form.is_valid():
            try:
                services.record_risk_answers(
                    actor=request.user, vault=vault, form=definition, answers=form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Your answers are saved.")
                return redirect("analysis:pattern", vault.pk)
    else:
        form = QuestionnaireForm(
            definition, initial=latest_answers(request.user, vault, definition) or {}
        )
    return render(
        request,
        "analysis/risk_questions.html",
        {"vault": vault, "nav": "pattern", "form": form, "definition": definition},
        status=400 if form.errors else 200,
    )
