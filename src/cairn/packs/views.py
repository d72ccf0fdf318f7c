"""The victim's "Evidence pack" page: choose what to include, preview it, download it.

Only the vault's owner reaches it (404 for anyone else). The pack is built on request into a
temporary folder and streamed back; nothing about it stays on the server except the audit
record of who built which pack. The file name is neutral (cairn.web.downloads: no activity,
date, names or content), because a download list is something another person using the device
might see.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from cairn.packs.builder import PackBuildError
from cairn.packs.forms import PackForm
from cairn.packs.selection import Selection, SelectionError
from cairn.packs.services import build_pack, preview_counts, selection_for
from cairn.vault import access
from cairn.vault.models import Vault
from cairn.web.downloads import neutral_name

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
                               "incident_count": len(choices)}
    if request.method == "POST" and form.is_valid():
        try:
            selection = _selection(form, vault)
            if request.POST.get("action") == "build":
                return _download(request, vault, form, selection)
            context["preview"] = preview_counts(request.user, vault, selection)
        except (PackBuildError, SelectionError) as exc:
            form.add_error(None, str(exc))
    status = 400 if form.errors else 200
    return render(request, "packs/pack.html", context, status=status)


def _download(request: HttpRequest, vault: Vault, form: PackForm,
              selection: Selection) -> HttpResponse:
    data = form.cleaned_data
    protection = data["protection"]
    name = neutral_name(".zip" if protection == "none" else ".zip.age")
    work = Path(tempfile.mkdtemp(prefix="cairn-pack-web-"))
    try:
        out = work / name
        build_pack(actor=request.user, vault=vault, selection=selection, out=out,
                   recipients=[data["recipient"]] if protection == "recipient" else [],
                   passphrase=data["passphrase"] if protection == "passphrase" else None,
                   statement=data["statement"])
        handle = out.open("rb")
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    # The folder is removed as soon as the file is open: the open handle keeps the bytes
    # readable until the response is sent, and nothing is left on disk afterwards.
    shutil.rmtree(work, ignore_errors=True)
    response = FileResponse(handle, as_attachment=True, filename=name,
                            content_type="application/zip" if protection == "none"
                            else "application/octet-stream")
    response["Cache-Control"] = "no-store"
    return response
