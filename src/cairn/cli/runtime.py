"""Django, set up once and only when a command needs it.

Importing Django and loading the apps costs about half a second; ``cairn --help`` and
argument errors should not pay it, so command modules import Django inside their functions
and call ``ensure_database()`` first.
"""

from __future__ import annotations

import os

import click

_database_checked = False


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


def ensure_database() -> None:
    """Set Django up and bring the database schema up to date.

    A first run on an empty data directory just works: the migrations are applied here
    rather than demanding a separate ``migrate`` step. An up-to-date database costs one
    query on the migrations table.
    """
    global _database_checked
    setup_django()
    if _database_checked:
        return
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        click.echo("Preparing the database...", err=True)
        call_command("migrate", interactive=False, verbosity=0)
    _database_checked = True
