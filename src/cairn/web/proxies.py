"""Which reverse proxies to believe about the client's address and scheme.

What: ``CAIRN_TRUSTED_PROXIES`` (parsed by ``parse_trusted_proxies``) is one of
- empty (the default): no proxy. Every X-Forwarded-* and Forwarded header is removed from
  every request, whoever sent it; the client is the connection's peer (``REMOTE_ADDR``).
- a whole number N: Cairn is reachable only through N proxies, each of which appends the
  address it saw to X-Forwarded-For; the client is the Nth entry from the right (with fewer
  entries the request did not come through them all, and the peer is used).
- the addresses and networks of the proxies (``10.0.0.5, 192.168.0.0/16, ::1``): only a
  request whose peer is one of them is believed; the client is the rightmost X-Forwarded-For
  entry that is not one of them (entries further left are whatever the client sent).

For a believed request ``apply_forwarded`` sets ``REMOTE_ADDR`` to the client's address and
keeps the last X-Forwarded-Proto value (``http`` or ``https``) for Django's
``SECURE_PROXY_SSL_HEADER``; the other forwarded headers are removed. ``TrustedProxyMiddleware``
(``cairn.web.middleware``) runs it first on every request, whichever server runs Cairn.

Why: behind a TLS-terminating proxy, Cairn must know a request came over HTTPS (otherwise
``CAIRN_HTTPS`` redirects it to HTTPS again, for ever), and must know the client's address
(otherwise the sign-in lockout counts every client as the proxy, and five wrong passwords from
anyone lock the account out for everybody). A header a client sends directly is never
believed: it would let anyone dodge the lockout or pose as HTTPS.

Failures: ``parse_trusted_proxies`` raises ``ValueError`` naming the entry it cannot read. A
malformed X-Forwarded-For entry ends the walk: the client is then the last address the trusted
proxies vouched for.
"""

from __future__ import annotations

import ipaddress
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_FORWARDED",
)
SCHEMES = frozenset({"http", "https"})


@dataclass(frozen=True)
class TrustedProxies:
    """What ``CAIRN_TRUSTED_PROXIES`` says: a hop count, or the proxies' networks (or
    neither: no proxy is believed)."""

    count: int = 0
    networks: tuple[Network, ...] = ()

    @property
    def configured(self) -> bool:
        return self.count > 0 or bool(self.networks)

    def trusts(self, address: Address) -> bool:
        return any(address in network for network in self.networks)


def parse_trusted_proxies(text: str) -> TrustedProxies:
    """Read the setting: "" (none), a whole number of hops, or comma-separated addresses
    and networks (CIDR)."""
    text = text.strip()
    if not text:
        return TrustedProxies()
    if text.isdigit():
        count = int(text)
        if not 1 <= count <= 10:
            raise ValueError(f"a hop count is between 1 and 10, not {count}")
        return TrustedProxies(count=count)
    networks: list[Network] = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
        except ValueError:
            raise ValueError(
                f"{entry!r} is not an IP address or network (e.g. 10.0.0.5, "
                "192.168.0.0/16, ::1), nor a hop count"
            ) from None
    return TrustedProxies(networks=tuple(networks))


def parse_hop(text: str) -> Address | None:
    """One X-Forwarded-For entry as an address: ``192.0.2.1``, ``192.0.2.1:4711``,
    ``2001:db8::1`` or ``[2001:db8::1]:4711``; None when it is none of these."""
    text = text.strip().strip('"')
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_of(peer: str, forwarded_for: str, trusted: TrustedProxies) -> str:
    """The client's address for a request from ``peer`` carrying ``forwarded_for``, when the
    peer is to be believed (``is_believed``)."""
    hops = [hop for hop in forwarded_for.split(",") if hop.strip()]
    if trusted.count:
        if len(hops) < trusted.count:
            return peer
        found = parse_hop(hops[-trusted.count])
        return str(found) if found is not None else peer
    client = peer
    for hop in reversed(hops):
        found = parse_hop(hop)
        if found is None:
            break
        client = str(found)
        if not trusted.trusts(found):
            break
    return client


def is_believed(peer: str, trusted: TrustedProxies) -> bool:
    """Whether forwarded headers from this peer are believed."""
    if trusted.count:
        return True
    address = parse_hop(peer)
    return address is not None and trusted.trusts(address)


def apply_forwarded(meta: MutableMapping[str, Any], trusted: TrustedProxies) -> None:
    """Rewrite a WSGI environ (``request.META``) in place, as the module describes."""
    peer = str(meta.get("REMOTE_ADDR") or "")
    believed = trusted.configured and bool(peer) and is_believed(peer, trusted)
    forwarded_for = str(meta.get("HTTP_X_FORWARDED_FOR") or "")
    proto = str(meta.get("HTTP_X_FORWARDED_PROTO") or "").split(",")[-1].strip().lower()
    for header in FORWARDED_HEADERS:
        meta.pop(header, None)
    if not believed:
        return
    meta["REMOTE_ADDR"] = client_of(peer, forwarded_for, trusted)
    if proto in SCHEMES:
        meta["HTTP_X_FORWARDED_PROTO"] = proto
