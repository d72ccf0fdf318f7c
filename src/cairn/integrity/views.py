"""The owner's integrity page: the log's last signed tree head, the last verification, a way
to check now and to seal the log now, and the checkpoint to keep somewhere else.

Reading the page signs nothing: sealing (signing a new tree head) is a POST, through
``cairn.ledger.services.seal``, which audits it.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cairn.integrity.verify import verify_vault
from cairn.ledger import log, services
from cairn.ledger.access import last_verification
from cairn.vault import access
from cairn.web.downloads import neutral_name


@login_required
@require_http_methods(["GET", "POST"])
def integrity(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = access.get_vault_for_user(request.user, vault_id)
    if request.method == "POST":
        verify_vault(vault)
        return redirect("integrity:page", vault.pk)
    head = log.latest_head(vault)
    size, _ = log.current_root(vault)
    context = {
        "vault": vault,
        "nav": "home",
        "head": head,
        "unsealed": size - head.size if head is not None else size,
        "root_groups": _groups(bytes(head.root_hash).hex()) if head is not None else [],
        "checkpoint": log.checkpoint_text(head) if head is not None else "",
        "verification": last_verification(vault),
    }
    return render(request, "integrity/integrity.html", context)


@login_required
@require_POST
def seal(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = access.get_vault_for_user(request.user, vault_id)
    services.seal(actor=request.user, vault=vault)
    return redirect("integrity:page", vault.pk)


@login_required
@require_http_methods(["GET"])
def checkpoint_download(request: HttpRequest, vault_id: str) -> HttpResponse:
    """The last seal as a text file; nothing to download before the log is first sealed."""
    vault = access.get_vault_for_user(request.user, vault_id)
    head = log.latest_head(vault)
    if head is None:
        raise Http404("the log has not been sealed yet")
    response = HttpResponse(log.checkpoint_text(head), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{neutral_name(".txt")}"'
    return response


def _groups(hex_digest: str) -> list[str]:
    """A long hash in groups of eight, easier to read aloud and compare."""
    return [hex_digest[i : i + 8] for i in range(0, len(hex_digest), 8)]
