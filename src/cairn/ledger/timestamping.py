"""Trusted timestamps (RFC 3161) for the ledger's signed tree heads.

A time-stamping authority (TSA) countersigns the SHA-256 digest of some bytes (for Cairn: a
signed tree head) with the time at which it saw them. The result proves that those bytes
existed no later than that time, independently of Cairn's own clock and key.

What is stored
--------------
:func:`request_timestamp` returns, and Cairn stores, the **complete DER-encoded
``TimeStampResp``** as the TSA sent it (status plus ``TimeStampToken``), not the bare token.
Those bytes can be checked with nothing but OpenSSL::

    openssl ts -verify -data HEAD.bin -in STORED.tsr -CAfile tsa-root.pem -untrusted tsa.pem

(``-untrusted`` is optional when the token embeds the TSA certificate, which it does because
Cairn always asks for it.) :func:`verify_timestamp` also accepts a bare DER
``TimeStampToken`` (what ``openssl ts -verify -token_in`` reads), so tokens taken from
elsewhere can be checked the same way.

Both functions use the ``rfc3161-client`` library (requests, parsing, CMS signature and
certificate-chain verification; RSA and EC TSAs). Every failure is reported as
:class:`TimestampError`, whose message says what went wrong without echoing the data, the
response body, or any credentials in the TSA URL.
"""

from __future__ import annotations

import hashlib
import http.client
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime

import cryptography.x509
from cryptography.x509.oid import NameOID
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

__all__ = [
    "QUERY_CONTENT_TYPE",
    "REPLY_CONTENT_TYPE",
    "TimestampError",
    "TimestampInfo",
    "request_timestamp",
    "verify_timestamp",
]

#: Media type of an RFC 3161 request (RFC 3161 section 3.4).
QUERY_CONTENT_TYPE = "application/timestamp-query"
#: Media type of an RFC 3161 response (RFC 3161 section 3.4).
REPLY_CONTENT_TYPE = "application/timestamp-reply"

#: The only message-imprint algorithm Cairn asks for and accepts.
SHA256_OID = cryptography.x509.ObjectIdentifier("2.16.840.1.101.3.4.2.1")

#: Refuse TSA replies larger than this (a real one is a few kilobytes).
MAX_REPLY_BYTES = 1024 * 1024

_HASH_NAMES = {
    "2.16.840.1.101.3.4.2.1": "sha256",
    "2.16.840.1.101.3.4.2.2": "sha384",
    "2.16.840.1.101.3.4.2.3": "sha512",
}

_STATUS_NAMES = {
    PKIStatus.GRANTED: "granted",
    PKIStatus.GRANTED_WITH_MODS: "granted with modifications",
    PKIStatus.REJECTION: "rejection",
    PKIStatus.WAITING: "waiting",
    PKIStatus.REVOCATION_WARNING: "revocation warning",
    PKIStatus.REVOCATION_NOTIFICATION: "revocation notification",
}


class TimestampError(Exception):
    """A trusted timestamp could not be obtained, or does not verify.

    The message is meant for logs and for the person running ``verify``: it names the
    failing step (network, HTTP, parsing, status, nonce, imprint, signature or chain) and
    never includes the timestamped data, the raw response or URL credentials.
    """


@dataclass(frozen=True, slots=True)
class TimestampInfo:
    """What a verified timestamp token asserts.

    Attributes:
        gen_time: when the TSA says it saw the digest (timezone-aware, UTC).
        serial_number: the TSA's serial number for this token.
        tsa_name: the TSA's name: the token's ``tsa`` field if present (RFC 4514 string
            for a directory name), otherwise the subject of the TSA certificate.
        hash_algorithm: the message-imprint algorithm, ``"sha256"`` for Cairn's tokens.
        policy_oid: the TSA policy under which the token was issued (dotted OID).
    """

    gen_time: datetime
    serial_number: int
    tsa_name: str
    hash_algorithm: str
    policy_oid: str


def _describe_url(url: str) -> str:
    """``scheme://host[:port]/path`` of ``url``, with no user info or query string."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or "?"
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def _clean_text(text: str, limit: int = 200) -> str:
    """Printable, length-limited text from a remote party (for error messages)."""
    printable = "".join(ch if ch.isprintable() else "?" for ch in text)
    return printable if len(printable) <= limit else printable[: limit - 3] + "..."


def _hash_name(oid: cryptography.x509.ObjectIdentifier) -> str:
    return _HASH_NAMES.get(oid.dotted_string, oid.dotted_string)


def _parse_response(der: bytes) -> TimeStampResponse:
    """Parse a DER ``TimeStampResp``, or wrap and parse a bare DER ``TimeStampToken``."""
    try:
        return decode_timestamp_response(der)
    except Exception:  # noqa: S110 - not a TimeStampResp; maybe a bare token (below)
        pass
    try:
        return decode_timestamp_response(_wrap_token(der))
    except Exception as exc:
        raise TimestampError(
            "not an RFC 3161 timestamp: the bytes are neither a DER TimeStampResp "
            "nor a DER TimeStampToken"
        ) from exc


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _wrap_token(token: bytes) -> bytes:
    """A ``TimeStampResp`` with status ``granted`` around a bare ``TimeStampToken``.

    The status is not covered by the TSA's signature, so adding it asserts nothing: the
    token inside is verified exactly as it would be in the TSA's own response.
    """
    status_info = b"\x30\x03\x02\x01\x00"  # PKIStatusInfo ::= SEQUENCE { status 0 }
    content = status_info + token
    return b"\x30" + _der_length(len(content)) + content


def _load_certificates(pem: bytes, what: str) -> list[cryptography.x509.Certificate]:
    try:
        certs = cryptography.x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise TimestampError(f"the {what} is not valid PEM") from exc
    if not certs:
        raise TimestampError(f"the {what} contains no certificate")
    return certs


def _describe_verification_error(text: str) -> str:
    """A one-line reason from an ``rfc3161-client`` error (which may embed OpenSSL's stack)."""
    chain = re.search(r"Verify error: ([^\"]+)", text)
    if chain:
        return f"the timestamp's certificate chain does not verify: {_clean_text(chain[1], 120)}"
    if "Unable to verify pkcs7 signature" in text:
        return "the timestamp's signature does not verify (the token was altered or mis-signed)"
    return f"the timestamp does not verify: {_clean_text(text, 200)}"


def _tsa_name(response: TimeStampResponse, tsa_cert: cryptography.x509.Certificate) -> str:
    try:
        general_name = response.tst_info.name
    except Exception:  # the optional tsa field is absent
        general_name = None
    if isinstance(general_name, cryptography.x509.DirectoryName):
        return general_name.value.rfc4514_string()
    if general_name is not None:
        return str(general_name.value)
    cns = tsa_cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(cns[0].value) if cns else tsa_cert.subject.rfc4514_string()


def request_timestamp(url: str, data: bytes, *, timeout: float = 10) -> bytes:  # noqa: C901, PLR0912 (RFC 3161 response checks, one branch each)
    """Ask the TSA at ``url`` to timestamp SHA-256(``data``); return the response to store.

    Builds an RFC 3161 ``TimeStampReq`` for the SHA-256 digest of ``data`` with a fresh
    random nonce and ``certReq`` set (so the token embeds the TSA certificate), POSTs it
    as ``application/timestamp-query``, and checks that the answer is HTTP 200 with type
    ``application/timestamp-reply``, parses as a ``TimeStampResp``, has status *granted*,
    and carries our nonce and our SHA-256 imprint.

    The token's signature and certificate chain are **not** checked here (that needs the
    TSA's trust anchor): call :func:`verify_timestamp` before relying on it.

    Args:
        url: the TSA's ``http://`` or ``https://`` endpoint.
        data: the bytes to timestamp (for the ledger: a signed tree head). Only their
            digest leaves this machine.
        timeout: seconds to wait for the connection and for the reply.

    Returns:
        The complete DER-encoded ``TimeStampResp``: what Cairn stores, and what
        ``openssl ts -verify -data FILE -in RESPONSE -CAfile ROOT`` checks directly.

    Raises:
        TimestampError: the URL is unusable, the TSA is unreachable or times out, the HTTP
            status or content type is wrong, the reply is malformed or not granted, or the
            nonce or message imprint does not match the request.
    """
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        raise TimestampError("the TSA URL is malformed") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TimestampError("the TSA URL must be an absolute http:// or https:// URL")
    if parts.username is not None or parts.password is not None:
        raise TimestampError("credentials in the TSA URL are not supported")
    where = _describe_url(url)
    if not data:
        raise TimestampError("refusing to timestamp empty data")

    digest = hashlib.sha256(data).digest()
    ts_request = (
        TimestampRequestBuilder()
        .data(data)
        .hash_algorithm(HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .cert_request(cert_request=True)
        .build()
    )
    nonce = ts_request.nonce
    if nonce is None or ts_request.message_imprint.message != digest:  # pragma: no cover
        raise TimestampError("could not build the time-stamp request")

    http_request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=ts_request.as_bytes(),
        method="POST",
        headers={"Content-Type": QUERY_CONTENT_TYPE, "Accept": REPLY_CONTENT_TYPE},
    )
    try:
        with urllib.request.urlopen(http_request, timeout=timeout) as reply:  # noqa: S310
            status = reply.status
            content_type = reply.headers.get_content_type()
            body = reply.read(MAX_REPLY_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise TimestampError(
            f"the TSA at {where} answered HTTP {exc.code} ({_clean_text(str(exc.reason))})"
        ) from None
    except urllib.error.URLError as exc:
        raise TimestampError(
            f"could not reach the TSA at {where}: {_clean_text(str(exc.reason))}"
        ) from None
    except TimeoutError:
        raise TimestampError(f"the TSA at {where} did not answer within {timeout:g} s") from None
    except (OSError, http.client.HTTPException) as exc:
        raise TimestampError(
            f"the connection to the TSA at {where} failed: {type(exc).__name__}"
        ) from None

    if status != 200:
        raise TimestampError(f"the TSA at {where} answered HTTP {status}, expected 200")
    if content_type != REPLY_CONTENT_TYPE:
        raise TimestampError(
            f"the TSA at {where} answered with content type {_clean_text(content_type, 80)!r}, "
            f"expected {REPLY_CONTENT_TYPE!r}"
        )
    if len(body) > MAX_REPLY_BYTES:
        raise TimestampError(f"the TSA at {where} sent a reply larger than {MAX_REPLY_BYTES} bytes")

    try:
        response = decode_timestamp_response(body)
    except Exception:
        raise TimestampError(
            f"the TSA at {where} sent a reply that is not a DER TimeStampResp"
        ) from None

    if response.status != PKIStatus.GRANTED:
        try:
            label = _STATUS_NAMES[PKIStatus(response.status)]
        except ValueError:
            label = f"unknown status {response.status}"
        detail = "; ".join(_clean_text(s) for s in response.status_string)
        raise TimestampError(
            f"the TSA at {where} did not grant the timestamp: {label}"
            + (f" ({detail})" if detail else "")
        )

    try:
        tst_info = response.tst_info
        reply_nonce = tst_info.nonce
        imprint = tst_info.message_imprint
        imprint_algorithm = imprint.hash_algorithm
        imprint_digest = imprint.message
        der = response.as_bytes()
    except Exception:
        raise TimestampError(
            f"the TSA at {where} sent a granted reply without a readable token"
        ) from None
    if reply_nonce != nonce:
        raise TimestampError(f"the TSA at {where} answered with a different nonce")
    if imprint_algorithm != SHA256_OID:
        raise TimestampError(
            f"the TSA at {where} timestamped a {_hash_name(imprint_algorithm)} digest, "
            "expected sha256"
        )
    if imprint_digest != digest:
        raise TimestampError(
            f"the TSA at {where} timestamped a different digest from the one requested"
        )
    return der


def verify_timestamp(
    token: bytes,
    data: bytes,
    *,
    tsa_certificate_pem: bytes,
    ca_certificates_pem: bytes | None = None,
) -> TimestampInfo:
    """Check that ``token`` is a valid RFC 3161 timestamp of SHA-256(``data``).

    Verifies, with ``rfc3161-client``: the response status is *granted*; the CMS signature
    over the token; that the signer is ``tsa_certificate_pem`` (and any certificate
    embedded in the token is that same one), that it has the critical ``timeStamping``
    extended key usage, and that it chains to a root in ``ca_certificates_pem`` (at the
    token's time); and that the message imprint is SHA-256 and equals SHA-256(``data``).

    Args:
        token: what :func:`request_timestamp` returned (a DER ``TimeStampResp``), or a bare
            DER ``TimeStampToken``.
        data: the bytes that were timestamped.
        tsa_certificate_pem: the TSA's certificate (PEM).
        ca_certificates_pem: the trust anchors and any intermediates (one or more PEM
            certificates; self-signed ones are used as roots, the others as
            intermediates). If ``None``, the TSA certificate must be self-signed and is
            then its own trust anchor.

    Returns:
        The token's time, serial number, TSA name, hash algorithm and policy.

    Raises:
        TimestampError: the bytes are not a timestamp, the certificates are unusable, the
            token is not for SHA-256(``data``), or the signature or chain does not verify.
    """
    tsa_certs = _load_certificates(tsa_certificate_pem, "TSA certificate")
    if len(tsa_certs) != 1:
        raise TimestampError("the TSA certificate PEM must hold exactly one certificate")
    tsa_cert = tsa_certs[0]
    if ca_certificates_pem is None:
        if tsa_cert.issuer != tsa_cert.subject:
            raise TimestampError(
                "the TSA certificate is not self-signed: give the CA certificates to check "
                "it against"
            )
        ca_certs = [tsa_cert]
    else:
        ca_certs = _load_certificates(ca_certificates_pem, "CA certificates")
    roots = [c for c in ca_certs if c.issuer == c.subject]
    intermediates = [c for c in ca_certs if c.issuer != c.subject]
    if not roots:
        raise TimestampError("the CA certificates include no self-signed root")

    response = _parse_response(token)
    if response.status != PKIStatus.GRANTED:
        raise TimestampError("the timestamp response does not carry a granted token")
    try:
        tst_info = response.tst_info
        imprint_algorithm = tst_info.message_imprint.hash_algorithm
    except Exception:
        raise TimestampError("the timestamp token is missing or malformed") from None
    if imprint_algorithm != SHA256_OID:
        raise TimestampError(
            f"the timestamp covers a {_hash_name(imprint_algorithm)} digest, expected sha256"
        )
    builder = VerifierBuilder().tsa_certificate(tsa_cert)
    for root in roots:
        builder = builder.add_root_certificate(root)
    for intermediate in intermediates:
        builder = builder.add_intermediate_certificate(intermediate)
    verifier = builder.build()
    try:
        # Signature, certificates and EKU first, against the token's own imprint, so that a
        # tampered token is reported as such rather than as "other data".
        verifier.verify(response, tst_info.message_imprint.message)
    except VerificationError as exc:
        raise TimestampError(_describe_verification_error(str(exc))) from None
    except Exception:
        raise TimestampError(
            "the timestamp token is malformed or its signature does not verify"
        ) from None

    if tst_info.message_imprint.message != hashlib.sha256(data).digest():
        raise TimestampError("the timestamp does not cover these data (SHA-256 differs)")

    gen_time = tst_info.gen_time
    if gen_time.tzinfo is None:  # ASN.1 GeneralizedTime in RFC 3161 is always UTC
        gen_time = gen_time.replace(tzinfo=UTC)
    return TimestampInfo(
        gen_time=gen_time.astimezone(UTC),
        serial_number=tst_info.serial_number,
        tsa_name=_tsa_name(response, tsa_cert),
        hash_algorithm=_hash_name(imprint_algorithm),
        policy_oid=tst_info.policy.dotted_string,
    )
