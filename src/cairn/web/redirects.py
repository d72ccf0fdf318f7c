"""Where to go after a form: the ``next`` a page carries, only if it is a page of this site."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def local_next(request: HttpRequest, default: str) -> str:
    """``next`` from the form or the query string when it is a path on this site (one leading
    "/"), else ``default``. Anything else gives the default: another site, ``//evil.example``,
    or a bare word such as ``-1``, which ``redirect()`` would take for a view's name and fail
    on."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
