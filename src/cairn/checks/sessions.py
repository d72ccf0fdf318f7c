"""Sign-ins and sessions from the victim's own account exports. Pure.

Each reader turns one file into ``Session`` rows (time, IP address, approximate place, device,
app). "Approximate place" is only what the export itself says (a country, region or city):
Cairn does not look IP addresses up anywhere. Fields an export leaves out stay empty; a row
with no time has ``at=None`` ("not known"), never a made-up one.

Formats (docs/adr/0022; ``docs/formats.md``):

- ``telegram``: a full Telegram Desktop export's ``result.json``: ``sessions.list[]`` with
  ``last_active`` (local time, no zone) and, in newer exports, ``last_active_unixtime``,
  ``last_ip``, ``last_country``, ``last_region``, ``device_model``, ``platform``,
  ``system_version``, ``application_name``, ``application_version``; and ``web_sessions.list[]``
  (websites logged in to with Telegram: ``browser``, ``platform``, ``domain_name``,
  ``bot_username``) when the export has it.
- ``meta-activity`` and ``meta-sessions``: Facebook or Instagram ``account_activity.json`` and
  ``where_you're_logged_in.json``. Older exports hold ``{"account_activity": [...]}`` /
  ``{"active_sessions": [...]}`` with plain fields (``timestamp``, ``ip_address``,
  ``user_agent``, ``city``, ``region``, ``country``, ``site_name``; ``created_timestamp``,
  ``updated_timestamp``, ``device``, ``location``, ``app``); newer ones add ``_v2`` to the key,
  and the newest give each row as ``label_values`` (``{"label": ..., "value": ...}`` or
  ``"timestamp_value"``). Instagram's ``login_activity.json``
  (``account_history_login_history[].string_map_data``) is read the same way.
- ``google-access`` and ``google-devices``: Google Takeout's access-log activities CSV and
  devices CSV. Their columns have changed between versions, so they are found by header name
  (``ACCESS_COLUMNS``, ``DEVICE_COLUMNS``), never by position.
- ``x-ip-audit``: an X (Twitter) archive's ``data/ip-audit.js``:
  ``window.YTD.ip_audit.part0 = [{"ipAudit": {"accountId", "createdAt", "loginIp"}}]``.

Bad input raises CheckInputError naming the file and the entry, line or column.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cairn.checks.errors import CheckInputError

FORMAT_LABELS = {
    "telegram": "Telegram sessions", "meta-activity": "Facebook or Instagram account activity",
    "meta-sessions": "Facebook or Instagram: where you're logged in",
    "instagram-logins": "Instagram login activity", "google-access": "Google access log",
    "google-devices": "Google devices", "x-ip-audit": "X (Twitter) ip-audit",
}
_YTD = re.compile(r"\A\s*window\.YTD\.(\w+)\.part\d+\s*=\s*")
_MAX_MS = 253_402_300_799_999


@dataclass(frozen=True)
class Session:
    source: str  # Telegram, Facebook, Instagram, Google, X
    at: datetime | None  # aware UTC, or None when the export gives no time
    ip: str
    place: str
    device: str
    app: str
    where: str  # the entry or line in the file

    def as_plain(self) -> dict[str, Any]:
        return {"source": self.source,
                "at": self.at.isoformat().replace("+00:00", "Z") if self.at else None,
                "ip": self.ip, "place": self.place, "device": self.device, "app": self.app,
                "where": self.where}


@dataclass(frozen=True)
class SessionList:
    format: str
    sessions: tuple[Session, ...]


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise CheckInputError("time zone", f"unknown time zone {tz!r}") from None


def _clean(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return " ".join(str(value).split())


def _repair(text: str) -> str:
    """Undo Meta's UTF-8-read-as-Latin-1 in text, where that is what happened."""
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def parse_time(value: Any, zone: ZoneInfo, where: str) -> datetime | None:
    """A time from a Unix timestamp (seconds or milliseconds) or text; None when empty.

    Text without an offset is read in ``zone`` (Telegram's ``last_active`` is local time).
    """
    if value in (None, "", 0, "0"):
        return None
    if isinstance(value, bool):
        raise CheckInputError(where, "expected a time")
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        number = float(value)
        if number > 1e11:  # milliseconds
            number /= 1000
        if not 0 < number * 1000 <= _MAX_MS:
            raise CheckInputError(where, f"{value!r} is not a time")
        return datetime.fromtimestamp(number, UTC)
    if not isinstance(value, str):
        raise CheckInputError(where, "expected a time")
    text = value.strip()
    if text.endswith(" UTC"):
        text = text[:-4] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:  # old X archives: "Wed Jan 05 10:00:00 +0000 2022"
            parsed = datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y")
        except ValueError:
            raise CheckInputError(where, f"{text[:40]!r} is not a time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


_OS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android phone"),
       ("Windows", "Windows computer"), ("Macintosh", "Mac"), ("Mac OS X", "Mac"),
       ("CrOS", "Chromebook"), ("Linux", "Linux computer"))
_APPS = (("Instagram", "Instagram app"), ("FBAN", "Facebook app"), ("FBAV", "Facebook app"),
         ("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
         ("SamsungBrowser", "Samsung Internet"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))


def describe_user_agent(agent: str) -> tuple[str, str]:
    """(device, app) in plain words from a browser's user-agent text; the text itself when
    nothing in it is recognised."""
    agent = _clean(agent)
    if not agent:
        return "", ""
    device = next((label for token, label in _OS if token in agent), "")
    app = next((label for token, label in _APPS if token in agent), "")
    if not device and not app:
        return agent[:120], ""
    return device, app


def _place(*parts: Any) -> str:
    seen: list[str] = []
    for part in parts:
        text = _clean(part)
        if text and text.casefold() not in (s.casefold() for s in seen):
            seen.append(text)
    return ", ".join(seen)


def _key(label: str) -> str:
    return re.sub(r"[\s_]+", " ", label.strip().casefold())


def _flatten(entry: Mapping[str, Any]) -> dict[str, Any]:
    """One Meta row as {normalised label: value}, whichever of the layouts it is in."""
    flat: dict[str, Any] = {}
    for name, value in entry.items():
        if not isinstance(value, dict | list):
            flat[_key(name)] = value
    for item in entry.get("label_values") or []:
        if isinstance(item, dict) and isinstance(item.get("label"), str):
            value = item.get("value", item.get("timestamp_value"))
            if value is None and "href" in item:
                value = item["href"]
            flat.setdefault(_key(item["label"]), value)
    for label, item in (entry.get("string_map_data") or {}).items():
        if isinstance(item, dict):
            value = item.get("value") or item.get("timestamp")
            flat.setdefault(_key(label), value)
    return flat


def _first(flat: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        value = flat.get(name)
        if value not in (None, ""):
            return value
    return None


# --- Telegram ---------------------------------------------------------------------------------

def read_telegram(document: Mapping[str, Any], *, name: str, zone: ZoneInfo) -> list[Session]:
    sessions_block = document.get("sessions")
    rows = sessions_block.get("list") if isinstance(sessions_block, dict) else None
    if not isinstance(rows, list):
        raise CheckInputError(f"{name}, sessions", "expected 'sessions' with a 'list' (a full "
                              "Telegram export's result.json)")
    found = []
    for index, row in enumerate(rows):
        where = f"sessions.list[{index}]"
        if not isinstance(row, dict):
            raise CheckInputError(f"{name}, {where}", "expected a session object")
        at = (parse_time(row.get("last_active_unixtime"), zone, f"{name}, {where}."
                         "last_active_unixtime")
              or parse_time(row.get("last_active"), zone, f"{name}, {where}.last_active"))
        system = _place(row.get("platform"), row.get("system_version"))
        device = _clean(row.get("device_model"))
        if system:
            device = f"{device} ({system})" if device else system
        app = " ".join(p for p in (_clean(row.get("application_name")),
                                   _clean(row.get("application_version"))) if p)
        found.append(Session("Telegram", at, _clean(row.get("last_ip")),
                             _place(row.get("last_region"), row.get("last_country")),
                             device, app, where))
    # Websites she logged in to with Telegram ("web_sessions"), when the export has them.
    web_block = document.get("web_sessions")
    web_rows = web_block.get("list") if isinstance(web_block, dict) else None
    for index, row in enumerate(web_rows if isinstance(web_rows, list) else []):
        where = f"web_sessions.list[{index}]"
        if not isinstance(row, dict):
            raise CheckInputError(f"{name}, {where}", "expected a session object")
        at = (parse_time(row.get("last_active_unixtime"), zone, f"{name}, {where}."
                         "last_active_unixtime")
              or parse_time(row.get("last_active"), zone, f"{name}, {where}.last_active"))
        device = _place(row.get("browser"), row.get("platform"))
        app = _clean(row.get("domain_name")) or _clean(row.get("bot_username"))
        found.append(Session("Telegram", at, _clean(row.get("last_ip")),
                             _place(row.get("last_region"), row.get("last_country")),
                             device, f"Log in with Telegram: {app}" if app else "", where))
    return found


# --- Facebook and Instagram -------------------------------------------------------------------

def _meta_rows(document: Any, prefixes: Sequence[str], name: str) -> tuple[str, list[Any]]:
    if isinstance(document, dict):
        for key, value in document.items():
            if any(key == p or key.startswith(p + "_v") for p in prefixes):
                if not isinstance(value, list):
                    raise CheckInputError(f"{name}, {key}", "expected a list of entries")
                return key, value
    raise CheckInputError(name, "no sessions found")


def _meta_source(flat: Mapping[str, Any], default: str) -> str:
    site = _clean(_first(flat, "site name", "site", "product")).casefold()
    if "instagram" in site:
        return "Instagram"
    if "facebook" in site or "messenger" in site:
        return "Facebook"
    return default


def read_meta(document: Mapping[str, Any], *, name: str, zone: ZoneInfo,
              kind: str) -> list[Session]:
    default = "Instagram" if "instagram" in name.casefold() else "Facebook"
    if kind == "meta-activity":
        key, rows = _meta_rows(document, ("account_activity",), name)
    elif kind == "meta-sessions":
        key, rows = _meta_rows(document, ("active_sessions", "sessions"), name)
    else:
        key, rows = _meta_rows(document, ("account_history_login_history",
                                          "login_history"), name)
        default = "Instagram"
    found = []
    for index, row in enumerate(rows):
        where = f"{key}[{index}]"
        if not isinstance(row, dict):
            raise CheckInputError(f"{name}, {where}", "expected an entry object")
        flat = {k: _repair(v) if isinstance(v, str) else v for k, v in _flatten(row).items()}
        when = _first(flat, "updated timestamp", "last active", "last accessed", "updated",
                      "timestamp", "time", "created timestamp", "created", "date")
        at = parse_time(when, zone, f"{name}, {where}")
        if at is None and kind == "instagram-logins" and isinstance(row.get("title"), str):
            at = parse_time(row["title"], zone, f"{name}, {where}.title")
        agent = _clean(_first(flat, "user agent", "useragent"))
        device, browser = describe_user_agent(agent)
        device = _clean(_first(flat, "device", "device name", "device model")) or device
        app = _clean(_first(flat, "app", "application", "session type")) or browser
        if kind == "meta-activity":
            action = _clean(_first(flat, "action", "event"))
            app = ", ".join(p for p in (app, action) if p)
        place = _clean(_first(flat, "location", "estimated location")) or _place(
            flat.get("city"), flat.get("region"), flat.get("country"))
        ip = _clean(_first(flat, "ip address", "ip", "ip_address"))
        found.append(Session(_meta_source(flat, default), at, ip, place, device, app, where))
    return found


# --- Google Takeout ---------------------------------------------------------------------------

# Each field: the header names seen in different Takeout versions, compared case-insensitively.
ACCESS_COLUMNS: dict[str, tuple[str, ...]] = {
    "time": ("activity timestamp", "timestamp", "time", "activity time", "date"),
    "ip": ("ip address", "activity ip address", "ip", "activity ip"),
    "city": ("activity city", "city"),
    "region": ("activity region", "region"),
    "country": ("activity country", "country"),
    "location": ("location", "activity location", "approximate location"),
    "agent": ("user agent string", "user agent", "activity user agent"),
    "product": ("product name", "product", "service", "sub-product name"),
}
DEVICE_COLUMNS: dict[str, tuple[str, ...]] = {
    "time": ("device last location timestamp", "last activity timestamp",
             "device last activity timestamp", "last sync timestamp", "last seen",
             "last activity", "device first activity timestamp", "first activity timestamp"),
    "ip": ("device last location ip", "last ip address", "device ip address", "ip address"),
    "country": ("device last location country", "last location country", "country"),
    "location": ("device last location", "last location", "location"),
    "brand": ("device brand name", "brand name", "device brand", "brand", "manufacturer",
              "device manufacturer"),
    "model": ("device model", "device model name", "model", "device name", "device marketing name"),
    "type": ("device type", "type"),
    "os": ("device os", "os", "operating system", "device os version", "os version"),
    "app": ("device user agent", "user agent", "app", "application"),
}


def _columns(header: Sequence[str], wanted: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
    names = [_key(h) for h in header]
    found: dict[str, int] = {}
    for field, aliases in wanted.items():
        for alias in aliases:
            if alias in names:
                found[field] = names.index(alias)
                break
    return found


def read_google_csv(text: str, *, name: str, zone: ZoneInfo) -> tuple[str, list[Session]]:
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise CheckInputError(name, "the file is empty") from None
    except csv.Error as exc:
        raise CheckInputError(f"{name}, line 1", f"not a CSV file ({exc})") from None
    keys = [_key(h) for h in header]
    is_devices = any(k.startswith("device") for k in keys) and "activity timestamp" not in keys
    wanted = DEVICE_COLUMNS if is_devices else ACCESS_COLUMNS
    columns = _columns(header, wanted)
    if is_devices and not ({"brand", "model", "type"} & columns.keys()):
        raise CheckInputError(f"{name}, line 1", "no column names the device (found: "
                              + ", ".join(header) + ")")
    if not is_devices and not ({"time", "ip"} <= columns.keys()):
        raise CheckInputError(f"{name}, line 1", "not a Google Takeout access log or devices "
                              "list: no column for the time or the IP address (found: "
                              + ", ".join(h for h in header if h)[:300] + ")")
    found = []
    line = 1
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue

            def cell(field: str, row: list[str] = row) -> str:
                index = columns.get(field)
                return _clean(row[index]) if index is not None and index < len(row) else ""

            where = f"line {line}"
            at = parse_time(cell("time"), zone, f"{name}, {where}, column "
                            f"{header[columns['time']] if 'time' in columns else 'time'}")
            place = cell("location") or _place(cell("city"), cell("region"), cell("country"))
            if is_devices:
                device = _place(cell("brand"), cell("model")) or cell("type")
                if cell("os"):
                    device = f"{device} ({cell('os')})" if device else cell("os")
                app = cell("app")
            else:
                device, app = describe_user_agent(cell("agent"))
                app = ", ".join(p for p in (cell("product"), app) if p)
            found.append(Session("Google", at, cell("ip"), place, device, app, where))
    except csv.Error as exc:
        raise CheckInputError(f"{name}, line {line + 1}", f"not a CSV file ({exc})") from None
    return ("google-devices" if is_devices else "google-access"), found


# --- X ----------------------------------------------------------------------------------------

def read_x_ip_audit(text: str, *, name: str, zone: ZoneInfo) -> list[Session]:
    match = _YTD.match(text)
    if match is None or match.group(1) != "ip_audit":
        raise CheckInputError(name, "not an X archive ip-audit.js (expected "
                              "'window.YTD.ip_audit.part0 = ' at the start)")
    try:
        rows = json.loads(text[match.end():])
    except json.JSONDecodeError as exc:
        raise CheckInputError(f"{name}, line {exc.lineno}", f"not valid JSON ({exc.msg})") from None
    if not isinstance(rows, list):
        raise CheckInputError(name, "expected a list of ipAudit entries")
    found = []
    for index, row in enumerate(rows):
        where = f"entry {index + 1}"
        audit = row.get("ipAudit") if isinstance(row, dict) else None
        if not isinstance(audit, dict):
            raise CheckInputError(f"{name}, {where}", "expected an 'ipAudit' object")
        at = parse_time(audit.get("createdAt"), zone, f"{name}, {where}.createdAt")
        found.append(Session("X", at, _clean(audit.get("loginIp")), "", "", "", where))
    return found


# --- any of them ------------------------------------------------------------------------------

def detect_format(text: str, name: str) -> str:
    stripped = text.lstrip()
    if stripped.startswith("window.YTD."):
        return "x-ip-audit"
    if stripped.startswith(("{", "[")):
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CheckInputError(f"{name}, line {exc.lineno}",
                                  f"not valid JSON ({exc.msg})") from None
        if isinstance(document, dict):
            keys = list(document)
            if isinstance(document.get("sessions"), dict):
                return "telegram"
            if any(k.startswith("account_activity") for k in keys):
                return "meta-activity"
            if any(k.startswith("active_sessions") for k in keys):
                return "meta-sessions"
            if any(k.startswith(("account_history_login_history", "login_history"))
                   for k in keys):
                return "instagram-logins"
        raise CheckInputError(name, "a JSON file, but not one of the exports Cairn reads "
                              "(Telegram result.json, Facebook or Instagram account activity "
                              "or where you're logged in)")
    return "google-csv"


def read_sessions(data: bytes, *, name: str, tz: str = "Europe/London") -> SessionList:
    """Read any of the supported exports, telling them apart by their content."""
    zone = _zone(tz)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise CheckInputError(f"{name}, line {line}", "not UTF-8 text") from None
    if not text.strip():
        raise CheckInputError(name, "the file is empty")
    kind = detect_format(text, name)
    if kind == "x-ip-audit":
        return SessionList(kind, tuple(read_x_ip_audit(text, name=name, zone=zone)))
    if kind == "google-csv":
        kind, rows = read_google_csv(text, name=name, zone=zone)
        return SessionList(kind, tuple(rows))
    document = json.loads(text)
    if kind == "telegram":
        return SessionList(kind, tuple(read_telegram(document, name=name, zone=zone)))
    return SessionList(kind, tuple(read_meta(document, name=name, zone=zone, kind=kind)))


# --- her own devices and usual places ---------------------------------------------------------

def mark_key(text: str) -> str:
    """How a device or place is compared with the ones she marked: case and spaces ignored."""
    return " ".join(text.casefold().split())


def explain(sessions: Iterable[Session], own_devices: Iterable[str],
            usual_places: Iterable[str]) -> tuple[list[Session], list[Session]]:
    """(explained, unexplained): a session is explained when its device is one she marked as
    hers, or its place is one she marked as usual; every other session is unexplained."""
    devices = {mark_key(d) for d in own_devices}
    places = {mark_key(p) for p in usual_places}
    explained: list[Session] = []
    unexplained: list[Session] = []
    for session in sessions:
        mine = (session.device and mark_key(session.device) in devices) or (
            session.place and mark_key(session.place) in places)
        (explained if mine else unexplained).append(session)
    return explained, unexplained
