"""RFC 3161 trusted timestamps: Cairn and OpenSSL must agree on every stored response."""

from __future__ import annotations

import re
import socket
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import load_pem_x509_certificate

from cairn.ledger.timestamping import (
    TimestampError,
    TimestampInfo,
    request_timestamp,
    verify_timestamp,
)
from tests.tsa import TEST_POLICY_OID, LocalTSA

HEAD = b'{"root_hash":"a3f1","size":42,"timestamp":"2025-01-01T00:00:00Z"}'


@pytest.fixture(scope="module", params=["ec", "rsa"])
def tsa(request: pytest.FixtureRequest) -> Iterator[LocalTSA]:
    with LocalTSA(key_type=request.param) as local:
        yield local


@pytest.fixture(scope="module")
def other_tsa() -> Iterator[LocalTSA]:
    """An unrelated TSA with its own root CA."""
    with LocalTSA(name="Elsewhere") as local:
        yield local


@pytest.fixture(scope="module")
def stored(tsa: LocalTSA) -> bytes:
    """What Cairn would store for HEAD."""
    return request_timestamp(tsa.url, HEAD)


def openssl_verify(
    tmp_path: Path, data: bytes, stored: bytes, ca: Path, untrusted: Path, *, token_in: bool = False
) -> subprocess.CompletedProcess[str]:
    data_file = tmp_path / "data.bin"
    data_file.write_bytes(data)
    ts_file = tmp_path / ("token.der" if token_in else "response.tsr")
    ts_file.write_bytes(stored)
    cmd = ["openssl", "ts", "-verify", "-data", str(data_file), "-in", str(ts_file)]
    if token_in:
        cmd.append("-token_in")
    cmd += ["-CAfile", str(ca), "-untrusted", str(untrusted)]
    return subprocess.run(cmd, capture_output=True, text=True, check=False)


def cairn_verify(stored: bytes, data: bytes, tsa: LocalTSA) -> TimestampInfo:
    return verify_timestamp(
        stored, data, tsa_certificate_pem=tsa.tsa_cert_pem, ca_certificates_pem=tsa.ca_cert_pem
    )


# -- the happy path ---------------------------------------------------------------------------


def test_stored_response_verifies_in_cairn_and_openssl(
    tsa: LocalTSA, stored: bytes, tmp_path: Path
) -> None:
    before = datetime.now(UTC)
    info = cairn_verify(stored, HEAD, tsa)

    assert info.gen_time.tzinfo is not None
    assert info.gen_time.utcoffset() == timedelta(0)
    assert before - timedelta(minutes=5) <= info.gen_time <= before + timedelta(seconds=5)
    assert info.serial_number > 0
    assert info.hash_algorithm == "sha256"
    assert info.policy_oid == TEST_POLICY_OID
    assert "Cairn Test TSA" in info.tsa_name

    result = openssl_verify(tmp_path, HEAD, stored, tsa.ca_cert_path, tsa.tsa_cert_path)
    assert result.returncode == 0, result.stderr
    assert "Verification: OK" in result.stdout


def test_bare_token_is_accepted_too(tsa: LocalTSA, stored: bytes, tmp_path: Path) -> None:
    response_file = tmp_path / "response.tsr"
    response_file.write_bytes(stored)
    token_file = tmp_path / "token.der"
    subprocess.run(
        ["openssl", "ts", "-reply", "-in", str(response_file), "-token_out",
         "-out", str(token_file)],
        check=True, capture_output=True,
    )  # fmt: skip
    token = token_file.read_bytes()
    assert token != stored

    assert cairn_verify(token, HEAD, tsa) == cairn_verify(stored, HEAD, tsa)
    result = openssl_verify(
        tmp_path, HEAD, token, tsa.ca_cert_path, tsa.tsa_cert_path, token_in=True
    )
    assert result.returncode == 0, result.stderr
    assert "Verification: OK" in result.stdout


def test_each_request_gets_a_new_serial(tsa: LocalTSA) -> None:
    first = cairn_verify(request_timestamp(tsa.url, b"one"), b"one", tsa)
    second = cairn_verify(request_timestamp(tsa.url, b"two"), b"two", tsa)
    assert first.serial_number != second.serial_number


def test_self_signed_tsa_needs_no_separate_ca_but_ours_is_not(tsa: LocalTSA, stored: bytes) -> None:
    with pytest.raises(TimestampError, match="not self-signed"):
        verify_timestamp(stored, HEAD, tsa_certificate_pem=tsa.tsa_cert_pem)


# -- verification failures --------------------------------------------------------------------


def test_other_data_fails_in_cairn_and_openssl(
    tsa: LocalTSA, stored: bytes, tmp_path: Path
) -> None:
    other = HEAD.replace(b"42", b"43")
    with pytest.raises(TimestampError, match="does not cover these data"):
        cairn_verify(stored, other, tsa)

    result = openssl_verify(tmp_path, other, stored, tsa.ca_cert_path, tsa.tsa_cert_path)
    assert result.returncode != 0
    assert "Verification: OK" not in result.stdout


def _octet_strings(der: bytes, tmp_path: Path) -> list[range]:
    """Content ranges of the OCTET STRINGs in ``der``, in order (via ``openssl asn1parse``)."""
    der_file = tmp_path / "asn1.der"
    der_file.write_bytes(der)
    listing = subprocess.run(
        ["openssl", "asn1parse", "-inform", "DER", "-in", str(der_file)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    found = []
    for line in listing.splitlines():
        match = re.match(r"\s*(\d+):d=\d+\s+hl=(\d+)\s+l=\s*(\d+) prim:\s+OCTET STRING", line)
        if match:
            offset, header, length = (int(g) for g in match.groups())
            found.append(range(offset + header, offset + header + length))
    return found


def test_byte_flipped_response_fails(tsa: LocalTSA, stored: bytes, tmp_path: Path) -> None:
    octets = _octet_strings(stored, tmp_path)
    # In order: the signed TSTInfo (eContent), the octet strings inside the embedded
    # certificate, the signed messageDigest attribute, and the signature value.
    tst_info, message_digest, signature = octets[0], octets[-2], octets[-1]
    assert len(message_digest) == 32
    certificate = load_pem_x509_certificate(tsa.tsa_cert_pem).public_bytes(Encoding.DER)
    cert_start = stored.index(certificate)
    positions = [
        *tst_info,
        *message_digest,
        *signature,
        *range(cert_start, cert_start + len(certificate), 7),
    ]
    for pos in positions:
        tampered = bytearray(stored)
        tampered[pos] ^= 0x01
        with pytest.raises(TimestampError):
            cairn_verify(bytes(tampered), HEAD, tsa)

    # OpenSSL agrees, for a flipped signature byte and a flipped genTime seconds digit
    # (GeneralizedTime: tag 0x18, length 15, "YYYYMMDDHHMMSSZ").
    gen_time = stored.index(b"\x18\x0f", tst_info.start)
    for pos in (signature.stop - 1, gen_time + 2 + 13):
        tampered = bytearray(stored)
        tampered[pos] ^= 0x01
        result = openssl_verify(
            tmp_path, HEAD, bytes(tampered), tsa.ca_cert_path, tsa.tsa_cert_path
        )
        assert result.returncode != 0, pos
        assert "Verification: OK" not in result.stdout
        # An altered signature is reported as such; an altered genTime may instead fall
        # before the certificate's notBefore, and the chain is checked (at genTime) first.
        with pytest.raises(TimestampError, match=r"(signature|certificate chain) does not verify"):
            cairn_verify(bytes(tampered), HEAD, tsa)
    with pytest.raises(TimestampError, match="signature does not verify"):
        tampered = bytearray(stored)
        tampered[signature.stop - 1] ^= 0x01
        cairn_verify(bytes(tampered), HEAD, tsa)


def test_different_ca_fails(
    tsa: LocalTSA, other_tsa: LocalTSA, stored: bytes, tmp_path: Path
) -> None:
    # The right TSA certificate, but trusting another root.
    with pytest.raises(TimestampError, match="certificate chain does not verify"):
        verify_timestamp(
            stored, HEAD,
            tsa_certificate_pem=tsa.tsa_cert_pem,
            ca_certificates_pem=other_tsa.ca_cert_pem,
        )  # fmt: skip
    # Another TSA's certificate and root altogether.
    with pytest.raises(TimestampError, match="certificate chain does not verify"):
        cairn_verify(stored, HEAD, other_tsa)

    result = openssl_verify(tmp_path, HEAD, stored, other_tsa.ca_cert_path, other_tsa.tsa_cert_path)
    assert result.returncode != 0
    assert "Verification: OK" not in result.stdout


def test_garbage_is_not_a_timestamp(tsa: LocalTSA) -> None:
    for junk in (b"", b"\x00" * 10, b"\x30\x03\x02\x01\x00", HEAD):
        with pytest.raises(
            TimestampError, match=r"not an RFC 3161 timestamp|granted|missing or malformed"
        ):
            cairn_verify(junk, HEAD, tsa)


def test_bad_certificate_pem_is_reported(stored: bytes) -> None:
    with pytest.raises(TimestampError, match="TSA certificate is not valid PEM"):
        verify_timestamp(stored, HEAD, tsa_certificate_pem=b"nope")


# -- request failures -------------------------------------------------------------------------


def test_http_500_is_reported(tsa: LocalTSA) -> None:
    with pytest.raises(TimestampError, match=r"answered HTTP 500"):
        request_timestamp(tsa.fault_url("status-500"), HEAD)


def test_garbage_reply_is_reported(tsa: LocalTSA) -> None:
    with pytest.raises(TimestampError, match="not a DER TimeStampResp"):
        request_timestamp(tsa.fault_url("garbage"), HEAD)


def test_wrong_content_type_is_reported(tsa: LocalTSA) -> None:
    with pytest.raises(TimestampError, match="content type 'text/html'"):
        request_timestamp(tsa.fault_url("wrong-type"), HEAD)


def test_rejection_is_reported_with_the_tsa_reason(tsa: LocalTSA) -> None:
    with pytest.raises(TimestampError, match=r"did not grant.*rejection.*not supported"):
        request_timestamp(tsa.fault_url("reject"), HEAD)


def test_reply_for_another_request_is_refused(tsa: LocalTSA) -> None:
    with pytest.raises(TimestampError, match="different nonce"):
        request_timestamp(tsa.fault_url("mismatch"), HEAD)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_closed_port_is_reported() -> None:
    port = _free_port()
    with pytest.raises(
        TimestampError, match=rf"could not reach the TSA at http://127.0.0.1:{port}"
    ):
        request_timestamp(f"http://127.0.0.1:{port}/tsa", HEAD, timeout=2)


def test_silent_server_times_out() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)  # accepts the TCP connection (backlog) but never answers
        port = listener.getsockname()[1]
        with pytest.raises(TimestampError, match=r"did not answer within|timed out"):
            request_timestamp(f"http://127.0.0.1:{port}/tsa", HEAD, timeout=0.5)


def test_messages_do_not_leak_credentials_or_data(tsa: LocalTSA) -> None:
    url = tsa.fault_url("status-500").replace("http://", "http://alice:s3cret@")
    with pytest.raises(TimestampError, match="credentials in the TSA URL") as excinfo:
        request_timestamp(url, b"the victim's private note")
    message = str(excinfo.value)
    assert "s3cret" not in message
    assert "alice" not in message
    assert "private note" not in message


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/tsa", "file:///etc/passwd", "tsa.example"])
def test_non_http_urls_are_refused(url: str) -> None:
    with pytest.raises(TimestampError, match="http:// or https://"):
        request_timestamp(url, HEAD)


def test_malformed_url_is_refused() -> None:
    with pytest.raises(TimestampError, match="malformed"):
        request_timestamp("http://127.0.0.1:notaport/tsa", HEAD)


def test_unreachable_host_is_reported() -> None:
    with pytest.raises(TimestampError, match=r"could not reach the TSA at http://tsa\.invalid/"):
        request_timestamp("http://tsa.invalid/tsa", HEAD, timeout=3)


def test_empty_data_is_refused(tsa: LocalTSA) -> None:
    with pytest.raises(TimestampError, match="empty"):
        request_timestamp(tsa.url, b"")
