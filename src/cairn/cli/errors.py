"""How the command reports failure: one plain line per problem on stderr, no traceback.

``explain`` turns the errors the services, the access functions and the store raise into
those lines. Lines name the field at fault and say what to do; they never quote incident
content beyond what the person just typed (DESIGN.md invariant 5).

``explain`` imports nothing: it recognises an error by the names of its class and the
classes it inherits from. It runs for whatever went wrong, including before Django is set
up (``cairn verify-pack`` never sets it up), and importing the modules that define these
errors would load Django's models. An error's class has been imported wherever it was
raised, so nothing is missed; ``tests/test_cli_shell.py`` checks that every name below is
still an exception class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

# Service field names that differ from the option a person typed.
OPTION_NAMES = {"time_zone": "tz", "persons": "suspect"}


class CairnError(click.ClickException):
    """A problem with what was asked for; the message is shown as ``cairn: message``."""


def option_name(field: str) -> str:
    return OPTION_NAMES.get(field, field).replace("_", "-")


def _field_lines(message_dict: dict[str, list[str]]) -> list[str]:
    lines = []
    for field, messages in message_dict.items():
        name = option_name(field)
        for message in messages:
            lines.append(message if field == "__all__" else f"{name}: {message}")
    return lines


def _validation(exc: Any) -> list[str]:
    if hasattr(exc, "error_dict"):
        return _field_lines(exc.message_dict)
    return list(exc.messages)


def _message(exc: BaseException) -> list[str]:
    return [str(exc) or type(exc).__name__]


# "module.Class" of each known error, and how it is told.
EXPLAINED: dict[str, Callable[[Any], list[str]]] = {
    "cairn.env.ConfigurationError": lambda exc: [f"configuration: {exc}"],
    "django.core.exceptions.ValidationError": _validation,
    "django.core.exceptions.PermissionDenied": _message,
    "django.http.response.Http404": _message,
    "django.core.management.base.CommandError": _message,
    "cairn.store.backends.StoreError": _message,
    "cairn.store.keys.KeyUnavailable": _message,
    "cairn.store.keys.KekError": _message,
    "cairn.ledger.ed25519.SigningKeyError": _message,
    "cairn.store.crypto._common.CryptoError": lambda exc: [f"decryption failed: {exc}"],
    "cairn.web.timeframe.TimeframeError": lambda exc: [f"{option_name(exc.field)}: {exc.message}"],
}


def explain(exc: BaseException) -> list[str] | None:
    """The lines to print for a known failure, or None for a bug (which keeps its traceback)."""
    for cls in type(exc).__mro__:
        how = EXPLAINED.get(f"{cls.__module__}.{cls.__qualname__}")
        if how is not None:
            return how(exc)
    return None
