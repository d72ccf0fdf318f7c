"""Benchmarks run with pytest-benchmark: ``.venv/bin/pytest bench/ --benchmark-enable``.

They reuse the test fixtures (users, vaults, per-test evidence and static folders). Results
are recorded by hand, with the machine, in docs/benchmarks.md.
"""

from tests.conftest import (  # noqa: F401
    _evidence_dir,
    _plain_static_storage,
    colleague,
    other_vault,
    outsider,
    owner,
    owner_client,
    password,
    vault,
)
