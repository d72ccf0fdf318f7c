"""The analysis kept, not redone (issue 19, ADR 0045).

Two things are kept, both sealed with the vault's key:

- **What each incident's words show** (``IncidentFacts``, from ``cairn.analysis.derived``):
  read once per incident revision and rules version. ``derived_facts`` returns them for a
  snapshot's incidents, reading and keeping only those missing or stale.
- **The last analysis** (``KeptAnalysis``) of a vault for one reader and scope (her own pages
  and command line; an officer's view of what she shares), with the ledger size and the time
  it was worked out at. ``people_analysis`` returns it while it is still valid, and otherwise
  takes a snapshot, works the analysis out (reading only the words not read before) and keeps
  it. It is valid while the ledger has the same size (every change to a vault appends an
  entry), the analysis code, the scope, the answers, the form and the zone are the same, and
  for ``KEPT_FOR`` after it was worked out, since some findings depend on the time.

Neither is evidence, so neither has a ledger entry or an audit record; a read of her content
by someone else is still audited by the caller. Deleting an incident deletes its facts and the
vault's kept analyses (``cairn.analysis.signals.forget_incident``), so no words of it
survive there.
"""

from __future__ import annotations

import base64
import gc
import hashlib
import io
import logging
import pickle
import zlib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from cairn.analysis import derived
from cairn.analysis.engine import PeopleAnalysis, analyse_people, to_json_text
from cairn.analysis.models import IncidentFacts, KeptAnalysis
from cairn.analysis.questionnaire import FormDefinition
from cairn.ledger.models import LedgerState
from cairn.store.crypto import CryptoError
from cairn.store.sealed import row_context, seal, unseal, unseal_row
from cairn.vault.models import Vault
from cairn.vault.snapshot import IncidentSnapshot, VaultSnapshot

logger = logging.getLogger(__name__)

# How long a kept analysis stands for "now": how long it has been quiet, whether that is a
# lull, the weeks and months the charts run to and the cameras still worth asking all move
# with the clock, not only with the log.
KEPT_FOR = timedelta(hours=1)
OWNER = "owner"  # the scope of her own pages and command line: the whole vault


# --- what each incident's words show ----------------------------------------------------------


def derived_facts(
    vault: Vault, incidents: Sequence[IncidentSnapshot]
) -> dict[str, derived.Derived]:
    """The facts of each incident's words: kept ones where the revision, the rules and the
    words are the same, read now (and kept) for the rest."""
    version = derived.version()
    wanted = {i.id: i for i in incidents}
    kept: dict[str, derived.Derived] = {}
    rows = IncidentFacts.objects.filter(vault=vault, version=version).values_list(
        "id", "incident_id", "revision", "sealed"
    )
    for pk, incident_id, revision, sealed in rows.iterator(2000):
        incident = wanted.get(str(incident_id))
        if incident is None or incident.revision != revision:
            continue
        values = unseal_row(IncidentFacts, pk, vault.pk, sealed)
        if values.get("digest") == derived.inputs_digest(incident):
            kept[incident.id] = derived.from_plain(values["facts"])
    missing = [i for i in incidents if i.id not in kept]
    if missing:
        kept.update(_read_and_keep(vault, version, missing))
    return kept


def _read_and_keep(
    vault: Vault, version: str, incidents: Sequence[IncidentSnapshot]
) -> dict[str, derived.Derived]:
    found = {i.id: derived.derive(i) for i in incidents}
    rows = []
    for incident in incidents:
        row = IncidentFacts(
            vault_id=vault.pk, incident_id=incident.id, revision=incident.revision, version=version
        )
        row.facts = derived.to_plain(found[incident.id])
        row.digest = derived.inputs_digest(incident)
        row.reseal()
        rows.append(row)
    with transaction.atomic():
        # Facts of earlier revisions, or of other rules, will not be read again.
        for start in range(0, len(rows), 500):
            IncidentFacts.objects.filter(
                incident_id__in=[r.incident_id for r in rows[start : start + 500]]
            ).delete()
        IncidentFacts.objects.filter(vault=vault).exclude(version=version).delete()
        IncidentFacts.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return found


# --- the last analysis ------------------------------------------------------------------------


def people_analysis(
    vault: Vault,
    *,
    snapshot: Callable[[], VaultSnapshot],
    now: datetime | None = None,
    voice: str,
    scope: str = OWNER,
    form: FormDefinition | None = None,
    answers: Mapping[str, Any] | None = None,
    answers_id: Any = None,
) -> PeopleAnalysis:
    """The analysis of ``vault`` for one reader (``voice``) and ``scope`` (``OWNER``, or a
    digest of what is shared, see ``scope_key``): the kept one while it is valid, else worked
    out from ``snapshot()`` and kept. ``now`` None means the present; a kept analysis worked
    out at most ``KEPT_FOR`` before it stands for it. ``answers_id`` names the row the
    ``answers`` come from."""
    return _analysis(vault, snapshot, now, voice, scope, form, answers, answers_id)[0]


def people_json(
    vault: Vault,
    *,
    snapshot: Callable[[], VaultSnapshot],
    now: datetime | None = None,
    voice: str,
    scope: str = OWNER,
    form: FormDefinition | None = None,
    answers: Mapping[str, Any] | None = None,
    answers_id: Any = None,
) -> str:
    """``people_analysis`` as the JSON text ``cairn analyse --json`` prints
    (``engine.to_json_text``), kept with the analysis once made."""
    result, row = _analysis(vault, snapshot, now, voice, scope, form, answers, answers_id)
    kept_text = _unsealed(vault, row, bytes(row.text)) if row.text else None
    if isinstance(kept_text, str):
        return kept_text
    text = to_json_text(result)
    KeptAnalysis.objects.filter(pk=row.pk, analysed_at=row.analysed_at).update(
        text=_sealed(vault, row.pk, text)
    )
    return text


def _analysis(
    vault: Vault,
    snapshot: Callable[[], VaultSnapshot],
    now: datetime | None,
    voice: str,
    scope: str,
    form: FormDefinition | None,
    answers: Mapping[str, Any] | None,
    answers_id: Any,
) -> tuple[PeopleAnalysis, KeptAnalysis]:
    asked = now
    now = now or timezone.now()
    key = hashlib.sha256(f"{scope}\0{voice}".encode()).hexdigest()
    inputs = hashlib.sha256(
        "\0".join(
            (
                vault.time_zone,
                vault.jurisdiction,
                f"{form.id}@{form.version}" if form else "",
                str(answers_id or ""),
            )
        ).encode()
    ).hexdigest()
    # The size before the snapshot: a change made while it is taken leaves the kept analysis
    # older than the log, so the next reader works it out again.
    size = _ledger_size(vault)
    row = KeptAnalysis.objects.filter(vault=vault, key=key).first()
    if (
        row is not None
        and row.ledger_size == size
        and row.version == analysis_version()
        and row.inputs == inputs
        and _stands_for(row.analysed_at, now, exact=asked)
    ):
        result = _unsealed(vault, row, bytes(row.result))
        if isinstance(result, PeopleAnalysis):
            return result, row
    taken = snapshot()
    result = analyse_people(
        taken,
        now=now,
        form=form,
        answers=answers,
        voice=voice,
        derived=derived_facts(vault, taken.incidents),
    )
    return result, _keep(vault, key, size=size, inputs=inputs, now=now, result=result)


def _stands_for(analysed_at: datetime, now: datetime, *, exact: datetime | None) -> bool:
    if exact is not None:
        return analysed_at == exact
    return timedelta(0) <= now - analysed_at < KEPT_FOR


def _ledger_size(vault: Vault) -> int:
    return LedgerState.objects.filter(vault=vault).values_list("size", flat=True).first() or 0


def scope_key(incident_ids: Sequence[Any], exhibit_ids: Sequence[Any]) -> str:
    """The scope of a share, as the incidents and exhibits it lets a reader see."""
    text = ",".join(sorted(map(str, incident_ids))) + ";" + ",".join(sorted(map(str, exhibit_ids)))
    return "shared:" + hashlib.sha256(text.encode()).hexdigest()


def _keep(
    vault: Vault, key: str, *, size: int, inputs: str, now: datetime, result: PeopleAnalysis
) -> KeptAnalysis:
    with transaction.atomic():
        # Analyses of a smaller log can never be read again (the log only grows).
        KeptAnalysis.objects.filter(vault=vault, ledger_size__lt=size).delete()
        row = KeptAnalysis.objects.filter(vault=vault, key=key).first() or KeptAnalysis(
            vault=vault, key=key
        )
        row.ledger_size, row.version, row.inputs, row.analysed_at = (
            size,
            analysis_version(),
            inputs,
            now,
        )
        row.result, row.text = _sealed(vault, row.pk, result), None
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            # Another reader kept this analysis first: theirs stands, and this reader's result
            # is returned unsaved (people_json's update of an unsaved row matches nothing).
            return row
    return row


def _sealed(vault: Vault, pk: Any, value: Any) -> bytes:
    """A value pickled, compressed and sealed like the vault's text, bound to its row."""
    packed = zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), 1)
    return seal(
        vault.pk, row_context(KeptAnalysis, pk), {"kept": base64.b64encode(packed).decode("ascii")}
    )


def _unsealed(vault: Vault, row: KeptAnalysis, blob: bytes) -> Any:
    """The value kept, or None when it cannot be read (it is then worked out again: a kept
    analysis is a copy, never the record)."""
    # Tens of thousands of objects at once: the collector's passes over them while they are
    # made cost twice the making (it runs again as usual afterwards).
    collecting = gc.isenabled()
    gc.disable()
    try:
        values = unseal(vault.pk, row_context(KeptAnalysis, row.pk), blob)
        packed = zlib.decompress(base64.b64decode(values["kept"]))
        return _Unpickler(io.BytesIO(packed)).load()
    except (
        CryptoError,
        pickle.UnpicklingError,
        zlib.error,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        EOFError,
    ) as exc:
        logger.warning(
            "A kept analysis could not be read (%s); it is worked out again.", type(exc).__name__
        )
        return None
    finally:
        if collecting:
            gc.enable()


class _Unpickler(pickle.Unpickler):
    """Loads only the analysis's own dataclasses and the plain types they hold.

    A kept analysis is authenticated (AES-GCM with the vault's key, bound to its row), so only
    Cairn could have written it; this list is a second wall: no other class can be named."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _PLAIN or (
            module.startswith("cairn.analysis.") and name in _analysis_types().get(module, ())
        ):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"a kept analysis may not hold {module}.{name}")


_PLAIN = frozenset(
    {
        ("datetime", "datetime"),
        ("datetime", "date"),
        ("datetime", "timezone"),
        ("datetime", "timedelta"),
        ("collections", "defaultdict"),
        ("builtins", "list"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("builtins", "dict"),
        ("builtins", "tuple"),
        ("zoneinfo", "ZoneInfo"),
        ("zoneinfo._zoneinfo", "ZoneInfo"),
    }
)


@cache
def _analysis_types() -> dict[str, frozenset[str]]:
    """The dataclasses of the analysis's modules, by module."""
    import dataclasses
    import importlib

    found: dict[str, frozenset[str]] = {}
    for path in sorted(Path(__file__).parent.glob("*.py")):
        name = f"cairn.analysis.{path.stem}"
        if path.stem in {
            "kept",
            "models",
            "views",
            "services",
            "access",
            "reading",
            "forms",
            "apps",
            "urls",
            "__init__",
        }:
            continue
        module = importlib.import_module(name)
        found[name] = frozenset(
            key
            for key, value in vars(module).items()
            if isinstance(value, type)
            and dataclasses.is_dataclass(value)
            and value.__module__ == name
        )
    return found


@cache
def analysis_version() -> str:
    """A digest of the analysis's code and the rules its words are read with: a kept analysis
    made by other code is worked out again."""
    digest = hashlib.sha256(derived.version().encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for path in sorted((Path(__file__).parent / "forms").glob("*")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:32]


# --- forgetting ------------------------------------------------------------------------------
