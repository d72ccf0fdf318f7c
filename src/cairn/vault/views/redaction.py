"""Make a redacted copy of an exhibit: areas of a picture, or words and phrases of a text.

One page per kind, at one URL. Pictures: number boxes for each area (a script fills them when
you drag across the picture; the page works without it). Texts: a list of words or phrases,
a preview of the lines that change, then the copy.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cairn.store.blobs import default_store
from cairn.vault import access, redaction, redaction_services
from cairn.vault.forms import add_service_errors
from cairn.vault.models import Exhibit
from cairn.vault.redaction_forms import AreasForm, PhrasesForm
from cairn.vault.views.exhibits import download_name
from cairn.web.files import exhibit_response

# How much of a text the pages show: enough to choose what to hide, not a whole export.
SHOWN_CHARACTERS = 50_000
PREVIEW_LINES = 100


@login_required
@require_http_methods(["GET"])
def exhibit_image(request: HttpRequest, exhibit_id: str) -> StreamingHttpResponse:
    """A picture exhibit shown in the page (the download link saves it instead). Only the
    raster types a copy can be made of: never SVG or HTML, which a browser would run."""
    exhibit = access.get_exhibit_for_user(request.user, exhibit_id)
    if redaction.kind_of(exhibit.media_type) != "image":
        raise Http404("No such picture")
    chunks = default_store().iter_bytes(str(exhibit.vault_id), exhibit.sha256)
    return exhibit_response(
        chunks,
        media_type=exhibit.media_type,
        size=exhibit.size,
        filename=download_name(exhibit),
        inline=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def exhibit_redact(request: HttpRequest, exhibit_id: str) -> HttpResponse:
    exhibit = access.get_exhibit_for_user(request.user, exhibit_id)
    kind = redaction.kind_of(exhibit.media_type)
    if kind == "image":
        return _redact_image(request, exhibit)
    if kind == "text":
        return _redact_text(request, exhibit)
    raise Http404("No redacted copy can be made of this exhibit")


def _made(request: HttpRequest, copy: Exhibit, original: Exhibit) -> HttpResponse:
    messages.success(
        request, f"Exhibit {copy.reference} is a redacted copy of {original.reference}."
    )
    return redirect("vault:exhibit", copy.pk)


def _redact_image(request: HttpRequest, exhibit: Exhibit) -> HttpResponse:
    action = request.POST.get("action")
    form = AreasForm(request.POST if request.method == "POST" else None, extra_row=action == "add")
    if request.method == "POST" and action == "save" and form.is_valid():
        try:
            copy = redaction_services.redact_image(
                actor=request.user, exhibit=exhibit, rectangles=form.cleaned_data["rectangles"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"rectangles": "area_1_x"})
        else:
            return _made(request, copy, exhibit)
    try:
        width, height = redaction.upright_size(
            default_store().read(str(exhibit.vault_id), exhibit.sha256), exhibit.media_type
        )
    except redaction.RedactionError:
        width = height = 0
    if action == "add":
        form.errors.clear()  # adding a row is not an attempt to save: no errors yet
    return render(
        request,
        "vault/exhibit_redact_image.html",
        {
            "vault": exhibit.vault,
            "exhibit": exhibit,
            "form": form,
            "nav": "exhibits",
            "width": width,
            "height": height,
        },
        status=400 if form.errors else 200,
    )


def _redact_text(request: HttpRequest, exhibit: Exhibit) -> HttpResponse:
    form = PhrasesForm(request.POST or None)
    try:
        text = redaction_services.exhibit_text(exhibit)
    except ValidationError as exc:
        return render(
            request,
            "vault/exhibit_redact_text.html",
            {
                "vault": exhibit.vault,
                "exhibit": exhibit,
                "form": None,
                "problem": exc.messages[0],
                "nav": "exhibits",
            },
            status=400,
        )
    preview = None
    if request.method == "POST" and form.is_valid():
        found = redaction.find_phrases(text, form.phrase_list())
        spans = redaction.merge_spans(span for _, spans in found for span in spans)
        if not spans:
            form.add_error("phrases", "None of these words or phrases appear in the text")
        elif request.POST.get("action") == "save" and _checked(request, form):
            try:
                copy = redaction_services.redact_text(
                    actor=request.user, exhibit=exhibit, spans=spans
                )
            except ValidationError as exc:
                add_service_errors(form, exc, {"spans": "phrases"})
            else:
                return _made(request, copy, exhibit)
        else:
            preview = _preview(text, spans, found)
    return render(
        request,
        "vault/exhibit_redact_text.html",
        {
            "vault": exhibit.vault,
            "exhibit": exhibit,
            "form": form,
            "preview": preview,
            "nav": "exhibits",
            "shown_text": text[:SHOWN_CHARACTERS],
            "text_cut": len(text) > SHOWN_CHARACTERS,
        },
        status=400 if form.errors else 200,
    )


def _checked(request: HttpRequest, form: PhrasesForm) -> bool:
    """Whether the words being saved are the ones whose preview was shown (changed words
    are previewed again first)."""

    def words(text: str) -> list[str]:
        return [" ".join(line.split()).casefold() for line in text.splitlines() if line.strip()]

    return words(request.POST.get("checked", "")) == words(form.cleaned_data["phrases"])


def _preview(
    text: str, spans: list[tuple[int, int]], found: list[tuple[str, list[tuple[int, int]]]]
) -> dict[str, object]:
    """What the copy will look like: the lines that change, as they will read."""
    redacted, derivation = redaction.hide_spans(text, spans)
    lines = [
        (number, after)
        for number, (before, after) in enumerate(
            zip(text.splitlines(), redacted.splitlines(), strict=True), start=1
        )
        if before != after
    ]
    return {
        "summary": derivation["summary"],
        "passages": len(spans),
        "phrases": [(phrase, len(places)) for phrase, places in found],
        "lines": lines[:PREVIEW_LINES],
        "more_lines": max(0, len(lines) - PREVIEW_LINES),
        "changed_lines": len(lines),
    }


@login_required
@require_http_methods(["POST"])
def exhibit_clean_copy(request: HttpRequest, exhibit_id: str) -> HttpResponse:
    """A copy of a photo without the details hidden in the file (where it was taken, the
    camera, its owner), to share or pack in its place; made once (issue 16)."""
    exhibit = access.get_exhibit_for_user(request.user, exhibit_id)
    try:
        copy = redaction_services.clean_copy(actor=request.user, exhibit=exhibit)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("vault:exhibit", exhibit.pk)
    messages.success(
        request,
        f"Exhibit {copy.reference} is a copy of {exhibit.reference} "
        "without the details hidden in the file.",
    )
    return redirect("vault:exhibit", copy.pk)
