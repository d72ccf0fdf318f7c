"""The reason an officer chose for reading a case's shared evidence (``Purpose``), kept in
her session per case: every page that reads shared evidence under a case (the case page, risk
assessments, breaches, cameras) asks it here, and shows the choice with
``cases/case_purpose.html``. A module of its own so that other apps' views need not import
the case's views (ADR 0055)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cairn.cases.forms import PurposeForm
from cairn.cases.models import Case, Purpose


def purpose_key(case: Case) -> str:
    return f"purpose:{case.pk}"


def purpose_for(request: HttpRequest, case: Case) -> str | None:
    """The reason the officer chose for reading this case's shared evidence, if any."""
    value = request.session.get(purpose_key(case))
    return value if value in Purpose.values else None


def purpose_context(request: HttpRequest, case: Case, purpose: str | None) -> dict[str, Any]:
    """What ``cases/case_purpose.html`` needs: the choice, or the reason already chosen."""
    return {
        "purpose": purpose,
        "purpose_label": Purpose(purpose).label if purpose else "",
        "purpose_form": PurposeForm(initial={"purpose": purpose, "next": request.get_full_path()}),
    }
