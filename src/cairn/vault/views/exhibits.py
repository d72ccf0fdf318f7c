"""Exhibits: upload (to an incident or the vault), list, detail and download."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cairn.store.blobs import default_store
from cairn.vault import access, hidden_details, redaction, services
from cairn.vault.choices import ExhibitSource
from cairn.vault.forms import ExhibitForm, add_service_errors
from cairn.vault.models import Exhibit, Vault
from cairn.vault.views.common import vault_zone
from cairn.vault.views.incidents import render_incident
from cairn.web.files import exhibit_response

PAGE_SIZE = 50


def _store_upload(
    request: HttpRequest, form: ExhibitForm, vault: Vault, incident: object | None
) -> Exhibit | None:
    """Run the upload through the service; on refusal put its message on the form."""
    if not form.is_valid():
        return None
    upload = form.cleaned_data["file"]
    try:
        return services.add_exhibit(
            actor=request.user,
            vault=vault,
            stream=upload,
            original_name=upload.name,
            declared_type=upload.content_type,
            incident=incident,
            source=ExhibitSource.UPLOAD,
            description=form.cleaned_data["description"],
            captured_at=form.cleaned_data["captured_at"],
            received_at=form.cleaned_data["received_at"],
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


@login_required
@require_http_methods(["POST"])
def incident_exhibit_upload(request: HttpRequest, incident_id: str) -> HttpResponse:
    incident = access.get_incident_for_user(request.user, incident_id)
    if incident.is_deleted:
        raise Http404("No such incident")
    form = ExhibitForm(request.POST, request.FILES, tz=vault_zone(incident.vault))
    exhibit = _store_upload(request, form, incident.vault, incident)
    if exhibit is None:
        return render_incident(request, incident, form, status=400)
    messages.success(request, f"Exhibit {exhibit.reference} is added.")
    return redirect("vault:incident", incident.pk)


@login_required
@require_http_methods(["GET", "POST"])
def exhibit_list(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = access.get_vault_for_user(request.user, vault_id)
    form = ExhibitForm(request.POST or None, request.FILES or None, tz=vault_zone(vault))
    if request.method == "POST":
        exhibit = _store_upload(request, form, vault, None)
        if exhibit is not None:
            messages.success(request, f"Exhibit {exhibit.reference} is added.")
            return redirect("vault:exhibit", exhibit.pk)
    exhibits = access.exhibits_readable_by(request.user, vault).select_related("incident")
    page = Paginator(exhibits.order_by("-number"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "vault/exhibits.html",
        {"vault": vault, "page": page, "upload_form": form, "nav": "exhibits"},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET"])
def exhibit_detail(request: HttpRequest, exhibit_id: str) -> HttpResponse:
    exhibit = access.get_exhibit_for_user(request.user, exhibit_id)
    copies = (
        access.exhibits_readable_by(request.user, exhibit.vault)
        .filter(derived_from=exhibit)
        .order_by("number")
    )
    photos = hidden_details.photos_with_hidden_details(
        request.user, exhibit.vault, [str(exhibit.pk)]
    )
    return render(
        request,
        "vault/exhibit.html",
        {
            "vault": exhibit.vault,
            "exhibit": exhibit,
            "nav": "exhibits",
            "source_label": ExhibitSource(exhibit.source).label,
            "can_redact": redaction.kind_of(exhibit.media_type) is not None,
            "original": exhibit.derived_from,
            "copies": copies,
            "hidden": photos[0] if photos else None,
        },
    )


def download_name(exhibit: Exhibit) -> str:
    """A filename that says which exhibit it is and nothing else: "AB-1.png".

    Never the original name: it may be sensitive, and downloads stay in a folder that
    someone else with the device may look at.
    """
    extension = mimetypes.guess_extension(exhibit.media_type, strict=False) or ".bin"
    safe_reference = "".join(ch if ch.isalnum() else "-" for ch in exhibit.reference)
    return f"{safe_reference}{extension}"


@login_required
@require_http_methods(["GET"])
def exhibit_download(request: HttpRequest, exhibit_id: str) -> StreamingHttpResponse:
    exhibit = access.get_exhibit_for_user(request.user, exhibit_id)
    chunks = default_store().iter_bytes(str(exhibit.vault_id), exhibit.sha256)
    return exhibit_response(
        chunks, media_type=exhibit.media_type, size=exhibit.size, filename=download_name(exhibit)
    )
