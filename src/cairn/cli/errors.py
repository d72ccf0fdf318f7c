"""How the command reports failure: one plain line per problem on stderr, no traceback.

``explain`` turns the errors the services, the access functions and the store raise into
those lines. Lines name the field at fault and say what to do; they never quote incident
content beyond what the person just typed (DESIGN.md invariant 5).
"""

from __future__ import annotations

import click

# Service field names that differ from the option a person typed.
OPTION_NAMES = {"time_zone": "tz", "persons": "suspect"}


class CairnError(click.ClickException):
    """A problem with what was asked for; the message is shown as ``cairn: message``."""


def _field_lines(message_dict: dict[str, list[str]]) -> list[str]:
    lines = []
    for field, messages in message_dict.items():
        name = OPTION_NAMES.get(field, field).replace("_", "-")
        for message in messages:
            lines.append(message if name == "__all__" else f"{name}: {message}")
    return lines


def explain(exc: BaseException) -> list[str] | None:
    """The lines to print for a known failure, or None for a bug (which keeps its traceback)."""
    from cairn.env import ConfigurationError

    if isinstance(exc, ConfigurationError):
        return [f"configuration: {exc}"]
    try:
        from django.core.exceptions import PermissionDenied, ValidationError
        from django.core.management import CommandError
        from django.http import Http404
    except ImportError:  # pragma: no cover - Django is a dependency
        return None
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return _field_lines(exc.message_dict)
        return list(exc.messages)
    if isinstance(exc, (PermissionDenied, Http404, CommandError)):
        return [str(exc) or type(exc).__name__]
    from cairn.ledger.signing import SigningKeyError
    from cairn.store.blobs import StoreError
    from cairn.store.crypto import CryptoError
    from cairn.store.keys import KekError, KeyUnavailable
    from cairn.vault.timeframe import TimeframeError

    if isinstance(exc, StoreError | KeyUnavailable | KekError | SigningKeyError):
        return [str(exc)]
    if isinstance(exc, CryptoError):
        return [f"decryption failed: {exc}"]
    if isinstance(exc, TimeframeError):
        return [f"{OPTION_NAMES.get(exc.field, exc.field).replace('_', '-')}: {exc.message}"]
    return None
