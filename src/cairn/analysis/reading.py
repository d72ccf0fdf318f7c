"""Run the analysis on a vault from the database: take its snapshot, find the victim's latest
questionnaire answers, and call the pure ``analyse``. Used by the pages and the CLI; the
analysis per person is kept and read again while it is valid (``cairn.analysis.kept``)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from cairn.analysis import access, kept
from cairn.analysis.base import VICTIM
from cairn.analysis.engine import Analysis, PeopleAnalysis, analyse
from cairn.analysis.questionnaire import FormDefinition, available_forms
from cairn.vault.models import Vault
from cairn.vault.snapshot_loader import take_snapshot

RISK_FORM_ID = "cairn-indicators"


def forms() -> dict[str, FormDefinition]:
    """Cairn's own form, and any a deployment adds in ``CAIRN_RISK_FORM_DIRS`` (a list of
    folders of YAML definitions it holds a licence for)."""
    extra = tuple(Path(p) for p in getattr(settings, "CAIRN_RISK_FORM_DIRS", ()) or ())
    return available_forms(extra)


def risk_form() -> FormDefinition:
    return forms()[RISK_FORM_ID]


def latest_answers(user: Any, vault: Vault, form: FormDefinition) -> dict[str, Any] | None:
    row = access.latest_risk_answers(user, vault, form.id)
    return row.answers if row is not None else None


def analyse_vault(user: Any, vault: Vault, *, now: datetime | None = None) -> Analysis:
    """The analysis of a vault the caller already obtained through an access function."""
    now = now or timezone.now()
    form = risk_form()
    return analyse(
        take_snapshot(vault, now=now), now=now, form=form, answers=latest_answers(user, vault, form)
    )


def analyse_vault_people(user: Any, vault: Vault, *, now: datetime | None = None) -> PeopleAnalysis:
    """One analysis per person of a vault the caller already obtained through an access
    function, in the victim's voice (her pages and her command line): the kept one while it
    is valid (``now`` None: the present, as ``kept.people_analysis`` says)."""
    return kept.people_analysis(vault, **_owner_reading(user, vault, now))


def vault_people_json(user: Any, vault: Vault, *, now: datetime | None = None) -> str:
    """``analyse_vault_people`` as the JSON ``cairn analyse --json`` prints."""
    return kept.people_json(vault, **_owner_reading(user, vault, now))


def _owner_reading(user: Any, vault: Vault, now: datetime | None) -> dict[str, Any]:
    form = risk_form()
    row = access.latest_risk_answers(user, vault, form.id)
    return {
        "snapshot": lambda: take_snapshot(vault, now=now or timezone.now()),
        "now": now,
        "voice": VICTIM,
        "form": form,
        "answers": row.answers if row is not None else None,
        "answers_id": row.pk if row is not None else None,
    }
