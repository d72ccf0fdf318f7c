"""The cameras' reason for a sign-off in the closure guard (registered by ``apps.ready``)."""

from __future__ import annotations

from typing import Any

from cairn.cameras import access, services
from cairn.cases.closure import PURPOSE
from cairn.cases.models import Case


def _numbers(numbers: list[int]) -> str:
    words = [str(n) for n in numbers]
    listed = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
    return ("incident " if len(words) == 1 else "incidents ") + listed


def unasked_clauses(actor: Any, case: Case) -> list[str]:
    """Why closing ``case`` needs a sign-off as far as cameras go: cameras that may have
    recorded a shared incident and that nobody has asked for (numbers only, no content). The
    reads are audited with the closure guard's purpose, "supervision"."""
    logs = [
        (vault, services.unasked_incidents(cameras))
        for vault, cameras in access.case_cameras(actor, case, purpose=PURPOSE)
    ]
    logs = [(vault, numbers) for vault, numbers in logs if numbers]
    if not logs:
        return []
    where = "; ".join(
        (f"log {n}: " if len(logs) > 1 else "") + _numbers(numbers)
        for n, (_, numbers) in enumerate(logs, start=1)
    )
    return [
        f"nobody has asked for the footage of cameras that may have recorded {where}. "
        "Mark each camera on the case page as requested, not kept or refused."
    ]
