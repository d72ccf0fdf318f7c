"""A throw-away DNS server for tests: Debian's ``dnsmasq`` serving TXT records on 127.0.0.1.

``LocalDNS(records, local_domains)`` starts ``dnsmasq`` in the foreground on a free port with
only the records given: no upstream servers, no ``/etc/hosts``, no configuration file. Names
under a ``local_domains`` entry that it does not hold are answered NXDOMAIN (not refused, not
forwarded), as a real domain answers for a selector it never published. dnsmasq splits a
record longer than 255 bytes into 255-byte strings, as a TXT record must be (RFC 1035
3.3.14), so an RSA 2048 or 4096 DKIM key is served as a real one is; a value must not
contain a comma (dnsmasq's separator between strings).

``closed_address()`` gives a ``127.0.0.1:port`` where nothing listens, for the unreachable
case.

The session fixture ``dkim_dns`` serves DKIM keys made for the run under ``example.org``
(``DkimZone``); a root ``conftest.py`` exposes it with ``pytest_plugins = ["tests.dns"]``.
"""

from __future__ import annotations

import base64
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

DNSMASQ = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"
DOMAIN = "example.org"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def closed_address() -> str:
    """A local UDP port nothing listens on (it was free a moment ago)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"127.0.0.1:{port}"


class LocalDNS:
    """dnsmasq on 127.0.0.1, answering TXT queries for ``records`` (name to text)."""

    def __init__(self, records: Mapping[str, str], local_domains: Sequence[str] = ()) -> None:
        for name, text in records.items():
            if "," in text:
                raise ValueError(f"the TXT record for {name} contains a comma")
        self.records = dict(records)
        self.local_domains = list(local_domains)
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> LocalDNS:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def address(self) -> str:
        """``127.0.0.1:port``, as ``CAIRN_DNS_SERVERS`` takes it."""
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        error = ""
        for _ in range(5):  # another process may take the free port before dnsmasq does
            self.port = _free_port()
            self._process = subprocess.Popen(
                [DNSMASQ, *self._arguments()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            error = self._wait_until_answering()
            if not error:
                return
            self.stop()
        raise RuntimeError(f"dnsmasq did not start: {error}")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        if process.stderr is not None:
            process.stderr.close()

    def _arguments(self) -> list[str]:
        arguments = [
            "--keep-in-foreground",
            f"--port={self.port}",
            "--listen-address=127.0.0.1",
            "--bind-interfaces",
            "--no-resolv",
            "--no-hosts",
            "--conf-file=/dev/null",
            "--pid-file",
            "--log-facility=-",
            "--cache-size=0",
        ]
        arguments += [f"--local=/{domain}/" for domain in self.local_domains]
        arguments += [f"--txt-record={name},{text}" for name, text in self.records.items()]
        return arguments

    def _wait_until_answering(self) -> str:
        """Empty once a TCP connection is accepted, else why dnsmasq is not running."""
        assert self._process is not None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                assert self._process.stderr is not None
                return self._process.stderr.read().decode("utf-8", "replace").strip()
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return ""
            except OSError:
                time.sleep(0.05)
        return "it did not listen within 10 seconds"


@dataclass
class DkimZone:
    """The DKIM keys ``dkim_dns`` serves: selector to (private key PEM, TXT record)."""

    server: LocalDNS
    domain: str
    keys: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)

    @property
    def address(self) -> str:
        return self.server.address

    def name(self, selector: str) -> str:
        return f"{selector}._domainkey.{self.domain}"


def dkim_key(bits: int = 2048) -> tuple[bytes, bytes]:
    """A new RSA key: (private key PEM for ``dkim.sign``, the TXT record that publishes it)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


@pytest.fixture(scope="session")
def dkim_dns() -> Iterator[DkimZone]:
    """dnsmasq for the whole session, publishing under ``example.org``:

    - ``mar2024``: an RSA 2048 key (a 410-byte record, two strings);
    - ``long2024``: an RSA 4096 key (a 750-byte record: four strings, more than a plain
      512-byte UDP answer holds);
    - ``rotated``: the key the domain publishes now; ``keys["rotated-old"]`` is the one it
      published before, served nowhere.
    - ``revoked``: an empty key (``p=``), as a domain revokes a selector (RFC 6376 3.6.1).

    Any other name under ``example.org`` is NXDOMAIN.
    """
    if not shutil.which("dnsmasq") and not shutil.which(DNSMASQ):
        pytest.fail("dnsmasq is not installed: run scripts/system-deps.sh (dnsmasq-base)")
    keys = {
        "mar2024": dkim_key(2048),
        "long2024": dkim_key(4096),
        "rotated": dkim_key(2048),
        "rotated-old": dkim_key(2048),
    }
    served = {
        f"{selector}._domainkey.{DOMAIN}": record.decode("ascii")
        for selector, (_, record) in keys.items()
        if selector != "rotated-old"
    }
    served[f"revoked._domainkey.{DOMAIN}"] = "v=DKIM1; k=rsa; p="
    with LocalDNS(served, local_domains=[DOMAIN]) as server:
        yield DkimZone(server=server, domain=DOMAIN, keys=keys)
