"""Who may read what in a vault: the one place each object type is looked up for a user.

Views, the CLI and the API call these and never ``Model.objects`` directly (a test enforces
it). Anything a user may not read is reported as not found (404), so its existence is not
revealed. Today only the owner reads a vault; sharing with cases and advocates widens
``vaults_readable_by`` and nothing else.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from cairn.vault.models import Exhibit, Incident, IncidentRevision, Person, Vault


def vaults_readable_by(user: Any) -> QuerySet[Vault]:
    if user is None or not user.is_authenticated:
        return Vault.objects.none()
    return Vault.objects.filter(owner=user)


def vaults_writable_by(user: Any) -> QuerySet[Vault]:
    return vaults_readable_by(user)


def get_vault_for_user(user: Any, pk: Any) -> Vault:
    try:
        return vaults_readable_by(user).get(pk=pk)
    except (Vault.DoesNotExist, ValueError, TypeError):
        raise Http404("No such vault") from None


def incidents_readable_by(user: Any, vault: Vault | None = None) -> QuerySet[Incident]:
    qs = Incident.objects.filter(vault__in=vaults_readable_by(user))
    return qs.filter(vault=vault) if vault is not None else qs


def get_incident_for_user(user: Any, pk: Any) -> Incident:
    try:
        return incidents_readable_by(user).select_related("vault").get(pk=pk)
    except (Incident.DoesNotExist, ValueError, TypeError):
        raise Http404("No such incident") from None


def revisions_of(incident: Incident) -> QuerySet[IncidentRevision]:
    """Revisions of an incident the caller has already obtained through an access function."""
    return IncidentRevision.objects.filter(incident=incident).select_related("created_by")


def exhibits_readable_by(user: Any, vault: Vault | None = None) -> QuerySet[Exhibit]:
    qs = Exhibit.objects.filter(vault__in=vaults_readable_by(user))
    return qs.filter(vault=vault) if vault is not None else qs


def get_exhibit_for_user(user: Any, pk: Any) -> Exhibit:
    try:
        return exhibits_readable_by(user).select_related("vault", "incident").get(pk=pk)
    except (Exhibit.DoesNotExist, ValueError, TypeError):
        raise Http404("No such exhibit") from None


def persons_readable_by(user: Any, vault: Vault | None = None) -> QuerySet[Person]:
    qs = Person.objects.filter(vault__in=vaults_readable_by(user))
    return qs.filter(vault=vault) if vault is not None else qs


def get_person_for_user(user: Any, pk: Any) -> Person:
    try:
        return persons_readable_by(user).select_related("vault").get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404("No such person") from None
