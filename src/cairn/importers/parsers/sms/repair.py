"""Repairing an SMS backup as it is read: character references XML 1.0 forbids,
control characters and invalid UTF-8 made readable, in bounded chunks (pure, no Django)."""

from __future__ import annotations

import re
from collections import deque
from typing import BinaryIO

MAX_CHUNK = 8 << 20


# A stream of nothing but reference-like bytes is held back at most this long before it is
# passed on regardless (only a pathological file gets there).
_MAX_HOLD = 8 << 20


_REPLACEMENT = "\ufffd".encode()


# Bytes that may belong to a character reference or a multi-byte character: a chunk is only
# cut after some other byte, so neither is ever split between two chunks.
_HOLD = frozenset(b"&#;0123456789abcdefABCDEFxX" + bytes(range(0x80, 0x100)))


_CONTROLS = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


_REF = re.compile(rb"&#([xX][0-9a-fA-F]{1,12}|[0-9]{1,12});")


_ONE_REF = rb"&#(?:[xX][0-9a-fA-F]{1,12}|[0-9]{1,12});"


# Starts with a literal, so the regex engine can skip ahead quickly through base64.
_REF_RUNS = re.compile(_ONE_REF + rb"(?:" + _ONE_REF + rb")*")


_FIX_ALL = re.compile(
    _ONE_REF + rb"(?:" + _ONE_REF + rb")*|[\x00-\x08\x0b\x0c\x0e-\x1f]"
    rb"|[\x80-\xff]+"
)


class RepairingStream:
    """Reads the backup and passes on chunks that expat accepts (see the module docstring).

    Keeps a short list of anchors ``(filtered offset, original minus filtered)`` so that an
    offset expat reports can be mapped back to the untouched file.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._pending = b""
        self._original_pos = 0  # original offset of the start of what is returned next
        self._delta = 0
        self._anchors: deque[tuple[int, int]] = deque([(0, 0)])
        self.bytes_read = 0
        self.references_repaired = 0
        self.characters_replaced = 0

    def read(self, size: int) -> bytes:
        while True:
            chunk = self._stream.read(size)
            self.bytes_read += len(chunk)
            if not chunk:
                segment, self._pending = self._pending, b""
                return self._repair(segment) if segment else b""
            buffer = self._pending + chunk if self._pending else chunk
            cut = _safe_cut(buffer)
            if cut == 0:
                if len(buffer) < _MAX_HOLD:
                    self._pending = buffer
                    continue
                cut = len(buffer)
            segment, self._pending = buffer[:cut], buffer[cut:]
            return self._repair(segment)

    def original_offset(self, filtered: int) -> int:
        anchors = self._anchors
        while len(anchors) > 1 and anchors[1][0] <= filtered:
            anchors.popleft()
        return filtered + anchors[0][1]

    def _repair(self, segment: bytes) -> bytes:
        start = self._original_pos
        self._original_pos += len(segment)
        try:
            segment.decode("utf-8")
            clean_text = len(segment.translate(None, _CONTROLS)) == len(segment)
        except UnicodeDecodeError:
            clean_text = False
        if clean_text and b"&#" not in segment:
            return segment
        pattern = _REF_RUNS if clean_text else _FIX_ALL
        pieces: list[bytes] = []
        last = 0
        for match in pattern.finditer(segment):
            found = match.group()
            fixed = self._fix(found)
            if fixed == found:
                continue
            pieces += (segment[last : match.start()], fixed)
            last = match.end()
            if len(fixed) != len(found):
                self._delta += len(found) - len(fixed)
                self._anchors.append((start + last - self._delta, self._delta))
        if not pieces:
            return segment
        pieces.append(segment[last:])
        return b"".join(pieces)

    def _fix(self, found: bytes) -> bytes:
        if found[0] == 0x26:  # "&": a run of character references
            return self._fix_references(found)
        if found[0] < 0x80:  # a control character
            self.characters_replaced += 1
            return _REPLACEMENT
        try:
            found.decode("utf-8")
        except UnicodeDecodeError:
            fixed = found.decode("utf-8", "replace").encode()
            self.characters_replaced += fixed.count(_REPLACEMENT) - found.count(_REPLACEMENT)
            return fixed
        return found

    def _fix_references(self, run: bytes) -> bytes:
        refs = [(m.group(), _code_point(m.group(1))) for m in _REF.finditer(run)]
        if all(_xml_char(cp) for _, cp in refs):
            return run
        out: list[bytes] = []
        i = 0
        while i < len(refs):
            text, cp = refs[i]
            following = refs[i + 1] if i + 1 < len(refs) else None
            if 0xD800 <= cp <= 0xDBFF and following and 0xDC00 <= following[1] <= 0xDFFF:
                combined = 0x10000 + ((cp - 0xD800) << 10) + (following[1] - 0xDC00)
                out.append(_padded_reference(combined, len(text) + len(following[0])))
                self.references_repaired += 1
                i += 2
                continue
            if _xml_char(cp):
                out.append(text)
            else:
                out.append(_padded_reference(0xFFFD, len(text)))
                self.characters_replaced += 1
            i += 1
        return b"".join(out)


def _safe_cut(buffer: bytes) -> int:
    i = len(buffer) - 1
    stop = max(-1, len(buffer) - 65536)
    while i > stop and buffer[i] in _HOLD:
        i -= 1
    return i + 1 if i > stop else 0


def _code_point(digits: bytes) -> int:
    return int(digits[1:], 16) if digits[:1] in (b"x", b"X") else int(digits)


def _xml_char(cp: int) -> bool:
    return (
        cp in (0x9, 0xA, 0xD)
        or 0x20 <= cp <= 0xD7FF
        or 0xE000 <= cp <= 0xFFFD
        or 0x10000 <= cp <= 0x10FFFF
    )


def _padded_reference(cp: int, length: int) -> bytes:
    digits = str(cp).encode()
    return b"&#" + digits.rjust(max(len(digits), length - 3), b"0") + b";"
