"""The write path of the checks (DESIGN.md "Shape"): every change takes the acting user, runs in
one transaction and writes its audit record; changes to a vault also go into its ledger
through ``cairn.vault.services.record_change``.

- ``load_indicators`` / ``fetch_indicators``: a new IndicatorSet from Echap's files;
  ``indicators_in_use``: the set in use, loading the one Cairn ships with on first use.
- ``stage_check`` / ``discard_check``: keep a checked file until she decides.
- ``save_app_finding`` / ``save_session_finding``: an incident (act ``d``, s.2A(3)(d)
  PHA 1997: monitoring electronic communications) with the checked file as its exhibit.
- ``mark_own`` / ``unmark_own``: her devices and usual places.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cairn.accounts.models import User
from cairn.audit import services as audit
from cairn.checks import bundled, phone
from cairn.checks import indicators as ioc
from cairn.checks import sessions as accounts
from cairn.checks.errors import CheckInputError
from cairn.checks.models import CheckKind, IndicatorSet, MarkKind, OwnMark, PendingCheck
from cairn.store import keys
from cairn.store.blobs import EmptyFile, StoreError, TooLarge, default_store
from cairn.vault import services as vault_services
from cairn.vault.choices import Channel, ExhibitSource
from cairn.vault.models import Exhibit, Incident, Vault
from cairn.web import timeframe

# Echap's public files, and GitHub's answer for the commit they are at.
RAW_BASE = "https://raw.githubusercontent.com/AssoEchap/stalkerware-indicators/master/"
INDICATOR_FILES = ("ioc.yaml", "watchware.yaml")
COMMITS_URL = "https://api.github.com/repos/AssoEchap/stalkerware-indicators/commits/master"
FETCH_TIMEOUT = 20
MONITORING_ACT = "d"  # PHA 1997 s.2A(3)(d)


class IndicatorsUnavailable(Exception):
    """The indicator data could not be fetched (offline, or the address did not answer)."""


# --- indicators ---------------------------------------------------------------------------------

def _require_operator(actor: User) -> None:
    if actor is None or not getattr(actor, "is_superuser", False):
        raise PermissionDenied("Only the operator can load indicator data")


def load_indicators(*, actor: User, files: Sequence[tuple[str, bytes]], source: str,
                    version: str = "", data_date: date | None = None,
                    replace: bool = False) -> IndicatorSet:
    """Load Echap's YAML files (``ioc.yaml``, ``watchware.yaml``) into the set in use.

    The new set holds the current set's files and these (a file of the same name replaces
    the older copy), unless ``replace``: then only these. Each file is named by ``version``
    (the upstream commit), else by its SHA-256; the set's version names every file in it.
    Bad data raises ValidationError naming the file and entry, and stores nothing.
    """
    _require_operator(actor)
    return _load(actor=actor, files=files, source=source, version=version,
                 data_date=data_date, replace=replace)


def _load(*, actor: User, files: Sequence[tuple[str, bytes]], source: str, version: str,
          data_date: date | None, replace: bool) -> IndicatorSet:
    if not files:
        raise ValidationError({"file": ["Give at least one indicator file"]})
    names = [name for name, _ in files]
    if len(set(names)) != len(names):
        raise ValidationError({"file": ["Give each indicator file once"]})
    loaded_files: list[dict[str, Any]] = []
    apps: list[dict[str, Any]] = []
    for name, data in files:
        try:
            parsed = ioc.parse_indicator_file(data, name=name)
        except CheckInputError as exc:
            raise ValidationError({"file": [str(exc)]}) from None
        sha256 = hashlib.sha256(data).hexdigest()
        loaded_files.append({
            "name": name, "version": version.strip() or f"sha256:{sha256[:12]}",
            "data_date": data_date.isoformat() if data_date else None, "sha256": sha256,
            "source": source[:300], "apps": len(parsed)})
        apps.extend({**app.as_plain(), "file": name} for app in parsed)
    with transaction.atomic():
        current = None if replace else IndicatorSet.objects.order_by("-loaded_at").first()
        if current is not None:
            kept = [f for f in current.files if f["name"] not in names]
            kept_names = {f["name"] for f in kept}
            apps = [a for a in current.apps if a.get("file") in kept_names] + apps
            loaded_files = kept + loaded_files
        loaded_files.sort(key=lambda f: f["name"])
        loaded = IndicatorSet.objects.create(
            source=source[:300], version=set_version(loaded_files)[:400],
            data_date=_oldest(loaded_files), sha256=_set_digest(loaded_files),
            app_count=len(apps), apps=apps, files=loaded_files, loaded_by=actor)
        audit.record(actor=actor, action="indicators.loaded", object_type="indicatorset",
                     object_id=loaded.pk, detail={"version": loaded.version,
                                                  "apps": len(apps), "files": names,
                                                  "replaced": replace})
    return loaded


def indicators_in_use(*, actor: User) -> IndicatorSet:
    """The set in use; on first use, the set that ships with Cairn (``cairn.checks.bundled``).

    Anyone signed in may cause the bundled set to load (it is the same reference data for
    everyone, and the audit record names who started it): a victim's first check must not be
    a dead end waiting for an operator. Loading anything else stays the operator's.
    """
    current = IndicatorSet.objects.order_by("-loaded_at").first()
    if current is not None:
        return current
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Sign in to check a phone")
    with transaction.atomic():
        # Looked for again inside the transaction (SQLite's IMMEDIATE transactions queue two
        # first checks, so the second finds the first's set; elsewhere two identical sets at
        # worst, and the newest is used).
        current = IndicatorSet.objects.order_by("-loaded_at").first()
        if current is not None:
            return current
        return _load(actor=actor, files=bundled.files(), source=bundled.SOURCE,
                     version=bundled.VERSION, data_date=bundled.DATA_DATE, replace=True)


def set_version(files: Sequence[dict[str, Any]]) -> str:
    """Every file of a set with its version: ``ioc.yaml a04c5c1, watchware.yaml a04c5c1``."""
    return ", ".join(f"{f['name']} {f['version']}" for f in files)


def _oldest(files: Sequence[dict[str, Any]]) -> date | None:
    dates = [date.fromisoformat(f["data_date"]) for f in files if f.get("data_date")]
    return min(dates) if dates else None


def _set_digest(files: Sequence[dict[str, Any]]) -> str:
    digest = hashlib.sha256()
    for entry in files:
        digest.update(bytes.fromhex(entry["sha256"]) if len(entry["sha256"]) == 64
                      else entry["sha256"].encode())
    return digest.hexdigest()


def _get(url: str) -> bytes:
    if not url.startswith("https://"):
        raise IndicatorsUnavailable(f"refusing to fetch {url}: only https:// addresses")
    request = urllib.request.Request(  # noqa: S310 - https only, checked above
        url, headers={"User-Agent": "cairn-indicators"})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as answer:  # noqa: S310
            return bytes(answer.read())
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise IndicatorsUnavailable(f"could not fetch {url} ({reason}); when offline, load a "
                                    "copy with --file") from None


def fetch_indicators(*, actor: User, base_url: str = RAW_BASE,
                     replace: bool = False) -> IndicatorSet:
    """Fetch Echap's files from the project's public address and load them, named by the
    upstream commit and its date when GitHub says them."""
    _require_operator(actor)
    files = [(name, _get(base_url + name)) for name in INDICATOR_FILES]
    version, data_date = _upstream_commit()
    return load_indicators(actor=actor, files=files, source=base_url, version=version,
                           data_date=data_date, replace=replace)


def _upstream_commit() -> tuple[str, date | None]:
    """The upstream commit's id and date, or ("", None) when GitHub does not say them: the
    files are what matter, and ``load_indicators`` then names the set by their SHA-256."""
    try:
        commit = json.loads(_get(COMMITS_URL))
        when = commit.get("commit", {}).get("committer", {}).get("date", "")
        return (str(commit.get("sha", ""))[:40],
                datetime.fromisoformat(when.replace("Z", "+00:00")).date() if when else None)
    except (IndicatorsUnavailable, ValueError, AttributeError):
        return "", None


def indicator_apps(indicator_set: IndicatorSet) -> list[ioc.StalkerwareApp]:
    return [ioc.StalkerwareApp.from_plain(item) for item in indicator_set.apps]


# --- checking -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class AppCheck:
    """The result of checking an app list: what it was, and what matched."""

    app_list: phone.AppList
    matches: list[ioc.Match]
    indicator_set: IndicatorSet


def check_apps(data: bytes, *, name: str, indicator_set: IndicatorSet,
               format: str = "auto") -> AppCheck:
    """Read and match an app list; nothing is stored. ValidationError names the line/field."""
    try:
        app_list = phone.read_app_list(data, name=name, format=format)
    except CheckInputError as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    return AppCheck(app_list, ioc.match_apps(app_list.apps, indicator_apps(indicator_set)),
                    indicator_set)


def check_accounts(data: bytes, *, name: str, tz: str) -> accounts.SessionList:
    try:
        return accounts.read_sessions(data, name=name, tz=tz)
    except CheckInputError as exc:
        raise ValidationError({"file": [str(exc)]}) from None


def stage_check(*, actor: User, vault: Vault, data: bytes, name: str, kind: str, format: str,
                indicator_set: IndicatorSet | None = None) -> PendingCheck:
    """Keep a checked file, encrypted in the vault's store, until she saves or discards it."""
    vault_services.require_owner(actor, vault)
    if kind not in CheckKind.values:
        raise ValidationError({"kind": ["Unknown kind of check"]})
    store = default_store()
    try:
        blob = store.put(str(vault.pk), io.BytesIO(data),
                         max_bytes=settings.CAIRN_MAX_UPLOAD_BYTES)
    except EmptyFile:
        raise ValidationError({"file": ["The selected file is empty"]}) from None
    except (TooLarge, StoreError) as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    try:
        with transaction.atomic():
            pending = PendingCheck(vault=vault, kind=kind, format=format,
                                   staged_sha256=blob.sha256, staged_created=blob.created,
                                   size=blob.size, indicator_set=indicator_set,
                                   created_by=actor)
            pending.source_name = _file_name(name)
            pending.save()
            audit.record(actor=actor, action="check.staged", object_type="pendingcheck",
                         object_id=pending.pk, vault_id=vault.pk, detail=pending.as_detail())
    except BaseException:
        _discard_blob(vault, blob.sha256, blob.created)
        raise
    return pending


def staged_bytes(pending: PendingCheck) -> bytes:
    return default_store().read(str(pending.vault_id), pending.staged_sha256)


def _file_name(name: str) -> str:
    return (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip() or "checked-file.txt"


def _discard_blob(vault: Vault, sha256: str, created: bool) -> None:
    if not created:
        return
    still_used = (Exhibit.objects.filter(vault=vault, sha256=sha256).exists()
                  or PendingCheck.objects.filter(vault=vault, staged_sha256=sha256).exists())
    if not still_used:
        default_store().delete(str(vault.pk), sha256)


def discard_check(*, actor: User, pending: PendingCheck) -> None:
    """Put a checked file aside: the row and (unless an exhibit shares it) the file go."""
    vault = pending.vault
    vault_services.require_owner(actor, vault)
    sha256, created = pending.staged_sha256, pending.staged_created
    with transaction.atomic():
        audit.record(actor=actor, action="check.discarded", object_type="pendingcheck",
                     object_id=pending.pk, vault_id=vault.pk, detail=pending.as_detail())
        pending.delete()
    _discard_blob(vault, sha256, created)


def _finding_incident(*, actor: User, vault: Vault, data: bytes, name: str, start: datetime,
                      description: str, source: str,
                      pending: PendingCheck | None = None) -> Incident:
    """The incident and its exhibit (the checked file, byte for byte), all or nothing; a
    pending check it came from is removed in the same transaction."""
    with transaction.atomic():
        incident = vault_services.log_incident(
            actor=actor, vault=vault, data=vault_services.IncidentInput(
                start=start, channel=Channel.OTHER_ONLINE, acts=[MONITORING_ACT],
                description=description))
        vault_services.add_exhibit(
            actor=actor, vault=vault, stream=io.BytesIO(data), original_name=_file_name(name),
            incident=incident, source=source, description="The file that was checked")
        if pending is not None:
            audit.record(actor=actor, action="check.saved", object_type="pendingcheck",
                         object_id=pending.pk, vault_id=vault.pk,
                         detail={**pending.as_detail(), "incident": incident.number})
            pending.delete()
    return incident


def describe_matches(matches: Sequence[ioc.Match], indicator_set: IndicatorSet,
                     format_label: str) -> str:
    """The incident's words for what the phone check found (no advice, just the facts)."""
    lines = [f"The phone check found {len(matches)} app{'s' if len(matches) != 1 else ''} "
             f"named in the stalkerware indicators, in {format_label}:"]
    for found in matches:
        lines.append(f"- {found.app} ({found.kind}): {found.item} ({found.where}), matched by "
                     f"{found.grade}"
                     + (" (a generic name, so a weak sign on its own)" if found.weak else ""))
    dated = f", dated {indicator_set.data_date:%d %B %Y}" if indicator_set.data_date else ""
    lines.append(f"Indicators: {ioc.CREDIT} ({ioc.LICENCE}), version "
                 f"{indicator_set.version}{dated}.")
    return "\n".join(lines)


def save_app_finding(*, actor: User, vault: Vault, data: bytes, name: str,
                     indicator_set: IndicatorSet, format: str = "auto",
                     source: str = ExhibitSource.UPLOAD,
                     pending: PendingCheck | None = None) -> Incident:
    """Save what an app list matched as an incident (act d), with the list as its exhibit.

    Raises ValidationError when the list is malformed or matches nothing: nothing is stored.
    """
    vault_services.require_owner(actor, vault)
    result = check_apps(data, name=name, indicator_set=indicator_set, format=format)
    if not result.matches:
        raise ValidationError({"check": ["Nothing in this list matched: there is nothing to "
                                         "save"]})
    description = describe_matches(result.matches, indicator_set,
                                   phone.FORMAT_LABELS[result.app_list.format])
    return _finding_incident(actor=actor, vault=vault, data=data, name=name,
                             start=timezone.now(), description=description, source=source,
                             pending=pending)


def save_staged_app_finding(*, actor: User, pending: PendingCheck) -> Incident:
    """``save_app_finding`` for a checked list kept from the page, matched again against the
    set it was checked with, so what is saved is what she was shown."""
    vault_services.require_owner(actor, pending.vault)
    if pending.kind != CheckKind.APPS or pending.indicator_set is None:
        raise ValidationError({"check": ["This is not a phone check"]})
    return save_app_finding(actor=actor, vault=pending.vault, data=staged_bytes(pending),
                            name=pending.source_name, indicator_set=pending.indicator_set,
                            format=pending.format, pending=pending)


def save_session_finding(*, actor: User, vault: Vault, data: bytes, name: str,
                         wheres: Sequence[str] | None, source: str = ExhibitSource.UPLOAD,
                         pending: PendingCheck | None = None) -> Incident:
    """Save unexplained sessions (those named by their ``where``, or all of them when
    ``wheres`` is None) as one incident (act d) with the export as its exhibit. The incident
    starts at the earliest of them."""
    vault_services.require_owner(actor, vault)
    found = check_accounts(data, name=name, tz=vault.time_zone)
    _, unexplained = accounts.explain(found.sessions, *own_marks(vault))
    chosen = [s for s in unexplained if wheres is None or s.where in set(wheres)]
    if not chosen:
        raise ValidationError({"sessions": ["Choose at least one sign-in you do not "
                                            "recognise"]})
    times = [s.at for s in chosen if s.at is not None]
    sources = sorted({s.source for s in chosen})
    lines = [f"Sign-ins to my {' and '.join(sources)} account that I do not recognise "
             f"({accounts.FORMAT_LABELS.get(found.format, found.format)}):"]
    zone = timeframe.zone(vault.time_zone)
    for s in chosen:
        when = timeframe.instant_words(s.at, zone) if s.at else "Time not known"
        details = ", ".join(p for p in (s.ip and f"IP address {s.ip}", s.place, s.device,
                                        s.app) if p)
        lines.append(f"- {when}: {details or 'no details in the export'} "
                     f"({entry_words(s.where)})")
    return _finding_incident(actor=actor, vault=vault, data=data, name=name,
                             start=min(times) if times else timezone.now(),
                             description="\n".join(lines), source=source, pending=pending)


def entry_words(where: str) -> str:
    """Where a sign-in is in the export, in words: "entry 3 in the file" (never a field path
    such as ``account_activity[2]``); a line number stays as it is."""
    match = re.search(r"\[(\d+)\]$", where)
    if match:
        return f"entry {int(match[1]) + 1} in the file"
    return where


def save_staged_session_finding(*, actor: User, pending: PendingCheck,
                                wheres: Sequence[str]) -> Incident:
    vault_services.require_owner(actor, pending.vault)
    if pending.kind != CheckKind.ACCOUNTS:
        raise ValidationError({"check": ["This is not an account review"]})
    return save_session_finding(actor=actor, vault=pending.vault, data=staged_bytes(pending),
                                name=pending.source_name, wheres=wheres, pending=pending)


# --- her devices and places ---------------------------------------------------------------------

def own_marks(vault: Vault) -> tuple[list[str], list[str]]:
    """(her devices, her usual places) as she marked them."""
    marks = list(OwnMark.objects.filter(vault=vault))
    return ([m.value for m in marks if m.kind == MarkKind.DEVICE],
            [m.value for m in marks if m.kind == MarkKind.PLACE])


def mark_own(*, actor: User, vault: Vault, kind: str, value: str) -> OwnMark:
    """Mark a device as hers or a place as usual (once; marking again changes nothing)."""
    vault_services.require_owner(actor, vault)
    value = " ".join((value or "").split())
    if kind not in MarkKind.values:
        raise ValidationError({"kind": ["Choose a device or a place"]})
    if not value:
        raise ValidationError({"value": ["There is nothing to mark"]})
    lookup = keys.blind_index(vault.pk, f"{kind}\x00{accounts.mark_key(value)}")
    with transaction.atomic():
        existing = OwnMark.objects.filter(vault=vault, kind=kind, lookup=lookup).first()
        if existing is not None:
            return existing
        mark = OwnMark(vault=vault, kind=kind, lookup=lookup)
        mark.value = value
        mark.save()
        vault_services.record_change(actor=actor, vault=vault, action="check.marked",
                                     obj=mark, content={"id": str(mark.pk), "kind": kind,
                                                        "value": value},
                                     detail={"kind": kind})
    return mark


def unmark_own(*, actor: User, mark: OwnMark) -> None:
    vault = mark.vault
    vault_services.require_owner(actor, vault)
    with transaction.atomic():
        vault_services.record_change(actor=actor, vault=vault, action="check.unmarked",
                                     obj=mark, content=None, detail={"kind": mark.kind})
        mark.delete()
