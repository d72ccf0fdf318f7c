"""Personal API tokens. Only a keyed hash of a token is stored; the token is shown once."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """A bearer token that acts as its user on the HTTP API, until revoked.

    A token grants exactly what its user may do on the pages, no more; for a holder of an
    organisation role it works only while they have a confirmed two-factor device
    (``cairn.api.tokens``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(
        max_length=100, help_text="What the token is for, e.g. 'case system sync'."
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="api_token_live_name_unique",
            )
        ]

    def __str__(self) -> str:
        return f"API token {self.name!r}" + (" (revoked)" if self.revoked_at else "")

    @property
    def active(self) -> bool:
        return self.revoked_at is None
