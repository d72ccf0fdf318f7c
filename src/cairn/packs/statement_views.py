"""The page where the victim corrects her statement draft, and takes it to the officer.

GET shows her latest saved draft, or a fresh draft of her whole log when she has none (or
asks to start again); POST saves a new version; ``download`` gives the same text as a plain
text file, for her to hand to the officer who takes her statement (it goes into an evidence
pack only if she chooses so on the pack page). Only the vault's owner reaches these
(``cairn.vault.access``); anyone else gets 404. Titles, URLs and the file's name carry no
vault content and name no activity.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cairn.packs import statement_access, statement_services
from cairn.packs.statement import draft_statement
from cairn.vault import access
from cairn.vault.forms import add_service_errors
from cairn.vault.snapshot_loader import take_snapshot
from cairn.web.downloads import neutral_name


class StatementForm(forms.Form):
    text = forms.CharField(
        label="Your statement",
        strip=False,
        max_length=statement_services.MAX_CHARACTERS,
        widget=forms.Textarea,
        help_text="Write it in your own words. Refer to your files by their exhibit "
        "references, for example AB/3.",
        error_messages={
            "required": "Write your statement, or start again from your log",
            "max_length": "Your statement is too long",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = access.get_vault_for_user(request.user, vault_id)
    saved = statement_access.latest_statement_draft(request.user, vault)
    fresh = saved is None or request.GET.get("from") == "log"
    if request.method == "POST":
        form = StatementForm(request.POST)
        if form.is_valid():
            try:
                statement_services.save_statement_draft(
                    actor=request.user, vault=vault, text=form.cleaned_data["text"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Your statement draft is saved.")
                return redirect("packs:statement", vault.pk)
    else:
        text = draft_statement(take_snapshot(vault)) if fresh or saved is None else saved.text
        form = StatementForm(initial={"text": text})
    return render(
        request,
        "packs/statement.html",
        {"vault": vault, "nav": "pack", "form": form, "saved": saved, "fresh": fresh},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def download(request: HttpRequest, vault_id: str) -> HttpResponse:
    vault = access.get_vault_for_user(request.user, vault_id)
    saved = statement_access.latest_statement(request.user, vault)
    text = saved if saved is not None else draft_statement(take_snapshot(vault))
    name = neutral_name(".txt")
    response = HttpResponse(text.replace("\n", "\r\n"), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
