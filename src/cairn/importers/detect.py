"""Guess an export's format from its name and first bytes (pure; a guess, which the person
confirms or overrides with ``--format``).

Two tables, tried in order, first match wins:

- ``RULES`` for a file: each ``Rule`` looks at the lower-cased name and the first bytes
  (``HEAD_SIZE`` is enough; less works, with less certainty). A zip's first bytes say only
  "zip", so zips are decided by name here, or by their members with ``detect_zip_format``.
- ``ZIP_RULES`` for a zip or folder whose member names are known.

To add a format, append a ``Rule`` (or ``ZipRule``) to the table with ``register``; keep the
more specific rules first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import filetype  # type: ignore[import-untyped]

from cairn.importers.parsers.whatsapp import is_header_line
from cairn.importers.safezip import looks_like_zip

__all__ = ["HEAD_SIZE", "RULES", "ZIP_RULES", "Rule", "ZipRule", "detect_format",
           "detect_zip_format", "register"]

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
    return _is_json(head) and (b'"date_unixtime"' in head or b'"personal_information"' in head
                               or (b'"chats"' in head and b'"list"' in head)
                               or re.search(rb'"type"\s*:\s*"(?:personal_chat|private_group|'
                                            rb'private_supergroup|public_supergroup|'
                                            rb'public_channel|private_channel|saved_messages|'
                                            rb'bot_chat)"', head) is not None)


def _is_meta(name: str, head: bytes) -> bool:
    return _is_json(head) and (b'"timestamp_ms"' in head or b'"sender_name"' in head
                               or (b'"participants"' in head and b'"messages"' in head))


def _is_instagram(name: str, head: bytes) -> bool:
    return "instagram" in name and _is_meta(name, head)


def _is_twitter_dms(name: str, head: bytes) -> bool:
    return re.match(rb"(?:\xef\xbb\xbf)?\s*window\.YTD\.direct_messages", head) is not None


def _is_sms_backup(head: bytes) -> bool:
    return re.search(rb"<smses[\s>]", head[:4096]) is not None and not looks_like_zip(head)


_MAIL_HEADER = re.compile(rb"^(?:received|return-path|delivered-to|from|message-id|date|"
                          rb"dkim-signature|mime-version|x-[\w-]+|subject|to):", re.IGNORECASE)


def _is_email(name: str, head: bytes) -> bool:
    if looks_like_zip(head) or b"\x00" in head:
        return False
    text = head.lstrip(b"\r\n")
    if name.endswith((".eml", ".mbox")) or text.startswith(b"From "):
        return True
    return _MAIL_HEADER.match(text) is not None and re.search(rb"\r?\n\r?\n", text) is not None


def _is_photo_or_video(head: bytes) -> bool:
    kind = filetype.guess(head) if head else None
    return kind is not None and kind.mime.split("/")[0] in ("image", "video")


_MEDIA_NAME = re.compile(r"\.(?:jpe?g|png|heic|heif|webp|gif|tiff?|dng|mp4|mov|m4v|3gp|mkv|"
                         r"webm|avi)$")


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
    Rule("whatsapp", _zip_named("whatsapp chat", "whatsapp-chat", "chat de whatsapp",
                                "whatsapp-chat-", "conversa do whatsapp", "discussion whatsapp")),
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


_META_THREAD = r"(?:^|/)messages/(?:inbox|message_requests|filtered_threads|archived_threads|" \
               r"e2ee_cutover)/[^/]+/message_\d+\.json$"

ZIP_RULES: list[ZipRule] = [
    ZipRule("whatsapp", _has(r"(?:^|/)_chat\.txt$", r"(?:^|/)whatsapp[^/]*\.txt$")),
    ZipRule("twitter", _has(r"(?:^|/)data/direct-messages(?:-group)?(?:-part\d+)?\.js$")),
    ZipRule("telegram", _has(r"(?:^|/)result\.json$")),
    ZipRule("instagram", _has(r"(?:^|/)your_instagram_activity/messages/")),
    ZipRule("instagram", lambda name, members: "instagram" in name
            and _has(_META_THREAD)(name, members)),
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
