"""Reading and checking any BagIt bag, and checking the signed list of a sealed one (see
``cairn.packs.bag``)."""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bagit

from cairn.ledger.checks import Failure as Problem  # one failed check: where, and what
from cairn.packs.bag.writing import (
    CHUNK,
    MAX_TAG_FILE,
    SEAL_FILES,
    SIGNATURE,
    SIGNED_LIST,
    BagError,
    decode_path,
)


def file_digest(path: Path, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def walk_files(root: Path) -> Iterator[str]:
    """Every regular file under ``root``, as a "/"-separated relative path, sorted."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in files:
            found.append(Path(folder, name).relative_to(root).as_posix())
    yield from sorted(found)


@dataclass
class BagReading:
    """What ``read_bag`` found: the problems (empty for a valid bag) and the bag's facts."""

    version: str
    encoding: str
    info: dict[str, Any] = field(default_factory=dict)  # bag-info.txt: label -> value(s)
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems


def check_bag(root: Path) -> list[Problem]:
    """The problems ``read_bag`` finds (empty for a valid bag); raises BagError if not a bag."""
    return read_bag(root).problems


def read_bag(root: Path) -> BagReading:
    """Check the bag folder ``root`` with the ``bagit`` package, after our own first pass.

    Returns every problem found, each naming the file (and line) at fault: a payload file
    changed, removed or added; a tag file edited; a Payload-Oxum that does not add up; a
    malformed manifest line. Raises ``BagError`` with a one-line message when ``root`` cannot
    be read as a bag at all (no or malformed ``bagit.txt``, a tag file that is not the text its
    declared encoding says, a manifest naming a path outside the bag). Never raises anything
    else for any bytes in the folder.
    """
    declaration = root / "bagit.txt"
    if not declaration.is_file():
        raise BagError("not a BagIt bag: bagit.txt is missing")
    version, encoding = _declaration(declaration)
    reading = BagReading(version, encoding)
    reading.problems.extend(_first_pass(root, encoding))
    with _quiet_bagit():
        try:
            bag = bagit.Bag(str(root))
        except bagit.BagError as exc:
            raise BagError(f"not a valid BagIt bag: {_plain(exc, root)}") from None
        except (UnicodeError, LookupError, ValueError, OSError) as exc:
            raise BagError(f"not a readable BagIt bag: {type(exc).__name__}") from None
        reading.info = dict(bag.info)
        reading.problems.extend(_validate(bag, root))
    reading.problems = _unique(reading.problems)
    return reading


_DECLARATION = re.compile(r"(BagIt-Version|Tag-File-Character-Encoding): (\S(?:.*\S)?)")
_VERSION = re.compile(r"\d+\.\d+")


def _declaration(path: Path) -> tuple[str, str]:
    """``bagit.txt``'s version and encoding, read as strictly as RFC 8493 §2.1.1 words it:
    exactly two lines, in this order, each ``Label: value``, in UTF-8 without a byte-order
    mark."""
    if path.stat().st_size > 4096:
        raise BagError("not a BagIt bag: bagit.txt is far longer than its two lines")
    raw = path.read_bytes()
    if raw.startswith(codecs.BOM_UTF8):
        raise BagError(
            "not a valid BagIt bag: bagit.txt starts with a byte-order mark, which RFC 8493 forbids"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BagError(
            f"not a valid BagIt bag: bagit.txt is not UTF-8 text (byte {exc.start})"
        ) from None
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    found = [_DECLARATION.fullmatch(line) for line in lines]
    labels = [m[1] if m else None for m in found]
    if labels != ["BagIt-Version", "Tag-File-Character-Encoding"]:
        raise BagError(
            "not a valid BagIt bag: bagit.txt must hold exactly the lines "
            '"BagIt-Version: M.N" and "Tag-File-Character-Encoding: ENCODING"'
        )
    version, encoding = (m[2] for m in found if m)
    if not _VERSION.fullmatch(version):
        raise BagError(
            f"not a valid BagIt bag: bagit.txt gives the version {version[:20]!r}, not M.N"
        )
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise BagError(
            f"not a valid BagIt bag: bagit.txt declares the encoding "
            f"{encoding[:40]!r}, which is not known"
        ) from None
    return version, encoding


def _tag_files(root: Path) -> list[str]:
    names = ["bag-info.txt", "package-info.txt", "fetch.txt"]
    for path in sorted(root.iterdir()):
        if re.fullmatch(r"(tag)?manifest-[A-Za-z0-9]+\.txt", path.name):
            names.append(path.name)
    return [name for name in names if (root / name).is_file()]


def _first_pass(root: Path, encoding: str) -> list[Problem]:
    """Every tag file ``bagit`` reads decodes in the declared encoding, and every manifest
    line is ``checksum path`` (``bagit`` logs and skips a malformed line: we report it)."""
    problems: list[Problem] = []
    wide = codecs.lookup(encoding).name.startswith(("utf-16", "utf-32"))
    for name in _tag_files(root):
        path = root / name
        if path.stat().st_size > MAX_TAG_FILE:
            raise BagError(f"not a readable BagIt bag: {name} is too large to be a tag file")
        raw = path.read_bytes()
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            line_number = raw[: exc.start].count(b"\n") + 1
            where = "" if wide else f", on line {line_number}"
            raise BagError(
                f"{name} is not {encoding} text, as bagit.txt declares (byte {exc.start}{where})"
            ) from None
        if "manifest-" not in name:
            continue
        for number, line in enumerate(text.lstrip("\ufeff").splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 1)
            if len(parts) != 2 or not re.fullmatch(r"[0-9A-Fa-f]+", parts[0]):
                problems.append(Problem(f"{name}, line {number}", "is not `checksum path`"))
    return problems


@contextmanager
def _quiet_bagit() -> Iterator[None]:
    """``bagit`` logs each file it checks by name; file names stay out of logs (invariant 5)."""
    logger = logging.getLogger("bagit")
    was = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = was


def _validate(bag: Any, root: Path) -> list[Problem]:
    """``bagit``'s verdict, as problems naming each file. Payload-Oxum is checked first and
    alone; when it fails, the bag is checked again without it so that the file that made it
    fail is named too."""
    try:
        bag.validate()
    except bagit.BagValidationError as exc:
        details = list(getattr(exc, "details", None) or ())
        if details:
            return sorted(
                (_detail(detail, root) for detail in details),
                key=lambda problem: (problem.where, problem.what),
            )
        message = _plain(exc, root)
        if "Payload-Oxum" in message and "Payload-Oxum" in bag.info:
            bag.info.pop("Payload-Oxum")
            return [Problem(bag.tag_file_name or "bag-info.txt", message), *_validate(bag, root)]
        return [Problem("bag", message)]
    except bagit.BagError as exc:
        return [Problem("bag", _plain(exc, root))]
    except (UnicodeError, ValueError, OSError) as exc:  # e.g. "Payload-Oxum: 12" (no dot)
        return [
            Problem(
                bag.tag_file_name or "bag-info.txt", f"could not be checked ({type(exc).__name__})"
            )
        ]
    return []


def _detail(detail: Any, root: Path) -> Problem:
    path = str(getattr(detail, "path", "") or "").replace(os.sep, "/")
    if isinstance(detail, bagit.ChecksumMismatch):
        algorithm = str(detail.algorithm)
        if not (root / path).is_file():
            return Problem(path, "is listed in a manifest but missing (removed)")
        if path.startswith("data/"):
            return Problem(
                path, f"was changed: its {algorithm.upper()} differs from manifest-{algorithm}.txt"
            )
        return Problem(
            path, f"was edited: its {algorithm.upper()} differs from tagmanifest-{algorithm}.txt"
        )
    if isinstance(detail, bagit.FileMissing):
        which = "payload manifests" if path.startswith("data/") else "tag manifests"
        return Problem(path, f"is listed in the {which} but missing (removed)")
    if isinstance(detail, bagit.UnexpectedFile):
        return Problem(path, "is not listed in the payload manifests (added)")
    return Problem("bag", _plain(detail, root))


def _plain(exc: Any, root: Path) -> str:
    """An error of ``bagit`` as one line, without the folder it was unpacked to."""
    text = str(getattr(exc, "message", None) or exc)
    for folder in sorted(
        {str(root.resolve()), os.path.abspath(root), str(root)}, key=len, reverse=True
    ):
        text = text.replace(f"{folder}{os.sep}", "").replace(folder, "the bag")
    return " ".join(text.split()).removeprefix("the bag: ")


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    result = []
    for problem in problems:
        key = (problem.where, problem.what)
        if key not in seen:
            seen.add(key)
            result.append(problem)
    return result


# --- the signed list --------------------------------------------------------------------------

_SIGNED_LINE = re.compile(r"([0-9a-f]{64}) [ *](.+)")


def check_seal(
    root: Path, verify: Callable[[bytes, bytes], bool] | None
) -> tuple[list[Problem], dict[str, str]]:
    """Check the signed list of the bag at ``root``, then every file against it.

    ``verify(message, signature)`` says whether a signature is the instance key's (None: no
    usable key, so nothing can be trusted). Returns the problems, each naming a file that is
    missing, changed or not covered, and the SHA-256 of each file as found (so that callers
    need not read the files again). A list whose signature fails is not used to name files:
    whoever changed it could have written anything in it.
    """
    problems: list[Problem] = []
    listed_path, signature_path = root / SIGNED_LIST, root / SIGNATURE
    if not listed_path.is_file() or not signature_path.is_file():
        missing = SIGNED_LIST if not listed_path.is_file() else SIGNATURE
        return [Problem(missing, "is missing: nothing signed covers the files of this pack")], {}
    if listed_path.stat().st_size > MAX_TAG_FILE or signature_path.stat().st_size > 1024:
        return [Problem(SIGNED_LIST, "is too large to be the signed list")], {}
    message, signature = listed_path.read_bytes(), signature_path.read_bytes()
    if verify is None:
        return [Problem(SIGNED_LIST, "cannot be checked: the pack has no usable instance key")], {}
    if not verify(message, signature):
        return [
            Problem(
                SIGNED_LIST,
                f"does not match its signature ({SIGNATURE}) with the "
                "instance key: the list, or the signature, was changed "
                "after the pack was made",
            )
        ], {}
    listed: dict[str, str] = {}
    try:
        lines = message.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        lines = ["?"]  # a signed list we wrote is ASCII and UTF-8: this one was not ours
    for number, line in enumerate(lines, 1):
        found = _SIGNED_LINE.fullmatch(line)
        path = decode_path(found[2]) if found else ""
        parts = path.split("/")
        if not found or any(p in ("", ".", "..") for p in parts):
            problems.append(
                Problem(f"{SIGNED_LIST}, line {number}", "is not `sha256  path` inside the pack")
            )
            continue
        listed[path] = found[1]
    present = set(walk_files(root)) - SEAL_FILES
    digests: dict[str, str] = {}
    for path in sorted(listed):
        if path not in present:
            problems.append(
                Problem(
                    path,
                    f"is missing: it was signed as part of the pack, in {SIGNED_LIST} (removed)",
                )
            )
            continue
        digests[path] = file_digest(root / path, "sha256")
        if digests[path] != listed[path]:
            problems.append(
                Problem(
                    path,
                    f"was changed after the pack was signed: its SHA-256 "
                    f"differs from {SIGNED_LIST}",
                )
            )
    for path in sorted(present - listed.keys()):
        problems.append(
            Problem(
                path,
                f"is not covered by the pack's signature: it is not in "
                f"{SIGNED_LIST} (added after the pack was signed)",
            )
        )
    return problems, digests
