"""What the victim's own pages show of her cases: a closed case, with the one-step reopen,
on her log's home page as on her sharing page (issue 15, point 7). A template tag, so the
vault's page needs no import of the cases app."""

from __future__ import annotations

from typing import Any

from django import template

from cairn.cases import closure

register = template.Library()


@register.inclusion_tag("cases/_closed_notices.html", takes_context=True)
def closed_case_notices(context: template.Context, vault: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "vault": vault,
        "csrf_token": context.get("csrf_token"),
        "closed_cases": closure.closed_notices(user, vault) if user is not None else [],
    }
