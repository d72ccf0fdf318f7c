"""The pack's PDF: a ``PackDocument`` laid out by Typst as PDF/A-2b (pure: no Django).

How user text stays text: the document goes to the template as one JSON string
(``sys.inputs``), which the template reads with ``json()`` and places as string values. Typst
never parses any of it as markup, so "#panic()", "$", "*" or "]" in a description print as
written. No Typst source is ever built from user text.

Fonts: Typst's own embedded fonts (Libertinus Serif for text, DejaVu Sans Mono for digests),
with system fonts ignored, so the layout does not depend on what a machine has installed.
DejaVu Sans, where Debian's ``fonts-dejavu-core`` provides it, is added as a fallback for
scripts and symbols Libertinus lacks (Arabic, emoji...). PDF/A requires every character to
be drawn by an embedded font, so a character that no available font has is printed as its
code point, "[U+4E2D]", rather than failing the whole pack; the pack's JSON files keep the
text exactly as written.

Reproducible: the same document gives the same bytes. The PDF's dates come from the
document's ``built_at``, never the clock.

Typst runs in a child process for each PDF (``render_pdf`` says why); its error messages are
passed on without the text they quote.
"""

from __future__ import annotations

import functools
import json
import re
import struct
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Protocol

from cairn.packs.document import PackDocument

TEMPLATE = Path(__file__).with_name("pack.typ")
PDF_STANDARD: Final = "a-2b"  # PDF/A-2b: archival, every font embedded
FALLBACK_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FALLBACK_FONTS = ("DejaVuSans.ttf",)  # the fallback face used for user text (regular weight)

# What Libertinus Serif (embedded in Typst) certainly draws, used when no fallback font is
# installed: Latin with its extensions and accents, Greek, Cyrillic, Hebrew, and punctuation.
_EMBEDDED_RANGES = (
    (0x0020, 0x007E),
    (0x00A0, 0x024F),
    (0x0300, 0x036F),
    (0x0370, 0x03FF),
    (0x0400, 0x04FF),
    (0x05D0, 0x05EA),
    (0x2010, 0x2027),
    (0x2030, 0x205E),
    (0x20AC, 0x20AC),
    (0x2122, 0x2122),
)
# Characters that draw nothing and need no glyph: kept as they are.
_INVISIBLE_OK = frozenset({"\n", "\u200b", "\u200c", "\u200d", "\u00ad", "\ufe0e", "\ufe0f"})


TIMEOUT_SECONDS = 600
# The child process: the standard library and typst only (so it starts in a blink), reading
# the document's JSON from stdin and writing the PDF to stdout.
_CHILD = """
import sys
import typst
template, root, fonts, timestamp, standard = sys.argv[1:6]
data = sys.stdin.buffer.read().decode("utf-8")
try:
    pdf = typst.compile(template, root=root, font_paths=[fonts], ignore_system_fonts=True,
                        sys_inputs={"data": data}, pdf_standards=standard,
                        timestamp=int(timestamp))
except typst.TypstError as exc:
    sys.stderr.write(exc.message)
    sys.exit(3)
sys.stdout.buffer.write(pdf)
"""


class Renderable(Protocol):
    """What a template reads: the document as JSON, and the build time that dates the PDF."""

    built_at: datetime

    def to_json(self) -> dict[str, Any]: ...


class PdfError(RuntimeError):
    """Typst could not lay out the pack (a bug in the template, not in the user's data)."""


def render_pdf(document: PackDocument | Renderable, template: Path | None = None) -> bytes:
    """The PDF/A-2b bytes of ``document`` laid out by ``template`` (the evidence pack's,
    ``TEMPLATE``, by default; the breach pack and the SPO application have their own).
    Raises PdfError if Typst fails.

    Typst runs in a short-lived child process. Its memoisation cache is global to a process
    and the Python binding cannot empty it: in a web process or task worker that builds
    packs, every build would add hundreds of megabytes that are never given back. A child
    costs about a tenth of a second and returns all of it.
    """
    template = template or TEMPLATE
    data = json.dumps(
        printable(document.to_json(), _coverage()), ensure_ascii=False, sort_keys=True
    ).encode("utf-8")
    timestamp = int(document.built_at.astimezone(UTC).timestamp())
    # Typst takes font folders, not files: a folder of its own holds just the fallback face,
    # so the system's copy of DejaVu Sans Mono cannot stand in for the embedded one.
    with tempfile.TemporaryDirectory(prefix="cairn-fonts-") as fonts:
        for path in _fallback_files():
            (Path(fonts) / path.name).symlink_to(path)
        # Only paths and numbers on the command line; the vault's words go through stdin.
        command = [
            sys.executable,
            "-I",
            "-c",
            _CHILD,
            str(template),
            str(template.parent),
            fonts,
            str(timestamp),
            PDF_STANDARD,
        ]
        try:
            result = subprocess.run(
                command, input=data, capture_output=True, check=False, timeout=TIMEOUT_SECONDS
            )
        except subprocess.TimeoutExpired:
            raise PdfError(f"the pack's PDF took over {TIMEOUT_SECONDS} s to lay out") from None
    if result.returncode != 0 or not result.stdout.startswith(b"%PDF"):
        # Typst quotes the text it stumbled on in backticks: keep it out of logs.
        message = re.sub(r"`[^`]*`", "`...`", result.stderr.decode("utf-8", "replace"))
        raise PdfError(f"the pack's PDF could not be laid out: {message.strip()[-500:]}")
    return result.stdout


def printable(value: Any, coverage: frozenset[int] | None = None) -> Any:
    """``value`` (plain JSON data) with every string made safe for a PDF/A font set: control
    characters become spaces, tabs spaces, and a character no font can draw its code point."""
    covered = _coverage() if coverage is None else coverage
    if isinstance(value, str):
        return _printable_text(value, covered)
    if isinstance(value, list):
        return [printable(item, covered) for item in value]
    if isinstance(value, dict):
        return {key: printable(item, covered) for key, item in value.items()}
    return value


def _printable_text(text: str, covered: frozenset[int]) -> str:
    if text.isascii() and text.isprintable():
        return text  # the common case, without a look at each character
    out = []
    for char in unicodedata.normalize("NFC", text.replace("\r\n", "\n")):
        if char in _INVISIBLE_OK or ord(char) in covered:
            out.append(char)
        elif char in "\t\r" or unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            out.append(" ")
        else:
            out.append(f"[U+{ord(char):04X}]")
    return "".join(out)


def _fallback_files() -> list[Path]:
    return [
        FALLBACK_FONT_DIR / name for name in FALLBACK_FONTS if (FALLBACK_FONT_DIR / name).is_file()
    ]


@functools.cache
def _coverage() -> frozenset[int]:
    covered: set[int] = set()
    for low, high in _EMBEDDED_RANGES:
        covered.update(range(low, high + 1))
    for path in _fallback_files():
        covered.update(font_characters(path.read_bytes()))
    return frozenset(covered)


def font_characters(font: bytes) -> set[int]:
    """The code points an OpenType/TrueType font maps to a glyph, from its ``cmap`` table
    (Unicode subtables of format 4 and 12; glyph 0, "not defined", does not count).

    Why by hand: knowing in advance what the fonts can draw is what keeps a PDF/A build from
    failing on one unusual character, and no font library is among the dependencies. Raises
    ValueError on a file that is not a font.
    """
    try:
        (tables,) = struct.unpack_from(">H", font, 4)
        cmap = next(
            offset
            for tag, offset in (
                struct.unpack_from(">4s4xI4x", font, 12 + 16 * n) for n in range(tables)
            )
            if tag == b"cmap"
        )
        (count,) = struct.unpack_from(">H", font, cmap + 2)
        subtables = [struct.unpack_from(">HHI", font, cmap + 4 + 8 * n) for n in range(count)]
    except (struct.error, StopIteration):
        raise ValueError("not an OpenType font with a cmap table") from None
    found: set[int] = set()
    for platform, encoding, offset in subtables:
        if (platform, encoding) not in {(0, 3), (0, 4), (3, 1), (3, 10)}:
            continue
        start = cmap + offset
        (fmt,) = struct.unpack_from(">H", font, start)
        if fmt == 4:
            found.update(_format4(font, start))
        elif fmt == 12:
            found.update(_format12(font, start))
    return found


def _format4(font: bytes, start: int) -> Iterable[int]:
    (segments2,) = struct.unpack_from(">H", font, start + 6)
    segments = segments2 // 2
    ends = struct.unpack_from(f">{segments}H", font, start + 14)
    starts_at = start + 16 + segments2
    starts = struct.unpack_from(f">{segments}H", font, starts_at)
    deltas = struct.unpack_from(f">{segments}h", font, starts_at + segments2)
    ranges_at = starts_at + 2 * segments2
    range_offsets = struct.unpack_from(f">{segments}H", font, ranges_at)
    for n in range(segments):
        for code in range(starts[n], ends[n] + 1):
            if code == 0xFFFF:
                continue
            if range_offsets[n] == 0:
                glyph = (code + deltas[n]) & 0xFFFF
            else:
                at = ranges_at + 2 * n + range_offsets[n] + 2 * (code - starts[n])
                (glyph,) = struct.unpack_from(">H", font, at)
                if glyph:
                    glyph = (glyph + deltas[n]) & 0xFFFF
            if glyph:
                yield code


def _format12(font: bytes, start: int) -> Iterable[int]:
    (groups,) = struct.unpack_from(">I", font, start + 12)
    for n in range(groups):
        first, last, glyph = struct.unpack_from(">III", font, start + 16 + 12 * n)
        yield from range(first + (1 if glyph == 0 else 0), last + 1)
