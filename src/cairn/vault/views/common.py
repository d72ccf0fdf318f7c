"""Small helpers shared by the vault's views."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from cairn.vault.models import Vault
from cairn.web import timeframe


def vault_zone(vault: Vault) -> ZoneInfo:
    return timeframe.zone(vault.time_zone)


# How a changed field is named in a revision's history.
FIELD_LABELS = {
    "start": "Date and time",
    "end": "End time",
    "precision": "How exact the time is",
    "when_words": "When, in your words",
    "location": "Where",
    "latitude": "Latitude",
    "longitude": "Longitude",
    "channel": "How",
    "acts": "What they did",
    "other_act": "Something else they did",
    "description": "What happened",
    "impact": "Effect on daily life",
    "feared_violence": "Feared violence",
    "witnesses": "Witnesses",
    "reported_to_police": "Reported to police",
    "police_reference": "Police reference",
    "persons": "People involved",
}
