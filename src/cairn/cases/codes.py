"""The keyed hash a share code is stored and looked up under.

Its own module because both the write path (``services.issue_share_code``,
``services.link_by_code``) and the read path (``access.recipient_of_code``) need it, and
``services`` imports ``access``: kept in either, the other would import back (ADR 0055).
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def code_hash(code: str) -> str:
    """HMAC-SHA-256 of the code under the instance's secret, ignoring case and separators."""
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hmac.new(
        settings.SECRET_KEY.encode(), b"cairn-share-code:" + normalised.encode(), hashlib.sha256
    ).hexdigest()
