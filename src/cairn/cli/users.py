"""Local accounts: the owner a vault is created for, and setting a password to sign in.

The only CLI module that reads accounts directly: the CLI is the operator of its data
directory and manages the local users itself (allowed by tests/test_access_lint.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cairn.cli.arguments import ask_secret, file_name
from cairn.cli.errors import CairnError
from cairn.cli.runtime import ensure_database

if TYPE_CHECKING:
    from django.db.models import QuerySet


def vault_owners() -> QuerySet[Any]:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    return User.objects.filter(vaults__isnull=False).distinct().order_by("date_joined")


def find_user(username: str) -> Any | None:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    return User.objects.filter(username=username).first()


def get_or_create_user(username: str, *, actor: Any = None) -> tuple[Any, bool]:
    """The local user of that name, made (with no usable password) if there is none, by
    ``actor`` (the operator), or as her own account when ``actor`` is None."""
    from cairn.accounts import operator_services

    existing = find_user(username)
    if existing is not None:
        return existing, False
    return operator_services.create_local_account(actor=actor, username=username), True


@click.group("user")
def user_group() -> None:
    """Local accounts used to sign in to the web pages."""


@user_group.command("set-password")
@click.argument("username")
@click.option(
    "--password-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the password from the first line of this file (for scripts).",
)
def set_password(username: str, password_file: Path | None) -> None:
    """Set the password USERNAME signs in with. Asks twice, without showing it."""
    ensure_database()
    from cairn.accounts import operator_services

    user = find_user(username)
    if user is None:
        raise CairnError(f"user: there is no local user {username!r}")
    if password_file is not None:
        try:
            lines = password_file.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            raise CairnError(
                f"password-file: {file_name(password_file)} is not UTF-8 text"
            ) from None
        password = lines[0] if lines else ""
    else:
        password = ask_secret("New password", field="password", confirm=True)
    if not password:
        raise CairnError("password: the password is empty")
    # The account's holder sets it at her own keyboard, as on the web pages.
    operator_services.set_local_password(actor=user, user=user, password=password)
    click.echo(f"Password set for {username}.")
