"""Senders, notices and attachments inside a WhatsApp message (pure; see the package
docstring for the rules)."""

from __future__ import annotations

import re
import unicodedata

from cairn.importers.base import Attachment, Sender
from cairn.importers.parsers import whatsapp_markers as markers
from cairn.importers.parsers._export import media_type_for
from cairn.importers.parsers.whatsapp.layout import MARK, NO_MARKS, SPACE, unmarked

FORMAT = "whatsapp"
_PHONE = re.compile(r"\+?\d[\d \u00a0().\-]{5,}\d")
_NAME_MARKS = "\u200e\u200f\u202a\u202b\u202c\u2066\u2067\u2068\u2069 \u00a0"
_QUOTES = '"\u201c\u201d\u201e\u00ab\u00bb\u2039\u203a\u300c\u300d\u300e\u300f'


def has_quote(name_: str) -> bool:
    return any(q in name_ for q in _QUOTES)


# -- attachments ----------------------------------------------------------------------------


def _fold(words: str) -> str:
    return " ".join(words.replace("\u00a0", " ").replace("\u202f", " ").split()).casefold()


_IOS_WORDS = {_fold(row[1]) for row in markers.IOS_ATTACHED}
_ANDROID_WORDS = {_fold(row[1]) for row in markers.ANDROID_ATTACHED}
_OMITTED_MEDIA = {row[1] for row in markers.OMITTED}
# Names the apps give the files they export: iOS "00000042-PHOTO-2020-06-07-15-13-20.jpg",
# Android "IMG-20200607-WA0001.jpg" (VID, AUD, PTT for voice notes, STK, DOC).
_IOS_FILE = re.compile(r"\d{8}-[A-Z]+(?:-[A-Z]+)*-\d{4}(?:-\d{2}){5}\.\w{1,5}")
_ANDROID_FILE = re.compile(r"(?:IMG|VID|AUD|PTT|STK|DOC)-\d{8}-WA\d{4,}(?:\.\w{0,5})?")
_EXTENSION = re.compile(r"\.\w{1,5}(?:\s|$)")
# "<attached: FILE>", "< attached: FILE >", "<Anhang: FILE>" (a full-width colon in CJK)
_IOS_ATTACHED = re.compile(
    rf"{MARK}<{MARK}{SPACE}*(?P<word>[^<>:\uff1a\n]{{1,30}}?){SPACE}*{MARK}[:\uff1a]{MARK}{SPACE}*"
    rf"(?P<file>[^<>\n]+?){SPACE}*{MARK}>"
)
# The whole first line: "FILE (file attached)", "FILE <attached>" (or in guillemets).
_ANDROID_ATTACHED = re.compile(r"(?P<file>[^\n]+?) *\((?P<word>[^()\n]{1,40})\)")
_OLD_IOS_ATTACHED = re.compile(
    r"(?P<file>[^\n<>\u2039\u203a]+?) *[<\u2039\u00ab]"
    r"(?P<word>[^<>\u2039\u203a\u00ab\u00bb\n]{1,30})[>\u203a\u00bb]"
)
_OMITTED_KIND = re.compile(
    r"(?P<kind>image|video|audio|sticker|GIF|document|Contact card|"
    r"(?P<doc>[^\n]+?) • [^\n]*document) omitted"
)
# iOS notices after U+200E that are still something the sender did.
_IOS_SENDER_ACTS = re.compile(
    r"^\u200e(?:Missed (?:voice|video|group voice|group video) call|Voice call|Video call|"
    r"This message was deleted\.?|You deleted this message\.?|"
    r"This message was edited|View once (?:photo|video|voice message))"
)


def _ios_marker(m: re.Match[str]) -> str | None:
    """The file an iOS ``<word: FILE>`` names, or None when it is not an attachment marker."""
    word = _fold(m["word"].translate(NO_MARKS))
    file_name = m["file"].translate(NO_MARKS).strip()
    if word in _IOS_WORDS or _IOS_FILE.fullmatch(file_name):
        return file_name
    return None


def _omitted(plain: str) -> str | None:
    """The kind of media a "media omitted" line stands for, or None."""
    if plain in _OMITTED_MEDIA:
        return "media"
    m = _OMITTED_KIND.fullmatch(plain)
    if m is None:
        return None
    return m["doc"] or m["kind"]


def _file_attached(plain: str, media: dict[str, str] | None) -> str | None:
    """The file an Android ``FILE (words)`` or old iOS ``FILE <attached>`` line names."""
    m = _ANDROID_ATTACHED.fullmatch(plain)
    if m is not None:
        file_name = m["file"].split(" \u2022 ", 1)[0].strip()
        word = _fold(m["word"])
        if word in _ANDROID_WORDS and _EXTENSION.search(file_name + " "):
            return file_name
        if (
            _ANDROID_FILE.fullmatch(file_name)
            and not any(c.isdigit() for c in word)
            and len(word.split()) <= 4
        ):
            return file_name  # WhatsApp's own file name, in a language not in the table
        if media is not None and unicodedata.normalize("NFC", file_name) in media:
            return file_name  # the file is in the export
    m = _OLD_IOS_ATTACHED.fullmatch(plain)
    if m is not None and _fold(m["word"]) in _IOS_WORDS:
        return m["file"].strip()
    return None


def is_ios_notice(content: str, media: dict[str, str] | None) -> bool:
    if _IOS_SENDER_ACTS.match(content):
        return False
    if any(_ios_marker(m) for m in _IOS_ATTACHED.finditer(content)):
        return False
    first = unmarked(content.partition("\n")[0])
    return _omitted(first) is None and _file_attached(first, media) is None


def sender(raw_name: str, owner: str | None) -> Sender:
    display = raw_name.strip(_NAME_MARKS)
    phone = display if _PHONE.fullmatch(display) else None
    return Sender(
        display_name=display,
        phone=phone,
        platform=FORMAT,
        is_owner=owner is not None and display == owner,
    )


def attachments(content: str, media: dict[str, str] | None) -> tuple[str, tuple[Attachment, ...]]:
    found: list[Attachment] = []
    spans: list[tuple[int, int]] = []
    for m in _IOS_ATTACHED.finditer(content):
        file_name = _ios_marker(m)
        if file_name is not None:
            found.append(_attachment(file_name, media))
            spans.append(m.span())
    if found:
        for start, end in reversed(spans):
            content = content[:start] + content[end:]
        return content.strip(), tuple(found)
    first, _, caption = content.partition("\n")
    plain = unmarked(first)
    file_name = _file_attached(plain, media)
    if file_name is not None:
        return caption, (_attachment(file_name, media),)
    kind = _omitted(plain)
    if kind is not None:
        return caption, (Attachment(name=kind, missing=True),)
    return content, ()


def _attachment(file_name: str, media: dict[str, str] | None) -> Attachment:
    media_type = media_type_for(file_name)
    if media is None:
        return Attachment(name=file_name, media_type=media_type)
    member = media.get(unicodedata.normalize("NFC", file_name))
    return Attachment(name=file_name, member=member, media_type=media_type, missing=member is None)
