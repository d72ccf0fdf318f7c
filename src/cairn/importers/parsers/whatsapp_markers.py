"""What WhatsApp writes, in the phone's language, around times and attachments: data, with sources.

WhatsApp publishes no list of these strings. Each table says where its rows come from; a row
can be added here without touching the parser (``whatsapp/layout.py`` builds its patterns from these
tables when it is imported).

Sources:

- ``CLDR``: the Unicode Common Locale Data Repository, release 49 (as shipped in Babel 2.19):
  each language's abbreviated "am"/"pm" day periods and whether its 12-hour time pattern
  (the ``hm`` skeleton) puts them before or after the time. Android and iOS format the
  export's times with the phone's locale data, which comes from CLDR.
- ``seen``: written in WhatsApp exports quoted by independent open-source WhatsApp parsers
  (their test files and documentation, found by searching public code in 2026; at least one
  project each, most in two or more). Not confirmed against WhatsApp itself: a row may be
  incomplete, never harmful, because a marker is only taken as one when the whole first line
  of a message has its shape (see ``whatsapp/attachments.py``).
- ``chat-miner``, ``whatsapp-chat-parser``: the test files of joweich/chat-miner (vendored in
  ``tests/fixtures/third_party/chat-miner``) and of Pustur/whatsapp-chat-parser
  (``tests/parser.test.ts``, MIT; facts only, nothing copied).
"""

from __future__ import annotations

__all__ = ["AM_PM", "ANDROID_ATTACHED", "IOS_ATTACHED", "OMITTED", "TIME_SUFFIXES"]

# (language, "am" text, "pm" text, written before the time?, source). Latin "AM"/"PM" in all
# its spellings ("am", "a.m.", "a. m.", "a.\u202fm.") is matched by one pattern in the
# parser and is not repeated here.
AM_PM: tuple[tuple[str, str, str, bool, str], ...] = (
    ("el", "π.μ.", "μ.μ.", False, "CLDR"),
    ("ar", "ص", "م", False, "CLDR"),
    ("fa", "ق.ظ.", "ب.ظ.", False, "CLDR"),
    ("vi", "SA", "CH", False, "CLDR"),
    ("ms", "PG", "PTG", False, "CLDR"),
    ("sv", "fm", "em", False, "CLDR"),
    ("fi", "ap.", "ip.", False, "CLDR"),
    ("cs", "dop.", "odp.", False, "CLDR"),
    ("sl", "dop.", "pop.", False, "CLDR"),
    ("uk", "дп", "пп", False, "CLDR"),
    ("lv", "priekšp.", "pēcp.", False, "CLDR"),
    ("lt", "priešpiet", "popiet", False, "CLDR"),
    ("af", "vm.", "nm.", False, "CLDR"),
    ("sq", "p.d.", "m.d.", False, "CLDR"),
    ("ga", "r.n.", "i.n.", False, "CLDR"),
    ("is", "f.h.", "e.h.", False, "CLDR"),
    ("uz", "TO", "TK", False, "CLDR"),
    ("mk", "претпл.", "попл.", False, "CLDR"),
    ("mn", "ү.ө.", "ү.х.", False, "CLDR"),  # noqa: RUF001 - Cyrillic, as written
    ("tr", "ÖÖ", "ÖS", True, "CLDR"),
    ("hu", "de.", "du.", True, "CLDR"),
    ("ko", "오전", "오후", True, "CLDR"),
    ("ja", "午前", "午後", True, "CLDR"),
    ("zh", "上午", "下午", True, "CLDR"),
    ("yue", "上晝", "下晝", True, "CLDR"),
    ("si", "පෙ.ව.", "ප.ව.", True, "CLDR"),
    ("my", "နံနက်", "ညနေ", True, "CLDR"),
)

# Words some languages write after a 24-hour time (Thai "14:22 น.", Bulgarian "14:22 ч.").
TIME_SUFFIXES: tuple[tuple[str, str, str], ...] = (
    ("th", "น.", "CLDR"),
    ("bg", "ч.", "CLDR"),
)

# Android, exported "with media": the first line of the message is ``FILE (words)``.
ANDROID_ATTACHED: tuple[tuple[str, str, str], ...] = (
    ("en", "file attached", "seen"),
    ("de", "Datei angehängt", "seen"),
    ("es", "archivo adjunto", "seen"),
    ("fr", "fichier joint", "seen"),
    ("it", "file allegato", "seen"),
    ("pt", "arquivo anexado", "seen"),
    ("nl", "bestand bijgevoegd", "seen"),
    ("tr", "dosya ekli", "seen"),
    ("pl", "plik załączony", "seen"),
    ("ru", "файл прикреплен", "seen"),
    ("ja", "ファイル添付", "seen"),
    ("zh", "附件", "seen"),
)

# iOS, "with media": ``<word: FILE>`` (``< attached: FILE >`` with spaces in some versions);
# older iOS versions wrote ``FILE <attached>`` (also seen in single guillemets, U+2039/U+203A).
IOS_ATTACHED: tuple[tuple[str, str, str], ...] = (
    ("en", "attached", "whatsapp-chat-parser"),
    ("de", "Anhang", "seen"),
    ("es", "adjunto", "seen"),
    ("pt", "anexo", "seen"),
    ("it", "allegato", "seen"),
    ("fr", "pièce jointe", "seen"),
    ("pl", "załączony", "seen"),
)

# Exported "without media": the whole message is one of these.
OMITTED: tuple[tuple[str, str, str], ...] = (
    ("en", "<Media omitted>", "seen"),
    ("fr", "<Médias omis>", "seen"),
    ("de", "<Medien ausgeschlossen>", "seen"),
    ("de", "<Medien ausgelassen>", "seen"),
    ("es", "<Multimedia omitido>", "seen"),
    ("nl", "<Media weggelaten>", "seen"),
    ("it", "<Media omessi>", "seen"),
    ("pt", "<Mídia oculta>", "seen"),
    ("pt", "<Arquivo de mídia oculto>", "seen"),
    ("tr", "<Medya dahil edilmedi>", "seen"),
    ("pl", "<Pominięto multimedia>", "seen"),
)
