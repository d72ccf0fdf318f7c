"""Log, read, revise and delete incidents, and read their revisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cairn.law.pha1997 import ACTS_BY_CODE
from cairn.vault import access, services
from cairn.vault.choices import Channel
from cairn.vault.forms import ACT_HINTS, ExhibitForm, IncidentForm
from cairn.vault.models import Incident
from cairn.vault.views.common import FIELD_LABELS, vault_zone
from cairn.web import timeframe


def _incident_form(request: HttpRequest, incident: Incident | None, vault: Any) -> IncidentForm:
    persons = access.persons_readable_by(request.user, vault)
    data = request.POST if request.method == "POST" else None
    return IncidentForm(data, persons=persons, tz=vault_zone(vault), incident=incident)


@login_required
@require_http_methods(["GET", "POST"])
def incident_new(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = access.get_vault_for_user(request.user, vault_id)
    persons = access.persons_readable_by(request.user, vault)
    tz = vault_zone(vault)
    if request.method == "POST":
        form = IncidentForm(request.POST, persons=persons, tz=tz)
    else:
        form = IncidentForm(persons=persons, tz=tz, initial={"date": datetime.now(tz).date()})
    if request.method == "POST" and form.is_valid():
        try:
            incident = services.log_incident(actor=request.user, vault=vault, data=form.to_input())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"Incident {incident.number} is in your log.")
            return redirect("vault:incident", incident.pk)
    return _render_form(request, form, vault, None)


@login_required
@require_http_methods(["GET", "POST"])
def incident_edit(request: HttpRequest, incident_id: str) -> HttpResponse:
    incident = access.get_incident_for_user(request.user, incident_id)
    if incident.is_deleted:
        raise Http404("No such incident")
    form = _incident_form(request, incident, incident.vault)
    if request.method == "POST" and form.is_valid():
        try:
            services.revise_incident(actor=request.user, incident=incident, data=form.to_input())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, f"Your changes to incident {incident.number} are saved.")
            return redirect("vault:incident", incident.pk)
    return _render_form(request, form, incident.vault, incident)


def _render_form(
    request: HttpRequest, form: IncidentForm, vault: Any, incident: Incident | None
) -> HttpResponse:
    context = {
        "form": form,
        "vault": vault,
        "incident": incident,
        "act_hints": ACT_HINTS,
        "nav": "log" if incident is None else "timeline",
        "show_details": any(
            form[name].errors or form[name].value()
            for name in (
                "when_words",
                "end_time",
                "location",
                "latitude",
                "longitude",
                "impact",
                "witnesses",
                "police_reference",
                "persons",
            )
        ),
    }
    return render(request, "vault/incident_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET"])
def incident_detail(request: HttpRequest, incident_id: str) -> HttpResponse:
    incident = access.get_incident_for_user(request.user, incident_id)
    return render_incident(request, incident, ExhibitForm(tz=vault_zone(incident.vault)))


def render_incident(
    request: HttpRequest, incident: Incident, upload_form: ExhibitForm, status: int = 200
) -> HttpResponse:
    vault = incident.vault
    revisions = list(access.revisions_of(incident).order_by("-number"))
    for revision in revisions:
        revision.changed_labels = [FIELD_LABELS.get(name, name) for name in revision.changed_fields]
    context = {
        "vault": vault,
        "incident": incident,
        "nav": "timeline",
        "upload_form": upload_form,
        "channel_label": Channel(incident.channel).label if incident.channel else "",
        "persons": incident.persons.all(),
        "exhibits": access.exhibits_readable_by(request.user, vault).filter(incident=incident),
        "revisions": revisions,
    }
    return render(request, "vault/incident.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def incident_delete(request: HttpRequest, incident_id: str) -> HttpResponse:
    incident = access.get_incident_for_user(request.user, incident_id)
    if incident.is_deleted:
        raise Http404("No such incident")
    if request.method == "POST":
        services.delete_incident(actor=request.user, incident=incident)
        messages.success(request, f"Incident {incident.number} is deleted.")
        return redirect("vault:timeline", incident.vault_id)
    return render(
        request,
        "vault/incident_delete.html",
        {"incident": incident, "vault": incident.vault, "nav": "timeline"},
    )


@login_required
@require_http_methods(["GET"])
def revision_detail(request: HttpRequest, incident_id: str, number: int) -> HttpResponse:
    incident = access.get_incident_for_user(request.user, incident_id)
    revision = access.revisions_of(incident).filter(number=number).first()
    if revision is None:
        raise Http404("No such revision")
    content = revision.content or {}
    person_ids = content.get("persons") or []
    persons = access.persons_readable_by(request.user, incident.vault).filter(pk__in=person_ids)
    context = {
        "vault": incident.vault,
        "incident": incident,
        "revision": revision,
        "nav": "timeline",
        "content": content,
        "when_text": _when(content, vault_zone(incident.vault)),
        "acts": [
            (code, ACTS_BY_CODE[code].plain)
            for code in content.get("acts") or []
            if code in ACTS_BY_CODE
        ],
        "channel_label": (
            Channel(content["channel"]).label if content.get("channel") in Channel.values else ""
        ),
        "persons": persons,
        "changed_labels": [FIELD_LABELS.get(name, name) for name in revision.changed_fields],
    }
    return render(request, "vault/revision.html", context)


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _when(content: dict[str, Any], tz: ZoneInfo) -> str:
    start = _parse(content.get("start"))
    if start is None:
        return ""
    return timeframe.describe_when(
        start, _parse(content.get("end")), content.get("precision") or "exact", tz
    )
