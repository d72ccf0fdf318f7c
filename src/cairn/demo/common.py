"""What the demo's modules and its callers share: the demo user's name and password, and the
refusal. Its own module so that ``loader`` and ``police`` need not import the package that
imports them (no import cycle, ADR 0055)."""

from __future__ import annotations

DEMO_USERNAME = "demo"
# Published on purpose: it only ever opens invented data, and production refuses the demo.
DEMO_PASSWORD = "demo-vault-2026"  # noqa: S105


class DemoRefused(Exception):
    """The demo data was not loaded; the message says why. Nothing was changed."""
