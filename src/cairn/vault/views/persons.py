"""People: the person doing this, and witnesses."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cairn.vault import access, services
from cairn.vault.choices import CombinedAs, PersonRole
from cairn.vault.forms import PersonForm

LINKED_INCIDENTS_SHOWN = 200


@login_required
@require_http_methods(["GET"])
def person_list(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = access.get_vault_for_user(request.user, vault_id)
    persons = access.persons_readable_by(request.user, vault).prefetch_related("identifiers")
    return render(
        request, "vault/persons.html", {"vault": vault, "persons": persons, "nav": "people"}
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_new(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = access.get_vault_for_user(request.user, vault_id)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.create_person(
                actor=request.user, vault=vault, **form.service_kwargs()
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "The person is added.")
            return redirect("vault:person", person.pk)
    return render(
        request,
        "vault/person_form.html",
        {"vault": vault, "form": form, "person": None, "nav": "people"},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, person_id: str) -> HttpResponse:
    person = access.get_person_for_user(request.user, person_id)
    form = PersonForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(actor=request.user, person=person, **form.service_kwargs())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "Your changes are saved.")
            return redirect("vault:person", person.pk)
    return render(
        request,
        "vault/person_form.html",
        {"vault": person.vault, "form": form, "person": person, "nav": "people"},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET"])
def person_detail(request: HttpRequest, person_id: str) -> HttpResponse:
    person = access.get_person_for_user(request.user, person_id)
    incidents = (
        access.incidents_readable_by(request.user, person.vault)
        .filter(persons=person, deleted_at__isnull=True)
        .order_by("-start", "-number")
    )
    others = (
        access.persons_readable_by(request.user, person.vault)
        .filter(role=PersonRole.SUSPECT)
        .exclude(pk=person.pk)
    )
    return render(
        request,
        "vault/person.html",
        {
            "vault": person.vault,
            "person": person,
            "nav": "people",
            "identifiers": person.identifiers.all(),
            "incidents": incidents[:LINKED_INCIDENTS_SHOWN],
            "incident_count": incidents.count(),
            "others": others if person.role == PersonRole.SUSPECT else [],
            "combined_choices": CombinedAs.choices,
        },
    )


@login_required
@require_http_methods(["POST"])
def person_combine(request: HttpRequest, person_id: str) -> HttpResponse:
    """She says this person is the same person as, or acting together with, another one of
    her log; or ("separate") takes that back."""
    person = access.get_person_for_user(request.user, person_id)
    try:
        if request.POST.get("action") == "separate":
            services.separate_person(actor=request.user, person=person)
            messages.success(request, "Saved: this person is analysed on their own again.")
        else:
            other = (
                access.persons_readable_by(request.user, person.vault)
                .filter(pk=request.POST.get("other") or None)
                .first()
                if _is_uuid(request.POST.get("other", ""))
                else None
            )
            if other is None:
                raise ValidationError({"other": ["Choose the other person"]})
            services.combine_persons(
                actor=request.user, person=person, other=other, how=request.POST.get("how", "")
            )
            messages.success(request, "Saved: the pattern now takes them together.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("vault:person", person.pk)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
