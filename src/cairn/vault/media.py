"""What a file is, from its content rather than its name.

The media type recorded for an exhibit is sniffed from the first bytes (magic numbers via
``filetype``; UTF-8 text otherwise). When the name or the uploader claims a type that the
content contradicts, the file is refused: a "photo" that is really an executable, or a
screenshot saved with the wrong extension, should be noticed at the door, not in court.
"""

from __future__ import annotations

import mimetypes

import filetype  # type: ignore[import-untyped]

OCTET_STREAM = "application/octet-stream"

# Text formats that sniff as plain text; their extension decides the exact type.
_TEXT_TYPES = {
    "text/plain", "text/csv", "text/markdown", "application/json", "application/xml",
    "text/xml", "message/rfc822", "application/mbox", "text/calendar", "text/html",
    "application/javascript", "text/javascript", "text/vcard", "text/x-vcard",
}
_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "audio/x-wav": "audio/wav",
            "audio/wave": "audio/wav", "video/3gpp": "video/3gpp", "application/x-zip-compressed":
            "application/zip", "audio/x-m4a": "audio/mp4", "audio/m4a": "audio/mp4"}
# Container formats: the content sniffs as the container, the name says what is inside.
_ZIP_BASED = {"application/zip", "application/vnd.openxmlformats-officedocument."
              "wordprocessingml.document", "application/vnd.openxmlformats-officedocument."
              "spreadsheetml.sheet", "application/epub+zip", "application/vnd.oasis."
              "opendocument.text"}
_SAME_CONTAINER = [{"video/mp4", "video/quicktime", "audio/mp4", "video/3gpp", "video/x-m4v"},
                   {"audio/mpeg", "audio/mp3"}, {"audio/ogg", "video/ogg", "application/ogg"}]

mimetypes.add_type("application/mbox", ".mbox")
mimetypes.add_type("message/rfc822", ".eml")
mimetypes.add_type("image/heic", ".heic")
mimetypes.add_type("image/webp", ".webp")


class ContentMismatch(ValueError):
    def __init__(self, claimed: str, detected: str) -> None:
        super().__init__(
            f"The file's content is {describe(detected)}, but it was given as {describe(claimed)}"
        )
        self.claimed = claimed
        self.detected = detected


def describe(media_type: str) -> str:
    names = {"image/jpeg": "a JPEG image", "image/png": "a PNG image", "application/pdf":
             "a PDF document", "text/plain": "plain text", "application/zip": "a zip archive",
             "video/mp4": "an MP4 video", OCTET_STREAM: "an unrecognised binary file"}
    return names.get(media_type, media_type)


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
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sniffed window is still text.
        if exc.start < len(head) - 4:
            return False
    return True


def sniff(head: bytes) -> str:
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
    if detected == OCTET_STREAM and claimed == OCTET_STREAM:
        return detected
    raise ContentMismatch(claimed, detected)
