"""Jurisdictions a vault or case can belong to. England and Wales is the first one built."""

from __future__ import annotations

ENGLAND_AND_WALES = "england-wales"

CHOICES: tuple[tuple[str, str], ...] = ((ENGLAND_AND_WALES, "England and Wales"),)
