"""Her camera pages: the cameras of her log, noting one (one question per page), a camera with
its ask-by date and what happened, the two letters, and the guidance on her own camera.

Only the vault's owner reaches them (404 for anyone else). Titles name no activity and URLs
carry only ids (DESIGN.md invariants 5 and 11). Answers typed while noting a camera travel in
the pages' own forms (hidden fields posted with each step), never in the session or a URL, and
are stored only when she saves, sealed.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cairn.cameras import access, paperwork, retention, services
from cairn.cameras.forms import (
    STEPS,
    HerStepForm,
    LetterForm,
    ShareChoiceForm,
    kind_choices,
    steps_for,
)
from cairn.cameras.letters import render as render_letter
from cairn.cameras.letters import when_words
from cairn.cameras.models import Appears, Camera, CameraStatus
from cairn.cases.access import recipient_of_share
from cairn.packs.pdf import PdfError
from cairn.vault import access as vault_access
from cairn.vault.forms import add_service_errors
from cairn.vault.models import Vault


def _today(vault: Vault) -> Any:
    return timezone.now().astimezone(ZoneInfo(vault.time_zone)).date()


def describe(camera: Camera, today: Any, *, officer: bool = False) -> dict[str, Any]:
    """What a page shows of a camera: its ask-by date, worded as "often", never as certain."""
    ask = services.ask_by_for(camera)
    figure = ask.figure
    return {
        "camera": camera,
        "ask": ask,
        "kind_label": figure.officer_label if officer else figure.label,
        "deadline": retention.deadline(ask, today, officer=officer),
        "basis": retention.basis(ask, officer=officer),
        "overdue": ask.overdue(today),
        "days_left": ask.days_left(today),
        "unasked": camera.unasked,
    }


# --- the list -------------------------------------------------------------------------------------


@login_required
@require_GET
def camera_list(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = vault_access.get_vault_for_user(request.user, vault_id)
    today = _today(vault)
    items = sorted(
        (describe(camera, today) for camera in access.cameras_of(request.user, vault)),
        key=lambda item: (not item["unasked"], item["ask"].date, item["camera"].number),
    )
    return render(request, "cameras/list.html", {"vault": vault, "nav": "home", "items": items})


# --- noting a camera, one question per page -------------------------------------------------------


def _carried(data: Any, skip: set[str]) -> list[tuple[str, str]]:
    """Earlier answers to post again with this page (as hidden fields), in step order."""
    names = [name for _, form in STEPS for name in form.base_fields]
    return [(name, data.get(name, "")) for name in names if name not in skip and name in data]


def _step_page(
    request: HttpRequest,
    incident: Any,
    step: str,
    form: forms.Form,
    data: Any,
    status: int = 200,
    *,
    review: bool = False,
) -> HttpResponse:
    return render(
        request,
        "cameras/new_step.html",
        {
            "vault": incident.vault,
            "incident": incident,
            "nav": "timeline",
            "step": step,
            "form": form,
            "carried": _carried(data, set(form.base_fields)),
            "review": review or bool(data.get("review")),
        },
        status=status,
    )


def _answers(data: Any) -> dict[str, Any]:
    kept = (data.get("kept_days") or "").strip()
    return {
        "kind": data.get("kind", ""),
        "owner": data.get("owner", ""),
        "place": data.get("place", ""),
        "kept_words": data.get("kept_words", ""),
        "kept_days": int(kept) if kept.isdigit() else None,
        "appears": data.get("appears") or Appears.NOT_SURE,
    }


def _check_page(
    request: HttpRequest, incident: Any, data: Any, error: ValidationError | None = None
) -> HttpResponse:
    answers = _answers(data)
    labels = dict(kind_choices())
    names = [name for name, _ in steps_for(answers["kind"])]
    form = forms.Form(data)
    form.is_valid()
    if error is not None:
        add_service_errors(form, error)
    return render(
        request,
        "cameras/new_check.html",
        {
            "vault": incident.vault,
            "incident": incident,
            "nav": "timeline",
            "form": form,
            "answers": answers,
            "kind_label": labels.get(answers["kind"], ""),
            "steps": names,
            "appears_label": dict(Appears.choices).get(answers["appears"], ""),
            "carried": _carried(data, set()),
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def camera_new(request: HttpRequest, incident_id: str) -> HttpResponse:
    incident = vault_access.get_incident_for_user(request.user, incident_id)
    if incident.is_deleted:
        raise Http404("No such incident")
    if request.method == "GET":
        return _step_page(request, incident, STEPS[0][0], STEPS[0][1](), {})
    data = request.POST
    steps = steps_for(data.get("kind"))
    names = [name for name, _ in steps]
    goto = data.get("goto")
    if goto in names:  # "Change" on the check page
        form_class = dict(steps)[goto]
        return _step_page(request, incident, goto, form_class(data), data, review=True)
    step = data.get("step", "")
    if step == "check":
        try:
            camera = services.add_camera(actor=request.user, incident=incident, **_answers(data))
        except ValidationError as exc:
            return _check_page(request, incident, data, exc)
        messages.success(request, f"Camera {camera.number} is in your log.")
        return redirect("cameras:camera", camera.pk)
    if step not in names:
        return _step_page(request, incident, STEPS[0][0], STEPS[0][1](), {})
    form = dict(steps)[step](data)
    if not form.is_valid():
        return _step_page(request, incident, step, form, data, status=400)
    # The kind decides which questions follow; a later answer already given is kept.
    steps = steps_for(data.get("kind"))
    names = [name for name, _ in steps]
    position = names.index(step) + 1
    if position < len(names) and not data.get("review"):
        following = names[position]
        return _step_page(
            request,
            incident,
            following,
            dict(steps)[following](
                initial={name: data.get(name) for name in dict(steps)[following].base_fields}
            ),
            data,
        )
    return _check_page(request, incident, data)


# --- a camera ------------------------------------------------------------------------------------


def _shares(request: HttpRequest, camera: Camera) -> list[tuple[str, str]]:
    return [
        (str(share.pk), f"Case {share.case.reference} at {recipient_of_share(share)}")
        for share in services.case_shares(request.user, camera.vault)
    ]


def render_camera(
    request: HttpRequest,
    camera: Camera,
    *,
    step_form: HerStepForm | None = None,
    share_form: ShareChoiceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    vault = camera.vault
    shares = _shares(request, camera)
    context = {
        "vault": vault,
        "nav": "timeline",
        **describe(camera, _today(vault)),
        "incident": camera.incident,
        "changes": list(access.changes_of(camera)),
        "step_form": step_form or HerStepForm(),
        "share_form": share_form or ShareChoiceForm(shares=shares),
        "shares": shares,
        "can_hand": camera.status in (CameraStatus.NOT_ASKED, CameraStatus.SHE_ASKED),
        "scope_widens": _scope_widens(request, camera),
        "settled": camera.status in ("collected", "not_kept", "refused"),
        "hers": camera.kind_enum.hers,
    }
    return render(request, "cameras/camera.html", context, status=status)


def _scope_widens(request: HttpRequest, camera: Camera) -> bool:
    """Handing this camera over would add its incident to a share of chosen incidents."""
    return any(
        share.scope == "chosen" and not share.incidents.filter(pk=camera.incident_id).exists()
        for share in services.case_shares(request.user, camera.vault)
    )


@login_required
@require_GET
def camera_detail(request: HttpRequest, camera_id: str) -> HttpResponse:
    return render_camera(request, access.get_camera_for_user(request.user, camera_id))


@login_required
@require_POST
def camera_step(request: HttpRequest, camera_id: str) -> HttpResponse:
    camera = access.get_camera_for_user(request.user, camera_id)
    form = HerStepForm(request.POST)
    if form.is_valid():
        try:
            services.record_her_step(actor=request.user, camera=camera, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("cameras:camera", camera.pk)
    return render_camera(request, camera, step_form=form, status=400)


@login_required
@require_POST
def camera_hand(request: HttpRequest, camera_id: str) -> HttpResponse:
    """One action: the officers of the case her log is shared with are asked to get it."""
    camera = access.get_camera_for_user(request.user, camera_id)
    shares = _shares(request, camera)
    form = ShareChoiceForm(
        request.POST if len(shares) != 1 else {"share": shares[0][0]}, shares=shares
    )
    if not shares:
        form.add_error(
            None,
            "Your log is not shared with a police case. Share it first, from "
            "the Sharing page, with the code the officer gives you.",
        )
    elif form.is_valid():
        share = next(
            share
            for share in services.case_shares(request.user, camera.vault)
            if str(share.pk) == form.cleaned_data["share"]
        )
        try:
            services.hand_to_case(actor=request.user, camera=camera, share=share)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                "The police can see this camera now, and that you asked them to get the footage.",
            )
            return redirect("cameras:camera", camera.pk)
    return render_camera(request, camera, share_form=form, status=400)


# --- the letters ---------------------------------------------------------------------------


def _letter(request: HttpRequest, camera_id: str, kind: str) -> HttpResponse:
    camera = access.get_camera_for_user(request.user, camera_id)
    form = LetterForm(request.POST or None, initial=paperwork.suggestions(camera, kind))
    if camera.kind_enum.hers or (kind == "access" and camera.appears == Appears.NO):
        raise Http404("No such letter")  # her own footage is hers; not in it: not hers to ask
    if request.method == "POST" and form.is_valid():
        choices = {
            name: value
            for name, value in form.cleaned_data.items()
            if kind == "keep" or name != "police_reference"
        }
        try:
            pdf = render_letter(paperwork.letter_for(camera, kind, **choices))
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PdfError:
            form.add_error(
                None,
                "The letter could not be made just now. Try again, or write "
                "it yourself from the words on this page.",
            )
        else:
            response = HttpResponse(pdf, content_type="application/pdf")
            response["Content-Disposition"] = (
                f'attachment; filename="{paperwork.download_name(kind)}"'
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "cameras/letter.html",
        {
            "vault": camera.vault,
            "nav": "timeline",
            "camera": camera,
            "form": form,
            "kind": kind,
            "incident": camera.incident,
            "when": when_words(
                camera.incident.start,
                camera.incident.end,
                camera.incident.precision,
                ZoneInfo(camera.vault.time_zone),
            ),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def letter_access(request: HttpRequest, camera_id: str) -> HttpResponse:
    return _letter(request, camera_id, "access")


@login_required
@require_http_methods(["GET", "POST"])
def letter_keep(request: HttpRequest, camera_id: str) -> HttpResponse:
    return _letter(request, camera_id, "keep")


# --- her own camera ------------------------------------------------------------------------


@login_required
@require_GET
def own_camera(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = vault_access.get_vault_for_user(request.user, vault_id)
    return render(
        request,
        "cameras/own_camera.html",
        {"vault": vault, "nav": "home", "table": retention.table()},
    )
