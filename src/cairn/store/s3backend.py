"""Evidence files in S3-compatible object storage, through boto3 (``CAIRN_STORAGE_URL``).

The objects hold exactly the bytes the disk store holds (the vault-key ciphertext of
blobs.py), under the same names: ``<prefix><vault id>/<sha[:2]>/<sha256>``. Nothing here
sees plaintext or a key.

Streamed both ways in constant memory. A new file is written as a multipart upload, in
parts of ``PART_BYTES``, to a partial object ``<prefix><vault id>/.incoming-<random>``
(its final name, the plaintext's SHA-256, is known only at the end); ``commit`` completes
the upload and copies it server-side to its name (S3 has no rename), then deletes the
partial object. A file smaller than one part is put under its name in one request. Reads
stream the object's body. An upload whose writer died stays as an incomplete multipart
upload or a partial object: ``partials`` lists both, for ``cairn verify`` and cleanup.

URL: ``s3://BUCKET[/PREFIX]?endpoint=http://host:port&region=REGION``; credentials from
``CAIRN_STORAGE_ACCESS_KEY`` / ``CAIRN_STORAGE_SECRET_KEY`` (or their ``_FILE``), else
boto3's own chain (the ``AWS_*`` variables, an instance role).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, BinaryIO
from urllib.parse import parse_qs, urlsplit

from cairn.store.backends import (
    HEX,
    PARTIAL_PREFIX,
    Incoming,
    MissingBlob,
    Partial,
    StoredObject,
    StoreUnavailable,
    check_name,
)

PART_BYTES = 8 * 1024 * 1024  # S3's smallest part is 5 MiB (all but the last)
UPLOAD_MARK = "upload:"


class StorageConfigError(StoreUnavailable):
    """CAIRN_STORAGE_URL (or its keys) is not a usable object store address."""


@contextmanager
def _answering(what: str) -> Iterator[None]:
    """Turn boto3's failures into StoreUnavailable, naming the operation only."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        if _missing(exc):
            raise
        code = exc.response.get("Error", {}).get("Code", "error")
        raise StoreUnavailable(f"the object store refused to {what} ({code})") from None
    except BotoCoreError as exc:
        raise StoreUnavailable(f"the object store could not {what}: {type(exc).__name__}") from None


def _missing(error: Any) -> bool:
    code = str(error.response.get("Error", {}).get("Code", ""))
    return code in {"404", "NoSuchKey", "NotFound", "NoSuchUpload"}


class _Body:
    """An object's body as a binary stream that closes its connection."""

    def __init__(self, body: Any) -> None:
        self.body = body

    def read(self, size: int = -1) -> bytes:
        try:
            data: bytes = self.body.read(None if size < 0 else size)
        except Exception as exc:  # urllib3's and botocore's read errors alike
            raise StoreUnavailable(
                f"reading from the object store failed: {type(exc).__name__}"
            ) from None
        return data

    def close(self) -> None:
        self.body.close()

    def __enter__(self) -> _Body:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _S3Incoming:
    def __init__(self, backend: S3Backend, namespace: str) -> None:
        self.backend = backend
        self.namespace = namespace
        self.partial_key = backend.prefix + f"{namespace}/{PARTIAL_PREFIX}{uuid.uuid4().hex}"
        self.buffer = bytearray()
        self.upload_id: str | None = None
        self.parts: list[dict[str, Any]] = []
        self.completed = False

    def write(self, data: bytes | memoryview) -> int:
        self.buffer += data
        while len(self.buffer) >= PART_BYTES:
            self._send_part(bytes(self.buffer[:PART_BYTES]))
            del self.buffer[:PART_BYTES]
        return len(data)

    def _send_part(self, chunk: bytes) -> None:
        client = self.backend.client
        with _answering("store a file"):
            if self.upload_id is None:
                self.upload_id = client.create_multipart_upload(
                    Bucket=self.backend.bucket, Key=self.partial_key
                )["UploadId"]
            number = len(self.parts) + 1
            answer = client.upload_part(
                Bucket=self.backend.bucket,
                Key=self.partial_key,
                UploadId=self.upload_id,
                PartNumber=number,
                Body=chunk,
            )
        self.parts.append({"PartNumber": number, "ETag": answer["ETag"]})

    def commit(self, sha256: str) -> bool:
        backend = self.backend
        final = backend.key(self.namespace, sha256)
        if backend.exists(self.namespace, sha256):
            self.discard()
            return False
        if self.upload_id is None:  # smaller than one part: one request, atomic
            with _answering("store a file"):
                backend.client.put_object(Bucket=backend.bucket, Key=final, Body=bytes(self.buffer))
            self.buffer.clear()
            return True
        if self.buffer:
            self._send_part(bytes(self.buffer))
            self.buffer.clear()
        with _answering("store a file"):
            backend.client.complete_multipart_upload(
                Bucket=backend.bucket,
                Key=self.partial_key,
                UploadId=self.upload_id,
                MultipartUpload={"Parts": self.parts},
            )
            self.completed = True
            backend.client.copy(
                {"Bucket": backend.bucket, "Key": self.partial_key}, backend.bucket, final
            )
            backend.client.delete_object(Bucket=backend.bucket, Key=self.partial_key)
        return True

    def discard(self) -> None:
        client = self.backend.client
        self.buffer.clear()
        try:
            if self.upload_id is not None and not self.completed:
                client.abort_multipart_upload(
                    Bucket=self.backend.bucket, Key=self.partial_key, UploadId=self.upload_id
                )
            if self.completed:
                client.delete_object(Bucket=self.backend.bucket, Key=self.partial_key)
        except Exception:  # noqa: S110 - left for cleanup, which finds and removes it
            pass


class S3Backend:
    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    @classmethod
    def from_url(cls, url: str, *, access_key: str = "", secret_key: str = "") -> S3Backend:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise StorageConfigError(
                "CAIRN_STORAGE_URL must look like s3://BUCKET[/PREFIX]"
                "?endpoint=https://host&region=REGION"
            )
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        unknown = set(query) - {"endpoint", "region"}
        if unknown:
            raise StorageConfigError(f"CAIRN_STORAGE_URL: unknown option {sorted(unknown)[0]}")
        import boto3
        from botocore.config import Config

        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            retries={"max_attempts": 5, "mode": "standard"},
            max_pool_connections=32,
            connect_timeout=10,
            read_timeout=120,
        )
        options: dict[str, Any] = {
            "config": config,
            "region_name": query.get("region") or "us-east-1",
        }
        if query.get("endpoint"):
            options["endpoint_url"] = query["endpoint"]
        if access_key:
            options["aws_access_key_id"] = access_key
            options["aws_secret_access_key"] = secret_key
        client = boto3.session.Session().client("s3", **options)
        return cls(client, parts.netloc, parts.path)

    def describe(self) -> str:
        return f"the bucket {self.bucket}" + (f" under {self.prefix}" if self.prefix else "")

    def key(self, namespace: str, sha256: str) -> str:
        check_name(namespace, sha256)
        return f"{self.prefix}{namespace}/{sha256[:2]}/{sha256}"

    def incoming(self, namespace: str) -> Incoming:
        check_name(namespace, "0" * 64)
        return _S3Incoming(self, namespace)

    def open(self, namespace: str, sha256: str) -> BinaryIO:
        from botocore.exceptions import ClientError

        try:
            with _answering("read a file"):
                answer = self.client.get_object(Bucket=self.bucket, Key=self.key(namespace, sha256))
        except ClientError as exc:
            if _missing(exc):
                raise MissingBlob(sha256) from None
            raise
        return _Body(answer["Body"])  # type: ignore[return-value]

    def _head(self, namespace: str, sha256: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            with _answering("look up a file"):
                head: dict[str, Any] = self.client.head_object(
                    Bucket=self.bucket, Key=self.key(namespace, sha256)
                )
        except ClientError as exc:
            if _missing(exc):
                return None
            raise
        return head

    def exists(self, namespace: str, sha256: str) -> bool:
        return self._head(namespace, sha256) is not None

    def size(self, namespace: str, sha256: str) -> int:
        head = self._head(namespace, sha256)
        if head is None:
            raise MissingBlob(sha256)
        return int(head["ContentLength"])

    def delete(self, namespace: str, sha256: str) -> None:
        with _answering("delete a file"):
            self.client.delete_object(Bucket=self.bucket, Key=self.key(namespace, sha256))

    def _listing(self, prefix: str) -> Iterator[dict[str, Any]]:
        with _answering("list files"):
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=prefix
            )
            for page in pages:
                yield from page.get("Contents", [])

    def objects(self, namespace: str | None = None) -> Iterator[StoredObject]:
        start = self.prefix + (f"{namespace}/" if namespace else "")
        for item in self._listing(start):
            parts = item["Key"][len(self.prefix) :].split("/")
            if (
                len(parts) == 3
                and len(parts[2]) == 64
                and HEX.issuperset(parts[2])
                and parts[1] == parts[2][:2]
            ):
                yield StoredObject(parts[0], parts[2], int(item["Size"]))

    def partials(self) -> Iterator[Partial]:
        for item in self._listing(self.prefix):
            name = item["Key"][len(self.prefix) :]
            if name.count("/") == 1 and name.split("/")[1].startswith(PARTIAL_PREFIX):
                yield Partial(item["Key"], int(item["Size"]), _aware(item["LastModified"]))
        with _answering("list unfinished uploads"):
            pages = self.client.get_paginator("list_multipart_uploads").paginate(
                Bucket=self.bucket, Prefix=self.prefix
            )
            uploads = [upload for page in pages for upload in page.get("Uploads", [])]
        for upload in uploads:
            yield Partial(
                f"{UPLOAD_MARK}{upload['UploadId']}:{upload['Key']}", 0, _aware(upload["Initiated"])
            )

    def remove_partial(self, partial: Partial) -> None:
        if partial.name.startswith(UPLOAD_MARK):
            upload_id, key = partial.name[len(UPLOAD_MARK) :].split(":", 1)
            with _answering("remove an unfinished upload"):
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
            return
        if not partial.name.startswith(self.prefix) or PARTIAL_PREFIX not in partial.name:
            raise ValueError("not a partial file of this store")
        with _answering("remove a partial file"):
            self.client.delete_object(Bucket=self.bucket, Key=partial.name)

    def put_raw(self, namespace: str, sha256: str, stream: BinaryIO) -> None:
        incoming = self.incoming(namespace)
        try:
            while chunk := stream.read(1024 * 1024):
                incoming.write(chunk)
            incoming.commit(sha256)
        except BaseException:
            incoming.discard()
            raise

    def ready(self) -> None:
        with _answering("find the bucket"):
            self.client.head_bucket(Bucket=self.bucket)


def _aware(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.now(UTC)
