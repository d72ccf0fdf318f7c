"""``Authorization: Bearer <token>``: the API's only way in (no session cookies, so no CSRF).

The header is parsed here rather than by ninja's ``HttpBearer``, whose debug logging prints
an unexpected header's value, which could be a credential."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from cairn.api import tokens


class BearerToken(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any | None:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.authenticate(request, value.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = tokens.authenticate(token)
        if user is not None:
            # The token's user, whatever session cookie the client also sent.
            request.user = user
        return user
