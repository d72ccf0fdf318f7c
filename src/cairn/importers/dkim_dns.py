"""DKIM keys looked up in DNS at import time, so the batch can archive them.

What: ``DnsKeyLookup`` is the ``dkim_lookup`` the import pipeline gives the e-mail parser.
Called with ``"selector._domainkey.domain"`` it asks DNS for the TXT record (dnspython, a
short total timeout, the system's resolver or the nameservers named) and returns the
record's bytes, its strings joined as RFC 6376 3.6.2.2 says, or None. It never raises:
every failure becomes None, with a plain reason in ``failures`` (no answer, no such name,
no TXT record...). What it fetched stays in ``fetched`` (name to record and UTC time) for
the pipeline to archive on the batch.

Why archive: domains rotate their keys, so a message that verifies today may not next year.
Why so careful: the names come from the message, which a stalker may have written. A slow
or silent resolver must not stall an import (after one timeout no further names are asked),
and one mailbox cannot make the server send more than ``max_names`` queries.

Not done: DNSSEC validation. The answer is trusted as the resolver gives it, which is why
the result says the key was "looked up at import" rather than "verified by the domain".
No Django here; no logging (the names would say who wrote to the victim).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = ["DEFAULT_TIMEOUT", "DnsKeyLookup", "FetchedKey", "parse_nameservers"]

DEFAULT_TIMEOUT = 3.0  # seconds for one name, all retries included
MAX_NAMES = 100  # distinct names one import may look up
DNS_PORT = 53


@dataclass(frozen=True)
class FetchedKey:
    record: bytes
    fetched_at: datetime  # UTC


def parse_nameservers(values: Sequence[str]) -> list[tuple[str, int]]:
    """``host`` or ``host:port`` (``[v6]:port`` for IPv6) as (address, port) pairs.

    Hosts must be IP addresses: a resolver's own name would need a resolver to find it.
    Raises ValueError naming the bad entry.
    """
    servers = []
    for value in values:
        text = value.strip()
        host, port = text, str(DNS_PORT)
        if text.startswith("["):
            host, bracket, rest = text[1:].partition("]")
            if not bracket or (rest and not rest.startswith(":")):
                raise ValueError(f"{value!r} is not an address (write [::1]:5353)")
            port = rest[1:] or str(DNS_PORT)
        elif text.count(":") == 1:
            host, port = text.split(":")
        try:
            address = str(ipaddress.ip_address(host))
        except ValueError:
            raise ValueError(f"{value!r} is not an IP address (with an optional :port)") from None
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"{value!r} has no valid port")
        servers.append((address, int(port)))
    return servers


def _now() -> datetime:
    return datetime.now(UTC)


class DnsKeyLookup:
    """Looks DKIM key records up in DNS, remembering what it fetched and why it failed.

    ``nameservers``: ``host`` or ``host:port`` strings (see ``parse_nameservers``); empty
    means the system resolver (``/etc/resolv.conf``). ``timeout``: seconds per name in all.
    Each name is asked once; asking again gives the same answer without a query.
    """

    def __init__(
        self,
        nameservers: Sequence[str] = (),
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_names: int = MAX_NAMES,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.servers = parse_nameservers(nameservers)
        self.timeout = timeout
        self.max_names = max_names
        self.clock = clock
        self.fetched: dict[str, FetchedKey] = {}
        self.failures: dict[str, str] = {}
        self._resolver: Any = None  # a dns.resolver.Resolver, made on the first query
        self._silent = ""  # why DNS is no longer asked at all (it timed out once)

    def __call__(self, name: str) -> bytes | None:
        name = name.strip().rstrip(".").lower()
        if name in self.fetched:
            return self.fetched[name].record
        if name in self.failures:
            return None
        if self._silent:
            self.failures[name] = self._silent
        elif len(self.fetched) + len(self.failures) >= self.max_names:
            self.failures[name] = "too many different keys to look up in one import"
        else:
            try:
                record = self._ask(name)
            except _Failed as failure:
                self.failures[name] = failure.reason
            else:
                self.fetched[name] = FetchedKey(record=record, fetched_at=self.clock())
                return record
        return None

    def _resolver_for_queries(self) -> Any:
        import dns.nameserver
        import dns.resolver

        if self._resolver is None:
            resolver = dns.resolver.Resolver(configure=not self.servers)
            if self.servers:
                resolver.nameservers = [
                    dns.nameserver.Do53Nameserver(address, port) for address, port in self.servers
                ]
            resolver.timeout = self.timeout
            resolver.lifetime = self.timeout
            resolver.cache = None
            resolver.use_edns(0, 0, 1232)  # room for a 4096-bit RSA key without TCP
            self._resolver = resolver
        return self._resolver

    def _ask(self, name: str) -> bytes:
        """The TXT record at ``name`` (a DKIM one if there are several), or ``_Failed``."""
        # dnspython is imported here, not above: settings import this module, and dnspython
        # takes longer to load than the rest of the command line.
        import dns.exception
        import dns.name
        import dns.rdatatype
        import dns.resolver

        try:
            query = dns.name.from_text(name)
        except dns.exception.DNSException:
            raise _Failed("it is not a valid DNS name") from None
        try:
            answer = self._resolver_for_queries().resolve(query, dns.rdatatype.TXT, search=False)
        except dns.resolver.NXDOMAIN:
            raise _Failed(
                "DNS has no such name (the key was withdrawn, or never published)"
            ) from None
        except dns.resolver.NoAnswer:
            raise _Failed("DNS has no TXT record at that name") from None
        except dns.resolver.NoResolverConfiguration:
            self._silent = "no DNS server is configured"
            raise _Failed(self._silent) from None
        except dns.exception.Timeout:
            self._silent = "no answer from DNS"
            raise _Failed(self._silent) from None
        except dns.resolver.NoNameservers:
            raise _Failed("the DNS servers could not answer (they refused or failed)") from None
        except Exception:  # any other DNS or socket error: an import must not fail on it
            raise _Failed("the DNS query failed") from None
        records = [b"".join(rdata.strings) for rdata in answer]
        dkim_records = [r for r in records if r.lstrip().startswith(b"v=DKIM1")]
        return (dkim_records or records)[0]


class _Failed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
