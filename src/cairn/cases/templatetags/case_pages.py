"""Template helpers for the officer's pages: whether the signed-in person has a case role (the
navigation shows "Cases" instead of a victim's items), one tag that renders any form field
with its GOV.UK component, and links from a finding to the shared incidents it cites."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.template.loader import render_to_string
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString

from cairn.accounts.access import CASE_ROLES, membership_of
from cairn.vault.choices import IdentifierKind
from cairn.web.fields import DateField
from cairn.web.templatetags import govuk

register = template.Library()

INLINE_LIMIT = 8
# Stands for an incident's id in a shared incident URL reversed once per vault (views.py).
INCIDENT_PLACEHOLDER = "00000000-0000-4000-8000-000000000000"


@register.simple_tag
def case_role(user: Any) -> bool:
    """True for an investigator or supervisor: someone who works cases and has no vault."""
    membership = membership_of(user)
    return membership is not None and membership.role in CASE_ROLES


@register.simple_tag
def case_field(field: forms.BoundField, classes: str = "") -> SafeString:
    """The field with the GOV.UK component that fits its kind."""
    kind = field.field
    widget = kind.widget
    if isinstance(widget, forms.HiddenInput):
        return SafeString(str(field))
    if isinstance(kind, DateField):
        name, context = "date_input", govuk.govuk_date_input(field)
    elif isinstance(kind, forms.BooleanField):
        name, context = "checkbox", govuk.govuk_checkbox(field)
    elif isinstance(widget, forms.RadioSelect):
        name, context = "choices", govuk.govuk_radios(field, small=True)
    elif isinstance(widget, forms.CheckboxSelectMultiple):
        name, context = "choices", govuk.govuk_checkboxes(field, small=True)
    elif isinstance(kind, forms.ChoiceField):
        name, context = "select", {"field": field}
    elif isinstance(widget, forms.Textarea):
        name, context = "textarea", govuk.govuk_textarea(field, rows=4)
    else:
        width = classes or (
            "govuk-input--width-5"
            if isinstance(kind, forms.TimeField)
            else "govuk-!-width-two-thirds"
        )
        name, context = "input", govuk.govuk_input(field, classes=width)
    return SafeString(render_to_string(f"web/components/{name}.html", context))


@register.simple_tag(takes_context=True)
def case_evidence(context: template.Context, incident_ids: Any, label: str = "") -> SafeString:
    """Links to the shared incident pages a finding rests on (the victim's pattern page links
    to her own incident pages instead), folded away when there are many. The same markup as
    ``analysis/_evidence.html``, built here: a finding can cite hundreds of incidents, and a
    template and a ``reverse`` per link made the case page several times slower."""
    numbers: dict[str, int] = context.get("incident_numbers", {})
    href: str = context.get("incident_href", "")
    items = [(i, numbers[i]) for i in incident_ids or () if i in numbers]
    if not items or not href:
        return SafeString("")
    start, _, end = escape(href).partition(INCIDENT_PLACEHOLDER)
    # Plain joins (ids escaped, numbers are ints): format_html per link cost ~40 ms a page.
    links = "".join(
        f'<li class="govuk-!-display-inline-block govuk-!-margin-right-2"><a class="govuk-link" '
        f'href="{start}{escape(i)}{end}">Incident {int(number)}</a></li>'
        for i, number in items
    )
    listed = SafeString(f'<ul class="govuk-list cairn-evidence">{links}</ul>')
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


@register.filter
def case_status_colour(status: str) -> str:
    return {
        "open": "blue",
        "investigating": "purple",
        "awaiting_review": "yellow",
        "closed": "grey",
    }.get(status, "grey")


@register.filter
def limb_colour(status: str) -> str:
    return {"met": "green", "partly": "yellow"}.get(status, "grey")


@register.filter
def identifier_kind(kind: str) -> str:
    return str(dict(IdentifierKind.choices).get(kind, kind))
