"""Echap's stalkerware indicators, and how an app list is matched against them. Pure.

The indicator files are ``ioc.yaml`` and ``watchware.yaml`` from AssoEchap/stalkerware-
indicators (CC-BY 4.0: credit "Echap, stalkerware-indicators" wherever results are shown).
Each entry names an app family (``name``), other names it is sold under (``names``), its
``type`` (stalkerware or watchware), its Android package names (``packages``) and the SHA-1
fingerprints of the certificates its packages are signed with (``certificates``). Websites,
C2 domains and IP addresses are in the files too; the phone check does not use them.

Matching is graded, strongest first:

1. ``certificate``: a package on the phone is signed with a certificate the indicators name.
   Only the app's maker holds that signing key, so this is the strongest sign.
2. ``package``: a package name on the phone is one the indicators name. Anyone can give an app
   any package name, so a *generic* name (see ``is_generic_package``) is marked weak.
3. ``name``: a name the victim typed is one the app is sold under. The weakest: names are
   shared, and she may have typed what the app looks like rather than what it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from cairn.checks.errors import CheckInputError

CREDIT = "Echap, stalkerware-indicators"
LICENCE = "CC-BY 4.0"
PROJECT_URL = "https://github.com/AssoEchap/stalkerware-indicators"

GRADES = ("certificate", "package", "name")
KINDS = ("stalkerware", "watchware")
_SHA1 = re.compile(r"^[0-9A-F]{40}$")
_PACKAGE = re.compile(r"^[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*$")

# Package-name rule (docs/adr/0022): a name is *generic* when it sits in a namespace that the
# phone's own system, Google or the big makers use, where a real app of the same name is likely
# (an indicator there may be a stalkerware app hiding under a system-like name, but finding it
# says little on its own), or when it has only two parts and the second is short or an
# ordinary word, so that unrelated apps are likely to share it ("com.guest", "com.fone").
GENERIC_PREFIXES = (
    "android.",
    "com.android.",
    "com.google.",
    "com.samsung.",
    "com.sec.",
    "com.system",
    "com.huawei.",
    "com.miui.",
    "com.xiaomi.",
    "com.oppo.",
    "com.coloros.",
    "com.qualcomm.",
    "com.mediatek.",
    "com.motorola.",
    "com.lge.",
    "com.sonyericsson.",
    "com.htc.",
)
COMMON_WORDS = frozenset(
    {
        "app",
        "apps",
        "android",
        "backup",
        "battery",
        "browser",
        "camera",
        "cleaner",
        "clock",
        "data",
        "device",
        "guest",
        "home",
        "launcher",
        "location",
        "manager",
        "mobile",
        "monitor",
        "phone",
        "privacy",
        "safe",
        "secure",
        "security",
        "service",
        "services",
        "settings",
        "sync",
        "system",
        "tools",
        "tracker",
        "update",
        "updater",
        "wifi",
    }
)
SHORT_PART = 4  # a second part this short or shorter is too easily shared


def is_generic_package(package: str) -> bool:
    """Whether a package name is too generic for a match on it alone to mean much."""
    name = package.strip().lower()
    if name.startswith(GENERIC_PREFIXES) or name in ("android", "com.android", "com.google"):
        return True
    parts = name.split(".")
    if len(parts) <= 1:
        return True
    if len(parts) == 2:  # noqa: SIM102 - the rule reads better as two steps
        if len(parts[1]) <= SHORT_PART or parts[1] in COMMON_WORDS:
            return True
    return False


def normalise_certificate(value: str) -> str:
    """``ab:cd:...`` or ``abcd...`` to upper-case hex with no separators."""
    return re.sub(r"[\s:]", "", value).upper()


def normalise_name(value: str) -> str:
    """An app name for comparison: letters and digits only, case-folded."""
    return "".join(ch for ch in value.casefold() if ch.isalnum())


@dataclass(frozen=True)
class StalkerwareApp:
    """One entry of the indicator files."""

    name: str
    kind: str
    names: tuple[str, ...]
    packages: tuple[str, ...]
    certificates: tuple[str, ...]

    def as_plain(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.kind,
            "names": list(self.names),
            "packages": list(self.packages),
            "certificates": list(self.certificates),
        }

    @classmethod
    def from_plain(cls, item: dict[str, Any]) -> StalkerwareApp:
        return cls(
            name=item["name"],
            kind=item["type"],
            names=tuple(item["names"]),
            packages=tuple(item["packages"]),
            certificates=tuple(item["certificates"]),
        )


def _strings(value: Any, where: str, field: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise CheckInputError(where, f"'{field}' must be a list of text values")
    return [str(v).strip() for v in value if str(v).strip()]


def parse_indicator_file(data: bytes, *, name: str) -> list[StalkerwareApp]:
    """Read one of Echap's YAML files (``ioc.yaml`` or ``watchware.yaml``).

    Raises CheckInputError naming the file and the entry (its position and name) at fault.
    """
    try:
        document = yaml.safe_load(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise CheckInputError(name, "not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}" if mark is not None else "somewhere"
        raise CheckInputError(f"{name}, {line}", "not valid YAML") from None
    if not isinstance(document, list):
        raise CheckInputError(name, "expected a YAML list of apps (Echap's ioc.yaml layout)")
    apps = []
    for position, entry in enumerate(document, start=1):
        where = f"{name}, entry {position}"
        if not isinstance(entry, dict):
            raise CheckInputError(where, "expected an app with a 'name'")
        title = entry.get("name")
        if not isinstance(title, str) or not title.strip():
            raise CheckInputError(where, "'name' is missing")
        where = f"{where} ({title.strip()})"
        kind = str(entry.get("type") or "stalkerware").strip().lower()
        if kind not in KINDS:
            raise CheckInputError(where, f"'type' must be one of {', '.join(KINDS)}")
        packages = _strings(entry.get("packages"), where, "packages")
        for package in packages:
            if not _PACKAGE.match(package):
                raise CheckInputError(where, f"'{package}' is not a package name")
        certificates = [
            normalise_certificate(c)
            for c in _strings(entry.get("certificates"), where, "certificates")
        ]
        for certificate in certificates:
            if not _SHA1.match(certificate):
                raise CheckInputError(
                    where, f"'{certificate}' is not a SHA-1 fingerprint (40 hexadecimal digits)"
                )
        names = _strings(entry.get("names"), where, "names")
        apps.append(
            StalkerwareApp(
                name=title.strip(),
                kind=kind,
                names=tuple(names),
                packages=tuple(packages),
                certificates=tuple(certificates),
            )
        )
    if not apps:
        raise CheckInputError(name, "the file lists no apps")
    return apps


@dataclass(frozen=True)
class InstalledApp:
    """One item of a phone's app list: a package (with what else is known) or a typed name."""

    identifier: str
    kind: str  # "package" or "name"
    where: str  # "line 4", "item 3"
    installer: str = ""
    uid: int | None = None
    certificates: tuple[str, ...] = ()  # SHA-1 fingerprints of its signing certificates
    # What dumpsys prints for the signing certificates: a Java hash code, not a fingerprint,
    # so it is shown but never matched.
    signature_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    """An item of the app list that the indicators name, with how strongly."""

    app: str  # the indicators' name for the app family
    kind: str  # stalkerware or watchware
    grade: str  # certificate, package or name
    value: str  # the certificate, package name or name that matched
    item: str  # the item as it was in the list
    where: str
    weak: bool = False
    installer: str = ""  # the package that installed it, when the list says

    @property
    def strength(self) -> str:
        if self.grade == "certificate":
            return "strong"
        if self.grade == "package":
            return "weak" if self.weak else "medium"
        return "weak"

    def as_plain(self) -> dict[str, Any]:
        return {
            "app": self.app,
            "type": self.kind,
            "grade": self.grade,
            "value": self.value,
            "item": self.item,
            "where": self.where,
            "weak": self.weak,
            "strength": self.strength,
            "installer": self.installer,
        }


class IndicatorIndex:
    """The indicators looked up by certificate, package name and app name."""

    def __init__(self, apps: Iterable[StalkerwareApp]) -> None:
        self.by_certificate: dict[str, StalkerwareApp] = {}
        self.by_package: dict[str, StalkerwareApp] = {}
        self.by_name: dict[str, StalkerwareApp] = {}
        for app in apps:
            for certificate in app.certificates:
                self.by_certificate.setdefault(certificate, app)
            for package in app.packages:
                self.by_package.setdefault(package.lower(), app)
            for title in (app.name, *app.names):
                key = normalise_name(title)
                if key:
                    self.by_name.setdefault(key, app)

    def best(self, item: InstalledApp) -> Match | None:
        """The strongest match for one item, or None."""
        for certificate in item.certificates:
            app = self.by_certificate.get(normalise_certificate(certificate))
            if app is not None:
                return Match(
                    app.name,
                    app.kind,
                    "certificate",
                    certificate,
                    item.identifier,
                    item.where,
                    installer=item.installer,
                )
        package = item.identifier.strip().lower()
        if item.kind == "package" or (_PACKAGE.match(package) and "." in package):
            app = self.by_package.get(package)
            if app is not None:
                return Match(
                    app.name,
                    app.kind,
                    "package",
                    package,
                    item.identifier,
                    item.where,
                    weak=is_generic_package(package),
                    installer=item.installer,
                )
        if item.kind == "name":
            app = self.by_name.get(normalise_name(item.identifier))
            if app is not None:
                return Match(
                    app.name,
                    app.kind,
                    "name",
                    item.identifier.strip(),
                    item.identifier,
                    item.where,
                    weak=True,
                )
        return None


def match_apps(items: Sequence[InstalledApp], apps: Iterable[StalkerwareApp]) -> list[Match]:
    """Every item the indicators name, strongest first (then weak last, then list order)."""
    index = IndicatorIndex(apps)
    found = [
        (position, m) for position, item in enumerate(items) if (m := index.best(item)) is not None
    ]
    found.sort(key=lambda pair: (GRADES.index(pair[1].grade), pair[1].weak, pair[0]))
    return [m for _, m in found]
