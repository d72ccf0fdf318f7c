"""The text of a chat export, read in pieces that end at a line break (pure, no Django).

A long chat is read more than once rather than held whole: ``ChatText`` checks the bytes
when it is made (an empty or binary file is refused; invalid UTF-8 is noted with its first
line), and each call of ``pieces`` reads the text again from the start, a piece at a time.
Each piece ends with a line break (except perhaps the last), so no line, no UTF-8 sequence
and no ``\\r\\n`` is ever split between two pieces. A UTF-16 file (rare: old exports) is
decoded whole.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cairn.importers.base import ImportFailure

PIECE_BYTES = 256 * 1024


class ChatText:
    """A chat's text: ``data`` is the file's bytes (a zip member) or its path."""

    def __init__(self, data: bytes | Path, *, where: str, name: str) -> None:
        self.data = data
        self.where = where
        self.name = name  # for "could not be read"
        self.notes: list[str] = []
        self._utf16: str | None = None
        self._invalid = False
        self._check()

    def _open(self) -> BinaryIO:
        if isinstance(self.data, bytes):
            return io.BytesIO(self.data)
        try:
            if self.data.is_dir():
                raise ImportFailure(self.name, "expected a file, got a folder")
            return self.data.open("rb")
        except OSError:
            raise ImportFailure(self.name, "the file could not be read") from None

    def _raw(self) -> Iterator[bytes]:
        """The bytes, without a UTF-8 BOM, in pieces that end at a line break."""
        carry = b""
        first = True
        try:
            with self._open() as handle:
                while chunk := handle.read(PIECE_BYTES):
                    if first:
                        first = False
                        if chunk.startswith(codecs.BOM_UTF8):
                            chunk = chunk[3:]
                    chunk = carry + chunk
                    cut = chunk.rfind(b"\n") + 1
                    carry = chunk[cut:]
                    if cut:
                        yield chunk[:cut]
        except OSError:
            raise ImportFailure(self.name, "the file could not be read") from None
        if carry:
            yield carry

    def _check(self) -> None:
        with self._open() as handle:
            start = handle.read(3)
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raw = self.data if isinstance(self.data, bytes) else self.data.read_bytes()
            try:
                self._utf16 = raw.decode("utf-16")
            except UnicodeDecodeError:
                raise ImportFailure(
                    self.where, "the file claims UTF-16 but is not valid UTF-16"
                ) from None
            return
        blank, lines, invalid_line = True, 0, None
        for piece in self._raw():
            blank = blank and not piece.strip()
            if b"\x00" in piece:
                line = lines + piece.count(b"\n", 0, piece.index(b"\x00")) + 1
                raise ImportFailure(f"{self.where}, line {line}", "not a text file (binary data)")
            if invalid_line is None:
                try:
                    piece.decode("utf-8")
                except UnicodeDecodeError as exc:
                    invalid_line = lines + piece.count(b"\n", 0, exc.start) + 1
            lines += piece.count(b"\n")
        if blank:
            raise ImportFailure(self.where, "the file is empty")
        if invalid_line is not None:
            self._invalid = True
            self.notes.append(
                f"the file is not valid UTF-8 from line {invalid_line}: "
                "undecodable bytes were read as U+FFFD (the original file is "
                "kept unchanged)"
            )

    def pieces(self) -> Iterator[str]:
        """The text from the start, ``\\r\\n`` read as ``\\n``, a piece at a time."""
        if self._utf16 is not None:
            yield from _slices(self._utf16)
            return
        errors = "replace" if self._invalid else "strict"
        for raw in self._raw():
            text = raw.decode("utf-8", errors)
            yield text.replace("\r\n", "\n") if "\r" in text else text


def _slices(text: str) -> Iterator[str]:
    start = 0
    while start < len(text):
        end = text.find("\n", start + PIECE_BYTES)
        end = len(text) if end < 0 else end + 1
        piece = text[start:end]
        yield piece.replace("\r\n", "\n") if "\r" in piece else piece
        start = end
