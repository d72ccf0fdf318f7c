"""Template helpers for the officer's pages: whether the signed-in person has a case role (the
navigation shows "Cases" instead of a victim's items), one tag that renders any form field
with its GOV.UK component, and links from a finding to the shared incidents it cites."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from cairn.cases.access import CASE_ROLES, membership_of
from cairn.vault.choices import IdentifierKind
from cairn.web.fields import DateField
from cairn.web.templatetags import govuk

register = template.Library()

INLINE_LIMIT = 8


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
        width = classes or ("govuk-input--width-5" if isinstance(kind, forms.TimeField)
                            else "govuk-!-width-two-thirds")
        name, context = "input", govuk.govuk_input(field, classes=width)
    return SafeString(render_to_string(f"web/components/{name}.html", context))


@register.inclusion_tag("cases/case_evidence.html", takes_context=True)
def case_evidence(context: template.Context, incident_ids: Any, label: str = ""
                  ) -> dict[str, Any]:
    """Links to the shared incident pages a finding rests on (the victim's pattern page links
    to her own incident pages instead), folded away when there are many."""
    numbers: dict[str, int] = context.get("incident_numbers", {})
    items = [{"id": i, "number": numbers[i]} for i in incident_ids or () if i in numbers]
    return {"items": items, "folded": len(items) > INLINE_LIMIT, "label": label,
            "case": context.get("case"), "shared_vault": context.get("shared_vault")}


@register.filter
def case_status_colour(status: str) -> str:
    return {"open": "blue", "investigating": "purple", "awaiting_review": "yellow",
            "closed": "grey"}.get(status, "grey")


@register.filter
def limb_colour(status: str) -> str:
    return {"met": "green", "partly": "yellow"}.get(status, "grey")


@register.filter
def identifier_kind(kind: str) -> str:
    return str(dict(IdentifierKind.choices).get(kind, kind))
