"""The evidence store, the same tests on both backends: a folder on disk, and S3-compatible
object storage (a real SeaweedFS server, tests/seaweedfs.py). Then what rests on the store,
on each: ingest, cairn verify, and an evidence pack checked by verify-pack."""

from __future__ import annotations

import hashlib
import io
import os
from datetime import UTC, datetime

import pytest

from cairn.integrity.verify import verify_vault
from cairn.packs.selection import Selection
from cairn.packs.services import build_pack
from cairn.packs.verify import verify_pack
from cairn.store import blobs
from cairn.store.backends import DiskBackend
from cairn.store.blobs import CorruptBlob, EmptyFile, MissingBlob, TooLarge, default_store
from cairn.store.s3backend import PART_BYTES, S3Backend
from cairn.vault import services


@pytest.fixture(params=["disk", "s3"])
def backend_name(request, settings):
    """Each test runs on the disk store and on a prefix of its own in SeaweedFS."""
    if request.param == "s3":
        server = request.getfixturevalue("seaweedfs")
        for name, value in server.env().items():
            setattr(settings, name, value)
    return request.param


@pytest.fixture
def store(backend_name, vault):
    made = default_store()
    assert isinstance(made.backend, DiskBackend if backend_name == "disk" else S3Backend)
    return made


def _replace_stored(store, namespace: str, sha256: str, data: bytes) -> None:
    """What an attacker with write access to the store would do."""
    backend = store.backend
    if isinstance(backend, DiskBackend):
        backend.path_for(namespace, sha256).write_bytes(data)
    else:
        backend.client.put_object(
            Bucket=backend.bucket, Key=backend.key(namespace, sha256), Body=data
        )


def _stored(store, namespace: str, sha256: str) -> bytes:
    with store.backend.open(namespace, sha256) as handle:
        return handle.read()


def test_a_file_is_stored_encrypted_under_its_sha256_and_read_back(store, vault):
    ns = str(vault.pk)
    data = b"a screenshot of the message\n" * 100
    stored = store.put(ns, io.BytesIO(data))
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert (stored.size, stored.created) == (len(data), True)
    assert stored.head == data[:8192]
    assert store.read(ns, stored.sha256) == data
    assert store.check(ns, stored.sha256) == len(data)
    assert store.exists(ns, stored.sha256)
    ciphertext = _stored(store, ns, stored.sha256)
    assert b"screenshot" not in ciphertext and len(ciphertext) > len(data)
    again = store.put(ns, io.BytesIO(data))
    assert (again.sha256, again.created) == (stored.sha256, False)
    assert [(o.namespace, o.sha256) for o in store.backend.objects()] == [(ns, stored.sha256)]
    assert list(store.backend.partials()) == []


def test_a_file_larger_than_one_upload_part_streams_both_ways(store, vault):
    ns = str(vault.pk)
    data = os.urandom(2 * PART_BYTES + 12345)
    stored = store.put(ns, io.BytesIO(data))
    digest = hashlib.sha256()
    chunks = 0
    for chunk in store.iter_bytes(ns, stored.sha256):
        digest.update(chunk)
        chunks += 1
    assert digest.hexdigest() == stored.sha256 == hashlib.sha256(data).hexdigest()
    assert chunks > 2  # yielded segment by segment, not read whole
    assert list(store.backend.partials()) == []


def test_an_empty_or_oversized_file_leaves_nothing_behind(store, vault):
    ns = str(vault.pk)
    with pytest.raises(EmptyFile):
        store.put(ns, io.BytesIO(b""))
    with pytest.raises(TooLarge):
        store.put(ns, io.BytesIO(os.urandom(PART_BYTES + 10)), max_bytes=PART_BYTES)
    assert list(store.backend.objects()) == []
    assert list(store.backend.partials()) == []


def test_an_altered_or_swapped_file_is_refused_and_a_missing_one_named(store, vault):
    ns = str(vault.pk)
    first = store.put(ns, io.BytesIO(b"first file"))
    second = store.put(ns, io.BytesIO(b"second file"))
    ciphertext = bytearray(_stored(store, ns, first.sha256))
    ciphertext[-5] ^= 1
    _replace_stored(store, ns, first.sha256, bytes(ciphertext))
    with pytest.raises(CorruptBlob, match="does not decrypt"):
        store.read(ns, first.sha256)
    _replace_stored(store, ns, first.sha256, _stored(store, ns, second.sha256))
    with pytest.raises(CorruptBlob, match="decrypts to bytes with SHA-256"):
        store.read(ns, first.sha256)
    store.delete(ns, second.sha256)
    with pytest.raises(MissingBlob, match="is missing from the store"):
        store.read(ns, second.sha256)
    assert not store.exists(ns, second.sha256)


def test_an_interrupted_write_leaves_a_partial_file_that_is_listed_and_removable(store, vault):
    ns = str(vault.pk)
    abandoned = store.backend.incoming(ns)
    abandoned.write(os.urandom(PART_BYTES + 1))  # past one part: an upload has begun
    partials = list(store.backend.partials())
    assert len(partials) == 1
    assert partials[0].modified <= datetime.now(UTC)
    assert list(store.backend.objects()) == []
    store.backend.remove_partial(partials[0])
    assert list(store.backend.partials()) == []


def test_raw_ciphertext_is_put_back_as_it_was(store, vault):
    """What a restore does: the bytes of one store put into another, unchanged."""
    ns = str(vault.pk)
    stored = store.put(ns, io.BytesIO(b"kept byte for byte"))
    ciphertext = _stored(store, ns, stored.sha256)
    store.delete(ns, stored.sha256)
    store.backend.put_raw(ns, stored.sha256, io.BytesIO(ciphertext))
    assert store.read(ns, stored.sha256) == b"kept byte for byte"


def test_exhibits_verify_and_travel_in_a_pack_on_either_store(store, vault, tmp_path):
    from tests.factories import make_incident

    incident = make_incident(vault, days_ago=3, description="At the gate again")
    photo = os.urandom(PART_BYTES + 999)
    exhibit = services.add_exhibit(
        actor=vault.owner,
        vault=vault,
        incident=incident,
        stream=io.BytesIO(photo),
        original_name="gate.bin",
    )
    assert store.read(str(vault.pk), exhibit.sha256) == photo
    report = verify_vault(vault)
    assert report.ok, report.failures
    assert report.files == 1

    pack = build_pack(
        actor=vault.owner,
        vault=vault,
        selection=Selection(),
        out=tmp_path / "pack.zip",
        now=datetime(2026, 12, 1, tzinfo=UTC),
    )
    checked = verify_pack(pack.path)
    assert checked.ok, checked.problems
    assert checked.exhibits == 1

    _replace_stored(store, str(vault.pk), exhibit.sha256, b"not what was stored")
    failed = verify_vault(vault)
    assert [str(f).split(":")[0] for f in failed.failures] == [f"file {exhibit.reference}"]


def test_the_store_url_is_checked_when_it_is_read(settings):
    settings.CAIRN_STORAGE_URL = "https://bucket.example/prefix"
    from cairn.store.s3backend import StorageConfigError

    with pytest.raises(StorageConfigError, match="must look like s3://BUCKET"):
        blobs.default_backend()
