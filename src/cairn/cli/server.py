"""``cairn serve`` and ``cairn demo``: run the web pages, and load the demo vault."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import click

from cairn.cli.context import all_vaults
from cairn.cli.errors import CairnError
from cairn.cli.runtime import ensure_database

LOCAL_ADDRESS = "http://127.0.0.1:8000"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _collect_static_if_missing() -> None:
    """WhiteNoise serves STATIC_ROOT; collect it once if the manifest is not there yet."""
    from django.conf import settings
    from django.core.management import call_command

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        click.echo("Collecting static files...", err=True)
        call_command("collectstatic", interactive=False, verbosity=0)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on. Keep the default to stay on this computer.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
def serve(host: str, port: int) -> None:
    """Serve Cairn's web pages (migrating the database first if needed)."""
    ensure_database()
    _collect_static_if_missing()
    import waitress

    from cairn.wsgi import application

    shown = f"[{host}]" if ":" in host else host
    if host not in LOOPBACK:
        click.echo(f"Warning: listening on {host}, so other computers on the network can reach "
                   "this server.", err=True)
    click.echo(f"Cairn is running at http://{shown}:{port}/ (press Ctrl+C to stop).")
    sys.stdout.flush()  # seen at once even when stdout is a pipe (make, a service manager)
    try:
        waitress.serve(application, host=host, port=port, ident="cairn")
    except OSError as exc:
        raise CairnError(f"serve: cannot listen on {host} port {port}: {exc.strerror}") from None


def _sign_in_lines(demo_module: object) -> list[str]:
    username = getattr(demo_module, "DEMO_USERNAME")  # noqa: B009
    password = getattr(demo_module, "DEMO_PASSWORD")  # noqa: B009
    return [f"Sign in at {LOCAL_ADDRESS} (after: cairn serve)",
            f"  username: {username}", f"  password: {password}"]


@click.command("demo")
def demo() -> None:
    """Load the demo vault into an empty data directory (safe to run again)."""
    ensure_database()
    from django.conf import settings

    if settings.PRODUCTION:
        raise CairnError("demo: this is a production instance (CAIRN_PRODUCTION is set); "
                         "demo data is never loaded into one")
    try:
        demo_module = importlib.import_module("cairn.demo")
    except ModuleNotFoundError as exc:
        if exc.name != "cairn.demo":
            raise
        raise CairnError("demo: the demo data is not part of this installation") from None

    vaults = all_vaults()
    if any(vault.owner.username == demo_module.DEMO_USERNAME for vault in vaults):
        click.echo("The demo vault is already loaded.")
        for line in _sign_in_lines(demo_module):
            click.echo(line)
        return
    if vaults:
        raise CairnError(f"demo: this data directory already holds {len(vaults)} "
                         f"vault{'s' if len(vaults) != 1 else ''}; the demo only loads into an "
                         "empty one (point CAIRN_DATA_DIR at a new folder)")
    try:
        demo_module.load_demo()
    except demo_module.DemoRefused as exc:
        raise CairnError(f"demo: {exc}") from None
    click.echo("Loaded the demo vault.")
    for line in _sign_in_lines(demo_module):
        click.echo(line)
