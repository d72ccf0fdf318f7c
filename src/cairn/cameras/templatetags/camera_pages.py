"""The cameras' small parts of other apps' pages, as inclusion tags, so those pages need only
one line each: her home page's reminders (``camera_reminders``), the incident page's cameras
(``incident_cameras``), and the officer's case page section (``case_cameras``)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone

from cairn.cameras import access, retention, services
from cairn.cameras.models import OFFICER_WORDS
from cairn.cameras.views import describe

register = template.Library()


def _today(zone_name: str) -> Any:
    return timezone.now().astimezone(ZoneInfo(zone_name)).date()


@register.inclusion_tag("cameras/_reminders.html", takes_context=True)
def camera_reminders(context: template.Context, vault: Any) -> dict[str, Any]:
    """Cameras nobody has asked yet whose ask-by date is near or past, most urgent first."""
    today = _today(vault.time_zone)
    items = [
        describe(camera, today)
        for camera in access.cameras_of(context["user"], vault)
        if camera.unasked
    ]
    due = sorted(
        (item for item in items if item["ask"].near(today)),
        key=lambda item: (item["ask"].date, item["camera"].number),
    )
    return {
        "vault": vault,
        "items": due,
        "soon_days": retention.SOON_DAYS,
        "others": len(items) - len(due),
    }


@register.inclusion_tag("cameras/_incident_cameras.html", takes_context=True)
def incident_cameras(context: template.Context, incident: Any) -> dict[str, Any]:
    today = _today(incident.vault.time_zone)
    return {
        "incident": incident,
        "vault": incident.vault,
        "items": [
            describe(camera, today)
            for camera in access.cameras_of_incident(context["user"], incident)
        ],
    }


@register.inclusion_tag("cameras/_case_cameras.html", takes_context=True)
def case_cameras(context: template.Context, case: Any) -> dict[str, Any]:
    """The case page's section: with a purpose chosen, the cameras of every shared log (the
    read is audited), the incidents with cameras nobody has asked, and each camera's ask-by
    date and status."""
    purpose = context.get("purpose")
    logs = []
    if purpose:
        for vault, cameras in access.case_cameras(context["user"], case, purpose=purpose):
            today = _today(vault.time_zone)
            items = [describe(camera, today, officer=True) for camera in cameras]
            for item in items:
                item["status_words"] = OFFICER_WORDS.get(item["camera"].status, "")
            logs.append(
                {"vault": vault, "items": items, "unasked": services.unasked_incidents(cameras)}
            )
    return {
        "case": case,
        "purpose": purpose,
        "logs": logs,
        "several": len(logs) > 1,
        "shares": context.get("shares"),
    }
