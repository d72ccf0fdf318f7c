"""A throw-away RFC 3161 time-stamping authority for tests, built on the ``openssl`` CLI.

``LocalTSA`` creates, in a temporary directory:

- a self-signed root CA (EC P-256 by default, or RSA 2048);
- a TSA certificate issued by that root, with ``extendedKeyUsage = critical,timeStamping``;
- an ``openssl ts`` configuration (SHA-256 digests, a serial file, an accuracy, the policy
  ``tsa_policy1``; no ``certs=`` line, so responses carry only the TSA certificate);

and serves it over HTTP on ``127.0.0.1`` (a random free port). A POSTed ``TimeStampReq`` is
answered by ``openssl ts -reply`` with ``Content-Type: application/timestamp-reply``.

For failure tests the same server has a few misbehaving paths (see ``LocalTSA.fault_url``):
``status-500``, ``garbage`` (junk with the right content type), ``wrong-type`` (a real reply
sent as ``text/html``), ``reject`` (a genuine "rejection" response: SHA-256 not accepted) and
``mismatch`` (a genuine, valid token for some *other* request, so nonce and imprint differ).

Use it as a context manager::

    with LocalTSA() as tsa:
        der = request_timestamp(tsa.url, b"data")

The session-scoped pytest fixture ``local_tsa`` below wraps one instance; a root
``conftest.py`` can expose it with ``pytest_plugins = ["tests.tsa"]``.
"""

from __future__ import annotations

import http.server
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import pytest

#: The policy the test TSA puts in its tokens (an arbitrary OID, for tests only).
TEST_POLICY_OID = "1.2.3.4.1"

FAULTS = ("status-500", "garbage", "wrong-type", "reject", "mismatch")

_MAX_QUERY = 64 * 1024

_CERT_CONFIG = """\
[ req ]
distinguished_name = req_dn
prompt = no

[ req_dn ]
CN = placeholder

[ root_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ tsa_cert ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
"""

_TS_CONFIG = """\
oid_section = ts_oids

[ ts_oids ]
tsa_policy1 = {policy}

[ tsa ]
default_tsa = cairn_test_tsa

[ cairn_test_tsa ]
serial = {dir}/serial.txt
crypto_device = builtin
signer_cert = {dir}/tsa.pem
signer_key = {dir}/tsa.key
signer_digest = sha256
default_policy = tsa_policy1
digests = sha256, sha384, sha512
accuracy = secs:1
clock_precision_digits = 0
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256

# Same TSA, but refusing SHA-256 imprints: used for the "reject" fault.
[ cairn_test_tsa_reject ]
serial = {dir}/serial.txt
crypto_device = builtin
signer_cert = {dir}/tsa.pem
signer_key = {dir}/tsa.key
signer_digest = sha256
default_policy = tsa_policy1
digests = sha512
tsa_name = yes
ess_cert_id_alg = sha256
"""


def _run(*args: str, cwd: Path) -> None:
    """Run one openssl command, raising with its stderr if it fails."""
    result = subprocess.run(
        ["openssl", *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"openssl {args[0]} failed: {result.stderr.strip()}")


class LocalTSA:
    """A local time-stamping authority (openssl) behind a small HTTP server.

    Args:
        key_type: ``"ec"`` (P-256, the default) or ``"rsa"`` (2048 bits), for both the root
            CA and the TSA key.
        name: a label put in the certificates' common names, to tell instances apart.
    """

    def __init__(self, key_type: str = "ec", name: str = "Cairn Test") -> None:
        if key_type not in ("ec", "rsa"):
            raise ValueError("key_type must be 'ec' or 'rsa'")
        self.key_type = key_type
        self.name = name
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._server: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # openssl's serial file is not safe for concurrent use

    # -- lifecycle ----------------------------------------------------------------------

    def __enter__(self) -> LocalTSA:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Create the keys, certificates and configuration, then start serving."""
        self._tmp = tempfile.TemporaryDirectory(prefix="cairn-tsa-")
        self._make_pki()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="cairn-local-tsa", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop the server and delete the temporary directory."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    # -- properties ---------------------------------------------------------------------

    @property
    def dir(self) -> Path:
        """The temporary directory holding keys, certificates and configuration."""
        if self._tmp is None:
            raise RuntimeError("LocalTSA is not running")
        return Path(self._tmp.name)

    @property
    def url(self) -> str:
        """The URL to POST time-stamp queries to."""
        if self._server is None:
            raise RuntimeError("LocalTSA is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/tsa"

    def fault_url(self, fault: str) -> str:
        """A URL on the same server that misbehaves in the way named by ``fault``."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; choose from {FAULTS}")
        return f"{self.url}/{fault}"

    @property
    def ca_cert_path(self) -> Path:
        """PEM file of the root CA (``openssl ts -verify -CAfile``)."""
        return self.dir / "ca.pem"

    @property
    def tsa_cert_path(self) -> Path:
        """PEM file of the TSA certificate (``openssl ts -verify -untrusted``)."""
        return self.dir / "tsa.pem"

    @property
    def config_path(self) -> Path:
        """The ``openssl ts`` configuration file."""
        return self.dir / "ts.cnf"

    @property
    def ca_cert_pem(self) -> bytes:
        """The root CA certificate, PEM."""
        return self.ca_cert_path.read_bytes()

    @property
    def tsa_cert_pem(self) -> bytes:
        """The TSA certificate, PEM."""
        return self.tsa_cert_path.read_bytes()

    # -- internals ----------------------------------------------------------------------

    def _newkey_args(self) -> list[str]:
        if self.key_type == "ec":
            return ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
        return ["-newkey", "rsa:2048"]

    def _make_pki(self) -> None:
        d = self.dir
        (d / "certs.cnf").write_text(_CERT_CONFIG)
        _run(
            "req", "-x509", "-config", "certs.cnf", *self._newkey_args(), "-nodes",
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "30", "-sha256",
            "-subj", f"/O=Cairn tests/CN={self.name} Root CA", "-extensions", "root_ca",
            cwd=d,
        )  # fmt: skip
        _run(
            "req", "-new", "-config", "certs.cnf", *self._newkey_args(), "-nodes",
            "-keyout", "tsa.key", "-out", "tsa.csr", "-sha256",
            "-subj", f"/O=Cairn tests/CN={self.name} TSA",
            cwd=d,
        )  # fmt: skip
        _run(
            "x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "tsa.pem", "-days", "30", "-sha256",
            "-extfile", "certs.cnf", "-extensions", "tsa_cert",
            cwd=d,
        )  # fmt: skip
        (d / "serial.txt").write_text("01\n")
        self.config_path.write_text(_TS_CONFIG.format(dir=d, policy=TEST_POLICY_OID))
        # A query for unrelated data, answered in the "mismatch" fault.
        (d / "other.txt").write_bytes(b"some other document")
        _run(
            "ts", "-query", "-data", "other.txt", "-sha256", "-cert", "-out", "other.tsq",
            cwd=d,
        )  # fmt: skip

    def reply(self, query: bytes, section: str = "cairn_test_tsa") -> bytes:
        """Answer a DER ``TimeStampReq`` with a DER ``TimeStampResp`` (via ``openssl ts``)."""
        with self._lock, tempfile.TemporaryDirectory(dir=self.dir) as work:
            qpath = Path(work) / "query.tsq"
            rpath = Path(work) / "reply.tsr"
            qpath.write_bytes(query)
            _run(
                "ts", "-reply", "-config", str(self.config_path), "-section", section,
                "-queryfile", str(qpath), "-out", str(rpath),
                cwd=self.dir,
            )  # fmt: skip
            return rpath.read_bytes()


def _handler_for(tsa: LocalTSA) -> type[http.server.BaseHTTPRequestHandler]:
    """Build a request-handler class bound to ``tsa``."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            """Keep test output quiet."""

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length <= 0 or length > _MAX_QUERY:
                self._send(400, b"bad length\n", "text/plain")
                return
            query = self.rfile.read(length)
            path = self.path.rstrip("/")
            fault = path.rsplit("/", 1)[-1] if path != "/tsa" else None
            if fault is not None and (not path.startswith("/tsa/") or fault not in FAULTS):
                self._send(404, b"not found\n", "text/plain")
                return
            if fault == "status-500":
                self._send(500, b"internal error\n", "text/plain")
                return
            if fault == "garbage":
                self._send(200, b"\x30\x03 this is not DER at all", "application/timestamp-reply")
                return
            if self.headers.get("Content-Type") != "application/timestamp-query":
                self._send(415, b"expected application/timestamp-query\n", "text/plain")
                return
            try:
                if fault == "reject":
                    body = tsa.reply(query, section="cairn_test_tsa_reject")
                elif fault == "mismatch":
                    body = tsa.reply((tsa.dir / "other.tsq").read_bytes())
                else:
                    body = tsa.reply(query)
            except RuntimeError:
                self._send(500, b"openssl failed\n", "text/plain")
                return
            content_type = "text/html" if fault == "wrong-type" else "application/timestamp-reply"
            self._send(200, body, content_type)

    return Handler


def _openssl_available() -> bool:
    return shutil.which("openssl") is not None


@pytest.fixture(scope="session")
def local_tsa() -> Iterator[LocalTSA]:
    """One running ``LocalTSA`` (EC P-256) for the whole test session."""
    if not _openssl_available():
        pytest.skip("the openssl CLI is not installed")
    with LocalTSA() as tsa:
        yield tsa
