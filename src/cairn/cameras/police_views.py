"""The officer's camera page on a shared case: the camera, its ask-by date and steps, and the
two forms that record what the police did (requested, not kept, refused) and footage collected
with its continuity (who, when, from whom, how) and the file, which becomes an exhibit.

Who: investigators and supervisors of the case's unit, reading the camera through the victim's
live share (404 for anyone else, and for a camera outside the share). The camera is read with
the purpose chosen for the case, so each look is in her access log; until a purpose is chosen
the page shows only that choice. Titles and URLs carry no content.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cairn.cameras import access, services
from cairn.cameras.forms import CollectedForm, PoliceStepForm
from cairn.cameras.models import OFFICER_WORDS, Camera, CameraStatus
from cairn.cameras.views import describe
from cairn.cases import access as case_access
from cairn.cases.models import Case
from cairn.cases.purpose import purpose_context, purpose_for
from cairn.vault.forms import add_service_errors


def _camera_for(
    request: HttpRequest, case_id: str, camera_id: str
) -> tuple[Case, Camera | None, str | None]:
    case = case_access.get_case_for_user(request.user, case_id)
    purpose = purpose_for(request, case)
    if purpose is None:
        # Not read until there is a reason; but a camera outside the case is still "not found".
        if not access.case_has_camera(request.user, case, camera_id):
            raise Http404("No such camera")
        return case, None, None
    return case, access.get_shared_camera(request.user, case, camera_id, purpose=purpose), purpose


def _page(
    request: HttpRequest,
    case: Case,
    camera: Camera | None,
    purpose: str | None,
    *,
    step_form: PoliceStepForm | None = None,
    collected_form: CollectedForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "nav": "cases",
        "case": case,
        **purpose_context(request, case, purpose),
    }
    if camera is not None:
        vault = camera.vault
        today = timezone.now().astimezone(ZoneInfo(vault.time_zone)).date()
        changes = list(access.changes_of(camera))
        for change in changes:
            change.words = OFFICER_WORDS.get(change.status, change.get_status_display())
        context.update(
            **describe(camera, today, officer=True),
            shared_vault=vault,
            incident=camera.incident,
            changes=changes,
            status_words=OFFICER_WORDS.get(camera.status, ""),
            incident_href=reverse("cases:incident", args=[case.pk, vault.pk, camera.incident_id]),
            collected=camera.status == CameraStatus.COLLECTED,
            step_form=step_form or PoliceStepForm(),
            collected_form=collected_form
            or CollectedForm(
                tz=ZoneInfo(vault.time_zone),
                initial={
                    "collected_at": timezone.now()
                    .astimezone(ZoneInfo(vault.time_zone))
                    .strftime("%d/%m/%Y %H:%M")
                },
            ),
        )
    return render(request, "cameras/case_camera.html", context, status=status)


@login_required
@require_GET
def camera_page(request: HttpRequest, case_id: str, camera_id: str) -> HttpResponse:
    case, camera, purpose = _camera_for(request, case_id, camera_id)
    return _page(request, case, camera, purpose)


@login_required
@require_POST
def camera_step(request: HttpRequest, case_id: str, camera_id: str) -> HttpResponse:
    case, camera, purpose = _camera_for(request, case_id, camera_id)
    if camera is None:
        return _page(request, case, None, None, status=400)
    form = PoliceStepForm(request.POST)
    if form.is_valid():
        try:
            services.record_police_step(
                actor=request.user, case=case, camera=camera, **form.cleaned_data
            )
        except PermissionDenied:
            raise Http404("No such camera") from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Recorded on the camera")
            return redirect("case-cameras:camera", case.pk, camera.pk)
    return _page(request, case, camera, purpose, step_form=form, status=400)


@login_required
@require_POST
def camera_collected(request: HttpRequest, case_id: str, camera_id: str) -> HttpResponse:
    case, camera, purpose = _camera_for(request, case_id, camera_id)
    if camera is None:
        return _page(request, case, None, None, status=400)
    form = CollectedForm(request.POST, request.FILES, tz=ZoneInfo(camera.vault.time_zone))
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            change = services.record_collected(
                actor=request.user,
                case=case,
                camera=camera,
                collected_at=form.cleaned_data["collected_at"],
                collected_from=form.cleaned_data["collected_from"],
                collected_how=form.cleaned_data["collected_how"],
                stream=upload,
                file_name=upload.name,
                declared_type=upload.content_type,
            )
        except PermissionDenied:
            raise Http404("No such camera") from None
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            exhibit = change.exhibit
            messages.success(
                request,
                f"Footage collected and kept as exhibit {exhibit.reference if exhibit else ''}",
            )
            return redirect("case-cameras:camera", case.pk, camera.pk)
    return _page(request, case, camera, purpose, collected_form=form, status=400)
