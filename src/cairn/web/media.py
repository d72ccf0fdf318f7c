"""What a file is, from its content rather than its name.

The media type recorded for an exhibit is sniffed from the first bytes: the ISO base media
file format's ``ftyp`` brands for the HEIF family (HEIC, HEIF, AVIF), JPEG XL's two signatures,
then magic numbers via ``filetype``, then text (UTF-8, or 8-bit text in some other charset:
no NUL bytes and hardly any control characters). When the name or the uploader claims a type
that the content contradicts, the file is refused: a "photo" that is really an executable, or
a screenshot saved with the wrong extension, should be noticed at the door, not in court.

A claim the content cannot contradict is kept: when the content is not recognised and the
claimed type is one this module cannot recognise anyway (a format newer than the sniffer),
the file is kept byte for byte under the claimed type rather than refused (ADR 0006).
"""

from __future__ import annotations

import mimetypes
import struct

import filetype  # type: ignore[import-untyped]

OCTET_STREAM = "application/octet-stream"

# ISO/IEC 14496-12 4.3: a file starts with a FileTypeBox (size, "ftyp", major brand, minor
# version, compatible brands). The HEIF brands are from ISO/IEC 23008-12 (Annex B and the
# HEVC brands of its Annex E); "avif"/"avis" from the AV1 Image File Format (AVIF) 1.0.
# Most specific first: a file's brands are looked up in this order.
_HEIF_BRANDS = (
    ("heic", "image/heic"),
    ("heix", "image/heic"),
    ("heim", "image/heic"),
    ("heis", "image/heic"),
    ("hevc", "image/heic-sequence"),
    ("hevx", "image/heic-sequence"),
    ("hevm", "image/heic-sequence"),
    ("hevs", "image/heic-sequence"),
    ("avif", "image/avif"),
    ("avis", "image/avif"),
    ("mif1", "image/heif"),
    ("mif2", "image/heif"),
    ("msf1", "image/heif-sequence"),
)
# ISO/IEC 18181-2: a JPEG XL file is a bare codestream (FF 0A) or an ISOBMFF-style container
# whose first box is "JXL " with the content 0D 0A 87 0A.
_JXL_CODESTREAM = b"\xff\x0a"
_JXL_CONTAINER = b"\x00\x00\x00\x0cJXL \x0d\x0a\x87\x0a"
_OWN_TYPES = frozenset({*(t for _, t in _HEIF_BRANDS), "image/jxl"})

# Text formats that sniff as plain text; their extension decides the exact type.
_TEXT_TYPES = {
    "text/plain",
    "text/csv",
    "text/markdown",
    "application/json",
    "application/xml",
    "text/xml",
    "message/rfc822",
    "application/mbox",
    "text/calendar",
    "text/html",
    "application/javascript",
    "text/javascript",
    "text/vcard",
    "text/x-vcard",
}
_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "audio/x-wav": "audio/wav",
    "audio/wave": "audio/wav",
    "video/3gpp": "video/3gpp",
    "application/x-zip-compressed": "application/zip",
    "audio/x-m4a": "audio/mp4",
    "audio/m4a": "audio/mp4",
}
# Container formats: the content sniffs as the container, the name says what is inside.
_ZIP_BASED = {
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/epub+zip",
    "application/vnd.oasis.opendocument.text",
}
_SAME_CONTAINER = [
    {"video/mp4", "video/quicktime", "audio/mp4", "video/3gpp", "video/x-m4v"},
    {"audio/mpeg", "audio/mp3"},
    {"audio/ogg", "video/ogg", "application/ogg"},
    # One family: HEIF files (AVIF is HEIF with AV1-coded images); phones
    # name the same kind of file .heic, .heif or .hif.
    {"image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence", "image/avif"},
]
# The types sniff() can recognise: a claim of one of these that the content does not bear
# out is a contradiction; a claim of any other type cannot be checked, only kept.
SNIFFABLE = frozenset(
    {
        *(_ALIASES.get(str(t.mime).lower(), str(t.mime).lower()) for t in filetype.types),
        *_OWN_TYPES,
        *_TEXT_TYPES,
    }
) - {OCTET_STREAM}
# Control characters that real text uses: tab, line feed, vertical tab, form feed, carriage
# return, and escape (ISO-2022 encodings switch character sets with it).
_TEXT_CONTROLS = frozenset(b"\t\n\x0b\x0c\r\x1b")
_MAX_CONTROL_SHARE = 0.01

mimetypes.add_type("application/mbox", ".mbox")
mimetypes.add_type("message/rfc822", ".eml")
mimetypes.add_type("image/heic", ".heic")
mimetypes.add_type("image/heif", ".heif")
mimetypes.add_type("image/heif", ".hif")
mimetypes.add_type("image/avif", ".avif")
mimetypes.add_type("image/jxl", ".jxl")
mimetypes.add_type("image/webp", ".webp")


class ContentMismatch(ValueError):
    def __init__(self, claimed: str, detected: str) -> None:
        super().__init__(
            f"The file's content is {describe(detected)}, but it was given as {describe(claimed)}"
        )
        self.claimed = claimed
        self.detected = detected


def describe(media_type: str) -> str:
    names = {
        "image/jpeg": "a JPEG image",
        "image/png": "a PNG image",
        "application/pdf": "a PDF document",
        "text/plain": "plain text",
        "application/zip": "a zip archive",
        "video/mp4": "an MP4 video",
        "image/heic": "a HEIC image",
        "image/heif": "a HEIF image",
        "image/jxl": "a JPEG XL image",
        "message/rfc822": "an e-mail",
        OCTET_STREAM: "an unrecognised binary file",
    }
    if media_type in names:
        return names[media_type]
    kind = kind_words(media_type)
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


# What a file is, in the words of someone who is not technical (issue 16): a phone saves a
# photo as JPEG or HEIC and a screenshot as PNG.
_KINDS = {
    "image/jpeg": "photo",
    "image/heic": "photo",
    "image/heif": "photo",
    "image/avif": "photo",
    "image/jxl": "photo",
    "image/tiff": "photo",
    "image/png": "screenshot",
    "image/svg+xml": "drawing",
    "message/rfc822": "e-mail",
    "application/vnd.ms-outlook": "e-mail",
    "application/mbox": "e-mails",
    "text/csv": "spreadsheet",
    "text/html": "web page",
    "application/pdf": "PDF document",
    "application/zip": "zip file",
    "application/json": "data file",
    "application/xml": "data file",
    "text/xml": "data file",
    "application/vnd.ms-excel": "spreadsheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "spreadsheet",
    "application/vnd.oasis.opendocument.spreadsheet": "spreadsheet",
    "application/msword": "document",
    "application/vnd.oasis.opendocument.text": "document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "document",
}
_KIND_FAMILIES = {"image": "picture", "video": "video", "audio": "sound recording", "text": "text"}


def kind_words(media_type: str | None) -> str:
    """ "photo", "screenshot", "e-mail", "video": the kind of file, never its media type."""
    value = normalise(media_type) or OCTET_STREAM
    if value in _KINDS:
        return _KINDS[value]
    return _KIND_FAMILIES.get(value.split("/", 1)[0], "file")


def normalise(media_type: str | None) -> str | None:
    if not media_type:
        return None
    media_type = media_type.split(";")[0].strip().lower()
    return _ALIASES.get(media_type, media_type)


def claimed_type(name: str, declared: str | None = None) -> str | None:
    """The type the file claims to be: the uploader's declared type if it is specific,
    else what its extension says."""
    declared = normalise(declared)
    if declared and declared != OCTET_STREAM:
        return declared
    return normalise(mimetypes.guess_type(name, strict=False)[0])


def _looks_like_text(head: bytes) -> bool:
    """UTF-8 text, or 8-bit text in another charset (ISO-8859-x, Windows-125x, KOI8...):
    which one is for the reader to say (an e-mail declares it); what matters here is that it
    is text, not binary."""
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sniffed window is still text.
        if exc.start < len(head) - 4:
            return _looks_like_8bit_text(head)
    return True


def _looks_like_8bit_text(head: bytes) -> bool:
    controls = sum(1 for byte in head if byte < 0x20 and byte not in _TEXT_CONTROLS)
    return controls <= len(head) * _MAX_CONTROL_SHARE


def _isobmff_image(head: bytes) -> str | None:
    """The HEIF-family type named by an ISOBMFF file's ``ftyp`` brands, if any."""
    if len(head) < 16 or head[4:8] != b"ftyp":
        return None
    size = struct.unpack(">I", head[:4])[0]
    if size < 16 or size % 4:
        return None
    brands = {head[8:12]} | {head[i : i + 4] for i in range(16, min(size, len(head)) - 3, 4)}
    found = {brand.decode("latin-1") for brand in brands}
    return next((media_type for brand, media_type in _HEIF_BRANDS if brand in found), None)


def sniff(head: bytes) -> str:
    if head.startswith((_JXL_CODESTREAM, _JXL_CONTAINER)):
        return "image/jxl"
    heif = _isobmff_image(head)
    if heif is not None:
        return heif
    kind = filetype.guess(head)
    if kind is not None:
        return normalise(kind.mime) or OCTET_STREAM
    if _looks_like_text(head):
        return "text/plain"
    return OCTET_STREAM


def detect(head: bytes, name: str, declared: str | None = None) -> str:
    """Return the media type to record, or raise ContentMismatch.

    The recorded type is the sniffed one, refined by the claim only within the same family
    (a ``.csv`` that sniffs as text is ``text/csv``; a ``.mov`` that sniffs as MP4 stays a
    QuickTime movie, which is the same container).
    """
    detected = sniff(head)
    claimed = claimed_type(name, declared)
    if claimed is None or claimed == detected:
        return detected
    if detected == "text/plain" and (claimed in _TEXT_TYPES or claimed.startswith("text/")):
        return claimed
    if detected in _ZIP_BASED and claimed in _ZIP_BASED:
        return claimed
    for family in _SAME_CONTAINER:
        if detected in family and claimed in family:
            return claimed
    if claimed not in SNIFFABLE and (
        detected == "text/plain" or (detected == OCTET_STREAM and not claimed.startswith("text/"))
    ):
        return claimed  # nothing here can check this claim; the bytes are kept as they are
    raise ContentMismatch(claimed, detected)
