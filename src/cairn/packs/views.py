"""The victim's "Evidence pack" pages: choose what to include, check what the pack will hold
(and what her photos' hidden details say), make it and download it.

Only the vault's owner reaches it (404 for anyone else). The pack is made in the background
(cairn/packs/jobs.py): the page follows its progress and then offers the download; the
finished file waits, encrypted in her vault's store, for a day at most. The file name is
neutral (cairn.web.downloads: no activity, date, names or content), because a download list is
something another person using the device might see.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cairn.checks.services import own_marks
from cairn.packs import job_access, jobs
from cairn.packs.builder import PackBuildError
from cairn.packs.forms import HiddenDetailsForm, PackForm
from cairn.packs.selection import Selection, SelectionError, resolve
from cairn.packs.services import preview_counts, selection_for
from cairn.vault import access, hidden_details, places, redaction_services
from cairn.vault.models import Vault
from cairn.vault.snapshot_loader import take_snapshot

SNIPPET = 70


def _incident_choices(user: Any, vault: Vault) -> list[tuple[str, str]]:
    from cairn.web.templatetags.govuk import when

    choices = []
    incidents = (
        access.incidents_readable_by(user, vault)
        .filter(deleted_at__isnull=True)
        .order_by("start", "number")
    )
    for incident in incidents:
        text = " ".join(incident.description.split())
        if len(text) > SNIPPET:
            text = text[: SNIPPET - 1].rstrip() + "…"
        choices.append(
            (
                str(incident.number),
                f"Incident {incident.number}, {when(incident, vault.time_zone)}: {text}",
            )
        )
    return choices


def _selection(form: PackForm, vault: Vault) -> Selection:
    data = form.cleaned_data
    if data["scope"] != "chosen":
        return selection_for(vault, None, use_redacted=data["redacted"])
    return selection_for(
        vault,
        ({int(n) for n in data["incidents"]}, set()),
        use_redacted=data["redacted"],
        with_originals=data["originals"],
    )


STEP_ONE_FIELDS = (
    "scope",
    "incidents",
    "originals",
    "redacted",
    "statement",
    "protection",
    "recipient",
)


@login_required
@require_http_methods(["GET", "POST"])
def pack(request: HttpRequest, vault_id: str) -> HttpResponse:
    """Two steps: choose (this page), then check what the pack will hold and make it. The
    check names every photo that carries where it was taken, a serial number or an owner's
    name, and asks whether the pack holds copies without them; nothing is built before."""
    vault = access.get_vault_for_user(request.user, vault_id)
    choices = _incident_choices(request.user, vault)
    action = request.POST.get("action", "")
    if request.method == "POST" and action == "change":
        form = PackForm(initial=_choices_made(request), incident_choices=choices)
    else:
        form = PackForm(request.POST or None, incident_choices=choices, building=action == "build")
    context: dict[str, Any] = {
        "vault": vault,
        "nav": "pack",
        "form": form,
        "incident_count": len(choices),
        "ready": job_access.ready_packs(request.user, vault),
    }
    valid = request.method == "POST" and action != "change" and form.is_valid()
    # A passphrase is typed on the check page: a mistake there is shown there.
    passphrase_only = (
        request.method == "POST"
        and action == "build"
        and not valid
        and set(form.errors) == {"passphrase"}
    )
    if valid or passphrase_only:
        try:
            selection = _selection(form, vault)
            photos = _photos(request, vault, selection)
            check = HiddenDetailsForm(request.POST if action == "build" else None)
            checked = not photos or check.is_valid()
            if action == "build" and valid and checked:
                if photos and check.cleaned_data["hidden_details"] == "copies":
                    selection = _with_clean_copies(request, selection, photos)
                return _request(request, vault, form, selection)
            context.update(
                preview=preview_counts(request.user, vault, selection),
                photos=photos,
                check=check,
                copyable=[p for p in photos if p.can_copy],
                not_copyable=[p for p in photos if not p.can_copy],
                choices_made=_choices_made(request),
                credit=places.CREDIT,
                answers=_answers(form),
            )
            return render(
                request,
                "packs/pack_check.html",
                context,
                status=400 if form.errors or check.errors else 200,
            )
        except (PackBuildError, SelectionError) as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:  # a copy without hidden details could not be made
            form.add_error(None, " ".join(exc.messages))
    status = 400 if form.errors else 200
    return render(request, "packs/pack.html", context, status=status)


def _answers(form: PackForm) -> list[tuple[str, str]]:
    """Her choices in words, for the check page."""
    data = form.cleaned_data

    def label(name: str) -> str:
        return str(dict(form.fields[name].choices)[data[name]])  # type: ignore[attr-defined]

    what = label("scope")
    if data["scope"] == "chosen":
        count = len(data["incidents"])
        what = f"{count} incident{'s' if count != 1 else ''} you chose"
        if data["originals"]:
            what += ", with the files they were imported from"
    answers = [
        ("What to include", what),
        ("Redacted copies", "Used instead of the originals" if data["redacted"] else "Not used"),
        ("Statement draft", label("statement")),
        ("Protection", label("protection")),
    ]
    return answers


def _choices_made(request: HttpRequest) -> dict[str, Any]:
    """Her answers on the first page, carried through the check page in hidden fields."""
    return {
        name: (request.POST.getlist(name) if name == "incidents" else request.POST.get(name, ""))
        for name in STEP_ONE_FIELDS
    }


def _photos(
    request: HttpRequest, vault: Vault, selection: Selection
) -> list[hidden_details.PhotoDetails]:
    disclosed = resolve(take_snapshot(vault), selection)
    _, places_marked = own_marks(vault)
    return hidden_details.photos_with_hidden_details(
        request.user, vault, disclosed.exhibit_ids, places_marked
    )


def _with_clean_copies(
    request: HttpRequest, selection: Selection, photos: list[hidden_details.PhotoDetails]
) -> Selection:
    """The selection with each photo that can be copied replaced by its copy without hidden
    details (made now, or the one made before). The originals stay in her log."""
    redacted = dict(selection.redacted)
    for photo in photos:
        if photo.can_copy:
            copy = redaction_services.clean_copy(actor=request.user, exhibit=photo.exhibit)
            redacted[str(photo.exhibit.pk)] = str(copy.pk)
    return replace(selection, redacted=redacted)


def _request(
    request: HttpRequest, vault: Vault, form: PackForm, selection: Selection
) -> HttpResponse:
    data = form.cleaned_data
    job = jobs.request_pack(
        actor=request.user,
        vault=vault,
        selection=selection,
        protection=data["protection"],
        recipient=data["recipient"] or "",
        passphrase=data["passphrase"] or "",
        statement=data["statement"],
    )
    return redirect("packs:job", vault_id=vault.pk, job_id=job.pk)


@login_required
@require_http_methods(["GET"])
def pack_job(request: HttpRequest, vault_id: str, job_id: str) -> HttpResponse:
    """The pack being made: progress (polled), then the download, or what went wrong."""
    vault = access.get_vault_for_user(request.user, vault_id)
    job = job_access.get_pack_job_for_user(request.user, job_id)
    if job.vault_id != vault.pk:
        raise Http404("No such pack")
    return render(
        request,
        "packs/pack_job.html",
        {
            "vault": vault,
            "nav": "pack",
            "job": job,
            "state": jobs.state(job),
            "status_url": reverse("packs:job-status", args=[vault.pk, job.pk]),
        },
    )


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
    response = StreamingHttpResponse(
        jobs.result_chunks(job),
        content_type=("application/octet-stream" if job.encrypted else "application/zip"),
    )
    response["Content-Disposition"] = f'attachment; filename="{job.result_name}"'
    response["Content-Length"] = str(job.result_size)
    response["Cache-Control"] = "no-store"
    return response
