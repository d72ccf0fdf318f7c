"""The owner's integrity page: the log's current signed tree head, the last verification,
a way to check now, and the checkpoint to keep somewhere else."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cairn.ledger import log
from cairn.ledger.access import last_verification
from cairn.ledger.verify import verify_vault
from cairn.vault import access
from cairn.web.downloads import neutral_name


@login_required
@require_http_methods(["GET", "POST"])
def integrity(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = access.get_vault_for_user(request.user, vault_id)
    if request.method == "POST":
        verify_vault(vault)
        return redirect("ledger:integrity", vault.pk)
    head = log.sign_head(vault)
    context = {
        "vault": vault,
        "nav": "home",
        "head": head,
        "root_groups": _groups(bytes(head.root_hash).hex()),
        "checkpoint": log.checkpoint_text(head),
        "verification": last_verification(vault),
    }
    return render(request, "ledger/integrity.html", context)


@login_required
@require_http_methods(["GET"])
def checkpoint_download(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = access.get_vault_for_user(request.user, vault_id)
    response = HttpResponse(log.checkpoint_text(log.sign_head(vault)),
                            content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{neutral_name(".txt")}"'
    return response


def _groups(hex_digest: str) -> list[str]:
    """A long hash in groups of eight, easier to read aloud and compare."""
    return [hex_digest[i:i + 8] for i in range(0, len(hex_digest), 8)]
