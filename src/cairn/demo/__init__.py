"""Demo data: a realistic, invented stalking case to explore Cairn with.

``load_demo()`` creates the demo user and one vault holding about two years of incidents, a
suspect and two witnesses, and a dozen evidence files, all through the vault services (so
every row has its revision history and audit record, as real data would). It refuses to run
on a production instance or on a database that already holds a vault. ``load_demo_case()``
adds the police side: a force, its officers and a case the demo vault is shared with.

The story and its wording live in ``cairn.demo.scenario``; the files are drawn by
``cairn.demo.exhibits``; ``cairn.demo.loader`` puts them through the services.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cairn.cases.models import Case
    from cairn.vault.models import Vault

from cairn.demo.common import DEMO_PASSWORD, DEMO_USERNAME, DemoRefused


def load_demo(*, now: datetime | None = None) -> Vault:
    """Create the demo user and vault, ending shortly before ``now`` (default: the present).

    The same ``now`` always gives the same incidents. Raises DemoRefused on a production
    instance (``settings.PRODUCTION``) or when any vault already exists.
    """
    from cairn.demo.loader import load

    return load(now=now)


def load_demo_case(vault: Vault, *, now: datetime | None = None) -> Case:
    """Create the demo force and its officers, and the demo case with ``vault`` linked to it
    in full (``cairn.demo.police``). Raises DemoRefused on a production instance or when the
    demo force already exists."""
    from django.utils import timezone

    from cairn.demo.police import load_case

    return load_case(vault, now=now or timezone.now())


__all__ = ["DEMO_PASSWORD", "DEMO_USERNAME", "DemoRefused", "load_demo", "load_demo_case"]
