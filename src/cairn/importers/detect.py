"""Guess an export's format from its name and first bytes (pure; a guess, which the person
confirms or overrides with ``--format``).

Two tables, tried in order, first match wins:

- ``RULES`` for a file: each ``Rule`` looks at the lower-cased name and the first bytes
  (``HEAD_SIZE`` is enough; less works, with less certainty). A zip's first bytes say only
  "zip", so zips are decided by name here, or by their members with ``detect_zip_format``.
- ``ZIP_RULES`` for a zip or folder whose member names are known.

``detect_path`` does both for a file on disk: the name and first bytes first, then, for a zip
no name rule settles, the names of its members (read from its central directory through
``SafeZip``, so an unsafe zip is refused here too).

To add a format, append a ``Rule`` (or ``ZipRule``) to the table with ``register``; keep the
more specific rules first.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from cairn.importers.parsers.whatsapp import is_header_line
from cairn.importers.safezip import SafeZip, looks_like_zip
from cairn.web.media import sniff

__all__ = [
    "HEAD_SIZE",
    "RULES",
    "ZIP_RULES",
    "Rule",
    "ZipRule",
    "detect_format",
    "detect_path",
    "detect_zip_format",
    "register",
]

HEAD_SIZE = 8192


@dataclass(frozen=True)
class Rule:
    """``format`` when ``test(name, head)`` is true; ``name`` is the name as given (a base name
    or a path), lower-cased, with ``/`` separators."""

    format: str
    test: Callable[[str, bytes], bool]


@dataclass(frozen=True)
class ZipRule:
    """``format`` when ``test(zip name, member names)`` is true (names lower-cased)."""

    format: str
    test: Callable[[str, tuple[str, ...]], bool]


def _text(head: bytes) -> str:
    return head.decode("utf-8", errors="ignore").lstrip("\ufeff\u200e \r\n\t")


def _is_whatsapp_text(name: str, head: bytes) -> bool:
    if looks_like_zip(head) or b"\x00" in head:
        return False
    first = _text(head).split("\n", 1)[0]
    return is_header_line(first) and not name.endswith((".json", ".js", ".csv"))


def _is_json(head: bytes) -> bool:
    return _text(head)[:1] in ("{", "[")


def _is_telegram(name: str, head: bytes) -> bool:
    return _is_json(head) and (
        b'"date_unixtime"' in head
        or b'"personal_information"' in head
        or (b'"chats"' in head and b'"list"' in head)
        or re.search(
            rb'"type"\s*:\s*"(?:personal_chat|private_group|'
            rb"private_supergroup|public_supergroup|"
            rb"public_channel|private_channel|saved_messages|"
            rb'bot_chat)"',
            head,
        )
        is not None
    )


def _is_meta(name: str, head: bytes) -> bool:
    return _is_json(head) and (
        b'"timestamp_ms"' in head
        or b'"sender_name"' in head
        or (b'"participants"' in head and b'"messages"' in head)
    )


def _is_instagram(name: str, head: bytes) -> bool:
    return "instagram" in name and _is_meta(name, head)


def _is_twitter_dms(name: str, head: bytes) -> bool:
    return re.match(rb"(?:\xef\xbb\xbf)?\s*window\.YTD\.direct_messages", head) is not None


def _is_sms_backup(head: bytes) -> bool:
    return re.search(rb"<smses[\s>]", head[:4096]) is not None and not looks_like_zip(head)


# RFC 5322 3.6 and RFC 2045 fields a saved message starts with, in any order (Apple Mail and
# Thunderbird often write Content-Type first). A header block naming two of them is e-mail.
_MAIL_FIELDS = frozenset(
    {
        b"from",
        b"date",
        b"subject",
        b"to",
        b"cc",
        b"message-id",
        b"received",
        b"return-path",
        b"delivered-to",
        b"mime-version",
        b"content-type",
        b"content-transfer-encoding",
        b"dkim-signature",
        b"reply-to",
        b"sender",
        b"in-reply-to",
        b"references",
        b"x-mailer",
        b"arc-seal",
        b"authentication-results",
        b"envelope-to",
        b"x-original-to",
        b"user-agent",
        b"thread-topic",
        b"thread-index",
    }
)
_FIELD_NAME = re.compile(rb"^([\x21-\x39\x3b-\x7e]+)[ \t]*:")
# An Outlook .msg is an OLE2 compound file (MS-CFB) whose streams are named __substg1.0_...
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MSG_STREAM = "__substg1.0_".encode("utf-16-le")


def _header_fields(text: bytes) -> set[bytes]:
    """The field names of the header block ``text`` starts with (folded lines allowed; the
    block may run past the end of ``text``), or an empty set if it does not start with one."""
    lines = text.split(b"\n")
    names: set[bytes] = set()
    for number, raw in enumerate(lines):
        line = raw.rstrip(b"\r")
        if not line:
            break
        if line[:1] in (b" ", b"\t") and names:
            continue
        match = _FIELD_NAME.match(line)
        if match is None:
            if number == len(lines) - 1:  # a line cut at the end of the head
                break
            return set()
        names.add(match.group(1).lower())
    return names


def _is_outlook_msg(name: str, head: bytes) -> bool:
    return head.startswith(_OLE_MAGIC) and (name.endswith(".msg") or _MSG_STREAM in head)


def _is_email(name: str, head: bytes) -> bool:
    if _is_outlook_msg(name, head):
        return True
    if looks_like_zip(head) or b"\x00" in head:
        return False
    text = head.lstrip(b"\xef\xbb\xbf").lstrip(b"\r\n")
    if name.endswith((".eml", ".mbox")) or text.startswith(b"From "):
        return True
    return len(_header_fields(text) & _MAIL_FIELDS) >= 2


def _is_photo_or_video(head: bytes) -> bool:
    return bool(head) and sniff(head).split("/")[0] in ("image", "video")


_MEDIA_NAME = re.compile(
    r"\.(?:jpe?g|png|heic|heif|hif|avif|jxl|webp|gif|tiff?|dng|mp4|mov|"
    r"m4v|3gp|mkv|webm|avi)$"
)


def _is_media_folder(name: str, members: tuple[str, ...]) -> bool:
    files = [m for m in members if not m.rsplit("/", 1)[-1].startswith(".")]
    return bool(files) and sum(bool(_MEDIA_NAME.search(m)) for m in files) * 2 > len(files)


def _zip_named(*prefixes: str) -> Callable[[str, bytes], bool]:
    def test(name: str, head: bytes) -> bool:
        return looks_like_zip(head) and name.rsplit("/", 1)[-1].startswith(prefixes)

    return test


RULES: list[Rule] = [
    Rule("twitter", _is_twitter_dms),
    Rule("telegram", _is_telegram),
    Rule("instagram", _is_instagram),
    Rule("facebook", _is_meta),
    Rule("whatsapp", _is_whatsapp_text),
    # Zips by the names the apps give them.
    Rule(
        "whatsapp",
        _zip_named(
            "whatsapp chat",
            "whatsapp-chat",
            "chat de whatsapp",
            "whatsapp-chat-",
            "conversa do whatsapp",
            "discussion whatsapp",
        ),
    ),
    Rule("twitter", _zip_named("twitter-", "x-archive")),
    Rule("instagram", _zip_named("instagram-")),
    Rule("facebook", _zip_named("facebook-")),
    # SMS Backup & Restore, e-mail, a single photo or video, a CSV diary.
    Rule("sms", lambda name, head: _is_sms_backup(head)),
    Rule("email", lambda name, head: _is_email(name, head)),
    Rule("media", lambda name, head: _is_photo_or_video(head)),
    Rule("csv", lambda name, head: name.endswith((".csv", ".tsv")) and b"\x00" not in head),
]


def _has(*patterns: str) -> Callable[[str, tuple[str, ...]], bool]:
    compiled = [re.compile(p) for p in patterns]

    def test(name: str, members: tuple[str, ...]) -> bool:
        return any(rx.search(m) for rx in compiled for m in members)

    return test


_META_THREAD = (
    r"(?:^|/)messages/(?:inbox|message_requests|filtered_threads|archived_threads|"
    r"e2ee_cutover)/[^/]+/message_\d+\.json$"
)

ZIP_RULES: list[ZipRule] = [
    ZipRule("whatsapp", _has(r"(?:^|/)_chat\.txt$", r"(?:^|/)whatsapp[^/]*\.txt$")),
    ZipRule("twitter", _has(r"(?:^|/)data/direct-messages(?:-group)?(?:-part\d+)?\.js$")),
    ZipRule("telegram", _has(r"(?:^|/)result\.json$")),
    ZipRule("instagram", _has(r"(?:^|/)your_instagram_activity/messages/")),
    ZipRule(
        "instagram", lambda name, members: "instagram" in name and _has(_META_THREAD)(name, members)
    ),
    ZipRule("facebook", _has(_META_THREAD)),
    # A zip or folder that is mostly photos and videos.
    ZipRule("media", _is_media_folder),
]


def register(rule: Rule | ZipRule, *, first: bool = False) -> None:
    """Add a rule to its table, at the end (or the front, to take precedence)."""
    if isinstance(rule, Rule):
        RULES.insert(0 if first else len(RULES), rule)
    else:
        ZIP_RULES.insert(0 if first else len(ZIP_RULES), rule)


def detect_format(name: str, head: bytes) -> str | None:
    """The format of a file from its name and first bytes, or None if no rule matches."""
    lowered = name.replace("\\", "/").lower()
    for rule in RULES:
        if rule.test(lowered, head):
            return rule.format
    return None


def detect_zip_format(name: str, members: Iterable[str]) -> str | None:
    """The format of a zip (or folder) from its name and its member names, or None."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    lowered = tuple(m.lower() for m in members)
    for rule in ZIP_RULES:
        if rule.test(base, lowered):
            return rule.format
    return None


def detect_path(
    path: str | os.PathLike[str], name: str | None = None, *, head_size: int = HEAD_SIZE
) -> str | None:
    """The format of a file on disk: ``detect_format`` on its name and first bytes, then, for
    a zip that no name rule settles, ``detect_zip_format`` on its members' names. Raises
    ``ImportFailure`` for a zip that ``SafeZip`` refuses."""
    path = Path(path)
    shown = name or path.name
    with path.open("rb") as handle:
        head = handle.read(head_size)
    found = detect_format(shown, head)
    if found is not None or not looks_like_zip(head):
        return found
    with SafeZip(path, name=Path(shown).name) as archive:
        return detect_zip_format(shown, archive.names)
