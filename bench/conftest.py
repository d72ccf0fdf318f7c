"""Benchmarks run with pytest-benchmark: ``.venv/bin/pytest bench/ --benchmark-enable``.

They reuse the test fixtures (users, vaults, per-test evidence folder). Results are recorded
by hand, with the machine, in docs/benchmarks.md.
"""

from tests.conftest import *  # noqa: F403
