"""``cairn verify``, ``cairn checkpoint``, ``cairn key show``, ``cairn keys rotate`` and
``cairn vault destroy``: the commands that prove a log, or protect it."""

from __future__ import annotations

from pathlib import Path

import click

from cairn.cli.arguments import ask_secret, file_name
from cairn.cli.context import all_vaults, current_vault, vault_option
from cairn.cli.errors import CairnError
from cairn.cli.runtime import ensure_database

# The progress bar's words for each phase of ``verify_vault`` (on a terminal only).
VERIFY_PHASES = {
    "records": "Checking records",
    "log": "Checking the log",
    "files": "Checking files",
}


@click.command("verify")
@vault_option
@click.option(
    "--against",
    "against",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A checkpoint file: prove the log still extends it.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Processes that re-hash the records (default: one per core for large vaults).",
)
@click.pass_context
def verify(
    ctx: click.Context, vault_ref: str | None, against: Path | None, workers: int | None
) -> None:
    """Recompute every entry, tree head, signature, timestamp and file, and say what fails.

    Without --vault, every vault in the data directory is checked. Exits 0 when all holds.
    """
    ensure_database()
    from cairn.cli.output import with_progress
    from cairn.integrity.verify import verify_vault
    from cairn.ledger import log
    from cairn.ledger.proofs import verify_against

    checkpoint = None
    if against is not None:
        try:
            checkpoint = log.parse_checkpoint(against.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise CairnError(
                f"against: {file_name(against)} is not a checkpoint (not UTF-8 text)"
            ) from None
        except log.CheckpointError as exc:
            raise CairnError(f"against: {exc} (in {file_name(against)})") from None
    chosen = vault_ref or (ctx.find_root().obj or {}).get("vault_ref")
    vaults = [current_vault(chosen)] if chosen or against else all_vaults()
    if not vaults:
        raise CairnError("there is no vault yet")
    failed = False
    for vault in vaults:
        report = with_progress(
            lambda progress, vault=vault: verify_vault(vault, workers=workers, progress=progress),
            quiet=False,
            phases=VERIFY_PHASES,
        )
        click.echo(f"Vault {vault.pk}: {report.summary()}")
        for failure in report.failures:
            click.echo(f"  FAIL {failure}")
        failed |= not report.ok
        if checkpoint is not None:
            problems = verify_against(vault, checkpoint)
            if problems:
                failed = True
                for problem in problems:
                    click.echo(f"  FAIL {problem}")
            else:
                click.echo(
                    f"  The log extends the checkpoint of {checkpoint.size} entries "
                    f"signed {checkpoint.timestamp} (consistency proof verified)."
                )
    _report_partial_files()
    ctx.exit(1 if failed else 0)


def _report_partial_files() -> None:
    """Partial files left by interrupted writes (cairn/jobs/housekeeping.py): not evidence,
    but never left unreported."""
    from cairn.jobs.housekeeping import PARTIAL_MINUTES, leftovers
    from cairn.store.blobs import default_store

    found = leftovers()
    if not found.partials:
        return
    oldest = min(p.modified for p in found.partials)
    click.echo(
        f"Note: {len(found.partials)} partial file(s) ({found.bytes:,} bytes) left by "
        f"interrupted writes in {default_store().backend.describe()}, the oldest from "
        f"{oldest:%Y-%m-%d %H:%M} UTC. They hold no evidence; the background workers "
        f"remove them once they are {PARTIAL_MINUTES} minutes old."
    )


@click.command("checkpoint")
@vault_option
def checkpoint(vault_ref: str | None) -> None:
    """Print the current signed tree head, to e-mail to yourself or to the officer.

    It holds no content: only the number of entries, a hash and a signature. Later,
    `cairn verify --against FILE` proves that nothing recorded before it was changed.
    """
    vault = current_vault(vault_ref)
    from cairn.ledger import log, services

    # The owner's own command: the head is signed (and audited) in her name.
    click.echo(log.checkpoint_text(services.seal(actor=vault.owner, vault=vault)), nl=False)


@click.group("key")
def key_group() -> None:
    """The instance's signing key, which signs every vault's tree heads."""


@key_group.command("show")
def key_show() -> None:
    """Print the signing key's fingerprint and public key."""
    ensure_database()
    from cairn.ledger import signing

    key = signing.instance_key()
    click.echo(f"Ed25519 signing key\nfingerprint (SHA-256 of the public key): {key.fingerprint()}")
    click.echo(key.public_pem().decode("ascii"), nl=False)


@click.group("keys")
def keys_group() -> None:
    """The key-encryption key (KEK) that protects every vault's data key."""


@keys_group.command("rotate")
@click.option(
    "--new-kek-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="With CAIRN_KEK/CAIRN_KEK_FILE: the file holding the new KEK (base64).",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def keys_rotate(new_kek_file: Path | None, yes: bool) -> None:
    """Re-wrap every vault key under a new KEK. Files are not re-encrypted.

    Local KEK file: a new one is made and replaces it. A configured KEK: give the new one
    with --new-kek-file, then point CAIRN_KEK_FILE at it. A passphrase: you are asked for the
    new one; use it as CAIRN_PASSPHRASE from then on.
    """
    ensure_database()
    from cairn.accounts import operator_services
    from cairn.cli.orgs import operator_account
    from cairn.store import keys

    source = keys.kek_source()
    if not yes:
        click.confirm("Re-wrap every vault key under a new key-encryption key?", abort=True)
    if source == "local-file":
        if new_kek_file is not None:
            raise CairnError(
                "new-kek-file: this instance keeps its KEK in the data directory; "
                "leave the option out and a new one is made"
            )
        new = None
    elif source == "configured":
        if new_kek_file is None:
            raise CairnError("new-kek-file: give the file holding the new KEK")
        from cairn.store.keys import KekError, _decode_kek

        try:
            new = _decode_kek(new_kek_file.read_text(encoding="ascii"), str(new_kek_file))
        except (KekError, UnicodeDecodeError) as exc:
            raise CairnError(f"new-kek-file: {exc}") from None
    else:
        passphrase = ask_secret("New passphrase", field="passphrase", confirm=True)
        if len(passphrase) < 12:
            raise CairnError("passphrase: use at least 12 characters")
        new = keys.passphrase_kek(passphrase)
    count, new_id = operator_services.rotate_kek(actor=operator_account(), new_kek=new)
    click.echo(f"Re-wrapped {count} vault keys under KEK {new_id}.")
    if source == "configured":
        click.echo("Now set CAIRN_KEK_FILE to the new file; the old KEK no longer opens them.")
    elif source == "passphrase":
        click.echo("Now use the new passphrase as CAIRN_PASSPHRASE.")


@click.command("destroy")
@vault_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def vault_destroy(vault_ref: str | None, yes: bool) -> None:
    """Destroy a vault's key: its files and text can never be read again, by anyone.

    The ledger and the content-free rows stay, so the record that it existed and was destroyed
    remains verifiable. This cannot be undone.
    """
    vault = current_vault(vault_ref)
    if not yes:
        click.confirm(
            f"Destroy vault {vault.pk} for ever? Nothing in it can be recovered", abort=True
        )
    from cairn.vault import services

    services.destroy_vault(actor=vault.owner, vault=vault)
    click.echo(f"Vault {vault.pk} destroyed: its key is gone and its content is unreadable.")
