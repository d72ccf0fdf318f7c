"""The victim's side of sharing: "Share my log" and "Who has looked at my log".

Only the vault's owner reaches these pages (404 for anyone else, officers included). She
links her log to a case or an advocate with the code she was given, after a page that says
exactly who will see what; she widens, narrows or stops a share; and she reads every look at
her log by someone else, with the purpose they gave. The services write (each change is an
entry in her vault's ledger); these views only validate, call them and render.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cairn.accounts.models import Membership
from cairn.audit.models import AuditRecord
from cairn.cases import access, closure, services
from cairn.cases.models import Purpose, Share, ShareScope
from cairn.cases.victim_forms import LinkForm, ScopeForm
from cairn.checks.services import own_marks
from cairn.vault import access as vault_access
from cairn.vault import hidden_details
from cairn.vault.models import Vault
from cairn.web.forms import add_service_errors
from cairn.web.media import kind_words

SNIPPET = 70
LOG_PAGE_SIZE = 50
LISTED = 12  # incident numbers or exhibit references named in one line before "and N more"
CODE_NOT_RIGHT = (
    "This code is not right, or it has expired or been used. Check it, or ask for a new one."
)


# --- the chooser --------------------------------------------------------------------------------


def _incident_choices(user: Any, vault: Vault) -> list[tuple[str, str]]:
    from cairn.web.templatetags.govuk import when

    choices = []
    incidents = (
        vault_access.incidents_readable_by(user, vault)
        .filter(deleted_at__isnull=True)
        .order_by("start", "number")
    )
    for incident in incidents:
        text = " ".join(incident.description.split())
        if len(text) > SNIPPET:
            text = text[: SNIPPET - 1].rstrip() + "…"
        choices.append(
            (
                str(incident.pk),
                f"Incident {incident.number}, {when(incident, vault.time_zone)}: {text}",
            )
        )
    return choices


def _exhibit_choices(user: Any, vault: Vault) -> list[tuple[str, str]]:
    choices = []
    exhibits = (
        vault_access.exhibits_readable_by(user, vault)
        .select_related("incident", "derived_from")
        .order_by("number")
    )
    for exhibit in exhibits:
        # The description she gave it, else its kind and name (never a media type).
        kind = kind_words(exhibit.media_type)
        parts = [
            exhibit.reference,
            exhibit.description
            or (f"{exhibit.original_name} ({kind})" if exhibit.original_name else kind),
        ]
        if exhibit.derived_from is not None:
            parts.append(f"a redacted copy of {exhibit.derived_from.reference}")
        if exhibit.incident is not None and not exhibit.incident.is_deleted:
            parts.append(f"added to incident {exhibit.incident.number}")
        choices.append((str(exhibit.pk), ", ".join(parts)))
    return choices


def _chooser(user: Any, vault: Vault) -> dict[str, Any]:
    return {
        "incident_choices": _incident_choices(user, vault),
        "exhibit_choices": _exhibit_choices(user, vault),
    }


# --- how a share reads --------------------------------------------------------------------------


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _listing(names: list[str]) -> str:
    """``1, 2 and 5``; past LISTED names, ``1, 2, … and 30 more``."""
    if len(names) > LISTED:
        return ", ".join(names[:LISTED]) + f" and {len(names) - LISTED} more"
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def scope_summary(incidents: int, exhibits: int) -> str:
    """ "3 incidents, 2 exhibits"; "Nothing at the moment" when a chosen scope is empty."""
    parts = []
    if incidents:
        parts.append(_plural(incidents, "incident", "incidents"))
    if exhibits:
        parts.append(_plural(exhibits, "exhibit", "exhibits"))
    return ", ".join(parts) or "Nothing at the moment"


@dataclass(frozen=True)
class ShareRow:
    share: Share
    recipient: access.Recipient
    summary: str
    items: str  # "Incidents 1 and 2. Exhibit AB/1." ("" when everything is shared)


def _share_row(share: Share) -> ShareRow:
    if share.scope == ShareScope.ALL:
        return ShareRow(
            share,
            access.recipient_of_share(share),
            "Everything in your log, including what you add later",
            "",
        )
    numbers = sorted(i.number for i in share.incidents.all() if not i.is_deleted)
    references = [e.reference for e in sorted(share.exhibits.all(), key=lambda e: e.number)]
    items = []
    if numbers:
        items.append(
            ("Incident " if len(numbers) == 1 else "Incidents ")
            + _listing([str(n) for n in numbers])
            + "."
        )
    if references:
        items.append(
            ("Exhibit " if len(references) == 1 else "Exhibits ") + _listing(references) + "."
        )
    return ShareRow(
        share,
        access.recipient_of_share(share),
        scope_summary(len(numbers), len(references)),
        " ".join(items),
    )


def _share_rows(user: Any, vault: Vault) -> tuple[list[ShareRow], list[ShareRow]]:
    shares = access.shares_of_owner(user, vault).prefetch_related("incidents", "exhibits")
    rows = [_share_row(share) for share in shares]
    return (
        [r for r in rows if r.share.active],
        sorted(
            (r for r in rows if not r.share.active),
            key=lambda r: r.share.withdrawn_at or r.share.created_at,
            reverse=True,
        ),
    )


def _live_share(user: Any, vault: Vault, share_id: Any) -> Share:
    share = access.get_share_of_owner(user, vault, share_id)
    if not share.active:
        raise Http404("No such share")
    return share


# --- "Share my log" -----------------------------------------------------------------------------


def _share_page(request: HttpRequest, vault: Vault, form: LinkForm) -> HttpResponse:
    current, withdrawn = _share_rows(request.user, vault)
    return render(
        request,
        "cases/share.html",
        {
            "vault": vault,
            "nav": "sharing",
            "form": form,
            "current": current,
            "closed_cases": closure.closed_notices(request.user, vault),
            "withdrawn": withdrawn,
            "chosen_open": form["scope"].value() == ShareScope.CHOSEN,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_http_methods(["GET"])
def share(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = vault_access.get_vault_for_user(request.user, vault_id)
    return _share_page(request, vault, LinkForm(**_chooser(request.user, vault)))


def _chosen_items(form: ScopeForm) -> list[str]:
    """The labels of what she ticked, for the check page."""
    if form.cleaned_data["scope"] == ShareScope.ALL:
        return []
    labels = {**dict(form.fields["incidents"].choices), **dict(form.fields["exhibits"].choices)}
    return [
        labels[value] for value in [*form.cleaned_data["incidents"], *form.cleaned_data["exhibits"]]
    ]


def _attached_elsewhere(user: Any, vault: Vault, form: ScopeForm) -> int:
    """Exhibits she did not tick that go with the incidents she did."""
    data = form.cleaned_data
    if data["scope"] == ShareScope.ALL or not data["incidents"]:
        return 0
    return (
        vault_access.exhibits_readable_by(user, vault)
        .filter(incident_id__in=data["incidents"])
        .exclude(pk__in=data["exhibits"])
        .count()
    )


def _photos_shared(user: Any, vault: Vault, form: ScopeForm) -> list[Any]:
    """The photos the share would show that carry where they were taken, a serial number
    or an owner's name (issue 16): named on the check page before she shares."""
    data = form.cleaned_data
    exhibits = vault_access.exhibits_readable_by(user, vault)
    if data["scope"] != ShareScope.ALL:
        exhibits = exhibits.filter(
            Q(pk__in=data["exhibits"]) | Q(incident_id__in=data["incidents"])
        )
    _, places_marked = own_marks(vault)
    return hidden_details.photos_with_hidden_details(
        user, vault, [str(pk) for pk in exhibits.values_list("pk", flat=True)], places_marked
    )


@login_required
@require_POST
def link(request: HttpRequest, vault_id: str) -> HttpResponse:
    """Step 1 ("check"): the code and scope, then a page naming who will see what. Step 2
    ("confirm", from that page's hidden fields): the link is made. "back" refills the form."""
    vault = vault_access.get_vault_for_user(request.user, vault_id)
    chooser = _chooser(request.user, vault)
    action = request.POST.get("action")
    if action == "back":
        initial = {
            "code": request.POST.get("code", ""),
            "scope": request.POST.get("scope"),
            "incidents": request.POST.getlist("incidents"),
            "exhibits": request.POST.getlist("exhibits"),
        }
        return _share_page(request, vault, LinkForm(initial=initial, **chooser))
    form = LinkForm(request.POST, **chooser)
    if not form.is_valid():
        return _share_page(request, vault, form)
    recipient = access.recipient_of_code(request.user, vault, form.cleaned_data["code"])
    if recipient is None:
        form.add_error("code", CODE_NOT_RIGHT)
    elif (
        recipient.case_id is not None
        and access.shares_of_owner(request.user, vault)
        .filter(case_id=recipient.case_id, withdrawn_at__isnull=True)
        .exists()
    ):
        form.add_error(
            "code",
            "Your log is already shared with this case. To share more or "
            "less, change that share below.",
        )
    if recipient is None or form.errors:
        return _share_page(request, vault, form)
    if action != "confirm":
        return render(
            request,
            "cases/share_confirm.html",
            {
                "vault": vault,
                "nav": "sharing",
                "form": form,
                "recipient": recipient,
                "everything": form.cleaned_data["scope"] == ShareScope.ALL,
                "items": _chosen_items(form),
                "attached": _attached_elsewhere(request.user, vault, form),
                "photos": _photos_shared(request.user, vault, form),
            },
        )
    try:
        services.link_by_code(
            actor=request.user, vault=vault, code=form.cleaned_data["code"], **form.service_kwargs()
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _share_page(request, vault, form)
    messages.success(request, f"Your log is shared with {recipient}.")
    return redirect("sharing:share", vault.pk)


@login_required
@require_http_methods(["GET", "POST"])
def change(request: HttpRequest, vault_id: str, share_id: str) -> HttpResponse:
    vault = vault_access.get_vault_for_user(request.user, vault_id)
    share = _live_share(request.user, vault, share_id)
    initial = {
        "scope": share.scope,
        "incidents": [str(pk) for pk in share.incidents.values_list("pk", flat=True)],
        "exhibits": [str(pk) for pk in share.exhibits.values_list("pk", flat=True)],
    }
    form = ScopeForm(request.POST or None, initial=initial, **_chooser(request.user, vault))
    if request.method == "POST" and form.is_valid():
        try:
            services.change_share(actor=request.user, share=share, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, "What you share is changed. They see the new choice from now on."
            )
            return redirect("sharing:share", vault.pk)
    return render(
        request,
        "cases/share_change.html",
        {
            "vault": vault,
            "nav": "sharing",
            "form": form,
            "share": share,
            "recipient": access.recipient_of_share(share),
            "chosen_open": form["scope"].value() == ShareScope.CHOSEN,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, vault_id: str, share_id: str) -> HttpResponse:
    vault = vault_access.get_vault_for_user(request.user, vault_id)
    share = _live_share(request.user, vault, share_id)
    recipient = access.recipient_of_share(share)
    if request.method == "POST":
        services.withdraw_share(actor=request.user, share=share)
        messages.success(request, f"You have stopped sharing your log with {recipient}.")
        return redirect("sharing:share", vault.pk)
    return render(
        request,
        "cases/share_withdraw.html",
        {"vault": vault, "nav": "sharing", "share": share, "recipient": recipient},
    )


# --- "Who has looked at my log" -----------------------------------------------------------------


@dataclass(frozen=True)
class LogRow:
    at: datetime
    who: str
    role: str
    what: str
    why: str
    given: bool = True  # False: they gave no reason; ``why`` says what Cairn checked


# What a look with no reason given was for, when Cairn read on the reader's behalf.
NOT_GIVEN = {
    Purpose.SUPERVISION: "Cairn checked whether the stalking may start again, "
    "before the case could be closed"
}


def _role_at(memberships: list[Membership], at: datetime) -> str:
    """The role someone held when they looked (their latest one if none covers the time)."""
    held = [
        m for m in memberships if m.created_at <= at and (m.ended_at is None or m.ended_at > at)
    ]
    candidates = held or memberships
    if not candidates:
        return ""
    membership = candidates[-1]
    return (
        f"{membership.get_role_display()}, {membership.unit.name}, {membership.organisation.name}"
    )


def describe_read(
    kind: str, ids: list[str], count: int, numbers: dict[str, int], references: dict[str, str]
) -> str:
    """What one look covered, in her words: "4 incidents (1, 2, 3 and 5)", "Incident 12"."""
    named_incidents = sorted(numbers[i] for i in ids if i in numbers)
    named_exhibits = sorted(
        (references[i] for i in ids if i in references), key=lambda ref: (len(ref), ref)
    )
    if kind == "incident":
        return f"Incident {named_incidents[0]}" if named_incidents else "An incident"
    if kind == "exhibit":
        return f"Exhibit {named_exhibits[0]}" if named_exhibits else "An exhibit"
    if kind == "incidents":
        text = _plural(count, "incident", "incidents")
        listed = _listing([str(n) for n in named_incidents])
        return f"{text} ({listed})" if listed else text
    if kind == "exhibits":
        text = _plural(count, "exhibit", "exhibits")
        listed = _listing(named_exhibits)
        return f"{text} ({listed})" if listed else text
    if kind == "analysis":
        return "The analysis of your pattern, from " + _plural(count, "incident", "incidents")
    return "Your log"


def _log_rows(user: Any, vault: Vault, records: list[AuditRecord]) -> list[LogRow]:
    kinds = {record.object_type for record in records}
    numbers: dict[str, int] = {}
    references: dict[str, str] = {}
    if kinds & {"incident", "incidents"}:
        numbers = {
            str(pk): number
            for pk, number in vault_access.incidents_readable_by(user, vault).values_list(
                "pk", "number"
            )
        }
    if kinds & {"exhibit", "exhibits"}:
        references = {
            str(pk): ref
            for pk, ref in vault_access.exhibits_readable_by(user, vault).values_list(
                "pk", "reference"
            )
        }
    roles: dict[Any, list[Membership]] = {}
    for membership in access.reader_memberships(user, vault, {r.actor_id for r in records}):
        roles.setdefault(membership.user_id, []).append(membership)
    purposes = dict(Purpose.choices)
    rows = []
    for record in records:
        detail = record.detail or {}
        ids = [str(i) for i in detail.get("ids", [])]
        purpose = detail.get("purpose", "")
        given = detail.get("purpose_given", True) and bool(purpose)
        rows.append(
            LogRow(
                at=record.at,
                who=str(record.actor),
                role=_role_at(roles.get(record.actor_id, []), record.at),
                what=describe_read(
                    record.object_type, ids, int(detail.get("count", len(ids))), numbers, references
                ),
                why=purposes.get(purpose, purpose) if given else NOT_GIVEN.get(purpose, ""),
                given=given,
            )
        )
    return rows


@login_required
@require_http_methods(["GET"])
def access_log(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = vault_access.get_vault_for_user(request.user, vault_id)
    page = Paginator(access.access_log(request.user, vault), LOG_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "cases/access_log.html",
        {
            "vault": vault,
            "nav": "sharing",
            "page": page,
            "rows": _log_rows(request.user, vault, list(page.object_list)),
        },
    )
