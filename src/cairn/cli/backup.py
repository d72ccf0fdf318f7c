"""``cairn backup`` and ``cairn restore``: the whole instance, encrypted with age, while it runs.

Thin over ``cairn.backup.service``; docs/operations.md says what to keep where.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from cairn.cli.errors import CairnError

PASSPHRASE_VARIABLE = "CAIRN_BACKUP_PASSPHRASE"  # noqa: S105 - a name, not a secret


def _passphrase(confirm: bool) -> str:
    given = os.environ.get(PASSPHRASE_VARIABLE)
    if given:
        return given
    if not click.get_text_stream("stdin").isatty():
        raise CairnError(
            f"passphrase: set {PASSPHRASE_VARIABLE} or run this in a terminal to be asked for it"
        )
    secret: str = click.prompt(
        "Backup passphrase", hide_input=True, confirmation_prompt=confirm, err=True
    )
    if confirm and len(secret) < 12:
        raise CairnError("passphrase: use at least 12 characters")
    return secret


def _progress_bar() -> tuple[object, object]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        transient=True,
        console=None,
    )
    task = bar.add_task("Evidence files", total=None)

    def update(step: str, done: int, total: int) -> None:
        if step == "evidence":
            bar.update(task, completed=done, total=total)

    return bar, update


@click.command("backup")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The backup file to write (it must not exist yet).",
)
@click.option(
    "--to",
    "recipients",
    multiple=True,
    metavar="AGE_RECIPIENT",
    help="Encrypt to this age public key (age1...) instead of a passphrase. "
    "May be given more than once.",
)
@click.option(
    "--since",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The previous backup: hold only the evidence files it does not "
    "(restoring then needs it beside this one).",
)
def backup_command(out: Path, recipients: tuple[str, ...], since: Path | None) -> None:
    """Back up the whole instance while it runs, encrypted with age.

    Without --to, the passphrase comes from CAIRN_BACKUP_PASSPHRASE or is asked for. The
    backup never holds the key-encryption key; keep it, and the backup keyring
    (CAIRN_BACKUP_KEYRING), apart from the backups (docs/operations.md).
    """
    from cairn.cli.runtime import ensure_database

    ensure_database()
    from cairn.backup import archive, service
    from cairn.packs.crypt import PackCryptError, parse_recipients

    parsed = None
    secret = None
    if recipients:
        try:
            parsed = parse_recipients(recipients)
        except PackCryptError as exc:
            raise CairnError(f"to: {exc}") from None
    else:
        secret = _passphrase(confirm=True)
    if not out.parent.is_dir():
        raise CairnError(f"out: the folder {out.parent} does not exist")
    bar, update = _progress_bar()
    try:
        with bar:  # type: ignore[attr-defined]
            summary = service.take_backup(
                out, recipients=parsed, passphrase=secret, since=since, progress=update
            )
    except (service.BackupError, archive.BackupFormatError, archive.BackupSecretError) as exc:
        raise CairnError(f"backup: {exc}") from None
    click.echo(
        f"Backup {summary.id} written to {out}: {summary.vaults} vaults "
        f"({summary.destroyed} destroyed, not included), {summary.files} evidence "
        f"files ({summary.files_new} in this file, {summary.bytes_new:,} bytes)."
    )


def _data_dir() -> Path:
    from cairn.env import env_str

    default = Path(__file__).resolve().parents[3] / "var"
    return Path(env_str("CAIRN_DATA_DIR", str(default))).resolve()


def _refuse_if_not_empty(data_dir: Path) -> None:
    if data_dir.exists() and any(data_dir.iterdir()):
        raise CairnError(
            f"restore: the data directory {data_dir} is not empty; restore "
            "into a new, empty one (CAIRN_DATA_DIR)"
        )


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--identity",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="For a backup made with --to: the age identity file that opens it.",
)
def restore_command(file: Path, identity: Path | None) -> None:
    """Restore a backup into an empty data directory (CAIRN_DATA_DIR), then run cairn verify.

    Needs the KEK in use when the backup was taken (CAIRN_KEK_FILE or CAIRN_PASSPHRASE) and
    the backup keyring (CAIRN_BACKUP_KEYRING). Vaults destroyed since stay destroyed.
    """
    data_dir = _data_dir()
    _refuse_if_not_empty(data_dir)
    from cairn.cli.runtime import setup_django

    setup_django()
    try:
        _restore(file, identity)
    except BaseException:
        _empty(data_dir)  # it was empty: a failed restore leaves it so, to be tried again
        raise


def _empty(data_dir: Path) -> None:
    import shutil

    if data_dir.is_dir():
        for path in data_dir.iterdir():
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _restore(file: Path, identity: Path | None) -> None:
    from cairn.backup import archive, database, service

    try:
        catalogue = archive.read_catalogue(file)
        if identity is not None:
            summary = service.restore(file, identity_text=identity.read_text(encoding="utf-8"))
        elif catalogue.encryption == "recipients":
            raise CairnError(
                "identity: this backup was encrypted to a recipient; give its "
                "identity file with --identity"
            )
        else:
            summary = service.restore(file, passphrase=_passphrase(confirm=False))
    except (
        service.BackupError,
        archive.BackupFormatError,
        archive.BackupSecretError,
        database.DatabaseBackupError,
    ) as exc:
        raise CairnError(f"restore: {str(exc).removeprefix('restore: ')}") from None
    click.echo(
        f"Restored backup {summary.id}: {summary.vaults} vaults, {summary.files} evidence files."
    )
    if summary.destroyed:
        click.echo(
            f"{len(summary.destroyed)} destroyed vault(s) stay destroyed: their keys "
            "and files were not restored."
        )
    for vault in summary.mismatched_heads:
        click.echo(
            f"Warning: vault {vault}: the restored log differs from the tree head in "
            "the backup's manifest; run cairn verify.",
            err=True,
        )
    click.echo("Now run: cairn verify")
