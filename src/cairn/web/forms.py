"""Form helpers every app's views share: the data of a POST, and a service's errors put on
the form's fields. In ``web`` (a low layer) so that any app's views can use them without
importing another app's views (ADR 0055)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def posted_data(request: HttpRequest) -> Any:
    """The form data of a POST (even an empty one), else None for an unbound form."""
    return request.POST if request.method == "POST" else None


def add_service_errors(
    form: forms.Form, error: ValidationError, field_map: Mapping[str, str] | None = None
) -> None:
    """Attach a service's errors to the form's fields (unknown keys become form-wide)."""
    if not hasattr(error, "error_dict"):
        for message in error.messages:
            form.add_error(None, message)
        return
    for key, messages in error.message_dict.items():
        name = (field_map or {}).get(key, key)
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)
