"""Behind a reverse proxy (issue 18; ADR 0036): only the proxies named in
``CAIRN_TRUSTED_PROXIES`` are believed about the client's address and scheme.

First the rules themselves (``cairn.web.proxies``), then the real thing: ``cairn serve``
started three times on one data directory, behind nginx (from Debian, started here as a
non-daemon with its configuration in a temporary folder) terminating TLS with a certificate
made for the test. Clients connect from different loopback addresses (127.0.0.2, .3, ...), so
nginx sees, and reports, different client addresses.
"""

from __future__ import annotations

import datetime
import http.client
import ipaddress
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from cairn.web.proxies import TrustedProxies, apply_forwarded, parse_trusted_proxies
from tests.test_cli import entry_point

# --- the rules -------------------------------------------------------------------------------


def forwarded(peer: str, setting: str, **headers: str) -> dict[str, str]:
    meta = {"REMOTE_ADDR": peer, **{f"HTTP_{k.upper()}": v for k, v in headers.items()}}
    apply_forwarded(meta, parse_trusted_proxies(setting))
    return meta


def test_the_setting_is_a_hop_count_or_addresses_and_networks():
    assert not parse_trusted_proxies("").configured
    assert parse_trusted_proxies("2") == TrustedProxies(count=2)
    named = parse_trusted_proxies("10.0.0.5, 192.168.0.0/16, ::1, [fd00::1]")
    assert [str(n) for n in named.networks] == [
        "10.0.0.5/32",
        "192.168.0.0/16",
        "::1/128",
        "fd00::1/128",
    ]
    with pytest.raises(ValueError, match=r"'proxy\.example' is not an IP address or network"):
        parse_trusted_proxies("10.0.0.5, proxy.example")
    with pytest.raises(ValueError, match="between 1 and 10"):
        parse_trusted_proxies("0")


def test_without_trusted_proxies_every_forwarded_header_is_dropped():
    meta = forwarded(
        "198.51.100.9",
        "",
        x_forwarded_for="10.1.1.1",
        x_forwarded_proto="https",
        x_forwarded_host="evil.example",
        forwarded="for=10.1.1.1;proto=https",
    )
    assert meta == {"REMOTE_ADDR": "198.51.100.9"}


def test_a_named_proxy_is_believed_and_nobody_else():
    setting = "10.0.0.0/8"
    meta = forwarded(
        "10.0.0.1", setting, x_forwarded_for="198.51.100.9, 203.0.113.5", x_forwarded_proto="https"
    )
    # The client claimed 198.51.100.9; the proxy saw 203.0.113.5.
    assert meta == {"REMOTE_ADDR": "203.0.113.5", "HTTP_X_FORWARDED_PROTO": "https"}
    # Two proxies of ours in a row: the first address that is not one of them.
    assert (
        forwarded("10.0.0.1", setting, x_forwarded_for="203.0.113.5, 10.0.0.7")["REMOTE_ADDR"]
        == "203.0.113.5"
    )
    # The same headers straight from a client are not believed.
    assert forwarded(
        "203.0.113.5", setting, x_forwarded_for="10.9.9.9", x_forwarded_proto="https"
    ) == {"REMOTE_ADDR": "203.0.113.5"}
    # Entries with ports or brackets; a malformed entry ends the walk.
    assert (
        forwarded("10.0.0.1", setting, x_forwarded_for="[2001:db8::7]:4711")["REMOTE_ADDR"]
        == "2001:db8::7"
    )
    assert (
        forwarded("10.0.0.1", setting, x_forwarded_for="203.0.113.5:4711")["REMOTE_ADDR"]
        == "203.0.113.5"
    )
    assert (
        forwarded("10.0.0.1", setting, x_forwarded_for="203.0.113.5, junk")["REMOTE_ADDR"]
        == "10.0.0.1"
    )
    # Only http or https is taken as a scheme, and the nearest proxy's word counts.
    assert "HTTP_X_FORWARDED_PROTO" not in forwarded(
        "10.0.0.1", setting, x_forwarded_proto="gopher"
    )
    assert (
        forwarded("10.0.0.1", setting, x_forwarded_proto="https, http")["HTTP_X_FORWARDED_PROTO"]
        == "http"
    )


def test_a_hop_count_takes_the_entry_that_many_from_the_right():
    meta = forwarded("10.0.0.1", "1", x_forwarded_for="198.51.100.9, 203.0.113.5")
    assert meta["REMOTE_ADDR"] == "203.0.113.5"
    assert (
        forwarded("10.0.0.1", "2", x_forwarded_for="198.51.100.9, 203.0.113.5")["REMOTE_ADDR"]
        == "198.51.100.9"
    )
    # Fewer entries than proxies: the request did not come through them all.
    assert (
        forwarded("10.0.0.1", "3", x_forwarded_for="198.51.100.9, 203.0.113.5")["REMOTE_ADDR"]
        == "10.0.0.1"
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("CAIRN_TRUSTED_PROXIES", "proxy.example", "CAIRN_TRUSTED_PROXIES: 'proxy.example' is not"),
        (
            "CAIRN_TRUSTED_PROXY_COUNT",
            "1",
            "CAIRN_TRUSTED_PROXY_COUNT is replaced by CAIRN_TRUSTED_PROXIES",
        ),
    ],
)
def test_a_bad_setting_stops_cairn_with_a_message_naming_it(tmp_path, name, value, message):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAIRN_", "DATABASE_URL"))}
    env.update({"CAIRN_DATA_DIR": str(tmp_path / "data"), name: value})
    result = subprocess.run(
        [*entry_point(), "vault", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert message in result.stderr


# --- through nginx -----------------------------------------------------------------------------

PASSWORD = "correct-horse-battery"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args[0]} exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"nothing answered on port {port}: {log.read_text(errors='replace')[-2000:]}")


def make_certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "proxy.crt", folder / "proxy.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


NGINX_CONF = """
{user}
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    proxy_buffering off;
{servers}
}}
"""

NGINX_SERVER = """
    server {{
        listen 127.0.0.1:{port}{ssl};
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
"""


@dataclass
class Stack:
    """Three ``cairn serve`` behind one nginx: ``trusting`` (CAIRN_TRUSTED_PROXIES=127.0.0.1,
    CAIRN_HTTPS=true) at ``https`` and ``http``; ``untrusting_https`` (CAIRN_HTTPS=true, no
    trusted proxy) at ``loop``; ``untrusting`` (neither) at ``plain``."""

    https: int
    http: int
    loop: int
    plain: int
    trusting: int
    context: ssl.SSLContext
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if not os.path.exists(NGINX):
        pytest.fail("nginx is missing: run scripts/system-deps.sh (Debian's nginx package)")
    folder = tmp_path_factory.mktemp("proxy")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CAIRN_", "DATABASE_URL", "DJANGO_"))
    }
    env.update(
        {"CAIRN_DATA_DIR": str(folder / "data"), "CAIRN_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    )
    (folder / "password").write_text(PASSWORD + "\n")
    for username, initials in (("alex", "AB"), ("sam", "SC"), ("jo", "JO")):
        for command in (
            ["vault", "create", "Log", "--initials", initials, "--owner", username],
            ["user", "set-password", username, "--password-file", str(folder / "password")],
        ):
            done = subprocess.run(
                [*entry_point(), *command],
                env=env,
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )
            assert done.returncode == 0, done.stderr
    # Collected once here, not by three servers at once.
    collected = subprocess.run(
        [sys.executable, "-m", "django", "collectstatic", "--noinput", "--verbosity", "0"],
        env={**env, "DJANGO_SETTINGS_MODULE": "cairn.settings"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert collected.returncode == 0, collected.stderr
    processes: list[subprocess.Popen[bytes]] = []
    ports = {}
    settings = {
        "trusting": {"CAIRN_TRUSTED_PROXIES": "127.0.0.1", "CAIRN_HTTPS": "true"},
        "untrusting_https": {"CAIRN_HTTPS": "true"},
        "untrusting": {},
    }
    try:
        for name, extra in settings.items():
            ports[name] = free_port()
            log = folder / f"{name}.log"
            processes.append(
                subprocess.Popen(
                    [*entry_point(), "serve", "--port", str(ports[name]), "--no-worker"],
                    env={**env, **extra},
                    stdout=log.open("wb"),
                    stderr=subprocess.STDOUT,
                )
            )
        for (name, _), process in zip(settings.items(), processes, strict=True):
            wait_for_port(ports[name], process, folder / f"{name}.log")
        cert, key = make_certificate(folder)
        https, http_port, loop, plain = (free_port() for _ in range(4))
        servers = "".join(
            NGINX_SERVER.format(port=port, ssl=" ssl" if tls else "", upstream=ports[name])
            for port, tls, name in (
                (https, True, "trusting"),
                (http_port, False, "trusting"),
                (loop, True, "untrusting_https"),
                (plain, False, "untrusting"),
            )
        )
        user = "user root root;" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(
            NGINX_CONF.format(user=user, folder=folder, cert=cert, key=key, servers=servers)
        )
        nginx_log = folder / "nginx.out"
        nginx = subprocess.Popen(
            [
                NGINX,
                "-p",
                str(folder),
                "-c",
                str(folder / "nginx.conf"),
                "-e",
                str(folder / "error.log"),
            ],
            stdout=nginx_log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        processes.append(nginx)
        for port in (https, http_port, loop, plain):
            wait_for_port(port, nginx, nginx_log)
        yield Stack(
            https=https,
            http=http_port,
            loop=loop,
            plain=plain,
            trusting=ports["trusting"],
            context=ssl.create_default_context(cafile=str(cert)),
            processes=processes,
        )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: str


class Visitor:
    """Someone at one loopback address, with their own cookies."""

    def __init__(self, stack: Stack, address: str) -> None:
        self.stack = stack
        self.address = address
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        port: int,
        path: str,
        *,
        tls: bool,
        body: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        if tls:
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                "127.0.0.1",
                port,
                context=self.stack.context,
                timeout=60,
                source_address=(self.address, 0),
            )
        else:
            connection = http.client.HTTPConnection(
                "127.0.0.1", port, timeout=60, source_address=(self.address, 0)
            )
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return Answer(response.status, response.headers, text)

    def sign_in(self, port: int, username: str, password: str, *, tls: bool = True) -> Answer:
        page = self.request("GET", port, "/account/sign-in/", tls=tls)
        assert page.status == 200, (page.status, page.headers.get("Location"))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert token, "the sign-in form carries a CSRF token"
        return self.request(
            "POST",
            port,
            "/account/sign-in/",
            tls=tls,
            body={
                "csrfmiddlewaretoken": token.group(1),
                "username": username,
                "password": password,
            },
        )


def test_https_through_the_proxy_is_served_without_a_redirect_loop(stack):
    visitor = Visitor(stack, "127.0.0.2")
    page = visitor.request("GET", stack.https, "/account/sign-in/", tls=True)
    assert page.status == 200
    assert "Secure" in (page.headers.get("Set-Cookie") or "")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    # Plain HTTP through the proxy is sent to HTTPS, once.
    plain = visitor.request("GET", stack.http, "/account/sign-in/", tls=False)
    assert plain.status == 301 and plain.headers["Location"].startswith("https://127.0.0.1:")
    # The control: without the proxy trusted, an HTTPS request is sent to HTTPS again, and
    # again: the loop a TLS-terminating proxy used to get.
    for _ in range(3):
        looped = visitor.request("GET", stack.loop, "/account/sign-in/", tls=True)
        assert looped.status == 301
        assert looped.headers["Location"] == f"https://127.0.0.1:{stack.loop}/account/sign-in/"


def test_a_forwarded_header_from_anyone_but_the_proxy_is_ignored(stack):
    stranger = Visitor(stack, "127.0.0.5")  # straight to Cairn, around the proxy
    answer = stranger.request(
        "GET",
        stack.trusting,
        "/account/sign-in/",
        tls=False,
        headers={"X-Forwarded-Proto": "https"},
    )
    assert answer.status == 301  # not taken for HTTPS


def test_sign_in_and_a_page_through_the_proxy(stack):
    visitor = Visitor(stack, "127.0.0.6")
    answer = visitor.sign_in(stack.https, "jo", PASSWORD)
    assert answer.status == 302, answer.body[:500]
    home = visitor.request("GET", stack.https, "/", tls=True)
    assert home.status == 200 and "Sign out" in home.body


def test_the_lockout_counts_the_clients_address_not_the_proxys(stack):
    guesser, owner = Visitor(stack, "127.0.0.2"), Visitor(stack, "127.0.0.3")
    for _ in range(4):
        assert guesser.sign_in(stack.https, "alex", "not-the-password").status == 200
    assert guesser.sign_in(stack.https, "alex", "not-the-password").status == 429
    # Locked out at that address, even with the right password, and a forged header
    # (which nginx appends to, so the address it saw stays last) changes nothing.
    assert guesser.sign_in(stack.https, "alex", PASSWORD).status == 429
    forged = guesser.request(
        "GET", stack.https, "/account/sign-in/", tls=True, headers={"X-Forwarded-For": "127.0.0.9"}
    )
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', forged.body)
    assert token
    again = guesser.request(
        "POST",
        stack.https,
        "/account/sign-in/",
        tls=True,
        headers={"X-Forwarded-For": "127.0.0.9"},
        body={"csrfmiddlewaretoken": token.group(1), "username": "alex", "password": PASSWORD},
    )
    assert again.status == 429
    # She, from her own address, signs in.
    assert owner.sign_in(stack.https, "alex", PASSWORD).status == 302


def test_without_trusted_proxies_everyone_behind_the_proxy_shares_one_lockout(stack):
    """The control: the lockout anyone could impose before."""
    guesser, owner = Visitor(stack, "127.0.0.2"), Visitor(stack, "127.0.0.3")
    for _ in range(4):
        assert guesser.sign_in(stack.plain, "sam", "not-the-password", tls=False).status == 200
    assert guesser.sign_in(stack.plain, "sam", "not-the-password", tls=False).status == 429
    assert owner.sign_in(stack.plain, "sam", PASSWORD, tls=False).status == 429
