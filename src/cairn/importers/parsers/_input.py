"""How the SMS, e-mail and diary parsers take their input.

Each of them accepts a ``Source``: the file's bytes, a path (``str`` or ``os.PathLike``), or a
binary stream open for reading. A path or a stream is read incrementally, so a large export
never has to fit in memory; ``bytes`` suit uploads that are already in memory and tests. The
caller's stream is not closed.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

Source = bytes | str | os.PathLike[str] | BinaryIO


@contextmanager
def open_binary(source: Source) -> Iterator[BinaryIO]:
    if isinstance(source, bytes | bytearray | memoryview):
        yield io.BytesIO(bytes(source))
    elif isinstance(source, str | os.PathLike):
        with open(source, "rb") as stream:
            yield stream
    else:
        yield source


def source_name(source: Source, name: str | None) -> str:
    """The base name used in error messages and on the result: never a full path."""
    if name:
        return Path(name).name or name
    if isinstance(source, str | os.PathLike):
        return Path(source).name
    stream_name = getattr(source, "name", None)
    if isinstance(stream_name, str):
        return Path(stream_name).name
    return "the file"
