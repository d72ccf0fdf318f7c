"""Redacted copies of exhibits: a picture with areas blacked out, a text with passages hidden.

What: a redacted copy is a new exhibit derived from the original (``Exhibit.derived_from``),
with the vault's next reference, attached to the same incident, and a record of how it was
made (``Exhibit.derivation``: where things were hidden, never what). The original is never
touched (ACPO principle 1); the copy's ledger entry names the original's SHA-256 and the
exact areas or spans, so anyone holding both files can repeat the redaction and compare
(principle 3). A pack can then carry the copy in the original's place (``cairn.packs``).

Pictures (JPEG, PNG, WebP): the decrypted original is decoded with Pillow and first turned
upright by its EXIF orientation (``ImageOps.exif_transpose``): rectangles are given in pixels
of the upright picture, as a person and a browser see it, with (0, 0) at its top left. Each
rectangle is filled solid black, and the result is encoded again in the same format from the
pixels alone. Nothing else of the original file is carried over: no EXIF (so no GPS position,
no camera serial number, and no EXIF thumbnail, which would show the picture unredacted), no
XMP, no comments or PNG text chunks; only the ICC colour profile is kept, because it changes
how colours look and says nothing about anyone. The encoded copy is read back and refused if
any metadata survived. A JPEG is re-encoded with the original's quantisation tables and
chroma subsampling, so the rest of the picture differs from the original only by
re-compression noise; PNG and lossless WebP keep every other pixel exactly.

Texts (plain text, e-mail, chat exports, CSV...): spans are ranges [start, end) of characters
(Unicode code points) of the file's UTF-8 text. Every character in a span becomes "█", except
line breaks, which are kept: the copy has exactly as many characters and lines as the
original, so every offset, line number and column outside the spans is unchanged and the copy
lines up with the original line by line. ``spans_for`` finds the spans of words or phrases.

This module holds the pure functions (``black_out``, ``hide_spans``, ``spans_for``...): they
raise ``RedactionError`` naming the field and need neither Django nor a database (an
import-linter contract holds it to that). ``cairn.vault.redaction_services`` reads the
original, checks who asks, and stores the copy.
"""

from __future__ import annotations

import io
import itertools
import mimetypes
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cairn.web import media

# Redacted pictures keep their format; these are the formats Pillow reads and writes
# without loss of anything but metadata (HEIC and animations are refused).
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
TEXT_TYPES = frozenset(
    {
        "text/plain",
        "text/csv",
        "message/rfc822",
        "application/mbox",
        "text/markdown",
        "application/json",
        "text/calendar",
        "text/vcard",
        "text/x-vcard",
    }
)
HIDDEN = "\N{FULL BLOCK}"
# Characters kept inside a span so that line numbers stay the same (what str.splitlines splits on).
LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
MAX_AREAS = 200
MAX_SPANS = 50_000
MAX_IMAGE_BYTES = 200 * 1024 * 1024
MAX_TEXT_BYTES = 64 * 1024 * 1024
IMAGE_METHOD = "image-rectangles"
METADATA_METHOD = "image-metadata-removed"
TEXT_METHOD = "text-spans"


class RedactionError(ValueError):
    """Input a redaction cannot use; ``field`` names what was wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Rectangle:
    """An area of the upright picture in pixels: its top-left corner and its size."""

    x: int
    y: int
    width: int
    height: int

    @property
    def box(self) -> tuple[int, int, int, int]:
        return (self.x, self.y, self.x + self.width, self.y + self.height)

    def as_dict(self) -> dict[str, int]:
        return {"x": self.x, "y": self.y, "width": self.width, "height": self.height}

    @classmethod
    def parse(cls, text: str) -> Rectangle:
        """``"X,Y,W,H"`` (as the command line takes it); raises ValueError."""
        parts = [part.strip() for part in text.split(",")]
        if len(parts) != 4 or not all(part.isdigit() for part in parts):
            raise ValueError(f"{text!r} is not X,Y,WIDTH,HEIGHT in whole pixels, like 10,20,300,40")
        x, y, width, height = (int(part) for part in parts)
        return cls(x, y, width, height)


def kind_of(media_type: str) -> str | None:
    """``"image"`` or ``"text"`` when a redacted copy can be made of this type, else None."""
    if media_type in IMAGE_FORMATS:
        return "image"
    if media_type in TEXT_TYPES:
        return "text"
    return None


def unsupported_message(reference: str, media_type: str) -> str:
    return (
        f"{reference} is {media.describe(media_type)}: redacted copies can be made of "
        "JPEG, PNG and WebP pictures and of text files"
    )


def copy_name(reference: str, media_type: str) -> str:
    """The copy's file name: its original's reference, never the original's file name (which
    may itself name someone, and the copy is the one that gets shared)."""
    extension = mimetypes.guess_extension(media_type, strict=False) or ".bin"
    if extension in {".jpe", ".jpeg"}:
        extension = ".jpg"
    safe = "".join(ch if ch.isalnum() else "-" for ch in reference)
    return f"{safe}-redacted{extension}"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


# --- pictures -----------------------------------------------------------------------------


def _clean_rectangles(
    raw: Iterable[Rectangle | Sequence[int] | Mapping[str, int]],
) -> list[Rectangle]:
    rectangles: list[Rectangle] = []
    for number, item in enumerate(raw, start=1):
        if isinstance(item, Rectangle):
            values: Sequence[Any] = (item.x, item.y, item.width, item.height)
        elif isinstance(item, Mapping):
            values = [item.get(key) for key in ("x", "y", "width", "height")]
        else:
            values = list(item)
        if len(values) != 4 or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in values
        ):
            raise RedactionError(
                "rectangles",
                f"Area {number} needs four whole numbers: from "
                "the left, from the top, width and height",
            )
        rectangles.append(Rectangle(*values))
    if not rectangles:
        raise RedactionError("rectangles", "Give at least one area to cover")
    if len(rectangles) > MAX_AREAS:
        raise RedactionError("rectangles", f"Cover at most {MAX_AREAS} areas in one copy")
    return rectangles


def _check_inside(rectangles: Sequence[Rectangle], size: tuple[int, int]) -> None:
    width, height = size
    for number, r in enumerate(rectangles, start=1):
        if r.width < 1 or r.height < 1:
            raise RedactionError(
                "rectangles", f"Area {number} must be at least 1 pixel wide and high"
            )
        if r.x < 0 or r.y < 0 or r.x + r.width > width or r.y + r.height > height:
            raise RedactionError(
                "rectangles",
                f"Area {number} goes outside the picture, which is {width} by "
                f"{height} pixels (the area ends at {r.x + r.width}, {r.y + r.height})",
            )


def _webp_is_lossless(data: bytes) -> bool:
    """Whether a WebP file holds a lossless (VP8L) or a lossy (VP8) bitstream."""
    position = 12
    while position + 8 <= len(data):
        chunk = data[position : position + 4]
        size = int.from_bytes(data[position + 4 : position + 8], "little")
        if chunk == b"VP8L":
            return True
        if chunk == b"VP8 ":
            return False
        position += 8 + size + (size & 1)
    return False


def _open(data: bytes, media_type: str) -> Any:
    from PIL import Image

    fmt = IMAGE_FORMATS.get(media_type)
    if fmt is None:
        raise RedactionError(
            "exhibit", f"This is {media.describe(media_type)}, not a JPEG, PNG or WebP picture"
        )
    try:
        image = Image.open(io.BytesIO(data), formats=[fmt])
        if getattr(image, "n_frames", 1) > 1:
            raise RedactionError(
                "exhibit",
                "This picture has several frames (an animation): "
                "redacted copies are made of still pictures",
            )
        image.load()
    except RedactionError:
        raise
    except Image.DecompressionBombError:
        raise RedactionError("exhibit", "This picture has too many pixels to redact") from None
    except (OSError, ValueError, SyntaxError):
        raise RedactionError("exhibit", "This picture could not be read") from None
    return image


def upright_size(data: bytes, media_type: str) -> tuple[int, int]:
    """The picture's width and height once turned upright by its EXIF orientation: the
    size that rectangles are measured against."""
    from PIL import Image

    fmt = IMAGE_FORMATS.get(media_type)
    if fmt is None:
        raise RedactionError("exhibit", f"This is {media.describe(media_type)}, not a picture")
    try:
        with Image.open(io.BytesIO(data), formats=[fmt]) as image:
            width, height = image.size
            orientation = image.getexif().get(0x0112, 1)
    except (OSError, ValueError, SyntaxError):
        raise RedactionError("exhibit", "This picture could not be read") from None
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _black(mode: str) -> Any:
    from PIL import ImageColor

    if mode == "CMYK":
        return (0, 0, 0, 255)
    return ImageColor.getcolor("black", mode)


def black_out(
    data: bytes,
    media_type: str,
    rectangles: Iterable[Rectangle | Sequence[int] | Mapping[str, int]],
) -> tuple[bytes, dict[str, Any]]:
    """The picture with each rectangle filled solid black, in the same format, stripped of
    every metadata block but its ICC profile; and the derivation that records how.

    Rectangles are in pixels of the picture turned upright by its EXIF orientation. Raises
    ``RedactionError`` for an unreadable or animated picture, or an area outside it.
    """
    cleaned = _clean_rectangles(rectangles)
    result, orientation = _redraw(data, media_type, cleaned)
    count = len(cleaned)
    derivation = {
        "method": IMAGE_METHOD,
        "rectangles": [r.as_dict() for r in cleaned],
        "coordinates": f"pixels of the upright picture (EXIF orientation {orientation} "
        "applied), from the top left",
        "summary": f"{plural(count, 'area')} covered",
    }
    return result, derivation


def without_metadata(data: bytes, media_type: str) -> tuple[bytes, dict[str, Any]]:
    """The picture drawn again from its pixels alone, turned upright, with nothing covered:
    no EXIF (so no position, serial number or owner's name), XMP, comment or text block.
    Raises ``RedactionError`` as ``black_out`` does."""
    result, orientation = _redraw(data, media_type, [])
    return result, {
        "method": METADATA_METHOD,
        "coordinates": f"the upright picture (EXIF orientation {orientation} applied)",
        "summary": "the details hidden in the file removed (where it was taken, the "
        "camera, its owner)",
    }


def _redraw(data: bytes, media_type: str, cleaned: list[Rectangle]) -> tuple[bytes, int]:
    """Decode, turn upright, cover ``cleaned``, encode from the pixels alone (keeping only
    the ICC profile), and check no metadata survived. Returns the bytes and the orientation
    that was applied."""
    from PIL import Image, ImageOps, JpegImagePlugin

    fmt = IMAGE_FORMATS.get(media_type, "")
    with _open(data, media_type) as source:
        orientation = source.getexif().get(0x0112, 1)
        params: dict[str, Any] = {}
        if icc := source.info.get("icc_profile"):
            params["icc_profile"] = icc
        if fmt == "JPEG":
            qtables = getattr(source, "quantization", None)
            if qtables:
                params["qtables"] = qtables
                sampling = JpegImagePlugin.get_sampling(source)
                if sampling >= 0:
                    params["subsampling"] = sampling
            else:
                params["quality"] = 95
        elif fmt == "WEBP":
            if _webp_is_lossless(data):
                params.update(lossless=True, exact=True)
            else:
                params["quality"] = 95
        upright = ImageOps.exif_transpose(source)
    _check_inside(cleaned, upright.size)
    if upright.mode in {"P", "PA"}:
        # A palette may hold no black: cover in full colour (the other pixels keep their
        # colours exactly, now written out rather than looked up).
        has_alpha = upright.mode == "PA" or "transparency" in upright.info
        upright = upright.convert("RGBA" if has_alpha else "RGB")
    elif upright.mode in {"RGB", "L"} and "transparency" in upright.info:
        # A transparent colour key is image data, not metadata: keep it as an alpha channel.
        upright = upright.convert("RGBA" if upright.mode == "RGB" else "LA")
    # A new image from the pixels alone: nothing of the original's ``info`` can follow it.
    pixels = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    black = _black(pixels.mode)
    for rectangle in cleaned:
        pixels.paste(black, rectangle.box)
    out = io.BytesIO()
    pixels.save(out, format=fmt, **params)
    result = out.getvalue()
    _check_no_metadata(result, fmt)
    return result, int(orientation)


def _check_no_metadata(data: bytes, fmt: str) -> None:
    """Read the copy back: no EXIF, XMP, comment or text block may have survived."""
    from PIL import Image

    with Image.open(io.BytesIO(data), formats=[fmt]) as copy:
        leaked = sorted(
            str(key)
            for key in copy.info
            if str(key).lower() in {"exif", "xmp", "comment", "xml:com.adobe.xmp"}
        )
        leaked += [f"text {key}" for key in getattr(copy, "text", {}) or {}]
        if len(copy.getexif()):
            leaked.append("EXIF tags")
    if leaked:  # a bug here, never the victim's input
        raise RuntimeError(f"the redacted copy still carries metadata: {', '.join(leaked)}")


# --- texts --------------------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RedactionError(
            "exhibit",
            f"The file is not UTF-8 text (byte {exc.start} is not), so it cannot be redacted here",
        ) from None


def _clean_spans(
    raw: Iterable[Sequence[int] | Mapping[str, int]], length: int
) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for number, item in enumerate(raw, start=1):
        values: list[Any] = (
            [item.get("start"), item.get("end")] if isinstance(item, Mapping) else list(item)
        )
        if len(values) != 2 or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in values
        ):
            raise RedactionError(
                "spans", f"Passage {number} needs a start and an end, as character positions"
            )
        start, end = values
        if not 0 <= start < end <= length:
            raise RedactionError(
                "spans",
                f"Passage {number} ({start} to {end}) is not within "
                f"the text, which has {length} characters",
            )
        spans.append((start, end))
    if not spans:
        raise RedactionError("spans", "Give at least one passage to hide")
    if len(spans) > MAX_SPANS:
        raise RedactionError("spans", f"Hide at most {MAX_SPANS} passages in one copy")
    spans.sort()
    for (_, end), (next_start, _) in itertools.pairwise(spans):
        if next_start < end:
            raise RedactionError(
                "spans", f"Passages overlap at character {next_start}: join them into one"
            )
    return spans


def hide_spans(
    text: str, spans: Iterable[Sequence[int] | Mapping[str, int]]
) -> tuple[str, dict[str, Any]]:
    """The text with every character of each span replaced by "█" (line breaks kept), and
    the derivation that records where. Raises ``RedactionError`` for a span outside the
    text or overlapping another."""
    cleaned = _clean_spans(spans, len(text))
    parts: list[str] = []
    position = 0
    for start, end in cleaned:
        parts.append(text[position:start])
        parts.append("".join(ch if ch in LINE_BREAKS else HIDDEN for ch in text[start:end]))
        position = end
    parts.append(text[position:])
    derivation = {
        "method": TEXT_METHOD,
        "spans": [{"start": start, "end": end} for start, end in cleaned],
        "coordinates": "characters (Unicode code points) of the UTF-8 text, end excluded; "
        "each became \N{FULL BLOCK}, line breaks kept",
        "summary": f"{plural(len(cleaned), 'passage')} hidden",
    }
    return "".join(parts), derivation


def _phrase_pattern(phrase: str) -> re.Pattern[str] | None:
    # Any run of spaces or line breaks in the phrase matches any other run: a name wrapped
    # onto the next line of an e-mail is still found.
    words = phrase.split()
    if not words:
        return None
    return re.compile("(?=(" + r"\s+".join(re.escape(word) for word in words) + "))", re.IGNORECASE)


def find_phrases(text: str, phrases: Iterable[str]) -> list[tuple[str, list[tuple[int, int]]]]:
    """Each non-blank phrase (stripped) with every place it occurs, overlaps included,
    ignoring case. Phrases are kept in the order given, without repeats."""
    found: list[tuple[str, list[tuple[int, int]]]] = []
    seen: set[str] = set()
    for phrase in phrases:
        phrase = " ".join(phrase.split())
        pattern = _phrase_pattern(phrase)
        if pattern is None or phrase.casefold() in seen:
            continue
        seen.add(phrase.casefold())
        found.append((phrase, [match.span(1) for match in pattern.finditer(text)]))
    return found


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with those that overlap or touch joined into one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def spans_for(text: str, phrases: Iterable[str]) -> list[tuple[int, int]]:
    """The spans that hide every occurrence of every phrase, ignoring case: sorted, with
    overlapping or touching occurrences joined, ready for ``hide_spans``."""
    return merge_spans(span for _, spans in find_phrases(text, phrases) for span in spans)


# --- services -----------------------------------------------------------------------------
