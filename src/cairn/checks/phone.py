"""A phone's list of apps, read from what the victim (or her advocate) can get off it. Pure.

The inputs read (``FORMATS``; anything else is refused with a message that lists them, never
read as something it is not):

- ``pm-list``: the output of ``adb shell pm list packages -i -U``, one app a line:
  ``package:com.x.y installer=com.android.vending uid:10123``. Older phones, or the command
  run without ``-i`` or ``-U``, leave out ``installer=`` or ``uid:``; ``-f`` puts the APK's
  path before the name (``package:/data/app/.../base.apk=com.x.y``). Other ``key:value`` or
  ``key=value`` words (``versionCode:``) are ignored.
- ``dumpsys``: the output of ``adb shell dumpsys package`` (or of a whole ``adb shell
  dumpsys``, whose ``DUMP OF SERVICE package:`` section is read). Each package is a line
  ``Package [com.x.y] (hash):`` in the ``Packages:`` section, followed by indented
  ``key=value`` lines, of which we read ``userId=`` (the uid), ``installerPackageName=`` and
  ``signatures=PackageSignatures{...}``. Android prints there, in hexadecimal, the Java
  ``hashCode`` of each signing certificate (``signatures:[3c1c3027]``), not a fingerprint:
  it is kept (``signature_ids``) but cannot be matched against the indicators' SHA-1s, so
  these apps are matched by package name. A SHA-1 fingerprint written in that place (40
  hexadecimal digits) is read as a certificate. The same package listed again (under
  ``Hidden system packages:``) counts once.
- ``androidqf``: an AndroidQF acquisition: the zip AndroidQF writes (``<UUID>.zip``; its
  members ``packages.json``, ``getprop.txt``, ``dumpsys.txt``, ``acquisition.json``... at
  the top or in one folder), or its ``packages.json`` alone. ``packages.json`` is a JSON list
  with one object per package. We rely on ``name`` (the package name, required),
  ``installer`` (text or null), ``uid`` (a number) and ``files``: a list of the package's
  APKs, each with a ``certificate`` object whose ``Sha1`` is the signing certificate's SHA-1
  in hexadecimal (AndroidQF writes the Go struct of avast/apkverifier's CertInfo, so the key
  is ``Sha1``; ``sha1`` and ``SHA1`` are accepted too). Every other field is ignored.
  Packages without files or certificates are still matched by name. A zip without
  ``packages.json`` is read from the package section of its ``dumpsys.txt``; an encrypted
  acquisition (``.zip.age``) is refused with how to decrypt it.
- ``names``: app names typed or pasted, one a line (package names work too). A line that
  looks like a program's output rather than a name (``key=value``, brackets, a heading
  ending in ``:``, columns apart by several spaces or a tab) is refused, so an output Cairn
  does not read is never checked as a list of names and reported as matching nothing.

Bad input raises CheckInputError naming the file and the line, item or field.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from cairn.checks.errors import CheckInputError
from cairn.checks.indicators import InstalledApp, normalise_certificate
from cairn.importers.base import ImportFailure
from cairn.importers.safezip import SafeZip, looks_like_zip

FORMATS = ("pm-list", "dumpsys", "androidqf", "names")
FORMAT_LABELS = {
    "pm-list": "adb pm list packages output",
    "dumpsys": "adb dumpsys package output",
    "androidqf": "an AndroidQF acquisition",
    "names": "app names",
}
# What each format is, in the words of the page, --help and every refusal.
FORMAT_DESCRIPTIONS = {
    "pm-list": "the output of adb shell pm list packages (best with -i -U)",
    "dumpsys": "the output of adb shell dumpsys package",
    "androidqf": "an AndroidQF acquisition (its zip, or the packages.json in it)",
    "names": "app names typed one on each line",
}
READABLE = "; ".join(FORMAT_DESCRIPTIONS[f] for f in FORMATS)
MAX_NAME_LENGTH = 200
_PACKAGE = re.compile(r"^[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*$")
_SHA1 = re.compile(r"^[0-9A-F]{40}$")
_CERTIFICATE_KEYS = ("Sha1", "sha1", "SHA1")
_DUMPSYS_PACKAGE = re.compile(r"^(?P<indent>\s*)Package \[(?P<name>[^\]]*)\] \([0-9A-Fa-f]+\):\s*$")
_DUMPSYS_MARKERS = re.compile(
    r"^(?:DUMP OF SERVICE package:|Packages:|Activity Resolver Table:|"
    r"Database versions:|Verifiers:|Key Set Manager:|"
    r"\s*Package \[[^\]]*\] \([0-9A-Fa-f]+\):)\s*$",
    re.MULTILINE,
)
_SIGNATURES = re.compile(r"signatures=PackageSignatures\{[^}]*?(?:signatures:)?\[([^\]]*)\]")
_AGE_HEADER = b"age-encryption.org/"
_JSON_START = re.compile(r"\s*(?:\{|\[\s*(?:[{\]]|$))")
# What a typed app name never holds, and program output always does somewhere.
_NOT_A_NAME = re.compile(r"[=\[\]{}<>|\t]|:\s*$|\S {2,}\S")


@dataclass(frozen=True)
class AppList:
    format: str
    apps: tuple[InstalledApp, ...]


def not_readable(where: str, why: str) -> CheckInputError:
    """The refusal for input in no format Cairn reads: it says which ones it does."""
    return CheckInputError(where, f"{why}. Cairn reads: {READABLE}")


def _text(data: bytes, name: str) -> str:
    """UTF-8, or UTF-16 with its byte order mark (what Windows PowerShell's ``>`` writes)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise not_readable(name, "not valid UTF-16 text") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise not_readable(f"{name}, line {line}", "not UTF-8 text, nor an AndroidQF zip") from None


def detect_format(text: str) -> str:
    """The format of a text input, from its content (a zip is ``androidqf``)."""
    if _JSON_START.match(text):
        return "androidqf"
    if _DUMPSYS_MARKERS.search(text):
        return "dumpsys"
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return "pm-list" if first.startswith("package:") else "names"


def read_app_list(data: bytes, *, name: str, format: str = "auto") -> AppList:
    """Read an app list; ``format`` is one of FORMATS or ``auto`` (from the content)."""
    if format not in (*FORMATS, "auto"):
        raise not_readable(name, f"unknown format {format!r}")
    if data.startswith(_AGE_HEADER):
        raise CheckInputError(
            name,
            "this AndroidQF acquisition is encrypted (.zip.age): "
            "decrypt it first (age --decrypt -i KEY -o acquisition.zip "
            "FILE), then check the zip",
        )
    if looks_like_zip(data[:4]):
        if format not in ("auto", "androidqf"):
            raise not_readable(name, f"this is a zip, not {FORMAT_DESCRIPTIONS[format]}")
        return AppList("androidqf", tuple(parse_androidqf_zip(data, name=name)))
    text = _text(data, name)
    if not text.strip():
        raise CheckInputError(name, "the file is empty")
    chosen = detect_format(text) if format == "auto" else format
    parsers = {
        "pm-list": parse_pm_list,
        "dumpsys": parse_dumpsys,
        "androidqf": parse_androidqf,
        "names": parse_names,
    }
    return AppList(chosen, tuple(parsers[chosen](text, name=name)))


def parse_pm_list(text: str, *, name: str) -> list[InstalledApp]:
    apps = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        where = f"line {number}"
        if not line.startswith("package:"):
            raise CheckInputError(
                f"{name}, {where}",
                "expected 'package:' and a package name (the output of adb shell pm list packages)",
            )
        words = line[len("package:") :].split()
        if not words:
            raise CheckInputError(f"{name}, {where}", "no package name after 'package:'")
        package = words[0]
        if "=" in package and package.startswith("/"):  # -f: path=package
            package = package.rsplit("=", 1)[1]
        if not _PACKAGE.match(package):
            raise CheckInputError(f"{name}, {where}", f"{package[:80]!r} is not a package name")
        installer, uid = "", None
        for word in words[1:]:
            if word.startswith("installer="):
                value = word[len("installer=") :]
                installer = "" if value == "null" else value
            elif word.startswith("uid:"):
                first = word[len("uid:") :].split(",")[0]
                if not first.isdigit():
                    raise CheckInputError(f"{name}, {where}", f"uid {first[:20]!r} is not a number")
                uid = int(first)
        apps.append(InstalledApp(package, "package", where, installer=installer, uid=uid))
    if not apps:
        raise CheckInputError(name, "no packages found")
    return apps


def _certificates(files: Any, where: str) -> tuple[str, ...]:
    if files is None:
        return ()
    if not isinstance(files, list):
        raise CheckInputError(where, "'files' must be a list")
    found: list[str] = []
    for index, entry in enumerate(files):
        if not isinstance(entry, dict):
            raise CheckInputError(f"{where}, files[{index}]", "expected an object")
        certificate = entry.get("certificate")
        if certificate is None:
            continue
        if not isinstance(certificate, dict):
            raise CheckInputError(f"{where}, files[{index}].certificate", "expected an object")
        for key in _CERTIFICATE_KEYS:
            value = certificate.get(key)
            if value in (None, ""):
                continue
            if not isinstance(value, str) or not _SHA1.match(normalise_certificate(value)):
                raise CheckInputError(
                    f"{where}, files[{index}].certificate.{key}",
                    "not a SHA-1 fingerprint (40 hexadecimal digits)",
                )
            sha1 = normalise_certificate(value)
            if sha1 not in found:
                found.append(sha1)
    return tuple(found)


def parse_androidqf(text: str, *, name: str, member: str = "") -> list[InstalledApp]:
    """AndroidQF's packages.json; ``member``, its path inside the zip it came from, is put
    before each item's place."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CheckInputError(f"{name}, line {exc.lineno}", f"not valid JSON ({exc.msg})") from None
    except RecursionError:
        raise CheckInputError(name, "the JSON is nested too deeply") from None
    if not isinstance(document, list):
        raise not_readable(name, "expected a JSON list of packages (AndroidQF packages.json)")
    apps = []
    for index, entry in enumerate(document):
        where = f"item {index + 1}"
        if not isinstance(entry, dict):
            raise CheckInputError(f"{name}, {where}", "expected a package object")
        package = entry.get("name")
        if not isinstance(package, str) or not package.strip():
            raise CheckInputError(f"{name}, {where}", "'name' is missing")
        package = package.strip()
        if not _PACKAGE.match(package):
            raise CheckInputError(
                f"{name}, {where}.name", f"{package[:80]!r} is not a package name"
            )
        installer = entry.get("installer")
        if installer is not None and not isinstance(installer, str):
            raise CheckInputError(f"{name}, {where}.installer", "expected text or null")
        uid = entry.get("uid")
        if uid is not None and (not isinstance(uid, int) or isinstance(uid, bool)):
            raise CheckInputError(f"{name}, {where}.uid", "expected a number")
        certificates = _certificates(entry.get("files"), f"{name}, {where} ({package})")
        apps.append(
            InstalledApp(
                package,
                "package",
                f"{member}, {where}" if member else where,
                installer="" if installer in (None, "null") else installer,
                uid=uid,
                certificates=certificates,
            )
        )
    if not apps:
        raise CheckInputError(name, "the list has no packages")
    return apps


def parse_names(text: str, *, name: str) -> list[InstalledApp]:
    apps = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        where = f"line {number}"
        if len(line) > MAX_NAME_LENGTH:
            raise CheckInputError(
                f"{name}, {where}",
                f"longer than {MAX_NAME_LENGTH} characters: put one app name on each line",
            )
        if _NOT_A_NAME.search(raw.rstrip("\r\n")):
            raise not_readable(
                f"{name}, {where}",
                "this does not look like an app name but "
                "like a program's output that Cairn does not read",
            )
        if any(not ch.isprintable() for ch in line):
            raise CheckInputError(f"{name}, {where}", "contains characters that are not text")
        apps.append(InstalledApp(line, "name", where))
    if not apps:
        raise CheckInputError(name, "no app names found")
    return apps


def parse_dumpsys(text: str, *, name: str) -> list[InstalledApp]:
    """The packages of ``adb shell dumpsys package`` output (see the module docstring)."""
    lines = text.splitlines()
    start, end = _package_service(lines)
    found: dict[str, dict[str, Any]] = {}
    current: dict[str, Any] | None = None
    indent = ""
    for number in range(start, end):
        line = lines[number]
        match = _DUMPSYS_PACKAGE.match(line)
        if match is not None:
            package = match.group("name").strip()
            where = f"line {number + 1}"
            if not _PACKAGE.match(package):
                raise CheckInputError(f"{name}, {where}", f"{package[:80]!r} is not a package name")
            indent = match.group("indent")
            current = found.setdefault(
                package, {"where": where, "installer": "", "uid": None, "signatures": []}
            )
            continue
        if current is None or not line.strip():
            continue
        if len(line) - len(line.lstrip()) <= len(indent):
            current = None  # the package's block ended (a new section)
            continue
        _read_package_line(line.strip(), current)
    if not found:
        raise not_readable(
            name, "no package (a line 'Package [name] (...):') was found in this dumpsys output"
        )
    apps = []
    for package, fields in found.items():
        signatures = fields["signatures"]
        certificates = tuple(s for s in signatures if _SHA1.match(s))
        apps.append(
            InstalledApp(
                package,
                "package",
                fields["where"],
                installer=fields["installer"],
                uid=fields["uid"],
                certificates=certificates,
                signature_ids=tuple(s for s in signatures if s not in certificates),
            )
        )
    return apps


def _package_service(lines: list[str]) -> tuple[int, int]:
    """The line range of the package service in a whole ``dumpsys``, else everything."""
    start = next(
        (i for i, line in enumerate(lines) if line.strip() == "DUMP OF SERVICE package:"), None
    )
    if start is None:
        return 0, len(lines)
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].startswith("DUMP OF SERVICE ")),
        len(lines),
    )
    return start + 1, end


def _read_package_line(line: str, fields: dict[str, Any]) -> None:
    signatures = _SIGNATURES.search(line)
    if signatures is not None:
        for value in re.split(r"[,\s]+", signatures.group(1)):
            if _SHA1.match(normalise_certificate(value)):
                value = normalise_certificate(value)
            if re.fullmatch(r"[0-9A-Fa-f]+", value) and value not in fields["signatures"]:
                fields["signatures"].append(value)
        return
    for word in line.split():
        key, equals, value = word.partition("=")
        if not equals:
            continue
        if key == "installerPackageName":
            fields["installer"] = "" if value == "null" else value
        elif key == "userId" and value.isdigit() and fields["uid"] is None:
            fields["uid"] = int(value)


def parse_androidqf_zip(data: bytes, *, name: str) -> list[InstalledApp]:
    """An AndroidQF acquisition zip: its packages.json, else its dumpsys.txt."""
    try:
        with SafeZip(data, name=name) as archive:
            member = _shallowest(archive.names, "packages.json") or _shallowest(
                archive.names, "dumpsys.txt"
            )
            if member is None:
                raise not_readable(
                    name,
                    "this zip is not an AndroidQF acquisition (it holds "
                    "no packages.json or dumpsys.txt)",
                )
            content = archive.read_member(member)
    except ImportFailure as exc:
        raise CheckInputError(exc.where, exc.message) from None
    where = f"{name}, member {member}"
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CheckInputError(where, "not UTF-8 text") from None
    if member.lower().endswith(".json"):
        return parse_androidqf(text, name=where, member=member)
    return parse_dumpsys(text, name=where)


def _shallowest(members: tuple[str, ...], base: str) -> str | None:
    """The member named ``base`` nearest the top of the zip (AndroidQF writes its files at
    the top; a zipped acquisition folder puts them one level down)."""
    found = [m for m in members if m.rsplit("/", 1)[-1].lower() == base]
    return min(found, key=lambda m: (m.count("/"), m)) if found else None
