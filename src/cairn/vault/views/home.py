"""Home: the person's vault (or a way to create one), and a vault's overview."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cairn.accounts.two_factor import work_page_url
from cairn.ledger.access import last_verification
from cairn.vault import access, services
from cairn.vault.forms import VaultForm, add_service_errors
from cairn.vault.models import Vault

LATEST = 5


@login_required
@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    vaults = list(access.vaults_readable_by(request.user))
    if len(vaults) == 1:
        return _overview(request, vaults[0])
    work_page = work_page_url(request.user)
    if not vaults and work_page != request.path:
        # Someone at work (an analyst, an administrator) has no log: their home is their
        # work page, never a page that speaks to a victim.
        return redirect(work_page)
    form = VaultForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            vault = services.create_vault(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("vault:vault", vault.pk)
    status = 400 if form.errors else 200
    return render(
        request, "vault/home.html", {"vaults": vaults, "form": form, "nav": "home"}, status=status
    )


@login_required
@require_http_methods(["GET"])
def vault_overview(request: HttpRequest, vault_id: str) -> HttpResponse:
    return _overview(request, access.get_vault_for_user(request.user, vault_id))


def _overview(request: HttpRequest, vault: Vault) -> HttpResponse:
    incidents = access.incidents_readable_by(request.user, vault).filter(deleted_at__isnull=True)
    context = {
        "vault": vault,
        "nav": "home",
        "incident_count": incidents.count(),
        "person_count": access.persons_readable_by(request.user, vault).count(),
        "exhibit_count": access.exhibits_readable_by(request.user, vault).count(),
        "latest": incidents.order_by("-start", "-number")[:LATEST],
        "verification": last_verification(vault),
    }
    return render(request, "vault/overview.html", context)
