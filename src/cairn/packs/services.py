"""Building a pack from a vault: read what the pure builder needs, then write it atomically.

``build_pack`` is the one entry point (CLI, web page, background task). It reads the vault
once (``take_snapshot``), cuts it down to the selection, signs a tree head for the log as it
stands (or reuses the head already signed at this size, so building twice gives the same
proofs), gathers the included entries with their inclusion proofs and the canonical records
they hash, renders the PDF, and writes the bag to a temporary name beside ``out`` before
renaming it, so a failed build leaves nothing half-written. The build is audited (who, what
counts), but is not itself a ledger entry: that would change the log, and with it the proofs,
every time.

Which entries a pack carries: every entry about a disclosed incident, exhibit or person, and
the vault's first entry. Which records: the current content of each of those objects, which
must hash to its latest entry's ``content_sha256`` (the build stops if not: the vault would
fail ``cairn verify``).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from cairn.accounts.models import User
from cairn.audit import services as audit
from cairn.ledger import log as ledger
from cairn.ledger import merkle, signing
from cairn.ledger.models import LedgerEntry
from cairn.packs import crypt
from cairn.packs.bag import BagWriter
from cairn.packs.builder import (
    IncludedEntry,
    LogMaterial,
    PackBuildError,
    Progress,
    Record,
    entries_about,
    wanted_objects,
    write_bag,
)
from cairn.packs.head import HeadInfo
from cairn.packs.selection import Disclosed, Selection, resolve
from cairn.store.blobs import default_store
from cairn.vault import services as vault_services
from cairn.vault.models import Exhibit, Incident, Person, Vault
from cairn.vault.snapshot import ExhibitSnapshot, VaultSnapshot
from cairn.vault.snapshot_loader import take_snapshot

STATEMENT_CHOICES = ("none", "saved", "draft")


@dataclass(frozen=True)
class PackResult:
    path: Path
    incidents: int
    exhibits: int
    entries: int
    omitted_entries: int
    size: int
    encrypted: bool


def build_pack(*, actor: User, vault: Vault, selection: Selection, out: Path,
               recipients: Iterable[str] = (), passphrase: str | None = None,
               statement: str = "none", now: datetime | None = None,
               progress: Progress | None = None,
               # Any: a cases.Case and its cases.access scope; cases sit above packs.
               case: Any = None, scope: Any = None) -> PackResult:
    """Build the pack for ``selection`` at ``out``.

    ``out`` ending in ``.zip`` gives a zipped bag; ``.age`` a zipped bag encrypted with age
    to ``recipients`` (X25519 ``age1...`` keys) and/or ``passphrase``; anything else a
    folder (which must not exist yet, or be empty).

    ``statement``: "none" (the default: a statement draft may be disclosed to the defence,
    so it goes into a pack only when she chooses), "saved" (her corrected draft, which may
    mention incidents a partial pack leaves out) or "draft" (a fresh draft of the disclosed
    incidents only).

    ``case`` and ``scope``: an officer builds the pack of what the vault's owner shared with
    that case (the SPO application's download); ``scope`` is what the officer may read of the
    vault for the case (``cairn.cases.access.scope_for(actor, vault, case)``: cases sit above
    packs, so the caller reads it) and ``selection`` must lie within it.
    """
    _check_builder(actor, vault, selection, case, scope)
    out = Path(out)
    recipients = [r.strip() for r in recipients if r.strip()]
    encrypt = out.suffix == ".age"
    if encrypt and not recipients and not passphrase:
        raise PackBuildError("an encrypted pack (.age) needs a recipient's key or a passphrase")
    if (recipients or passphrase) and not encrypt:
        raise PackBuildError("to encrypt the pack, give an output name ending in .age")
    if out.exists() and (out.is_file() or any(out.iterdir())):
        raise PackBuildError(f"{out.name} already exists; choose another name")
    parsed_recipients = crypt.parse_recipients(recipients)
    built_at = (now or timezone.now()).replace(microsecond=0)

    snapshot = take_snapshot(vault, now=built_at)
    disclosed = resolve(snapshot, selection)
    if statement not in STATEMENT_CHOICES:
        raise PackBuildError(f"statement must be one of {', '.join(STATEMENT_CHOICES)}")

    material = _log_material(vault, disclosed)
    pdf = _render_pdf(actor, vault, disclosed, material, statement=statement,
                      built_at=built_at)
    store = default_store()

    def open_exhibit(exhibit: ExhibitSnapshot) -> Iterable[bytes]:
        return store.iter_bytes(str(vault.pk), exhibit.sha256)

    parent = out.parent
    parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".cairn-pack-", dir=parent))
    try:
        zipped = out.suffix in (".zip", ".age")
        target = work / ("bag.zip" if zipped else "bag")
        writer = BagWriter(target, zip_prefix=_bag_name(out) if zipped else None)
        try:
            index = write_bag(writer, disclosed, material, pdf=pdf, open_exhibit=open_exhibit,
                              built_at=built_at, progress=progress)
        except BaseException:
            writer.abort()
            raise
        if encrypt:
            if progress is not None:
                progress("encrypting", 0, 1)
            sealed = work / "bag.zip.age"
            crypt.encrypt_file(target, sealed, parsed_recipients, passphrase)
            target = sealed
        if out.exists():
            out.rmdir()
        os.replace(target, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    size = out.stat().st_size if out.is_file() else sum(
        p.stat().st_size for p in out.rglob("*") if p.is_file())
    with transaction.atomic():
        audit.record(actor=actor, action="pack.built", object_type="vault",
                     object_id=vault.pk, vault_id=vault.pk, detail={
                         "incidents": len(disclosed.snapshot.incidents),
                         "exhibits": len(index["exhibits"]),
                         "entries": len(index["entries"]),
                         "log_size": material.head.size, "encrypted": encrypt,
                         **({"case": str(case.pk)} if case is not None else {})})
    return PackResult(path=out, incidents=len(disclosed.snapshot.incidents),
                      exhibits=len(index["exhibits"]), entries=len(index["entries"]),
                      omitted_entries=index["omitted_entries"], size=size, encrypted=encrypt)


def _check_builder(actor: User, vault: Vault, selection: Selection,
                   case: Any, scope: Any) -> None:  # Any: as in build_pack
    """The owner builds any pack of her vault. An officer builds one for ``case`` only of
    what the owner shares with it (``scope``): anything beyond the scope is refused as if
    the vault were not there."""
    if case is None:
        vault_services.require_owner(actor, vault)
        return
    if scope is None:
        raise ValueError("a pack for a case needs the officer's scope of the vault")
    if scope.empty or (not scope.everything and (
            selection.incident_ids is None or selection.exhibit_ids is None)):
        raise Http404("No such vault")
    if scope.everything:
        return
    incidents = {str(pk) for pk in scope.incident_ids}
    exhibits = {str(pk) for pk in scope.exhibit_ids} | {str(pk) for pk in Exhibit.objects.filter(
        vault=vault, incident_id__in=scope.incident_ids).values_list("pk", flat=True)}
    if not (selection.incident_ids or frozenset()) <= incidents or \
            not (selection.exhibit_ids or frozenset()) <= exhibits or \
            not selection.also <= exhibits or \
            not set(selection.redacted.values()) <= exhibits:
        raise Http404("No such vault")


def _bag_name(out: Path) -> str:
    name = out.name
    for suffix in (".age", ".zip"):
        name = name.removesuffix(suffix)
    return name or "pack"


# --- the log ----------------------------------------------------------------------------------

def _log_material(vault: Vault, disclosed: Disclosed) -> LogMaterial:
    head = ledger.sign_head(vault)
    rows = list(LedgerEntry.objects.filter(vault=vault, seq__lt=head.size).order_by("seq")
                .values_list("seq", "entry", "leaf_hash"))
    tree = merkle.MerkleTree(bytes(leaf) for _, _, leaf in rows)
    root = bytes(head.root_hash)
    if len(rows) != head.size or tree.root(head.size) != root:
        raise PackBuildError("the vault's log does not match its signed head; run "
                             "`cairn verify`")

    raw_entries = {seq: bytes(entry) for seq, entry, _ in rows}
    vault_first, by_object = entries_about(
        ((seq, json.loads(raw)) for seq, raw in raw_entries.items()), str(vault.pk),
        wanted_objects(disclosed.snapshot))
    carried = [seq for found in by_object.values() for seq, _ in found]
    carried += [vault_first[0]] if vault_first is not None else []
    entries = {seq: raw_entries[seq] for seq in carried}

    records = [_vault_record(vault, vault_first)]
    records += _records(vault, disclosed, by_object)
    token = bytes(head.timestamp_token) if head.timestamp_token is not None else None
    info = HeadInfo(vault_id=str(vault.pk), size=head.size, root=root.hex(),
                    timestamp=head.timestamp, key_fingerprint=head.key_fingerprint,
                    token_sha256=ledger.token_digest(token), included_entries=len(entries),
                    **_stamp_facts(token, ledger.stamped_bytes(head)))
    key = signing.instance_key()
    if key.fingerprint() != head.key_fingerprint:
        raise PackBuildError("the log's latest head was signed with a key this instance no "
                             "longer holds")
    return LogMaterial(
        head=info, signature=bytes(head.signature), public_key_pem=key.public_pem(),
        token=token,
        entries=tuple(IncludedEntry(seq, raw, tuple(tree.inclusion_proof(seq, head.size)))
                      for seq, raw in sorted(entries.items())),
        records=tuple(records),
        sign=key.sign,
        tsa_cert_pem=_read_setting_file("CAIRN_TSA_CERT_FILE"),
        tsa_ca_pem=_read_setting_file("CAIRN_TSA_CA_FILE"),
    )


def _stamp_facts(token: bytes | None, stamped: bytes) -> dict[str, str | None]:
    """The time and authority a head's token attests, when the instance can check it."""
    cert = _read_setting_file("CAIRN_TSA_CERT_FILE")
    if token is None or cert is None:
        return {}
    from cairn.ledger.timestamping import TimestampError, verify_timestamp

    try:
        facts = verify_timestamp(token, stamped, tsa_certificate_pem=cert,
                                 ca_certificates_pem=_read_setting_file("CAIRN_TSA_CA_FILE"))
    except TimestampError:
        return {}
    return {"tsa_time": ledger.rfc3339(facts.gen_time), "tsa_name": facts.tsa_name}


def _read_setting_file(name: str) -> bytes | None:
    path = getattr(settings, name, "")
    return Path(path).read_bytes() if path else None


def _vault_record(vault: Vault, first: tuple[int, dict[str, Any]] | None) -> Record:
    content = {"id": str(vault.pk), "initials": vault.initials, "time_zone": vault.time_zone,
               "jurisdiction": vault.jurisdiction}
    if first is None or first[1].get("content_sha256") != ledger.content_hash(content):
        raise PackBuildError("the vault's record differs from its first log entry; run "
                             "`cairn verify`")
    return Record("vault", str(vault.pk), first[0], content)


def _records(vault: Vault, disclosed: Disclosed,
             by_object: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]]) -> list[Record]:
    snapshot = disclosed.snapshot
    contents: dict[tuple[str, str], Callable[[], dict[str, Any]]] = {}
    incidents = Incident.objects.filter(vault=vault, pk__in=[i.id for i in snapshot.incidents]
                                        ).prefetch_related("persons")
    for incident in incidents:
        contents[("incident", str(incident.pk))] = partial(vault_services.incident_content,
                                                           incident)
    for exhibit in Exhibit.objects.filter(vault=vault, pk__in=[e.id for e in snapshot.exhibits]):
        contents[("exhibit", str(exhibit.pk))] = partial(vault_services.exhibit_content, exhibit)
    for person in Person.objects.filter(vault=vault, pk__in=[p.id for p in snapshot.persons]
                                        ).prefetch_related("identifiers"):
        contents[("person", str(person.pk))] = partial(vault_services.person_content, person)
    records = []
    for key in sorted(contents):
        recorded = by_object.get(key)
        content = contents[key]()
        if not recorded:
            raise PackBuildError(f"{key[0]} {_label(key, snapshot)} is not in the log; run "
                                 "`cairn verify`")
        seq, body = recorded[-1]
        if body.get("content_sha256") != ledger.content_hash(content):
            raise PackBuildError(f"{key[0]} {_label(key, snapshot)} differs from its latest "
                                 "log entry; run `cairn verify`")
        records.append(Record(key[0], key[1], seq, content))
    return records


def _label(key: tuple[str, str], snapshot: VaultSnapshot) -> str:
    for incident in snapshot.incidents:
        if key == ("incident", incident.id):
            return str(incident.number)
    for exhibit in snapshot.exhibits:
        if key == ("exhibit", exhibit.id):
            return str(exhibit.reference)
    return key[1][:8]


# --- the PDF ----------------------------------------------------------------------------------

def _render_pdf(actor: User, vault: Vault, disclosed: Disclosed, material: LogMaterial, *,
                statement: str, built_at: datetime) -> bytes:
    from cairn.analysis.base import THIRD_PERSON
    from cairn.analysis.engine import analyse_people
    from cairn.packs import statement_access
    from cairn.packs.document import build_document
    from cairn.packs.pdf import render_pdf
    from cairn.packs.statement import draft_statement

    analysis = analyse_people(disclosed.snapshot, now=built_at, voice=THIRD_PERSON)
    if statement == "saved":
        saved = statement_access.latest_statement(actor, vault)
        text = saved if saved is not None else draft_statement(disclosed.snapshot)
    elif statement == "draft":
        text = draft_statement(disclosed.snapshot)
    else:
        text = ""
    user_ids = {e.added_by for e in disclosed.snapshot.exhibits}
    continuity = {str(u.pk): str(u) for u in User.objects.filter(pk__in=user_ids)}
    document = build_document(disclosed, analysis, material.head, statement=text,
                              built_at=built_at,
                              omitted_entries=material.head.size - len(material.entries),
                              continuity=continuity)
    return render_pdf(document)


# --- choosing ---------------------------------------------------------------------------------

def selection_for(vault: Vault, chosen: tuple[set[int], set[str]] | None, *,
                  use_redacted: bool = False, with_originals: bool = False) -> Selection:
    """A ``Selection`` from incident numbers and exhibit references (None: everything).

    Everything is every exhibit of the vault. Otherwise an exhibit attached to a chosen
    incident comes with it (each derived copy with its original, ``selection.resolve``), a
    named exhibit comes on its own, and with ``with_originals`` so does the original file
    each chosen incident was imported from (a chat export holds every message in it, also
    those behind incidents left out: so only when she asks). With ``use_redacted``, each
    exhibit that has a redacted copy is carried as its latest copy.
    """
    from cairn.packs.selection import SelectionError
    from cairn.vault import access

    owner = vault.owner
    incidents = access.incidents_readable_by(owner, vault).filter(deleted_at__isnull=True)
    exhibits = access.exhibits_readable_by(owner, vault)
    redacted: dict[str, str] = {}
    if use_redacted:
        copies = exhibits.filter(derived_from__isnull=False).order_by("number")
        for original_id, copy_id in copies.values_list("derived_from_id", "id"):
            redacted[str(original_id)] = str(copy_id)  # the latest copy wins
    if chosen is None:
        return Selection(None, None, redacted)
    numbers, references = chosen
    found = dict(incidents.filter(number__in=numbers).values_list("number", "id"))
    missing = sorted(numbers - found.keys())
    if missing:
        raise SelectionError("no incident " + ", ".join(map(str, missing[:10]))
                             + " in this vault")
    named = dict(exhibits.filter(reference__in=references).values_list("reference", "id"))
    unknown = sorted(references - named.keys())
    if unknown:
        raise SelectionError("no exhibit " + ", ".join(unknown[:10]) + " in this vault")
    also = {str(pk) for pk in named.values()}
    if with_originals:
        also |= import_originals(vault, found.values())
    return Selection(frozenset(str(pk) for pk in found.values()), None, redacted,
                     frozenset(also))


def import_originals(vault: Vault, incident_ids: Iterable[Any]) -> set[str]:
    """The exhibits holding the original files the given incidents were imported from."""
    from cairn.importers.access import batches_readable_by

    batches = batches_readable_by(vault.owner, vault).filter(
        proposals__incident__in=list(incident_ids))
    return {str(pk) for pk in batches.values_list("source_exhibit_id", flat=True).distinct()}


@dataclass(frozen=True)
class Preview:
    """What a pack will hold, counted by the same rules that build it, beside what the log
    holds: the page shows both, so that nothing is left out without her seeing it."""

    incidents: int
    exhibits: int
    redacted: int  # originals withheld, each replaced by its redacted copy
    entries: int
    log_size: int
    bytes: int
    incidents_in_log: int
    exhibits_in_log: int
    unlinked: int  # exhibits in the pack that are linked to no incident (import originals...)


def preview_counts(actor: User, vault: Vault, selection: Selection) -> Preview:
    """What a pack of ``selection`` would hold, without building it (no head is signed)."""
    vault_services.require_owner(actor, vault)
    whole = take_snapshot(vault)
    disclosed = resolve(whole, selection)
    snapshot = disclosed.snapshot
    rows = [(seq, json.loads(bytes(raw))) for seq, raw in
            LedgerEntry.objects.filter(vault=vault).order_by("seq").values_list("seq", "entry")]
    first, by_object = entries_about(rows, str(vault.pk), wanted_objects(snapshot))
    entries = (first is not None) + sum(len(found) for found in by_object.values())
    return Preview(incidents=len(snapshot.incidents), exhibits=len(snapshot.exhibits),
                   redacted=len(disclosed.substitutions), entries=entries, log_size=len(rows),
                   bytes=sum(e.size for e in snapshot.exhibits),
                   incidents_in_log=len(whole.incidents), exhibits_in_log=len(whole.exhibits),
                   unlinked=sum(e.incident_id is None for e in snapshot.exhibits))
