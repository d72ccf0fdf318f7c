"""Shared fixtures: the three standard users (owner, colleague, outsider) and a vault.

- ``owner`` owns ``vault``;
- ``colleague`` is another victim with a vault of her own (``other_vault``): she must never
  see the owner's;
- ``outsider`` has an account and no vault.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.factories import PASSWORD, UserFactory, make_vault

pytest_plugins = ["tests.tsa", "tests.dns", "tests.orgs", "tests.shell", "tests.seaweedfs"]


def pytest_configure(config):
    # Under pytest-xdist every worker gets a data directory of its own (keys, evidence,
    # static files; its test database is already its own, suffixed by pytest-django), so two
    # workers never race to create or rotate the same local key file. Subprocesses that
    # inherit CAIRN_DATA_DIR get the worker's directory too.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        _own_data_dir(worker)


# A test using one of these starts a server or a subprocess, or drives Chromium: seconds each,
# so `make test-fast` leaves it to the full run (marked `slow`; `browser` for Chromium).
SLOW_FIXTURES = frozenset(
    {"live_server", "shell_demo", "shell_empty", "seaweedfs", "local_tsa", "dkim_dns", "browser"}
)


# Tests measured at seconds each that use none of those fixtures (tests/slow_tests.txt says
# how they were measured): node ids, or prefixes of them (a module, a test's parameters left off).
MEASURED_SLOW = tuple(
    line
    for line in (
        Path(__file__).with_name("slow_tests.txt").read_text(encoding="utf-8").splitlines()
    )
    if line.strip() and not line.startswith("#")
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if "browser" in used and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.browser)
        slow = used & SLOW_FIXTURES or item.nodeid.startswith(MEASURED_SLOW)
        if slow and item.get_closest_marker("slow") is None:
            item.add_marker(pytest.mark.slow)


def _own_data_dir(worker: str) -> None:
    from django.conf import settings as django_settings

    root = Path(django_settings.DATA_DIR) / f"worker-{worker}"
    root.mkdir(mode=0o700, exist_ok=True)
    secret = Path(django_settings.DATA_DIR) / "secret_key"  # the one SECRET_KEY was read from
    if secret.exists() and not (root / "secret_key").exists():
        shutil.copy2(secret, root / "secret_key")
    os.environ["CAIRN_DATA_DIR"] = str(root)
    django_settings.DATA_DIR = root
    django_settings.STATIC_ROOT = root / "static"
    django_settings.CAIRN_EVIDENCE_DIR = root / "evidence"
    if not os.environ.get("CAIRN_KEYS_DIR"):
        django_settings.CAIRN_KEYS_DIR = root / "keys"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    # A database kept between runs (--reuse-db: make test-fast, make test T=...) may hold the
    # rows of a run stopped in a transactional test, which empties the tables only after it.
    if request.config.getoption("reuse_db"):
        from django.core.management import call_command

        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(autouse=True)
def _evidence_dir(settings, tmp_path):
    settings.CAIRN_EVIDENCE_DIR = tmp_path / "evidence"


@pytest.fixture(autouse=True)
def _no_cached_keys():
    # A credential key cached by an earlier test may be one its database flush removed.
    from cairn.store import keys

    keys.forget_credential_key()


@pytest.fixture(autouse=True)
def _no_dkim_lookups(settings):
    # The tests never reach the real network: tests/test_import_dkim.py turns lookups on
    # against its own DNS server (tests/dns.py).
    settings.CAIRN_DKIM_LOOKUP = False


@pytest.fixture(autouse=True)
def _no_sign_in_throttling(settings):
    # django-axes needs the request, which client.login() does not pass, and would lock out
    # tests that sign in often; tests/test_two_factor.py turns it on to test the lockout.
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _plain_static_storage(settings, tmp_path):
    # The manifest storage needs collectstatic first; page tests only need {% static %} URLs.
    # (One test in test_web_views checks the real manifest storage after collectstatic.)
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir(exist_ok=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def owner(db):
    return UserFactory(username="owner", display_name="Alex")


@pytest.fixture
def colleague(db):
    return UserFactory(username="colleague", display_name="Sam")


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider", display_name="Jo")


@pytest.fixture
def vault(owner):
    return make_vault(owner, initials="AB")


@pytest.fixture
def other_vault(colleague):
    return make_vault(colleague, name="Sam's log", initials="SC")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright, once for the whole run (two sync Playwright
    instances cannot live in one thread). Never `playwright install`: it downloads a browser."""
    from django.conf import settings as django_settings

    css = Path(django_settings.PACKAGE_DIR) / "web" / "static" / "cairn" / "cairn.css"
    if not css.exists():
        pytest.fail(f"{css} is missing: run `npm run build` to compile the stylesheet")
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the tests' own
    # database calls are synchronous and safe, so Django is told not to refuse them.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield chromium
        chromium.close()
