"""One log line per request, with a request id, and never content (DESIGN.md invariant 5).

``RequestLogMiddleware`` gives every request an id (the proxy's ``X-Request-ID`` when it is
a plain token, else a new one), returns it in ``X-Request-ID``, and logs, when the response
is ready: method, path (never the query string: a search would be content; and only a path
that a page answers to), status, time taken and the id, on the ``cairn.request`` logger.
``RequestIdFilter`` puts the id of the request being served on every other log record of
the same thread, so an error logged by a service can be matched to its request.
Paths hold only ids (UUIDs, numbers), by design.

With ``CAIRN_LOG_FORMAT=json`` (the default on a production instance) every record is one
JSON object (python-json-logger), for a log collector.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

REQUEST_ID = contextvars.ContextVar("cairn_request_id", default="-")
ACCEPTED_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
logger = logging.getLogger("cairn.request")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if ACCEPTED_ID.match(given) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            # A path no page answers to could be anything someone typed: not logged.
            path = request.path if request.resolver_match is not None else "(no such page)"
            logger.info(
                "%s %s %s",
                request.method,
                path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            REQUEST_ID.reset(token)
