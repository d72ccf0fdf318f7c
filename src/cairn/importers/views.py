"""Import pages: add evidence from a file, follow its progress, review what it proposes.

Owner only: every object is found through ``cairn.importers.access`` (404 for anyone else);
every change goes through ``cairn.importers.services``. URLs carry ids, never content, and
page titles are generic (DESIGN.md invariant 5).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cairn.importers import access, note_words, services, tasks
from cairn.importers.base import ImportFailure
from cairn.importers.forms import (
    ConfirmCandidateForm,
    DateOrderForm,
    DiaryColumnsForm,
    ImportForm,
)
from cairn.importers.models import (
    CandidateStatus,
    ImportBatch,
    ImportFormat,
    JobStatus,
    ProposalStatus,
)
from cairn.vault import access as vault_access
from cairn.vault.choices import Channel, PersonRole
from cairn.vault.forms import add_service_errors
from cairn.web.timeframe import zone_words

PROPOSALS_PER_PAGE = 20
MESSAGES_SHOWN = 12


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest, vault_id: str) -> HttpResponse:
    """ "Add evidence from a file": the upload, and the imports made before."""
    vault = vault_access.get_vault_for_user(request.user, vault_id)
    form = ImportForm(request.POST or None, request.FILES or None, time_zone=vault.time_zone)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.stage_import(
                actor=request.user,
                vault=vault,
                stream=upload,
                name=upload.name,
                format=form.cleaned_data["format"],
                tz=form.cleaned_data["time_zone"],
                owner=form.cleaned_data["owner"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, ImportForm.SERVICE_FIELDS)
        else:
            if services.wants_columns(job):
                # A diary: the victim confirms what its columns mean before anything runs.
                return redirect("importers:columns", job.pk)
            tasks.enqueue_import(job)
            return redirect("importers:job", job.pk)
    batches = access.batches_readable_by(request.user, vault).select_related("source_exhibit")
    return render(
        request,
        "importers/start.html",
        {"vault": vault, "form": form, "batches": batches[:20], "nav": "import"},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def job_columns(request: HttpRequest, job_id: str) -> HttpResponse:
    """ "Check the columns" of an uploaded diary: the header, a few rows, one select per field.

    The rows are the victim's own words, shown only in the page's body (never its title or
    URL). The staged upload stays encrypted in the store; nothing is kept in the session."""
    job = access.get_job_for_user(request.user, job_id)
    if not services.awaiting_columns(job):
        return redirect("importers:job", job.pk)
    try:
        preview = services.staged_diary_preview(job)
    except ImportFailure:
        return redirect("importers:job", job.pk)  # the job now says what is wrong
    width = max([len(preview.header), *(len(row) for row in preview.sample_rows)])
    form = DiaryColumnsForm(
        request.POST or None,
        header=preview.header,
        width=width,
        suggested=preview.suggested_mapping,
    )
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_diary_columns(actor=request.user, job=job, mapping=form.mapping())
        except ValidationError as exc:
            error = exc.messages[0]
        except ImportFailure:
            return redirect("importers:job", job.pk)
        else:
            tasks.enqueue_import(job)
            return redirect("importers:job", job.pk)
    rows = [[*row, *[""] * (width - len(row))] for row in preview.sample_rows]
    header = [*preview.header, *[""] * (width - len(preview.header))]
    context = {
        "vault": job.vault,
        "job": job,
        "form": form,
        "header": header,
        "rows": rows,
        "row_count": preview.row_count,
        "error": error,
        "nav": "import",
    }
    return render(
        request, "importers/columns.html", context, status=400 if form.errors or error else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def job_dates(request: HttpRequest, job_id: str) -> HttpResponse:
    """ "How are dates written in this file?": asked when the file leaves the order of day,
    month and year open. Shows the line that shows it and what each answer would make of
    it (in the page's body only, never its title or URL); the answer runs the import."""
    job = access.get_job_for_user(request.user, job_id)
    if not services.awaiting_date_order(job):
        return redirect("importers:job", job.pk)
    question = job.date_question or {}
    form = DateOrderForm(request.POST or None, question=question)
    if request.method == "POST" and form.is_valid():
        try:
            services.answer_date_order(
                actor=request.user, job=job, order=form.cleaned_data["date_order"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {})
        else:
            tasks.enqueue_import(job)
            return redirect("importers:job", job.pk)
    context = {"vault": job.vault, "job": job, "form": form, "question": question, "nav": "import"}
    return render(request, "importers/dates.html", context, status=400 if form.errors else 200)


def _job_state(job: Any) -> dict[str, Any]:
    review = reverse("importers:batch", args=[job.batch_id]) if job.batch_id else ""
    asking = reverse("importers:dates", args=[job.pk]) if services.awaiting_date_order(job) else ""
    return {
        "status": job.status,
        "label": JobStatus(job.status).label,
        "done": job.done,
        "total": job.total,
        "finished": job.finished,
        "review_url": review,
        "next_url": asking,
    }


@login_required
@require_http_methods(["GET"])
def job_progress(request: HttpRequest, job_id: str) -> HttpResponse:
    job = access.get_job_for_user(request.user, job_id)
    if job.status == JobStatus.DONE and job.batch_id:
        return redirect("importers:batch", job.batch_id)
    if services.awaiting_columns(job):
        return redirect("importers:columns", job.pk)
    if services.awaiting_date_order(job):
        return redirect("importers:dates", job.pk)
    return render(
        request,
        "importers/progress.html",
        {
            "vault": job.vault,
            "job": job,
            "state": _job_state(job),
            "nav": "import",
            "status_url": reverse("importers:job-status", args=[job.pk]),
        },
    )


@login_required
@require_http_methods(["GET"])
def job_status(request: HttpRequest, job_id: str) -> JsonResponse:
    """What the progress page polls: status and counts only, never content."""
    job = access.get_job_for_user(request.user, job_id)
    return JsonResponse(_job_state(job))


def _proposal_page(request: HttpRequest, batch: ImportBatch) -> Any:
    proposals = access.proposals_with_items(batch)
    return Paginator(proposals, PROPOSALS_PER_PAGE).get_page(request.GET.get("page"))


@login_required
@require_http_methods(["GET"])
def batch_review(request: HttpRequest, batch_id: str) -> HttpResponse:
    batch = access.get_batch_for_user(request.user, batch_id)
    return _render_review(request, batch)


def _render_review(
    request: HttpRequest, batch: ImportBatch, *, error: str = "", status: int = 200
) -> HttpResponse:
    page = _proposal_page(request, batch)
    for proposal in page.object_list:
        shown = list(proposal.items.all())
        proposal.shown_items = shown[:MESSAGES_SHOWN]
        proposal.more_items = max(0, len(shown) - MESSAGES_SHOWN)
        proposal.channel_label = Channel(proposal.channel).label if proposal.channel else ""
        proposal.status_label = ProposalStatus(proposal.status).label
    candidates = access.candidates_of(batch).annotate(item_total=Count("items")).order_by("id")
    waiting = access.proposals_of(batch).filter(status=ProposalStatus.PROPOSED).count()
    context = {
        "vault": batch.vault,
        "batch": batch,
        "page": page,
        "nav": "import",
        "format_label": ImportFormat(batch.format).label,
        "waiting": waiting,
        "notes": [note_words.plain(note) for note in batch.notes],
        "zone_words": zone_words(batch.assumed_time_zone) if batch.assumed_time_zone else "",
        "waiting_here": sum(1 for p in page.object_list if p.status == ProposalStatus.PROPOSED),
        "candidates": [
            (
                c,
                ConfirmCandidateForm(
                    prefix=f"c{c.pk.hex[:8]}",
                    initial={"name": c.display_name, "role": PersonRole.SUSPECT},
                ),
            )
            for c in candidates
        ],
        "pending_status": CandidateStatus.PENDING,
        "proposed_status": ProposalStatus.PROPOSED,
        "error": error,
    }
    return render(request, "importers/review.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def accept_page_check(request: HttpRequest, batch_id: str) -> HttpResponse:
    """Check before adding every suggestion on one page of the review: what will be added,
    and that it cannot be taken back without a trace (GOV.UK's check-answers pattern)."""
    batch = access.get_batch_for_user(request.user, batch_id)
    page = _proposal_page(request, batch)
    waiting = [
        proposal for proposal in page.object_list if proposal.status == ProposalStatus.PROPOSED
    ]
    for proposal in waiting:
        proposal.channel_label = Channel(proposal.channel).label if proposal.channel else ""
    return render(
        request,
        "importers/accept_check.html",
        {"vault": batch.vault, "batch": batch, "page": page, "waiting": waiting, "nav": "import"},
    )


@login_required
@require_http_methods(["POST"])
def batch_accept(request: HttpRequest, batch_id: str) -> HttpResponse:
    """Accept all, the ticked ones, one, or one and then edit it."""
    batch = access.get_batch_for_user(request.user, batch_id)
    edit = request.POST.get("edit", "")
    one = request.POST.get("one", "") or edit
    accept_all = "all" in request.POST and not one
    ids = [one] if one else request.POST.getlist("ids")
    try:
        incidents = services.accept_proposals(
            actor=request.user, batch=batch, ids=ids, all=accept_all
        )
    except ValidationError as exc:
        return _render_review(request, batch, error=exc.messages[0], status=400)
    if edit and incidents:
        return redirect("vault:incident-edit", incidents[0].pk)
    count = len(incidents)
    messages.success(
        request,
        f"{count} incident{'s' if count != 1 else ''} added to your log."
        if count
        else "Nothing was waiting to be added.",
    )
    return redirect("importers:batch", batch.pk)


@login_required
@require_http_methods(["POST"])
def proposal_dismiss(request: HttpRequest, proposal_id: str) -> HttpResponse:
    proposal = access.get_proposal_for_user(request.user, proposal_id)
    try:
        services.dismiss_proposal(actor=request.user, proposal=proposal)
    except ValidationError as exc:
        return _render_review(request, proposal.batch, error=exc.messages[0], status=400)
    messages.success(request, f"Proposal {proposal.number} is dismissed.")
    return redirect("importers:batch", proposal.batch_id)


@login_required
@require_http_methods(["POST"])
def candidate_decide(request: HttpRequest, candidate_id: str) -> HttpResponse:
    """Confirm an unknown sender as a person, dismiss them, or say "this is me"."""
    candidate = access.get_candidate_for_user(request.user, candidate_id)
    action = request.POST.get("action", "")
    form = ConfirmCandidateForm(request.POST, prefix=f"c{candidate.pk.hex[:8]}")
    try:
        if action == "confirm":
            if not form.is_valid():
                return _render_review(
                    request, candidate.batch, error="Choose who they are", status=400
                )
            person = services.confirm_candidate(
                actor=request.user,
                candidate=candidate,
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
            )
            messages.success(request, f"{person.name} is added to your people.")
        elif action in ("dismiss", "me"):
            services.dismiss_candidate(
                actor=request.user, candidate=candidate, is_me=action == "me"
            )
            messages.success(request, "Marked as you." if action == "me" else "Dismissed.")
        else:
            return _render_review(request, candidate.batch, error="Choose what to do", status=400)
    except ValidationError as exc:
        return _render_review(request, candidate.batch, error=exc.messages[0], status=400)
    return redirect("importers:batch", candidate.batch_id)
