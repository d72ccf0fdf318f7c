"""How refusals look on the wire, for every endpoint alike.

- no valid token: 401 ``{"detail": ...}`` with ``WWW-Authenticate: Bearer``;
- the role does not allow the action: 403 ``{"detail": ...}``;
- anything the caller may not read, or that does not exist: 404 ``{"detail": "Not found"}``,
  the same body in both cases (ADR 0003);
- bad input, whether refused by the schema or by a service: 422
  ``{"errors": {field: [message, ...]}}``; a body that is not JSON at all: 400
  ``{"detail": ...}`` (ninja's own refusal).

Anything else is a bug and stays a server error (Django logs it, without the request body).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as SchemaValidationError

# Where ninja says an input came from; the field name follows (and, for a body, the
# parameter's own name, which the caller never sees).
LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    parts = [str(part) for part in loc]
    if parts and parts[0] in LOCATIONS:
        location, parts = parts[0], parts[1:]
        if location == "body" and parts:
            parts = parts[1:]
    return ".".join(parts) or "__all__"


def schema_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    by_field: dict[str, list[str]] = {}
    for error in errors:
        message = str(error.get("msg", "Not valid"))
        message = message.removeprefix("Value error, ")
        by_field.setdefault(_field_name(error.get("loc", ())), []).append(message)
    return by_field


def install(api: NinjaAPI) -> None:
    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = api.create_response(
            request, {"detail": "Send a valid API token: Authorization: Bearer <token>"}, status=401
        )
        response["WWW-Authenticate"] = 'Bearer realm="cairn"'
        return response

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc) or "Not allowed"}, status=403)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"detail": "Not found"}, status=404)

    @api.exception_handler(DjangoValidationError)
    def refused(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return api.create_response(request, {"errors": errors}, status=422)

    @api.exception_handler(SchemaValidationError)
    def invalid(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
        return api.create_response(request, {"errors": schema_errors(exc.errors)}, status=422)
