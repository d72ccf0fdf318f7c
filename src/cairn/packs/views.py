"""The victim's "Evidence pack" page: choose what to include, preview it, download it.

Only the vault's owner reaches it (404 for anyone else). The pack is made in the background
(cairn/packs/jobs.py): the page follows its progress and then offers the download; the
finished file waits, encrypted in her vault's store, for a day at most. The file name is
neutral (no names, no content), because a download list is something another person using
the device might see.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cairn.packs import job_access, jobs
from cairn.packs.builder import PackBuildError
from cairn.packs.forms import PackForm
from cairn.packs.selection import Selection, SelectionError
from cairn.packs.services import preview_counts, selection_for
from cairn.vault import access
from cairn.vault.models import Vault

SNIPPET = 70


def _incident_choices(user: Any, vault: Vault) -> list[tuple[str, str]]:
    from cairn.web.templatetags.govuk import when

    choices = []
    incidents = access.incidents_readable_by(user, vault).filter(
        deleted_at__isnull=True).order_by("start", "number")
    for incident in incidents:
        text = " ".join(incident.description.split())
        if len(text) > SNIPPET:
            text = text[:SNIPPET - 1].rstrip() + "…"
        choices.append((str(incident.number),
                        f"Incident {incident.number}, {when(incident, vault.time_zone)}: {text}"))
    return choices


def _selection(form: PackForm, vault: Vault) -> Selection:
    data = form.cleaned_data
    if data["scope"] != "chosen":
        return selection_for(vault, None, use_redacted=data["redacted"])
    return selection_for(vault, ({int(n) for n in data["incidents"]}, set()),
                         use_redacted=data["redacted"], with_originals=data["originals"])


@login_required
@require_http_methods(["GET", "POST"])
def pack(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = access.get_vault_for_user(request.user, vault_id)
    choices = _incident_choices(request.user, vault)
    form = PackForm(request.POST or None, incident_choices=choices)
    context: dict[str, Any] = {"vault": vault, "nav": "pack", "form": form,
                               "incident_count": len(choices),
                               "ready": job_access.ready_packs(request.user, vault)}
    if request.method == "POST" and form.is_valid():
        try:
            selection = _selection(form, vault)
            if request.POST.get("action") == "build":
                return _request(request, vault, form, selection)
            context["preview"] = preview_counts(request.user, vault, selection)
        except (PackBuildError, SelectionError) as exc:
            form.add_error(None, str(exc))
    status = 400 if form.errors else 200
    return render(request, "packs/pack.html", context, status=status)


def _request(request: HttpRequest, vault: Vault, form: PackForm,
             selection: Selection) -> HttpResponse:
    data = form.cleaned_data
    job = jobs.request_pack(actor=request.user, vault=vault, selection=selection,
                            protection=data["protection"], recipient=data["recipient"] or "",
                            passphrase=data["passphrase"] or "", statement=data["statement"])
    return redirect("packs:job", vault_id=vault.pk, job_id=job.pk)


@login_required
@require_http_methods(["GET"])
def pack_job(request: HttpRequest, vault_id: str, job_id: str) -> HttpResponse:
    """The pack being made: progress (polled), then the download, or what went wrong."""
    vault = access.get_vault_for_user(request.user, vault_id)
    job = job_access.get_pack_job_for_user(request.user, job_id)
    if job.vault_id != vault.pk:
        raise Http404("No such pack")
    return render(request, "packs/pack_job.html", {
        "vault": vault, "nav": "pack", "job": job, "state": jobs.state(job),
        "status_url": reverse("packs:job-status", args=[vault.pk, job.pk])})


@login_required
@require_http_methods(["GET"])
def pack_job_status(request: HttpRequest, vault_id: str, job_id: str) -> JsonResponse:
    """What the progress page polls: status and counts only, never content."""
    job = job_access.get_pack_job_for_user(request.user, job_id)
    if str(job.vault_id) != str(vault_id):
        raise Http404("No such pack")
    response = JsonResponse(jobs.state(job))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET"])
def pack_job_download(request: HttpRequest, vault_id: str, job_id: str) -> HttpResponse:
    job = job_access.get_pack_job_for_user(request.user, job_id)
    if str(job.vault_id) != str(vault_id) or not job.result_sha256:
        raise Http404("No such pack")
    response = StreamingHttpResponse(jobs.result_chunks(job), content_type=(
        "application/octet-stream" if job.encrypted else "application/zip"))
    response["Content-Disposition"] = f'attachment; filename="{job.result_name}"'
    response["Content-Length"] = str(job.result_size)
    response["Cache-Control"] = "no-store"
    return response
