"""The page where the victim corrects her statement draft before it goes into a pack.

GET shows her latest saved draft, or a fresh draft of her whole log when she has none (or
asks to start again); POST saves a new version. Only the vault's owner reaches it
(``cairn.vault.access``); anyone else gets 404. The title and URL carry no vault content.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cairn.packs import statement_access, statement_services
from cairn.packs.statement import draft_statement
from cairn.vault import access
from cairn.vault.forms import add_service_errors
from cairn.vault.snapshot import take_snapshot


class StatementForm(forms.Form):
    text = forms.CharField(
        label="Your statement", strip=False, max_length=statement_services.MAX_CHARACTERS,
        widget=forms.Textarea,
        help_text="Write it in your own words. Refer to your files by their exhibit "
                  "references, for example AB/3.",
        error_messages={"required": "Write your statement, or start again from your log",
                        "max_length": "Your statement is too long"})


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
                    actor=request.user, vault=vault, text=form.cleaned_data["text"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Your statement draft is saved.")
                return redirect("packs:statement", vault.pk)
    else:
        text = draft_statement(take_snapshot(vault)) if fresh or saved is None else saved.text
        form = StatementForm(initial={"text": text})
    return render(
        request, "packs/statement.html",
        {"vault": vault, "nav": "pack", "form": form, "saved": saved, "fresh": fresh},
        status=400 if form.errors else 200,
    )
