"""The officer's side of a case: the unit's case list, the case page (its history, suspects,
linked logs, the timeline of shared incidents with police actions and notes, and the analysis
of the shared evidence), a shared incident's page, and the forms that change a case.

Who: investigators and supervisors of the case's unit (``cairn.cases.access``); anyone else
gets 404, never 403, so a refusal does not say whether a case exists. Vault content is read
only through the ``shared_*`` access functions with the purpose the officer chose for the
case (kept in the session, ``purpose:<case id>``), so every read is audited with its reason;
until one is chosen, content pages show only that choice. Risk assessments are in
``risk_views``. Titles and URLs carry no case or vault content (DESIGN.md invariant 5)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cairn.analysis import charts
from cairn.cases import access, closure_views, links, services
from cairn.cases.casework import merge_timeline
from cairn.cases.defendants import defendant_analysis
from cairn.cases.forms import (
    CaseFilterForm,
    EntryForm,
    NewCaseForm,
    PurposeForm,
    ReferralForm,
    ReferralOutcomeForm,
    ReviewDateForm,
    RightToKnowForm,
    StatusForm,
    SuspectForm,
)
from cairn.cases.models import Case, CaseStatus, Purpose, Share
from cairn.cases.officers import officer_membership, unit_officers
from cairn.cases.purpose import purpose_context, purpose_for, purpose_key
from cairn.cases.templatetags.case_pages import INCIDENT_PLACEHOLDER
from cairn.store.blobs import default_store
from cairn.vault.choices import Channel
from cairn.vault.models import Vault
from cairn.vault.views.exhibits import download_name
from cairn.web.forms import add_service_errors, posted_data

PER_PAGE = 25
SORT_ORDER = {
    "review": (F("next_review").asc(nulls_last=True), "reference"),
    "newest": ("-created_at",),
    "reference": ("reference",),
}


# --- who, and why -----------------------------------------------------------------------------

def live_shares(request: HttpRequest, case: Case) -> QuerySet[Share]:
    """The victims' live consents this officer reads the case's evidence through."""
    return (access.shares_visible_to(request.user).filter(case=case)
            .select_related("vault", "vault__owner").order_by("created_at"))


@login_required
@require_POST
def choose_purpose(request: HttpRequest, case_id: str) -> HttpResponse:
    case = access.get_case_for_user(request.user, case_id)
    form = PurposeForm(request.POST)
    case_url = reverse("cases:case", args=[case.pk])
    if not form.is_valid():
        return _case_form(request, case, form, title="Why are you looking?",
                          button="Continue")
    request.session[purpose_key(case)] = form.cleaned_data["purpose"]
    target = form.cleaned_data["next"] or case_url
    # Only back to a page of this case (never elsewhere, even on this site).
    if not (url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
            and target.startswith(case_url)):
        target = case_url
    return redirect(target)


# --- the case list ----------------------------------------------------------------------------

def _page_href(request: HttpRequest, number: int) -> str:
    """A page of the list, keeping its filter."""
    query = request.GET.copy()
    query["page"] = str(number)
    return "?" + query.urlencode()


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    officer_membership(request)
    form = CaseFilterForm(request.GET)
    cases = (access.cases_readable_by(request.user).select_related("officer")
             .annotate(linked_vaults=Count("shares",
                                           filter=Q(shares__withdrawn_at__isnull=True))))
    sort = "review"
    filtered = False
    if form.is_valid():
        reference = " ".join(form.cleaned_data["reference"].split())
        if reference:
            # Found by reference (issue 15, point 8): an exact match opens the case.
            exact = cases.filter(reference__iexact=reference).first()
            if exact is not None:
                return redirect("cases:case", exact.pk)
            cases = cases.filter(reference__icontains=reference)
            filtered = True
        if form.cleaned_data["status"]:
            cases = cases.filter(status=form.cleaned_data["status"])
            filtered = True
        if form.cleaned_data["mine"]:
            cases = cases.filter(officer=request.user)
            filtered = True
        sort = form.cleaned_data["sort"] or "review"
    cases = cases.order_by(*SORT_ORDER[sort])
    page = Paginator(cases, PER_PAGE).get_page(request.GET.get("page"))
    context = {"nav": "cases", "form": form, "page": page, "filtered": filtered,
               "today": timezone.localdate(), "closed": CaseStatus.CLOSED,
               "previous_href": _page_href(request, page.previous_page_number())
               if page.has_previous() else "",
               "next_href": _page_href(request, page.next_page_number())
               if page.has_next() else ""}
    return render(request, "cases/cases_list.html", context,
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def new_case(request: HttpRequest) -> HttpResponse:
    officer_membership(request)
    form = NewCaseForm(posted_data(request), officers=unit_officers(request.user),
                       initial={"officer": str(request.user.pk)})
    if request.method == "POST" and form.is_valid():
        try:
            case = services.open_case(actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Case opened")
            return redirect("cases:case", case.pk)
    return render(request, "cases/case_form.html", {
        "nav": "cases", "form": form, "title": "Open a case", "button": "Open the case",
        "back": reverse("cases:list")}, status=400 if form.errors else 200)


# --- the case page ----------------------------------------------------------------------------

def _scope_words(share: Any) -> str:
    if share.scope == "all":
        return "Everything in her log, including what she adds later"
    incidents, exhibits = share.scope_incidents, share.scope_exhibits
    parts = [f"{incidents} incident{'s' if incidents != 1 else ''}"] if incidents else []
    if exhibits:
        parts.append(f"{exhibits} other exhibit{'s' if exhibits != 1 else ''}")
    return "Only what she chose: " + " and ".join(parts or ["nothing yet"])


def incident_href(case: Case, vault: Vault) -> str:
    """A shared incident's URL with a placeholder for its id: reversed once per vault, not
    once for each of the hundreds of links a case page can hold."""
    return reverse("cases:incident", args=[case.pk, vault.pk, INCIDENT_PLACEHOLDER])


def _shared_evidence(request: HttpRequest, case: Case, shares: list[Any], purpose: str
                     ) -> tuple[list[tuple[Vault, Any]], list[dict[str, Any]]]:
    """Each linked vault's incidents in scope, and the analysis of its scope, one per person
    (DESIGN.md invariant 8), in the third person: two audited reads per vault (the incidents
    listed, and the analysis over them, kept while it is valid)."""
    incidents: list[tuple[Vault, Any]] = []
    analyses: list[dict[str, Any]] = []
    for n, share in enumerate(shares, start=1):
        vault = share.vault
        incidents += [(vault, incident) for incident in access.shared_incidents(
            request.user, vault, purpose=purpose, case=case)]
        people = access.shared_people_analysis(request.user, vault, purpose=purpose, case=case)
        defendant = defendant_analysis(people, share)
        subjects = []
        for m, analysis in enumerate(people.all(), start=1):
            # The chart is built from our own data, with every text escaped (charts._text).
            chart = mark_safe(charts.timeline(  # noqa: S308
                analysis, chart_id=f"chart-timeline-{n}-{m}"))
            subjects.append({
                "analysis": analysis, "chart": chart,
                "is_defendant": analysis is defendant.analysis,
                "combined_words": (analysis.subject.combined_words(victim=False)
                                   if analysis.subject else ""),
                "indicators": [i for i in analysis.risk_indicators if i.from_log is not None],
            })
        analyses.append({
            "vault": vault, "victim": share.vault.owner, "share": share,
            "incident_count": people.incident_count, "subjects": subjects,
            "defendant_missing": defendant.why_not,
            "choices": [a.subject for a in people.people if a.subject is not None],
            "incident_href": incident_href(case, vault),
            "numbers": {p.id: p.number for a in people.all() for p in a.points},
        })
    return incidents, analyses


@login_required
@require_GET
def case_page(request: HttpRequest, case_id: str) -> HttpResponse:
    case = access.get_case_for_user(request.user, case_id)
    purpose = purpose_for(request, case)
    shares = list(live_shares(request, case).annotate(
        scope_incidents=Count("incidents", distinct=True),
        scope_exhibits=Count("exhibits", distinct=True)))
    for share in shares:
        share.scope_words = _scope_words(share)
    incidents: list[tuple[Vault, Any]] = []
    analyses: list[dict[str, Any]] = []
    if purpose is not None and shares:
        incidents, analyses = _shared_evidence(request, case, shares, purpose)
    hrefs = {share.vault_id: incident_href(case, share.vault) for share in shares}
    entries = list(case.entries.select_related("created_by"))
    latest_assessment = (access.risk_assessments_readable_by(request.user, case)
                         .select_related("created_by").order_by("-version").first())
    context = {
        "nav": "cases", "case": case, **purpose_context(request, case, purpose),
        "status_changes": list(case.status_changes.select_related("by")),
        "suspects": list(case.suspects.all()),
        "shares": shares,
        "timeline": merge_timeline(incidents, entries, link=lambda vault, incident: hrefs[
            vault.pk].replace(INCIDENT_PLACEHOLDER, str(incident.pk))),
        "several_vaults": len(shares) > 1,
        "analyses": analyses,
        "latest_assessment": latest_assessment,
        "channels": dict(Channel.choices),
        "today": timezone.localdate(),
        # Issue 8: the closure guard's sign-offs and the victim's reopen requests, and leads
        # to other cases of the force sharing a suspect identifier.
        "sign_offs": list(case.closure_sign_offs.select_related("supervisor")),
        "reopen_requests": list(case.reopen_requests.all()),
        "can_sign_off": closure_views.can_sign_off(request.user, case),
        "sign_off_form": closure_views.SignOffForm(),
        "links": links.links_for(request.user, case),
        # Issue 15, point 6: the right to know and referrals to other agencies.
        "right_to_know": list(access.right_to_know_readable_by(request.user, case)),
        "referrals": [(r, ReferralOutcomeForm(auto_id=f"ref{r.pk}_%s"))
                      for r in access.referrals_readable_by(request.user, case)],
        "right_to_know_form": RightToKnowForm(auto_id="rtk_%s"),
        "referral_form": ReferralForm(auto_id="referral_%s"),
    }
    return render(request, "cases/case_page.html", context)


@login_required
@require_GET
def shared_incident(request: HttpRequest, case_id: str, vault_id: str,
                    incident_id: str) -> HttpResponse:
    case = access.get_case_for_user(request.user, case_id)
    vault = access.get_shared_vault(request.user, vault_id, case)
    purpose = purpose_for(request, case)
    context: dict[str, Any] = {"nav": "cases", "case": case, "shared_vault": vault,
                               **purpose_context(request, case, purpose)}
    if purpose is None:
        return render(request, "cases/case_incident.html", context)
    incident = access.get_shared_incident(request.user, vault, incident_id, purpose=purpose,
                                          case=case)
    # The exhibits in scope, of which this incident's are shown (the read of the list is
    # audited whole: shared_exhibits has no narrower form).
    exhibits = [e for e in access.shared_exhibits(request.user, vault, purpose=purpose,
                                                  case=case)
                if e.incident_id == incident.pk]
    context.update(incident=incident, exhibits=exhibits, victim=vault.owner,
                   channel_label=dict(Channel.choices).get(incident.channel, ""))
    return render(request, "cases/case_incident.html", context)


# Opened in the browser only when the type cannot run script (anything else is a download).
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp",
                          "application/pdf", "text/plain", "video/mp4", "audio/mpeg"})


@login_required
@require_GET
def shared_exhibit(request: HttpRequest, case_id: str, vault_id: str,
                   exhibit_id: str) -> HttpResponse:
    """A shared exhibit's file, opened in the browser or (``?download=1``) downloaded. Each is
    a read of the victim's evidence, audited with the reason chosen for the case; without
    one, the incident page asks for it first. The file's name says only its reference."""
    case = access.get_case_for_user(request.user, case_id)
    vault = access.get_shared_vault(request.user, vault_id, case)
    purpose = purpose_for(request, case)
    exhibit = access.get_shared_exhibit(request.user, vault, exhibit_id,
                                        purpose=purpose or Purpose.INVESTIGATION, case=case,
                                        audit=purpose is not None)
    if purpose is None:
        messages.info(request, "Choose why you are looking at the shared evidence first.")
        if exhibit.incident_id is not None:
            return redirect("cases:incident", case.pk, vault.pk, exhibit.incident_id)
        return redirect("cases:case", case.pk)
    download = request.GET.get("download") == "1" or exhibit.media_type not in INLINE_TYPES
    chunks = default_store().iter_bytes(str(exhibit.vault_id), exhibit.sha256)
    response = StreamingHttpResponse(chunks, content_type=exhibit.media_type)
    response["Content-Length"] = str(exhibit.size)
    response["Content-Disposition"] = (
        f'{"attachment" if download else "inline"}; filename="{download_name(exhibit)}"')
    # Only types that cannot run script open in the browser, and the browser may not guess
    # another (the site's Content-Security-Policy applies as to every page).
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- changing a case --------------------------------------------------------------------------

def _case_form(request: HttpRequest, case: Case, form: Any, *, title: str, button: str,
               intro: str = "") -> HttpResponse:
    return render(request, "cases/case_form.html", {
        "nav": "cases", "case": case, "form": form, "title": title, "button": button,
        "intro": intro, "back": reverse("cases:case", args=[case.pk])},
        status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def change_status(request: HttpRequest, case_id: str) -> HttpResponse:
    case = access.get_case_for_user(request.user, case_id)
    form = StatusForm(posted_data(request), initial={"status": case.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.change_status(actor=request.user, case=case, **form.cleaned_data,
                                   purpose=purpose_for(request, case))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Status changed")
            return redirect("cases:case", case.pk)
    return _case_form(request, case, form, title="Change the case's status",
                      button="Change the status",
                      intro="The change is added to the case's history with your name and "
                            "the time; earlier statuses stay in it.")


@login_required
@require_http_methods(["GET", "POST"])
def change_review_date(request: HttpRequest, case_id: str) -> HttpResponse:
    case = access.get_case_for_user(request.user, case_id)
    form = ReviewDateForm(posted_data(request), initial={"next_review": case.next_review})
    if request.method == "POST" and form.is_valid():
        services.set_next_review(actor=request.user, case=case,
                                 next_review=form.cleaned_data["next_review"])
        messages.success(request, "Next review date saved")
        return redirect("cases:case", case.pk)
    return _case_form(request, case, form, title="Next review date", button="Save the date")


@login_required
@require_http_methods(["GET", "POST"])
def add_entry(request: HttpRequest, case_id: str) -> HttpResponse:
    case = access.get_case_for_user(request.user, case_id)
    form = EntryForm(posted_data(request), initial=EntryForm.initial_now())
    if request.method == "POST" and form.is_valid():
        try:
            services.add_entry(actor=request.user, case=case, kind=form.cleaned_data["kind"],
                               text=form.cleaned_data["text"], happened_at=form.happened_at())
        except ValidationError as exc:
            add_service_errors(form, exc, {"happened_at": "day"})
        else:
            messages.success(request, "Added to the case timeline")
            return redirect(reverse("cases:case", args=[case.pk]) + "#timeline")
    return _case_form(request, case, form, title="Add an action or note",
                      button="Add to the timeline",
                      intro="Actions and notes cannot be changed or removed once added.")


@login_required
@require_http_methods(["GET", "POST"])
def add_suspect(request: HttpRequest, case_id: str) -> HttpResponse:
    case = access.get_case_for_user(request.user, case_id)
    form = SuspectForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.add_suspect(actor=request.user, case=case, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc, {"identifiers": "identifier_1_value"})
        else:
            messages.success(request, "Suspect added")
            return redirect(reverse("cases:case", args=[case.pk]) + "#suspects")
    return _case_form(request, case, form, title="Add a suspect", button="Add the suspect")


@login_required
@require_POST
def share_code(request: HttpRequest, case_id: str) -> HttpResponse:
    """A new one-use code for the victim, shown once (only its keyed hash is kept)."""
    case = access.get_case_for_user(request.user, case_id)
    code = services.issue_share_code(actor=request.user, case=case)
    expires = timezone.localdate() + services.CODE_LIFETIME
    return render(request, "cases/case_code.html", {
        "nav": "cases", "case": case, "code": code, "expires": expires,
        "days": services.CODE_LIFETIME.days})
