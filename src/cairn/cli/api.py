"""Personal API tokens from the command line: ``cairn api token create|revoke|list``.

The CLI is the operator of its data directory: it makes and revokes tokens on a local user's
behalf, through ``cairn.api.tokens`` (which writes the audit records). A token is printed
once, on stdout alone, so it can be piped into a secret store; only its SHA-256 is kept.
"""

from __future__ import annotations

import shlex

import click

from cairn.cli.errors import CairnError
from cairn.cli.runtime import ensure_database


def _user(username: str):  # type: ignore[no-untyped-def]
    from cairn.cli.users import find_user

    user = find_user(username)
    if user is None:
        raise CairnError(f"user: there is no local user {username!r}")
    return user


def _when(value) -> str:  # type: ignore[no-untyped-def]
    return value.isoformat(timespec="seconds") if value is not None else "-"


@click.group("api")
def api_group() -> None:
    """The HTTP API (/api/, described by /api/openapi.json)."""


@api_group.group("token")
def token_group() -> None:
    """Personal API tokens: sent as 'Authorization: Bearer <token>'."""


@token_group.command("create")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for, e.g. 'case system'.")
def create(username: str, name: str) -> None:
    """Make a token for USERNAME and print it, once.

    The token acts as USERNAME on the API, with exactly their access. Someone with an
    organisation role (investigator, supervisor, advocate, analyst, administrator) must have
    set up two-factor sign-in (a confirmed authenticator app) first, and the token works only
    while they keep it.
    """
    ensure_database()
    from cairn.api import tokens

    user = _user(username)
    _token, raw = tokens.create_token(actor=user, user=user, name=name)
    click.echo(raw)
    if tokens.needs_two_factor(user):
        note = (
            f"{username} holds an organisation role: this token works only while they "
            "keep a confirmed two-factor device."
        )
    else:
        note = f"The token acts as {username}."
    click.echo(
        f"Token {name!r} made for {username}. It is shown only this once: keep it "
        f"secret. {note} Revoke it with: cairn api token revoke {shlex.quote(username)} "
        f"--name {shlex.quote(name)}",
        err=True,
    )


@token_group.command("revoke")
@click.argument("username")
@click.option("--name", required=True, help="The name the token was made with.")
def revoke(username: str, name: str) -> None:
    """Revoke USERNAME's live token of that name; it stops working at once."""
    ensure_database()
    from cairn.api import tokens

    user = _user(username)
    token = tokens.revoke_token(actor=user, token=tokens.live_token_named(user, name))
    click.echo(f"Token {token.name!r} of {username} revoked.")


@token_group.command("list")
@click.argument("username")
def list_tokens(username: str) -> None:
    """USERNAME's tokens: names and dates only (a token itself is never shown again)."""
    ensure_database()
    from cairn.api import tokens
    from cairn.cli.output import print_table

    user = _user(username)
    rows = [
        [
            t.name,
            _when(t.created_at),
            _when(t.last_used_at),
            _when(t.revoked_at) if t.revoked_at else "live",
        ]
        for t in tokens.tokens_of(user)
    ]
    if not rows:
        click.echo(f"{username} has no API tokens.")
        return
    print_table(
        ["name", "created", "last used", "revoked"],
        rows,
        title=f"API tokens of {username}",
        one_line=["created", "last used", "revoked"],
    )
