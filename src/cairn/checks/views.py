"""The victim's "Check my phone and accounts" pages. Thin: forms validate, services act."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cairn.checks import access, bundled, phone, services
from cairn.checks import sessions as accounts
from cairn.checks.forms import AccountsForm, AppsForm, DecisionForm, MarkForm
from cairn.checks.indicators import CREDIT, LICENCE, PROJECT_URL
from cairn.checks.models import CheckKind, MarkKind, PendingCheck
from cairn.vault import access as vault_access
from cairn.vault.forms import add_service_errors
from cairn.vault.models import Vault

PASTED_NAME = "app-list.txt"


def _page(
    request: HttpRequest, vault: Vault, template: str, status: int = 200, **context: Any
) -> HttpResponse:
    context.setdefault("waiting", _waiting(request, vault))
    context.setdefault("apps_form", AppsForm())
    context.setdefault("accounts_form", AccountsForm())
    return render(
        request,
        template,
        {
            "vault": vault,
            "nav": "check",
            "indicator_set": access.current_indicator_set(),
            "credit": CREDIT,
            "licence": LICENCE,
            "project_url": PROJECT_URL,
            "bundled_date": bundled.DATA_DATE,
            "app_formats": [phone.FORMAT_DESCRIPTIONS[name] for name in phone.FORMATS],
            **context,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def check(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = vault_access.get_vault_for_user(request.user, vault_id)
    return _page(request, vault, "checks/check.html")


def _waiting(request: HttpRequest, vault: Vault) -> list[PendingCheck]:
    """Checked files she has neither saved nor put aside, newest first."""
    return list(access.pending_checks_of(request.user, vault).order_by("-created_at")[:20])


@login_required
@require_http_methods(["POST"])
def check_apps(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = vault_access.get_vault_for_user(request.user, vault_id)
    form = AppsForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, vault, "checks/check.html", status=400, apps_form=form)
    # On first use, the set that ships with Cairn is loaded: never a dead end.
    indicator_set = services.indicators_in_use(actor=request.user)
    upload = form.cleaned_data["file"]
    data = upload.read() if upload else form.cleaned_data["pasted"].encode("utf-8")
    name = upload.name if upload else PASTED_NAME
    try:
        result = services.check_apps(
            data, name=name, indicator_set=indicator_set, format=form.cleaned_data["format"]
        )
        pending = (
            services.stage_check(
                actor=request.user,
                vault=vault,
                data=data,
                name=name,
                kind=CheckKind.APPS,
                format=result.app_list.format,
                indicator_set=indicator_set,
            )
            if result.matches
            else None
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _page(request, vault, "checks/check.html", status=400, apps_form=form)
    return _page(
        request,
        vault,
        "checks/apps_result.html",
        result=result,
        pending=pending,
        format_label=phone.FORMAT_LABELS[result.app_list.format],
        decision=DecisionForm(initial={"check_id": pending.pk} if pending else None),
    )


def _decide(request: HttpRequest, vault: Vault, kind: str) -> tuple[PendingCheck, str] | None:
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return None
    pending = access.get_pending_check_for_user(
        request.user, vault, form.cleaned_data["check_id"], kind
    )
    return pending, form.cleaned_data["action"]


@login_required
@require_http_methods(["POST"])
def save_apps(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = vault_access.get_vault_for_user(request.user, vault_id)
    decided = _decide(request, vault, CheckKind.APPS)
    if decided is None:
        return _page(
            request,
            vault,
            "checks/check.html",
            status=400,
            page_error="There is no phone check to save: run the check again",
        )
    pending, action = decided
    if action == "discard":
        services.discard_check(actor=request.user, pending=pending)
        messages.success(request, "The app list is put aside. Nothing was saved.")
        return redirect("checks:check", vault.pk)
    incident = services.save_staged_app_finding(actor=request.user, pending=pending)
    messages.success(
        request, f"Saved as incident {incident.number}, with the app list as its exhibit."
    )
    return redirect("vault:incident", incident.pk)


@login_required
@require_http_methods(["POST"])
def check_accounts(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = vault_access.get_vault_for_user(request.user, vault_id)
    form = AccountsForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, vault, "checks/check.html", status=400, accounts_form=form)
    upload = form.cleaned_data["file"]
    data = upload.read()
    try:
        found = services.check_accounts(data, name=upload.name, tz=vault.time_zone)
        if not found.sessions:
            raise ValidationError(
                {"file": [f"{upload.name}: the export lists no sign-ins or sessions"]}
            )
        pending = services.stage_check(
            actor=request.user,
            vault=vault,
            data=data,
            name=upload.name,
            kind=CheckKind.ACCOUNTS,
            format=found.format,
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _page(request, vault, "checks/check.html", status=400, accounts_form=form)
    return redirect(_review_url(vault, pending))


def _review_url(vault: Vault, pending: PendingCheck) -> str:
    return reverse("checks:accounts-review", args=[vault.pk]) + f"?review={pending.pk}"


@login_required
@require_http_methods(["GET"])
def review_accounts(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = vault_access.get_vault_for_user(request.user, vault_id)
    if not request.GET.get("review"):
        return redirect("checks:check", vault.pk)
    pending = access.get_pending_check_for_user(
        request.user, vault, request.GET["review"], CheckKind.ACCOUNTS
    )
    return _review(request, vault, pending)


def _review(
    request: HttpRequest, vault: Vault, pending: PendingCheck, error: str = "", status: int = 200
) -> HttpResponse:
    found = services.check_accounts(
        services.staged_bytes(pending), name=pending.source_name, tz=vault.time_zone
    )
    marks = list(access.marks_of(request.user, vault))
    devices = [m.value for m in marks if m.kind == MarkKind.DEVICE]
    places = [m.value for m in marks if m.kind == MarkKind.PLACE]
    explained, unexplained = accounts.explain(found.sessions, devices, places)
    return _page(
        request,
        vault,
        "checks/accounts_review.html",
        status=status,
        pending=pending,
        error=error,
        total=len(found.sessions),
        format_label=accounts.FORMAT_LABELS.get(found.format, found.format),
        explained=explained,
        unexplained=unexplained,
        marks=marks,
        decision=DecisionForm(initial={"check_id": pending.pk}),
        seen_devices=sorted({s.device for s in unexplained if s.device}),
        seen_places=sorted({s.place for s in unexplained if s.place}),
    )


@login_required
@require_http_methods(["POST"])
def mark(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = vault_access.get_vault_for_user(request.user, vault_id)
    form = MarkForm(request.POST)
    if not form.is_valid():
        return _page(
            request,
            vault,
            "checks/check.html",
            status=400,
            page_error="There is nothing to mark: upload the export again",
        )
    pending = access.get_pending_check_for_user(
        request.user, vault, form.cleaned_data["review"], CheckKind.ACCOUNTS
    )
    services.mark_own(
        actor=request.user,
        vault=vault,
        kind=form.cleaned_data["kind"],
        value=form.cleaned_data["value"],
    )
    messages.success(
        request,
        "Marked as yours." if form.cleaned_data["kind"] == "device" else "Marked as a usual place.",
    )
    return redirect(_review_url(vault, pending))


@login_required
@require_http_methods(["POST"])
def unmark(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = vault_access.get_vault_for_user(request.user, vault_id)
    if not request.POST.get("mark"):
        return _page(
            request, vault, "checks/check.html", status=400, page_error="Choose a mark to remove"
        )
    own = access.get_mark_for_user(request.user, vault, request.POST["mark"])
    services.unmark_own(actor=request.user, mark=own)
    messages.success(request, "The mark is removed.")
    review = request.POST.get("review", "")
    if review:
        pending = access.get_pending_check_for_user(request.user, vault, review, CheckKind.ACCOUNTS)
        return redirect(_review_url(vault, pending))
    return redirect("checks:check", vault.pk)


@login_required
@require_http_methods(["POST"])
def save_accounts(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = vault_access.get_vault_for_user(request.user, vault_id)
    decided = _decide(request, vault, CheckKind.ACCOUNTS)
    if decided is None:
        return _page(
            request,
            vault,
            "checks/check.html",
            status=400,
            page_error="There is no account review to save: upload the export again",
        )
    pending, action = decided
    if action == "discard":
        services.discard_check(actor=request.user, pending=pending)
        messages.success(request, "The export is put aside. Nothing was saved.")
        return redirect("checks:check", vault.pk)
    try:
        incident = services.save_staged_session_finding(
            actor=request.user, pending=pending, wheres=request.POST.getlist("sessions")
        )
    except ValidationError as exc:
        return _review(request, vault, pending, error=" ".join(exc.messages), status=400)
    messages.success(
        request, f"Saved as incident {incident.number}, with the export as its exhibit."
    )
    return redirect("vault:incident", incident.pk)
