"""The victim's "Understand the pattern" pages (a summary, and a page per topic) and the risk
questions.

Only the vault's owner reaches them (``cairn.vault.access``); anyone else gets 404. Titles and
URLs carry no vault content (DESIGN.md invariant 5)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from cairn.analysis import charts, services, sources, summary
from cairn.analysis.forms import QuestionnaireForm
from cairn.analysis.questionnaire import BAND_NOTE
from cairn.analysis.reading import analyse_vault_people, latest_answers, risk_form
from cairn.analysis.severity import LEVELS
from cairn.analysis.templatetags.pattern import incident_links
from cairn.law.pha1997 import ACTS_BY_CODE
from cairn.vault import access
from cairn.vault.forms import add_service_errors


def _chosen(request: HttpRequest, vault: Any) -> dict[str, Any]:
    """Everyone's analyses, and the one asked for (``?person=`` a key, or "none" for the
    incidents with nobody named); without a choice, the person with the most incidents."""
    people = analyse_vault_people(request.user, vault)
    choices = people.all()
    wanted = request.GET.get("person", "")
    analysis = next(
        (a for a in choices if a.subject is not None and a.subject.key == wanted),
        choices[0] if choices else None,
    )
    return {
        "vault": vault,
        "nav": "pattern",
        "people": people,
        "choices": choices,
        "analysis": analysis,
        "chosen_by_default": not wanted and len(choices) > 1,
        "person_query": (
            f"?person={analysis.subject.key}"
            if analysis is not None and analysis.subject is not None and len(choices) > 1
            else ""
        ),
        "combined_words": (
            analysis.subject.combined_words(victim=True) if analysis and analysis.subject else ""
        ),
    }


@login_required
@require_http_methods(["GET"])
def pattern(request: HttpRequest, vault_id: str) -> HttpResponse:
    """The summary: what the log shows in five lines, each leading to the topic page with the
    evidence, and the list of topics. One person's pattern at a time."""
    vault = access.get_vault_for_user(request.user, vault_id)
    context = _chosen(request, vault)
    analysis = context["analysis"]
    context.update(lines=summary.summary(analysis) if analysis else (), topics=summary.TOPICS)
    return render(request, "analysis/pattern.html", context)


@login_required
@require_http_methods(["GET"])
def topic(request: HttpRequest, vault_id: str, slug: str) -> HttpResponse:
    """One topic of the pattern: its findings with their evidence, charts with tables."""
    vault = access.get_vault_for_user(request.user, vault_id)
    chosen = summary.TOPICS_BY_SLUG.get(slug)
    if chosen is None:
        raise Http404("No such page")
    context = _chosen(request, vault)
    analysis = context["analysis"]
    if analysis is None:
        return redirect("analysis:pattern", vault.pk)
    # Charts are built here from our own data, with every text escaped (svg.text).
    svgs = {
        name: mark_safe(svg)  # noqa: S308
        for name, svg in charts.all_charts(analysis).items()
    }
    indicators = analysis.risk_indicators
    numbers = {p.id: p.number for p in analysis.points}
    previous, following = summary.neighbours(slug)
    context.update(
        {
            "topic": chosen,
            "previous_topic": previous,
            "next_topic": following,
            "background": [sources.STUDIES[key] for key in sources.BACKGROUND],
            "background_note": sources.BACKGROUND_NOTE,
            "band_note": BAND_NOTE,
            "charts": svgs,
            "tables": charts.tables(analysis),
            "incident_numbers": numbers,
            "incident_links": incident_links(numbers),
            "levels": LEVELS,
            "acts_by_code": ACTS_BY_CODE,
            "indicators_present": [i for i in indicators if i.status == "present"],
            "indicators_to_ask": [i for i in indicators if i.status == "ask"],
            "indicators_other": [i for i in indicators if i.status not in ("present", "ask")],
        }
    )
    return render(request, f"analysis/topics/{slug}.html", context)


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
