"""Serving an exhibit's bytes: always as a file, never as a page of Cairn's.

What: ``exhibit_response`` streams the bytes with ``Content-Disposition: attachment`` (or
``inline`` for the picture a redaction page shows), ``X-Content-Type-Options: nosniff`` and a
Content Security Policy that sandboxes the document (``EXHIBIT_POLICY``). Why: an exhibit is
whatever someone sent her, kept byte for byte: an HTML file or an SVG opened from Cairn's own
address would otherwise run its scripts with her session. Sandboxed, it runs in an opaque
origin with no scripts, forms or plugins, and reaches nothing of Cairn's.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.http import StreamingHttpResponse

EXHIBIT_POLICY = (
    "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; frame-ancestors 'none'"
)


def exhibit_response(
    chunks: Iterable[bytes], *, media_type: str, size: int, filename: str, inline: bool = False
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=media_type)
    response["Content-Length"] = str(size)
    response["Content-Disposition"] = (
        f'{"inline" if inline else "attachment"}; filename="{filename}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = EXHIBIT_POLICY
    return response
