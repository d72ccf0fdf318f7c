"""A phone's list of apps, read from what the victim (or her advocate) can get off it. Pure.

Three inputs:

- ``pm-list``: the output of ``adb shell pm list packages -i -U``, one app a line:
  ``package:com.x.y installer=com.android.vending uid:10123``. Older phones, or the command
  run without ``-i`` or ``-U``, leave out ``installer=`` or ``uid:``; ``-f`` puts the APK's
  path before the name (``package:/data/app/.../base.apk=com.x.y``). Other ``key:value`` or
  ``key=value`` words (``versionCode:``) are ignored.
- ``androidqf``: AndroidQF's ``packages.json``, a JSON list with one object per package. We
  rely on ``name`` (the package name, required), ``installer`` (text or null), ``uid`` (a
  number) and ``files``: a list of the package's APKs, each with a ``certificate`` object whose
  ``Sha1`` is the signing certificate's SHA-1 in hexadecimal (AndroidQF writes the Go struct of
  avast/apkverifier's CertInfo, so the key is ``Sha1``; ``sha1`` and ``SHA1`` are accepted
  too). Every other field is ignored. Packages without files or certificates are still matched
  by name.
- ``names``: app names typed or pasted, one a line (package names work too).

Bad input raises CheckInputError naming the file and the line, item or field.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from cairn.checks.errors import CheckInputError
from cairn.checks.indicators import InstalledApp, normalise_certificate

FORMATS = ("pm-list", "androidqf", "names")
FORMAT_LABELS = {"pm-list": "adb pm list packages output", "androidqf": "AndroidQF packages.json",
                 "names": "app names"}
MAX_NAME_LENGTH = 200
_PACKAGE = re.compile(r"^[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*$")
_SHA1 = re.compile(r"^[0-9A-F]{40}$")
_CERTIFICATE_KEYS = ("Sha1", "sha1", "SHA1")


@dataclass(frozen=True)
class AppList:
    format: str
    apps: tuple[InstalledApp, ...]


def _text(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise CheckInputError(f"{name}, line {line}", "not UTF-8 text") from None


def detect_format(text: str) -> str:
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        return "androidqf"
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return "pm-list" if first.startswith("package:") else "names"


def read_app_list(data: bytes, *, name: str, format: str = "auto") -> AppList:
    """Read an app list; ``format`` is one of FORMATS or ``auto`` (from the content)."""
    text = _text(data, name)
    if not text.strip():
        raise CheckInputError(name, "the file is empty")
    chosen = detect_format(text) if format == "auto" else format
    if chosen == "pm-list":
        apps = parse_pm_list(text, name=name)
    elif chosen == "androidqf":
        apps = parse_androidqf(text, name=name)
    elif chosen == "names":
        apps = parse_names(text, name=name)
    else:
        raise CheckInputError(name, f"unknown format {format!r}: use {', '.join(FORMATS)}")
    return AppList(chosen, tuple(apps))


def parse_pm_list(text: str, *, name: str) -> list[InstalledApp]:
    apps = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        where = f"line {number}"
        if not line.startswith("package:"):
            raise CheckInputError(f"{name}, {where}", "expected 'package:' and a package name "
                                  "(the output of adb shell pm list packages)")
        words = line[len("package:"):].split()
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
                value = word[len("installer="):]
                installer = "" if value == "null" else value
            elif word.startswith("uid:"):
                first = word[len("uid:"):].split(",")[0]
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
                raise CheckInputError(f"{where}, files[{index}].certificate.{key}",
                                      "not a SHA-1 fingerprint (40 hexadecimal digits)")
            sha1 = normalise_certificate(value)
            if sha1 not in found:
                found.append(sha1)
    return tuple(found)


def parse_androidqf(text: str, *, name: str) -> list[InstalledApp]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CheckInputError(f"{name}, line {exc.lineno}", f"not valid JSON ({exc.msg})") from None
    if not isinstance(document, list):
        raise CheckInputError(name, "expected a JSON list of packages (AndroidQF packages.json)")
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
            raise CheckInputError(f"{name}, {where}.name", f"{package[:80]!r} is not a "
                                  "package name")
        installer = entry.get("installer")
        if installer is not None and not isinstance(installer, str):
            raise CheckInputError(f"{name}, {where}.installer", "expected text or null")
        uid = entry.get("uid")
        if uid is not None and (not isinstance(uid, int) or isinstance(uid, bool)):
            raise CheckInputError(f"{name}, {where}.uid", "expected a number")
        certificates = _certificates(entry.get("files"), f"{name}, {where} ({package})")
        apps.append(InstalledApp(package, "package", where,
                                 installer="" if installer in (None, "null") else installer,
                                 uid=uid, certificates=certificates))
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
            raise CheckInputError(f"{name}, {where}", f"longer than {MAX_NAME_LENGTH} "
                                  "characters: put one app name on each line")
        if any(not ch.isprintable() for ch in line):
            raise CheckInputError(f"{name}, {where}", "contains characters that are not text")
        apps.append(InstalledApp(line, "name", where))
    if not apps:
        raise CheckInputError(name, "no app names found")
    return apps
