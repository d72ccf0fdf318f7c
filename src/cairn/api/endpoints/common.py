"""Pieces every endpoint uses: the documented refusals, paging, and a person's name."""

from __future__ import annotations

from collections.abc import Callable
from math import ceil
from typing import Any

from django.db.models import QuerySet

from cairn.api.schemas import FieldErrors, Problem

PAGE_SIZE = 50
MAX_PAGE = 100_000

# Every endpoint needs a token and may find nothing it may see; bad input is always possible.
# A write may also be refused for the role (403) or send a body that is not JSON (400).
READ: dict[int, Any] = {401: Problem, 404: Problem, 422: FieldErrors}
WRITE: dict[int, Any] = {**READ, 400: Problem, 403: Problem}


def person(user: Any) -> dict[str, Any]:
    return {"id": user.pk, "name": str(user)}


def page_of(
    queryset: QuerySet[Any], page: int, convert: Callable[[Any], dict[str, Any]]
) -> dict[str, Any]:
    count = queryset.count()
    start = (page - 1) * PAGE_SIZE
    return {
        "count": count,
        "page": page,
        "pages": max(1, ceil(count / PAGE_SIZE)),
        "items": [convert(row) for row in queryset[start : start + PAGE_SIZE]],
    }
