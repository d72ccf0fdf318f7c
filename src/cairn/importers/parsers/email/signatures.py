"""DKIM signatures of e-mail, checked against archived keys or keys looked up once
each (pure, no Django)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage

import dkim  # type: ignore[import-untyped]


@dataclass(frozen=True)
class DkimKey:
    """A DKIM key as archived: the DNS TXT record's bytes, and when it was fetched."""

    record: bytes
    fetched_at: datetime | None = None


DKIM_PASS, DKIM_FAIL, DKIM_NOT_VERIFIED = "pass", "fail", "not verified"


KeyLookup = Callable[[str], bytes | None]


ArchivedKeys = bytes | DkimKey | Iterable[DkimKey]


class DkimResult:
    """The outcome of checking a message's DKIM signatures."""

    __slots__ = ("detail", "status")

    def __init__(self, status: str, detail: str) -> None:
        self.status = status
        self.detail = detail

    def __repr__(self) -> str:
        return f"DkimResult({self.status!r}, {self.detail!r})"


def _key_name(name: str | bytes) -> str:
    if isinstance(name, bytes):
        name = name.decode("ascii", "replace")
    return name.strip().rstrip(".").lower()


def archived_keys(keys: Mapping[str, ArchivedKeys]) -> dict[str, tuple[DkimKey, ...]]:
    """Archived keys by lower-case name, each name's records in the order given."""
    found: dict[str, list[DkimKey]] = {}
    for name, value in keys.items():
        if isinstance(value, bytes | bytearray):
            records: Iterable[DkimKey] = [DkimKey(bytes(value))]
        elif isinstance(value, DkimKey):
            records = [value]
        else:
            records = value
        known = found.setdefault(_key_name(name), [])
        for record in records:
            if record.record not in [k.record for k in known]:
                known.append(record)
    return {name: tuple(records) for name, records in found.items()}


class AskOnce:
    """The caller's lookup, asked at most once per name (a mailbox has many messages per
    selector), with the caller's reasons for failed lookups if it keeps them
    (``DnsKeyLookup.failures``)."""

    def __init__(self, lookup: KeyLookup) -> None:
        self.lookup = lookup
        self.answers: dict[str, bytes | None] = {}
        failures = getattr(lookup, "failures", None)
        self.failures: Mapping[str, str] = failures if failures is not None else {}

    def __call__(self, name: str) -> bytes | None:
        if name not in self.answers:
            self.answers[name] = self.lookup(name)
        return self.answers[name]


def _signature_tags(value: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for item in value.split(";"):
        key, equals, tag_value = item.partition("=")
        if equals:
            tags[key.strip()] = "".join(tag_value.split())
    return tags


def _verifies(raw: bytes, index: int, record: bytes) -> bool:
    """Whether signature ``index`` of ``raw`` verifies against ``record``, offline."""

    def given_key(name: bytes, timeout: int = 5) -> bytes | None:
        return record

    try:
        return bool(dkim.DKIM(raw).verify(idx=index, dnsfunc=given_key))
    except (dkim.DKIMException, ValueError, IndexError, KeyError, TypeError):
        return False


def _unusable(record: bytes) -> str | None:
    """Why a key record cannot verify anything (so a signature is not called altered)."""
    tags = _signature_tags(record.decode("ascii", "replace"))
    if "p" not in tags:
        return "is not a DKIM key record"
    if not tags["p"]:
        return "was revoked by the domain (its key is empty)"
    return None


def _archived_on(key: DkimKey) -> str:
    if key.fetched_at is None:
        return "the archived key"
    return f"the key archived on {key.fetched_at.astimezone(UTC).date().isoformat()}"


def verify_dkim(
    raw: bytes,
    msg: EmailMessage,
    keys: Mapping[str, ArchivedKeys],
    *,
    lookup: KeyLookup | None = None,
) -> DkimResult:
    """Verify each DKIM-Signature of ``raw`` against archived keys, else looked-up ones.

    Inputs: the message's exact bytes (any re-encoding breaks the signature), the parsed
    message (to find the signatures' ``d=``/``s=``), the archived TXT records keyed by
    ``"selector._domainkey.domain"`` (see ``parse``) and, optionally, ``lookup``: a function
    from such a name to the record's bytes, or None when it cannot be fetched. dkimpy sees
    keys only through the function given here, never DNS itself.

    Archived keys always come first: ``lookup`` is called for a signature only when none of
    its archived keys verifies it, so a message whose key is archived costs no lookup (and
    a key the domain has since replaced under the same selector can still pass).

    Output: "pass" if any signature verifies, saying against which key; "fail" if usable
    keys were found for signatures and none verifies; otherwise "not verified", saying why
    (no archived key, the lookup's reason when it failed, a revoked key or a record that is
    not a DKIM key: none of these says the message was changed).
    """
    signatures = msg.get_all("DKIM-Signature") or []
    if not signatures:
        return DkimResult(DKIM_NOT_VERIFIED, "the message has no DKIM-Signature header")
    archive = archived_keys(keys)

    tried: list[str] = []  # usable keys that did not verify
    missing: list[str] = []  # names with no archived key (and no lookup)
    why_not: list[str] = []  # other reasons a signature could not be checked
    for index, header in enumerate(signatures):
        tags = _signature_tags(str(header))
        domain, selector = tags.get("d", ""), tags.get("s", "")
        if not domain or not selector:
            why_not.append(f"signature {index + 1} names no domain or selector")
            continue
        key_name = _key_name(f"{selector}._domainkey.{domain}")
        signer = f"signature by d={domain} s={selector}"
        archived = archive.get(key_name, ())
        for key in archived:
            if problem := _unusable(key.record):
                why_not.append(f"{_archived_on(key)} for {key_name} {problem}")
            elif _verifies(raw, index, key.record):
                return DkimResult(DKIM_PASS, f"{signer} verified against {_archived_on(key)}")
            else:
                tried.append(f"{_archived_on(key)} for {key_name}")
        if lookup is None:
            if not archived:
                missing.append(key_name)
            continue
        record = lookup(key_name)
        if record is None:
            if not archived:
                reasons: Mapping[str, str] = getattr(lookup, "failures", {})
                reason = reasons.get(key_name)
                why_not.append(
                    f"no archived key for {key_name}, and the key could not be "
                    f"looked up{': ' + reason if reason else ''}"
                )
            continue
        if any(key.record == record for key in archived):
            continue  # the domain still publishes the key already tried above
        if problem := _unusable(record):
            why_not.append(f"the key looked up at import for {key_name} {problem}")
        elif _verifies(raw, index, record):
            other = "; a different key is archived for that selector" if archived else ""
            return DkimResult(
                DKIM_PASS, f"{signer} verified against the key looked up at import{other}"
            )
        else:
            tried.append(f"the key looked up at import for {key_name}")
    if tried:
        return DkimResult(
            DKIM_FAIL,
            f"the signature does not verify against "
            f"{', '.join(tried)}: the message or its signature was "
            "changed",
        )
    parts = [f"no archived key for {', '.join(missing)}"] if missing else []
    return DkimResult(DKIM_NOT_VERIFIED, "; ".join([*parts, *why_not]))
