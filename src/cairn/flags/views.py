"""The victim's "Flags" page: flagged words in her incidents and imported messages, and
accounts that may belong to someone she named (leads, not proof).

Only the vault's owner reaches it (``cairn.vault.access``); anyone else gets 404. The URL holds
the vault's id only and the title no content (DESIGN.md invariant 5)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cairn.flags import reading, services
from cairn.flags.engine import load_rules
from cairn.flags.forms import ConfirmLeadForm
from cairn.vault import access
from cairn.vault.forms import add_service_errors

PAGE_SIZE = 50


def _page(
    request: HttpRequest, vault: object, form: ConfirmLeadForm | None, status: int = 200
) -> HttpResponse:
    items = reading.flagged_items(request.user, vault)  # type: ignore[arg-type]
    page = Paginator(items[::-1], PAGE_SIZE).get_page(request.GET.get("page"))  # newest first
    groups, leads = reading.account_leads(request.user, vault)  # type: ignore[arg-type]
    rules = load_rules()
    # Per kind: in how many incidents, and in how many imported messages. The incidents'
    # threat count is the pattern page's (one threat reading, cairn.flags.threats).
    counts = {k.key: {"incident": 0, "message": 0} for k in rules.kinds}
    for item in items:
        for kind in item.kinds:
            counts[kind][item.source] += 1
    context = {
        "vault": vault,
        "nav": "flags",
        "items": page.object_list,
        "page": page,
        "total": len(items),
        "kinds": rules.kinds,
        "previous_href": f"?page={page.previous_page_number()}" if page.has_previous() else "",
        "next_href": f"?page={page.next_page_number()}" if page.has_next() else "",
        "counts": [(k, counts[k.key]["incident"], counts[k.key]["message"]) for k in rules.kinds],
        "groups": [g for g in groups if g.linked or g.suspect.identifiers],
        "leads": leads,
        "form": form,
    }
    return render(request, "flags/flags.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def flags_page(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = access.get_vault_for_user(request.user, vault_id)
    return _page(request, vault, None)


@login_required
@require_http_methods(["POST"])
def confirm_lead(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = access.get_vault_for_user(request.user, vault_id)
    form = ConfirmLeadForm(request.POST)
    if form.is_valid():
        try:
            person = services.confirm_lead(
                actor=request.user,
                vault=vault,
                suspect_key=form.cleaned_data["suspect"],
                account_key=form.cleaned_data["account"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                "The account is now linked to the person you chose. "
                "You can undo this on their page in People.",
            )
            return redirect("vault:person", person.pk)
    return _page(request, vault, form, status=400)
