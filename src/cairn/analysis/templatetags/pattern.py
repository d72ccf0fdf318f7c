"""Template helpers for the pattern page: links from a conclusion to its incidents."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString

register = template.Library()

INLINE_LIMIT = 8
_PLACEHOLDER = "00000000-0000-4000-8000-000000000000"


def incident_links(numbers: dict[str, int]) -> dict[str, str]:
    """Each incident's link to her incident page, as a list item, built once per page (with
    one ``reverse``): the findings of a large log cite tens of thousands of incidents between
    them, and a ``reverse`` and a template per link made such a page take seconds."""
    start, _, end = escape(reverse("vault:incident", args=[_PLACEHOLDER])).partition(_PLACEHOLDER)
    # Plain joins (ids escaped, numbers are ints), as the case page's links are built.
    return {
        i: f'<li class="govuk-!-display-inline-block govuk-!-margin-right-2"><a '
        f'class="govuk-link" href="{start}{escape(i)}{end}">Incident {int(number)}</a>'
        f"</li>"
        for i, number in numbers.items()
    }


@register.simple_tag(takes_context=True)
def evidence(context: template.Context, incident_ids: Any, label: str = "") -> SafeString:
    """Links to the incidents a conclusion rests on (``incident_links`` in the context),
    folded away when there are many."""
    links: dict[str, str] = context.get("incident_links", {})
    items = [links[i] for i in incident_ids or () if i in links]
    if not items:
        return SafeString("")
    listed = SafeString(f'<ul class="govuk-list cairn-evidence">{"".join(items)}</ul>')
    if len(items) <= INLINE_LIMIT:
        return listed
    hidden = (
        format_html('<span class="govuk-visually-hidden"> for {}</span>', label) if label else ""
    )
    return format_html(
        '<details class="govuk-details govuk-!-margin-bottom-2">'
        '<summary class="govuk-details__summary"><span class="govuk-details__summary-text">'
        '{} incidents{}</span></summary><div class="govuk-details__text">{}</div></details>',
        len(items),
        hidden,
        listed,
    )


@register.inclusion_tag("analysis/_evidence_and_source.html", takes_context=True)
def evidence_and_source(
    context: template.Context, incident_ids: Any, source: str
) -> dict[str, Any]:
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
