"""The ``cairn`` command's entry point: the command group and its error handling.

Every known failure (bad input refused by a service, an unknown vault, a bad date, a missing
file) is printed as one line, ``cairn: field: message``, on stderr with a non-zero exit
status; the rest of the output goes to stdout so it can be piped.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from typing import Any

import click
from click.exceptions import NoArgsIsHelpError

from cairn.cli.analysis import analyse_command
from cairn.cli.api import api_group
from cairn.cli.arguments import refuse_undecodable
from cairn.cli.backup import backup_command, restore_command
from cairn.cli.cameras import camera_group
from cairn.cli.checks import check_group, indicators_group
from cairn.cli.errors import explain
from cairn.cli.exhibits import exhibit_group
from cairn.cli.flags import flags_command
from cairn.cli.imports import import_group
from cairn.cli.incidents import incident_group
from cairn.cli.integrity import checkpoint, key_group, keys_group, vault_destroy, verify
from cairn.cli.orgs import org_group
from cairn.cli.packs import pack_command, verify_pack_command
from cairn.cli.persons import person_group
from cairn.cli.runtime import setup_django
from cairn.cli.server import demo, serve, worker_command
from cairn.cli.users import user_group
from cairn.cli.vaults import vault_group

PROG = "cairn"

# Commands that must not have Django set up before they run, and why. Every other command has
# it set up once its arguments are parsed (so --help and usage errors stay quick), and may
# import models anywhere in its body.
WITHOUT_DJANGO_SETUP = {
    "serve": "chooses the background task queue before Django reads its settings",
    "verify-pack": "checks a pack with nothing but the pack: no settings, no data directory",
    "worker": "chooses the background task queue before Django reads its settings",
    "restore": "checks that the data directory is empty before Django touches it",
}


def _fail(lines: list[str], status: int) -> None:
    for line in lines:
        click.echo(f"{PROG}: {line}", err=True)
    sys.exit(status)


class CairnGroup(click.Group):
    """A click group that reports errors as single lines, whoever invokes it.

    Both the installed ``cairn`` script and ``CliRunner`` in the tests go through ``main``,
    so they behave the same.
    """

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except NoArgsIsHelpError as exc:  # a group alone (`cairn`, `cairn incident`): its help
            exc.show()
            sys.exit(exc.exit_code)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else PROG
            _fail([f"{exc.format_message()} (see: {where} --help)"], exc.exit_code)
        except click.ClickException as exc:
            _fail([exc.format_message()], exc.exit_code)
        except click.Abort:
            _fail(["stopped"], 1)
        except Exception as exc:
            lines = explain(exc)
            if lines is None:
                raise
            _fail(lines, 1)
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else 0)


@click.group(PROG, cls=CairnGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cairn", prog_name=PROG)
@click.option(
    "--vault",
    "vault_ref",
    metavar="V",
    help="The vault to work on: its id, an id prefix or its name. Needed only when "
    "the data directory holds several vaults.",
)
@click.pass_context
def cli(ctx: click.Context, vault_ref: str | None) -> None:
    """Cairn: a safe, tamper-evident incident log.

    Works on the data directory named by CAIRN_DATA_DIR (or DATABASE_URL), setting up its
    database on first use.
    """
    ctx.ensure_object(dict)
    ctx.obj["vault_ref"] = vault_ref


vault_group.add_command(vault_destroy)
for command in (
    vault_group,
    incident_group,
    exhibit_group,
    person_group,
    user_group,
    serve,
    demo,
    verify,
    checkpoint,
    key_group,
    keys_group,
    import_group,
    analyse_command,
    pack_command,
    verify_pack_command,
    api_group,
    org_group,
    flags_command,
):
    cli.add_command(command)
for command in (
    check_group,
    indicators_group,
    camera_group,
    backup_command,
    restore_command,
    worker_command,
):
    cli.add_command(command)


def leaf_commands(
    group: click.Group, path: tuple[str, ...] = ()
) -> Iterator[tuple[str, click.Command]]:
    """Every runnable command under ``group`` with its path (``"import accept"``)."""
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from leaf_commands(command, (*path, name))
        else:
            yield " ".join((*path, name)), command


def _checked(
    command: click.Command, callback: Callable[..., Any], *, django: bool
) -> Callable[..., Any]:
    """The command's callback, run once what was typed is known to be text (and, unless
    ``django`` is false, once Django is set up)."""

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        refuse_undecodable(command, kwargs)
        if django:
            setup_django()
        return callback(*args, **kwargs)

    return run


for path, command in leaf_commands(cli):
    if command.callback is not None:
        command.callback = _checked(
            command, command.callback, django=path not in WITHOUT_DJANGO_SETUP
        )


def main() -> None:
    cli.main(prog_name=PROG)


if __name__ == "__main__":
    main()
