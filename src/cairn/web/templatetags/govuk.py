"""GOV.UK Frontend components for Django forms: hand-written markup, one include each.

Each tag takes a bound field and renders the component's markup with its label, hint and
error message. Ids follow one rule so the error summary can link to every field: a field's
first input has the id ``id_<name>`` (a date input's day box: ``id_<name>_day``).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms, template
from django.core.paginator import Page
from django.http import QueryDict

from cairn.web import media, timeframe
from cairn.web.fields import DateField

register = template.Library()


def _first_error(field: forms.BoundField) -> str:
    return str(field.errors[0]) if field.errors else ""


def _text_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    return str(value)


def anchor(field: forms.BoundField) -> str:
    """The id the error summary links to: the field's first input."""
    base = f"id_{field.html_name}"
    if isinstance(field.field, DateField):
        return f"{base}_day"
    return base


def _common(field: forms.BoundField, hint: str, label_class: str) -> dict[str, Any]:
    return {
        "field": field,
        "id": f"id_{field.html_name}",
        "name": field.html_name,
        "label": field.label,
        "hint": hint or field.help_text,
        "error": _first_error(field),
        "label_class": label_class,
        "required": field.field.required,
    }


@register.inclusion_tag("web/components/input.html")
def govuk_input(
    field: forms.BoundField,
    hint: str = "",
    classes: str = "",
    input_type: str = "text",
    autocomplete: str = "",
    inputmode: str = "",
    label_class: str = "govuk-label--s",
    spellcheck: str = "",
) -> dict[str, Any]:
    context = _common(field, hint, label_class)
    # A password typed into a refused form is never sent back in the page.
    value = "" if input_type == "password" else _text_value(field.value())
    context.update(
        value=value,
        classes=classes,
        input_type=input_type,
        autocomplete=autocomplete,
        inputmode=inputmode,
        spellcheck=spellcheck,
    )
    return context


@register.inclusion_tag("web/components/password_input.html", takes_context=True)
def govuk_password(
    context: template.Context,
    field: forms.BoundField,
    hint: str = "",
    classes: str = "",
    autocomplete: str = "current-password",
    label_class: str = "govuk-label--s",
) -> dict[str, Any]:
    """A password or passphrase: masked, with a "Show" button (GOV.UK's password input).

    What was typed is never sent back in the page. The browser is asked to fill in or remember
    it (``autocomplete``) only where she said this browser is her own; otherwise "off"
    (cairn.web.own_device)."""
    result = _common(field, hint, label_class)
    result.update(
        classes=classes, autocomplete=autocomplete if context.get("own_device") else "off"
    )
    return result


@register.inclusion_tag("web/components/file_upload.html")
def govuk_file_upload(
    field: forms.BoundField, hint: str = "", label_class: str = "govuk-label--s"
) -> dict[str, Any]:
    return _common(field, hint, label_class)


@register.inclusion_tag("web/components/textarea.html")
def govuk_textarea(
    field: forms.BoundField, hint: str = "", rows: int = 5, label_class: str = "govuk-label--s"
) -> dict[str, Any]:
    context = _common(field, hint, label_class)
    context.update(value=_text_value(field.value()), rows=rows)
    return context


def _items(field: forms.BoundField, hints: dict[str, str] | None = None) -> list[dict[str, Any]]:
    current = field.value()
    if current is None:
        chosen: set[str] = set()
    elif isinstance(current, list | tuple):
        chosen = {str(getattr(item, "pk", item)) for item in current}
    else:
        chosen = {str(current)}
    items = []
    for index, (value, label) in enumerate(field.field.choices):
        value = str(value)
        if value == "":
            continue
        suffix = "" if not items else f"_{index}"
        items.append(
            {
                "id": f"id_{field.html_name}{suffix}",
                "value": value,
                "label": label,
                "hint": (hints or {}).get(value, ""),
                "checked": value in chosen,
            }
        )
    return items


@register.inclusion_tag("web/components/choices.html")
def govuk_radios(
    field: forms.BoundField,
    hint: str = "",
    inline: bool = False,
    small: bool = False,
    legend_class: str = "govuk-fieldset__legend--s",
    item_hints: dict[str, str] | None = None,
) -> dict[str, Any]:
    context = _common(field, hint, legend_class)
    context.update(
        kind="radios",
        input_type="radio",
        items=_items(field, item_hints),
        inline=inline,
        small=small,
    )
    return context


@register.inclusion_tag("web/components/choices.html")
def govuk_checkboxes(
    field: forms.BoundField,
    hint: str = "",
    small: bool = False,
    legend_class: str = "govuk-fieldset__legend--s",
    item_hints: dict[str, str] | None = None,
    conditional_value: str = "",
    conditional_field: forms.BoundField | None = None,
) -> dict[str, Any]:
    context = _common(field, hint, legend_class)
    context.update(
        kind="checkboxes",
        input_type="checkbox",
        items=_items(field, item_hints),
        small=small,
        conditional_value=conditional_value,
        conditional_field=conditional_field,
    )
    return context


@register.inclusion_tag("web/components/checkbox.html")
def govuk_checkbox(
    field: forms.BoundField, hint: str = "", conditional_field: forms.BoundField | None = None
) -> dict[str, Any]:
    """One checkbox answering a yes/no question, optionally revealing a follow-up field."""
    context = _common(field, hint, "")
    context.update(checked=bool(field.value()), conditional_field=conditional_field)
    return context


@register.inclusion_tag("web/components/date_input.html")
def govuk_date_input(
    field: forms.BoundField, hint: str = "", legend_class: str = "govuk-fieldset__legend--s"
) -> dict[str, Any]:
    context = _common(field, hint, legend_class)
    value = field.value()
    if isinstance(value, date):
        parts = [str(value.day), str(value.month), str(value.year)]
    elif isinstance(value, list | tuple):
        parts = [str(part or "") for part in value] + ["", "", ""]
    else:
        parts = ["", "", ""]
    context.update(day=parts[0], month=parts[1], year=parts[2])
    return context


@register.inclusion_tag("web/components/error_summary.html")
def govuk_error_summary(*forms_: forms.Form | None) -> dict[str, Any]:
    errors: list[dict[str, str]] = []
    for form in forms_:
        if form is None or not form.is_bound or not form.errors:
            continue
        for message in form.non_field_errors():
            errors.append({"href": "", "message": str(message)})
        for field in form:
            if field.errors:
                errors.append({"href": "#" + anchor(field), "message": str(field.errors[0])})
    return {"errors": errors}


@register.inclusion_tag("web/components/pagination.html")
def govuk_pagination(
    page: Page, query: QueryDict | None = None, noun: str = "incidents"
) -> dict[str, Any]:
    """Previous/next links that keep the page's other GET parameters (its filters).

    ``noun`` completes the links' hidden text for screen readers ("Newer incidents")."""

    def href(number: int) -> str:
        params = query.copy() if query is not None else QueryDict(mutable=True)
        params["page"] = str(number)
        return "?" + params.urlencode()

    return {
        "page": page,
        "noun": noun,
        "previous_href": href(page.previous_page_number()) if page.has_previous() else "",
        "next_href": href(page.next_page_number()) if page.has_next() else "",
    }


@register.inclusion_tag("web/components/keyset_pagination.html")
def keyset_pagination(
    newer: int | None, older: int | None, query: QueryDict | None = None, noun: str = "incidents"
) -> dict[str, Any]:
    """ "Newer" and "Older" links for a page keyed by an item (``?newer=N`` / ``?older=N``),
    keeping the page's other GET parameters (its filters)."""

    def href(name: str, number: int | None) -> str:
        if number is None:
            return ""
        params = query.copy() if query is not None else QueryDict(mutable=True)
        params[name] = str(number)
        return "?" + params.urlencode()

    return {"noun": noun, "newer_href": href("newer", newer), "older_href": href("older", older)}


@register.inclusion_tag("web/components/tag.html")
def govuk_tag(text: str, colour: str = "") -> dict[str, str]:
    return {"text": text, "colour": colour}


@register.filter
def when(incident: Any, zone_name: str) -> str:
    """An incident's time in the vault's zone, worded by its precision."""
    return timeframe.describe_when(
        incident.start, incident.end, incident.precision, timeframe.zone(zone_name)
    )


@register.filter
def in_zone(value: datetime | None, zone_name: str) -> str:
    """A stored instant shown in the vault's zone, or "Not known"."""
    if value is None:
        return "Not known"
    return timeframe.instant_words(value, timeframe.zone(zone_name))


@register.filter
def file_kind(media_type: str | None) -> str:
    """A file's kind in her words: "photo", "screenshot", "e-mail" (never "image/png")."""
    return media.kind_words(media_type)


@register.filter
def zone_words(zone_name: str) -> str:
    """A time zone as she would say it: "UK time" (never "Europe/London")."""
    return timeframe.zone_words(zone_name)
