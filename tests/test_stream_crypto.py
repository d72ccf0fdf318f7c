"""Tests for cairn.store.crypto: streamed evidence encryption, key wrapping, KEKs, fields.

Pure: no database, no Django models. Small segment sizes (64, 4096) keep most tests fast;
a few use the default 1 MiB segments. The Tink interoperability tests run only when the
``tink`` package can be imported.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cairn.store import crypto
from cairn.store.crypto import (
    DEFAULT_SEGMENT_SIZE,
    HEADER_SIZE,
    TAG_SIZE,
    DecryptionError,
    FieldDecryptionError,
    KekParams,
    UnwrapError,
    ciphertext_size_for,
    decrypt_field,
    decrypt_stream,
    encrypt_field,
    encrypt_stream,
    generate_data_key,
    generate_salt,
    iter_decrypt,
    kek_from_passphrase,
    unwrap_key,
    wrap_key,
)

AD = b"vault:7d0c5f0e-test"
KEY = bytes(range(32))

# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def encrypt_bytes(data: bytes, *, key: bytes = KEY, ad: bytes = AD, seg: int = 64) -> bytes:
    out = io.BytesIO()
    result = encrypt_stream(key, io.BytesIO(data), out, ad, segment_size=seg)
    assert result.ciphertext_size == len(out.getvalue())
    return out.getvalue()


def decrypt_bytes(ct: bytes, *, key: bytes = KEY, ad: bytes = AD, seg: int = 64) -> bytes:
    out = io.BytesIO()
    result = decrypt_stream(key, io.BytesIO(ct), out, ad, segment_size=seg)
    assert result.size == len(out.getvalue())
    assert result.sha256 == hashlib.sha256(out.getvalue()).hexdigest()
    return out.getvalue()


def iter_bytes(ct: bytes, *, key: bytes = KEY, ad: bytes = AD, seg: int = 64) -> bytes:
    return b"".join(iter_decrypt(key, io.BytesIO(ct), ad, segment_size=seg))


def split_segments(ct: bytes, seg: int) -> list[bytes]:
    """Ciphertext segments after the header (the first is shorter by the header)."""
    body = ct[HEADER_SIZE:]
    first = seg - HEADER_SIZE
    parts = [body[:first]]
    parts += [body[i : i + seg] for i in range(first, len(body), seg)]
    return [p for p in parts if p]


def boundary_sizes(seg: int) -> list[int]:
    first = seg - HEADER_SIZE - TAG_SIZE
    rest = seg - TAG_SIZE
    sizes = {0, 1, 2, seg - HEADER_SIZE, seg, seg - 1, seg + 1}
    for j in range(4):
        edge = first + j * rest
        sizes.update({edge - 1, edge, edge + 1})
    sizes.add(first + 5 * rest + rest // 2)  # several segments, last one partial
    return sorted(s for s in sizes if s >= 0)


class GeneratedReader(io.RawIOBase):
    """A source of ``size`` pseudo-random bytes that never holds more than one 1 MiB block.

    Reads stop at block boundaries, so the consumer also sees short reads.
    """

    def __init__(self, size: int, seed: int = 1) -> None:
        self.remaining = size
        self.block = random.Random(seed).randbytes(1024 * 1024 + 13)
        self.pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        n = min(len(b), self.remaining, len(self.block) - self.pos)
        b[:n] = self.block[self.pos : self.pos + n]
        self.pos = (self.pos + n) % len(self.block)
        self.remaining -= n
        return n


class CountingSink(io.RawIOBase):
    """Write-only sink that hashes and counts what it receives, keeping nothing."""

    def __init__(self) -> None:
        self.size = 0
        self.hash = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:  # type: ignore[override]
        self.hash.update(b)
        self.size += len(b)
        return len(b)


class TrickleSink(io.RawIOBase):
    """A raw sink that accepts at most 7 bytes per write, to exercise partial writes."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:  # type: ignore[override]
        chunk = bytes(b[:7])
        self.data += chunk
        return len(chunk)


class ReadOnlySource:
    """A source with ``read`` but no ``readinto``, returning short reads."""

    def __init__(self, data: bytes) -> None:
        self.buf = io.BytesIO(data)

    def read(self, n: int = -1) -> bytes:
        return self.buf.read(min(n, 5) if n > 0 else n)


# ---------------------------------------------------------------------------------------------
# round trips
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seg", [64, 4096])
def test_round_trip_at_and_around_segment_boundaries(seg):
    for size in boundary_sizes(seg):
        data = os.urandom(size)
        ct = encrypt_bytes(data, seg=seg)
        assert len(ct) == ciphertext_size_for(size, segment_size=seg), size
        assert decrypt_bytes(ct, seg=seg) == data, size
        assert iter_bytes(ct, seg=seg) == data, size


def test_segment_layout_matches_tink_rules():
    seg = 64
    first = seg - HEADER_SIZE - TAG_SIZE  # 8 plaintext bytes in segment 0
    # empty plaintext: header + one tag
    assert len(encrypt_bytes(b"")) == HEADER_SIZE + TAG_SIZE
    # exactly one full first segment: a single segment, no empty trailing one
    assert len(encrypt_bytes(b"x" * first)) == seg
    # one byte more: a second segment of one byte
    assert len(encrypt_bytes(b"x" * (first + 1))) == seg + 1 + TAG_SIZE
    ct = encrypt_bytes(b"x" * (first + 48))
    assert [len(p) for p in split_segments(ct, seg)] == [seg - HEADER_SIZE, seg]
    assert ct[0] == HEADER_SIZE


def test_encrypt_result_reports_plaintext_sha256_and_sizes():
    data = os.urandom(10_000)
    out = io.BytesIO()
    result = encrypt_stream(KEY, io.BytesIO(data), out, AD, segment_size=4096)
    assert result.sha256_of_plaintext == hashlib.sha256(data).hexdigest()
    assert result.plaintext_size == len(data)
    assert (
        result.ciphertext_size
        == len(out.getvalue())
        == ciphertext_size_for(10_000, segment_size=4096)
    )


def test_default_segment_size_round_trip_about_3_mib():
    data = os.urandom(3 * 1024 * 1024 + 12345)
    out = io.BytesIO()
    result = encrypt_stream(KEY, io.BytesIO(data), out, AD)
    assert result.sha256_of_plaintext == hashlib.sha256(data).hexdigest()
    ct = out.getvalue()
    assert len(ct) == ciphertext_size_for(len(data))
    assert len(split_segments(ct, DEFAULT_SEGMENT_SIZE)) == 4
    back = io.BytesIO()
    assert decrypt_stream(KEY, io.BytesIO(ct), back, AD).sha256 == result.sha256_of_plaintext
    assert back.getvalue() == data
    assert b"".join(iter_decrypt(KEY, io.BytesIO(ct), AD)) == data


def test_files_on_disk_and_odd_streams(tmp_path):
    data = os.urandom(200_000)
    src = tmp_path / "plain"
    src.write_bytes(data)
    enc = tmp_path / "enc"
    with open(src, "rb") as f, open(enc, "wb") as g:
        encrypt_stream(KEY, f, g, AD, segment_size=4096)
    # unbuffered raw file objects (short reads and writes are allowed there)
    with open(enc, "rb", buffering=0) as f, open(tmp_path / "dec", "wb", buffering=0) as g:
        decrypt_stream(KEY, f, g, AD, segment_size=4096)
    assert (tmp_path / "dec").read_bytes() == data
    # a source without readinto, a sink that writes 7 bytes at a time
    sink = TrickleSink()
    encrypt_stream(KEY, ReadOnlySource(data[:3000]), sink, AD, segment_size=64)
    assert decrypt_bytes(bytes(sink.data)) == data[:3000]


def test_same_plaintext_encrypts_differently_each_time():
    data = b"same evidence" * 10
    assert encrypt_bytes(data) != encrypt_bytes(data)


# ---------------------------------------------------------------------------------------------
# tampering
# ---------------------------------------------------------------------------------------------


def assert_rejected(ct: bytes, *, key: bytes = KEY, ad: bytes = AD, seg: int = 64) -> int:
    with pytest.raises(DecryptionError) as first:
        decrypt_stream(key, io.BytesIO(ct), io.BytesIO(), ad, segment_size=seg)
    with pytest.raises(DecryptionError) as second:
        iter_bytes(ct, key=key, ad=ad, seg=seg)
    assert first.value.segment == second.value.segment
    assert f"segment {first.value.segment}" in str(first.value)
    return first.value.segment


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=700), seg=st.integers(57, 160), choice=st.data())
def test_property_round_trip_and_any_flipped_byte_is_rejected(data, seg, choice):
    ct = encrypt_bytes(data, seg=seg)
    assert decrypt_bytes(ct, seg=seg) == data
    position = choice.draw(st.integers(0, len(ct) - 1), label="position")
    bit = choice.draw(st.integers(0, 7), label="bit")
    tampered = bytearray(ct)
    tampered[position] ^= 1 << bit
    segment = assert_rejected(bytes(tampered), seg=seg)
    # the failing segment is the one holding the flipped byte (the header belongs to 0)
    expected = 0 if position < seg else (position - seg) // seg + 1
    assert segment == expected


def test_truncation_at_every_offset_is_rejected():
    ct = encrypt_bytes(os.urandom(300), seg=64)
    for cut in range(len(ct)):
        assert_rejected(ct[:cut])


def test_truncation_exactly_at_segment_boundaries_is_rejected():
    seg = 64
    ct = encrypt_bytes(os.urandom(8 + 48 * 4), seg=seg)  # five full segments
    assert len(ct) == 5 * seg
    for n in range(1, 5):
        assert assert_rejected(ct[: n * seg]) == n - 1


def test_appended_bytes_are_rejected():
    seg = 64
    for size in (5, 8, 8 + 48, 8 + 48 + 20):
        ct = encrypt_bytes(os.urandom(size), seg=seg)
        for extra in (b"\x00", os.urandom(15), os.urandom(16), os.urandom(64)):
            assert_rejected(ct + extra)
        # a whole genuine segment from another file encrypted under the same key and AD
        other = encrypt_bytes(os.urandom(200), seg=seg)
        assert_rejected(ct + split_segments(other, seg)[1])


def test_reordered_dropped_and_duplicated_segments_are_rejected():
    seg = 64
    ct = encrypt_bytes(os.urandom(8 + 48 * 4 + 10), seg=seg)
    header, parts = ct[:HEADER_SIZE], split_segments(ct, seg)
    assert len(parts) == 6

    def join(ps):
        return header + b"".join(ps)

    assert decrypt_bytes(join(parts)) is not None
    assert assert_rejected(join([parts[0], parts[2], parts[1], *parts[3:]])) == 1  # swap
    assert assert_rejected(join([parts[0], *parts[2:]])) == 1  # drop a middle segment
    assert assert_rejected(join(parts[:-1])) == 4  # drop the last one
    assert assert_rejected(join([parts[0], parts[1], parts[1], *parts[2:]])) == 2  # duplicate
    assert assert_rejected(join([*parts[:-2], parts[-1]])) == 4  # drop the one before last


def test_segments_from_another_file_are_rejected():
    seg = 64
    a = encrypt_bytes(os.urandom(200), seg=seg)
    b = encrypt_bytes(os.urandom(200), seg=seg)
    pa, pb = split_segments(a, seg), split_segments(b, seg)
    assert assert_rejected(a[:HEADER_SIZE] + pa[0] + pb[1] + b"".join(pa[2:])) == 1
    # b's header with a's segments
    assert assert_rejected(b[:HEADER_SIZE] + b"".join(pa)) == 0


def test_wrong_key_or_associated_data_is_rejected():
    ct = encrypt_bytes(os.urandom(500))
    assert assert_rejected(ct, key=generate_data_key()) == 0
    assert assert_rejected(ct, ad=AD + b"x") == 0
    assert assert_rejected(ct, ad=b"") == 0
    # the same file read with another segment size does not authenticate either
    assert assert_rejected(ct, seg=65) == 0


def test_header_problems_are_reported_as_segment_zero():
    ct = encrypt_bytes(b"hello")
    for bad in (b"", ct[:1], ct[: HEADER_SIZE - 1], b"\x18" + ct[1:], b"\x00" + ct[1:]):
        assert assert_rejected(bad) == 0


def test_decrypt_stream_releases_only_authenticated_segments():
    seg = 64
    data = os.urandom(8 + 48 * 5)
    ct = bytearray(encrypt_bytes(data, seg=seg))
    ct[seg * 3 + 10] ^= 0x01  # inside segment 3
    out = io.BytesIO()
    with pytest.raises(DecryptionError) as err:
        decrypt_stream(KEY, io.BytesIO(bytes(ct)), out, AD, segment_size=seg)
    assert err.value.segment == 3
    written = out.getvalue()
    assert data.startswith(written)
    assert len(written) <= 8 + 48 * 2  # nothing from segment 3 or after
    chunks = []
    with pytest.raises(DecryptionError):
        for chunk in iter_decrypt(KEY, io.BytesIO(bytes(ct)), AD, segment_size=seg):
            chunks.append(chunk)
    assert b"".join(chunks) == data[: 8 + 48 * 2]


def test_large_segments_are_rejected_on_tampering_too():
    # exercises the helper-thread path (segments >= 64 KiB)
    data = os.urandom(DEFAULT_SEGMENT_SIZE * 2 + 100)
    out = io.BytesIO()
    encrypt_stream(KEY, io.BytesIO(data), out, AD)
    ct = bytearray(out.getvalue())
    ct[DEFAULT_SEGMENT_SIZE + 5] ^= 0x80
    with pytest.raises(DecryptionError) as err:
        decrypt_stream(KEY, io.BytesIO(bytes(ct)), io.BytesIO(), AD)
    assert err.value.segment == 1
    with pytest.raises(DecryptionError) as err:
        decrypt_stream(KEY, io.BytesIO(out.getvalue()[:-1]), io.BytesIO(), AD)
    assert err.value.segment == 2


def test_known_answer_vector_written_by_tink():
    """A ciphertext produced by Tink 1.16.1 (Python) with this key, AD and 64-byte segments.

    Runs without Tink installed, and pins the wire format.
    """
    ct = bytes.fromhex(
        "28bc5aca6994e4b6b18d13cc80e8f8d7fe3a32bacfbfdb8fb47bc818dafcd0604309c738bbe6ec2800"
        "9054f743dddcdf907bafad81846b7b86fae8d6dae651514d7318d33cb5fb11b33dc793a8739be314bb"
        "0b8c40e1a68fc04afca3c0146cb32d01ce37c9eb10b738a00e114484e0ef1d4f8db213f9923455a06d"
        "4fd67026e1c5b586f6b549a76ed5cd7e2f80b4d3484bf60e25f38153924e0be088bc2b74c9f83c3d73"
        "db225cee63d09c3a46f1"
    )
    expected = (
        b"Cairn evidence file format test vector: Tink AES-GCM-HKDF streaming, 64-byte segments."
    )
    assert decrypt_bytes(ct, key=bytes(range(32)), ad=b"cairn test vector") == expected


def test_invalid_parameters_raise_value_error():
    with pytest.raises(ValueError):
        encrypt_bytes(b"x", key=b"short")
    with pytest.raises(ValueError):
        encrypt_bytes(b"x", seg=56)
    with pytest.raises(ValueError):
        decrypt_bytes(b"x" * 100, key=KEY + b"x")
    with pytest.raises(ValueError):
        ciphertext_size_for(-1)
    encrypt_bytes(b"x", seg=57)  # the smallest size Tink allows


# ---------------------------------------------------------------------------------------------
# memory
# ---------------------------------------------------------------------------------------------


def test_encrypting_and_decrypting_200_mib_uses_constant_memory(tmp_path):
    size = 200 * 1024 * 1024
    expected = hashlib.sha256()
    reader = GeneratedReader(size)
    buf = bytearray(1 << 20)
    while n := reader.readinto(buf):
        expected.update(memoryview(buf)[:n])

    source = GeneratedReader(size)
    enc_path = tmp_path / "big.enc"
    with open(enc_path, "wb") as sink:
        tracemalloc.start()
        try:
            result = encrypt_stream(KEY, source, sink, AD)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert result.plaintext_size == size
    assert result.sha256_of_plaintext == expected.hexdigest()
    assert peak < 16 * 1024 * 1024, f"encrypt peak {peak / 2**20:.1f} MiB"

    counting = CountingSink()
    with open(enc_path, "rb") as f:
        tracemalloc.start()
        try:
            back = decrypt_stream(KEY, f, counting, AD)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert back.size == size and back.sha256 == expected.hexdigest()
    assert counting.hash.hexdigest() == expected.hexdigest()
    assert peak < 16 * 1024 * 1024, f"decrypt peak {peak / 2**20:.1f} MiB"


# ---------------------------------------------------------------------------------------------
# key hierarchy
# ---------------------------------------------------------------------------------------------

FAST = KekParams(time_cost=1, memory_cost_kib=1024, parallelism=1)


def test_generate_data_key():
    a, b = generate_data_key(), generate_data_key()
    assert len(a) == len(b) == 32 and a != b


def test_wrap_unwrap_round_trip():
    kek, dk = generate_data_key(), generate_data_key()
    wrapped = wrap_key(kek, dk, context=b"vault:1")
    assert len(wrapped) == 61 and wrapped[0] == 1
    assert dk not in wrapped
    assert unwrap_key(kek, wrapped, context=b"vault:1") == dk
    assert wrap_key(kek, dk, context=b"vault:1") != wrapped  # random nonce


def test_unwrap_detects_tampering_wrong_kek_and_wrong_context():
    kek, dk = generate_data_key(), generate_data_key()
    wrapped = wrap_key(kek, dk, context=b"vault:1")
    for i in range(len(wrapped)):
        bad = bytearray(wrapped)
        bad[i] ^= 0x04
        with pytest.raises(UnwrapError):
            unwrap_key(kek, bytes(bad), context=b"vault:1")
    with pytest.raises(UnwrapError):
        unwrap_key(generate_data_key(), wrapped, context=b"vault:1")
    with pytest.raises(UnwrapError):
        unwrap_key(kek, wrapped, context=b"vault:2")
    with pytest.raises(UnwrapError):
        unwrap_key(kek, wrapped[:-1], context=b"vault:1")
    with pytest.raises(UnwrapError):
        unwrap_key(kek, wrapped + b"\x00", context=b"vault:1")
    with pytest.raises(ValueError):
        wrap_key(kek, dk[:16], context=b"vault:1")


def test_kek_from_passphrase_is_deterministic_and_salted():
    salt = generate_salt()
    assert len(salt) == 16
    a = kek_from_passphrase("correct horse battery staple", salt, params=FAST)
    assert len(a) == 32
    assert kek_from_passphrase("correct horse battery staple", salt, params=FAST) == a
    assert kek_from_passphrase("correct horse battery staple", generate_salt(), params=FAST) != a
    assert kek_from_passphrase("correct horse battery stapler", salt, params=FAST) != a
    other = KekParams(time_cost=2, memory_cost_kib=1024, parallelism=1)
    assert kek_from_passphrase("correct horse battery staple", salt, params=other) != a
    # the same passphrase in composed and decomposed Unicode forms gives the same key
    assert kek_from_passphrase("caf\u00e9", salt, params=FAST) == kek_from_passphrase(
        "cafe\u0301", salt, params=FAST
    )


def test_kek_default_params_and_storage_round_trip():
    params = KekParams()
    assert (params.time_cost, params.memory_cost_kib, params.parallelism) == (3, 65536, 2)
    stored = params.as_dict()
    assert stored["algorithm"] == "argon2id"
    assert KekParams.from_dict(stored) == params
    salt = bytes(16)
    kek = kek_from_passphrase("pass phrase", salt, params=params)
    assert kek == kek_from_passphrase("pass phrase", salt, params=KekParams.from_dict(stored))
    dk = generate_data_key()
    assert unwrap_key(kek, wrap_key(kek, dk, context=b"v"), context=b"v") == dk


def test_kek_argument_checks():
    with pytest.raises(ValueError):
        kek_from_passphrase("x", b"short", params=FAST)
    with pytest.raises(ValueError):
        kek_from_passphrase("", generate_salt(), params=FAST)
    with pytest.raises(ValueError):
        KekParams.from_dict({"algorithm": "scrypt", "time_cost": 1})
    with pytest.raises(ValueError):
        KekParams.from_dict({"time_cost": 1})
    with pytest.raises(ValueError):
        kek_from_passphrase("x", generate_salt(), params=KekParams(memory_cost_kib=4))


# ---------------------------------------------------------------------------------------------
# fields
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["", "a", "Saw him outside the gym at 18:40 \u2014 again.", "é" * 5000]
)
def test_field_round_trip(text):
    dk = generate_data_key()
    ct = encrypt_field(dk, text, context=b"item:42:description")
    assert len(ct) == 29 + len(text.encode())
    assert decrypt_field(dk, ct, context=b"item:42:description") == text
    assert encrypt_field(dk, text, context=b"item:42:description") != ct


def test_field_moved_to_another_row_or_column_fails():
    dk = generate_data_key()
    ct = encrypt_field(dk, "private note", context=b"item:42:notes")
    for ctx in (b"item:43:notes", b"item:42:description", b""):
        with pytest.raises(FieldDecryptionError):
            decrypt_field(dk, ct, context=ctx)
    with pytest.raises(FieldDecryptionError):
        decrypt_field(generate_data_key(), ct, context=b"item:42:notes")
    for i in range(len(ct)):
        bad = bytearray(ct)
        bad[i] ^= 0x10
        with pytest.raises(FieldDecryptionError):
            decrypt_field(dk, bytes(bad), context=b"item:42:notes")
    with pytest.raises(FieldDecryptionError):
        decrypt_field(dk, ct[:20], context=b"item:42:notes")


def test_exception_tree():
    for exc in (DecryptionError, UnwrapError, FieldDecryptionError):
        assert issubclass(exc, crypto.CryptoError)


# ---------------------------------------------------------------------------------------------
# interoperability with Tink
# ---------------------------------------------------------------------------------------------


def tink_streaming_aead(key: bytes, segment_size: int):
    tink = pytest.importorskip("tink")
    from tink import cleartext_keyset_handle, streaming_aead
    from tink.proto import aes_gcm_hkdf_streaming_pb2, common_pb2, tink_pb2

    streaming_aead.register()
    key_proto = aes_gcm_hkdf_streaming_pb2.AesGcmHkdfStreamingKey(
        version=0,
        key_value=key,
        params=aes_gcm_hkdf_streaming_pb2.AesGcmHkdfStreamingParams(
            ciphertext_segment_size=segment_size,
            derived_key_size=32,
            hkdf_hash_type=common_pb2.SHA256,
        ),
    )
    keyset = tink_pb2.Keyset(
        primary_key_id=7,
        key=[
            tink_pb2.Keyset.Key(
                key_data=tink_pb2.KeyData(
                    type_url="type.googleapis.com/google.crypto.tink.AesGcmHkdfStreamingKey",
                    value=key_proto.SerializeToString(),
                    key_material_type=tink_pb2.KeyData.SYMMETRIC,
                ),
                status=tink_pb2.ENABLED,
                key_id=7,
                output_prefix_type=tink_pb2.RAW,
            )
        ],
    )
    handle = cleartext_keyset_handle.from_keyset(keyset)
    return handle.primitive(streaming_aead.StreamingAead), tink


def tink_encrypt(primitive, data: bytes, ad: bytes, path) -> bytes:
    # Tink's encrypting stream closes its destination, so go through a file
    with primitive.new_encrypting_stream(open(path, "wb"), ad) as stream:
        stream.write(data)
    return path.read_bytes()


def tink_decrypt(primitive, ct: bytes, ad: bytes) -> bytes:
    with primitive.new_decrypting_stream(io.BytesIO(ct), ad) as stream:
        return stream.read()


@pytest.mark.parametrize("seg", [64, 4096, DEFAULT_SEGMENT_SIZE])
def test_tink_decrypts_ours_and_we_decrypt_tinks(seg, tmp_path):
    key = generate_data_key()
    primitive, _ = tink_streaming_aead(key, seg)
    sizes = boundary_sizes(seg) if seg < DEFAULT_SEGMENT_SIZE else [0, 1, 3 * seg + 777]
    if seg == DEFAULT_SEGMENT_SIZE:
        sizes += [seg - HEADER_SIZE - TAG_SIZE, 2 * seg - HEADER_SIZE - 2 * TAG_SIZE]
    for size in sizes:
        data = os.urandom(size)
        ours = encrypt_bytes(data, key=key, seg=seg)
        assert tink_decrypt(primitive, ours, AD) == data, size
        theirs = tink_encrypt(primitive, data, AD, tmp_path / f"t{size}")
        assert len(theirs) == len(ours), size
        assert decrypt_bytes(theirs, key=key, seg=seg) == data, size
        assert iter_bytes(theirs, key=key, seg=seg) == data, size


def test_tink_rejects_what_we_reject():
    key = generate_data_key()
    primitive, tink = tink_streaming_aead(key, 4096)
    ct = encrypt_bytes(os.urandom(10_000), key=key, seg=4096)
    for bad in (ct[:4096], ct[:-1], ct + b"\x00", ct[:100] + bytes([ct[100] ^ 1]) + ct[101:]):
        with pytest.raises(tink.TinkError):
            tink_decrypt(primitive, bad, AD)
        assert_rejected(bad, key=key, seg=4096)
    with pytest.raises(tink.TinkError):
        tink_decrypt(primitive, ct, AD + b"!")
