"""Reading the imported file: a copy on disk with its SHA-256, its format, and the parser
that reads it (with whichever of the options it takes)."""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import inspect
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError

from cairn.importers.base import (
    ImportFailure,
    ParsedImport,
    StreamedImport,
)
from cairn.importers.models import (
    ImportBatch,
    ImportFormat,
)
from cairn.importers.records import parse_iso
from cairn.vault.models import Vault

Progress = Callable[[str, int, int | None], None]  # (phase, done, total)


# Which parser module reads each format (cairn/importers/parsers/<module>.py).
# Keyed by the format's value: a plain string from a form or the CLI finds its module too.
PARSER_MODULES: dict[str, str] = {
    ImportFormat.WHATSAPP: "whatsapp",
    ImportFormat.SMS: "sms",
    ImportFormat.EMAIL: "email",
    ImportFormat.FACEBOOK: "meta",
    ImportFormat.INSTAGRAM: "meta",
    ImportFormat.TELEGRAM: "telegram",
    ImportFormat.TWITTER: "twitter",
    ImportFormat.MEDIA: "media",
    ImportFormat.CSV: "diary",
}


HEAD_BYTES = 64 * 1024


@contextlib.contextmanager
def local_copy(
    source: str | os.PathLike[str] | BinaryIO | bytes, name: str
) -> Iterator[tuple[Path, str, int]]:
    """The input as a file on disk (a copy for a stream), with its SHA-256 and size."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        digest = hashlib.sha256()
        size = 0
        with path.open("rb") as handle:
            while chunk := handle.read(1024 * 1024):
                digest.update(chunk)
                size += len(chunk)
        yield path, digest.hexdigest(), size
        return
    folder = tempfile.mkdtemp(prefix="cairn-import-")
    try:
        path = Path(folder) / "upload"
        digest = hashlib.sha256()
        size = 0
        with path.open("wb") as out:
            if isinstance(source, bytes | bytearray):
                out.write(source)
                digest.update(source)
                size = len(source)
            else:
                while chunk := source.read(1024 * 1024):
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
        yield path, digest.hexdigest(), size
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def resolve_format(fmt: str, path: Path, name: str) -> str:
    if fmt not in ImportFormat.values:
        raise ValidationError({"format": [f"Choose a format ({', '.join(ImportFormat.values)})"]})
    if fmt != ImportFormat.AUTO:
        return fmt
    from cairn.importers.detect import detect_path

    # A zip that no name rule settles is told by its members' names.
    detected = detect_path(path, name, head_size=HEAD_BYTES)
    if detected is None or detected not in PARSER_MODULES:
        raise ImportFailure(
            name,
            "Cairn cannot tell what kind of export this is; choose the "
            "format (WhatsApp, SMS, e-mail...) and try again",
        )
    return detected


def parse(
    fmt: str,
    path: Path,
    name: str,
    zone_name: str,
    date_order: str | None,
    media_dir: Path,
    size: int,
    progress: Progress | None,
    owner: str | None = None,
    mapping: Mapping[str, int] | None = None,
    dkim_keys: Mapping[str, Any] | None = None,
    dkim_lookup: Callable[[str], bytes | None] | None = None,
) -> ParsedImport | StreamedImport:
    """Run the format's parser with whichever of our options it takes."""
    module = importlib.import_module(f"cairn.importers.parsers.{PARSER_MODULES[fmt]}")
    # A parser that can stream (WhatsApp) gives its messages as they are read.
    parse = getattr(module, "stream", module.parse)
    accepted = inspect.signature(parse).parameters
    offered: dict[str, Any] = {
        "name": name,
        "tz": zone_name,
        "time_zone": zone_name,
        "zone": zone_name,
        "date_order": date_order,
        "media_dir": media_dir,
        "format": fmt,
        "platform": fmt,
        "owner": owner,
        "dkim_keys": dkim_keys,
        "dkim_lookup": dkim_lookup,
    }
    if progress is not None:
        offered["on_progress"] = lambda done: progress("reading", int(done), size)
        offered["progress"] = offered["on_progress"]
    kwargs = {key: value for key, value in offered.items() if key in accepted and value is not None}
    if "mapping" in accepted and mapping is not None:
        # A diary's columns, as the victim confirmed them (``check_diary_columns``).
        kwargs["mapping"] = dict(mapping)
    elif "mapping" in accepted and hasattr(module, "inspect"):
        # No confirmed columns (a library caller): the parser's suggestion from the header.
        # The CLI and the web pages always ask the victim to confirm first.
        preview = module.inspect(path, name=name)
        missing = [f for f in getattr(module, "REQUIRED", ()) if f not in preview.suggested_mapping]
        if missing:
            raise ImportFailure(
                name,
                "no column was recognised for "
                f"{', '.join(m.replace('_', ' ') for m in missing)}; name the "
                "columns in the first row, for example 'Date' and 'What "
                "happened'",
            )
        kwargs["mapping"] = preview.suggested_mapping
    source: Any = path
    first = next(iter(accepted.values()), None)
    if first is not None and first.annotation in ("bytes", bytes):
        source = path.read_bytes()
    try:
        parsed: ParsedImport | StreamedImport = parse(source, **kwargs)
    except ImportFailure:
        raise
    except (MemoryError, RecursionError):
        raise ImportFailure(name, "the file is too large or too deeply nested to read") from None
    return parsed


def archived_dkim_keys(vault: Vault) -> dict[str, list[Any]]:
    """Every DKIM key the vault's earlier e-mail imports archived, for the e-mail parser:
    name to the records (``DkimKey``, oldest first) fetched for it."""
    from cairn.importers.parsers.email import DkimKey

    found: dict[str, list[Any]] = {}
    for batch in ImportBatch.objects.filter(vault=vault, format=ImportFormat.EMAIL).order_by(
        "number"
    ):
        for name, key in batch.dkim_keys.items():
            found.setdefault(name, []).append(
                DkimKey(
                    record=str(key["record"]).encode("latin-1"),
                    fetched_at=parse_iso(key.get("fetched_at")),
                )
            )
    return found
