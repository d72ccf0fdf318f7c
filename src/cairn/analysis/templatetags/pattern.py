"""Template helpers for the pattern page: links from a conclusion to its incidents."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()

INLINE_LIMIT = 8


@register.inclusion_tag("analysis/_evidence.html", takes_context=True)
def evidence(context: template.Context, incident_ids: Any, label: str = "") -> dict[str, Any]:
    """Links to the incidents a conclusion rests on, folded away when there are many."""
    numbers: dict[str, int] = context.get("incident_numbers", {})
    items = [{"id": i, "number": numbers[i]} for i in incident_ids or () if i in numbers]
    return {"items": items, "folded": len(items) > INLINE_LIMIT, "label": label}


@register.inclusion_tag("analysis/_evidence_and_source.html", takes_context=True)
def evidence_and_source(context: template.Context, incident_ids: Any,
                        source: str) -> dict[str, Any]:
    """A finding's incidents and its source, folded under one "details" line."""
    numbers: dict[str, int] = context.get("incident_numbers", {})
    items = [{"id": i, "number": numbers[i]} for i in incident_ids or () if i in numbers]
    return {"items": items, "source": source}


@register.filter
def status_colour(status: str) -> str:
    return {
        "met": "green",
        "partly": "yellow",
        "not_yet": "grey",
        "present": "orange",
        "ask": "blue",
        "not_seen": "grey",
        "answered_no": "grey",
        "not_sure": "grey",
    }.get(status, "grey")
