"""Names for the files her pages download (DESIGN.md invariant 11).

A download list is something another person using the device may look at, so a file is named
after the instance's neutral page title and a few random characters (``cairn-3f9a1c.zip``):
no activity ("evidence pack", "statement"), no date, no names. The random part only keeps two
downloads from overwriting each other.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.utils.text import slugify


def neutral_name(extension: str) -> str:
    """``<title>-<6 hex>`` with ``extension`` (given with its dot, e.g. ".zip.age")."""
    stem = slugify(settings.CAIRN_PAGE_TITLE) or "download"
    return f"{stem}-{secrets.token_hex(3)}{extension}"
