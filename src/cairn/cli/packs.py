"""``cairn pack`` builds an evidence pack; ``cairn verify-pack`` checks one with no database.

``--select`` takes incident numbers and ranges (``3``, ``10-14``) and exhibit references
(``AB/7``), comma-separated or repeated; without it the whole vault is packed, every exhibit
included. An exhibit attached to a chosen incident comes with it (a derived copy with its
original); a named exhibit comes on its own; ``--with-originals`` adds the files the chosen
incidents were imported from. The statement draft goes in only with ``--statement``.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from pathlib import Path
from typing import Any

import click

from cairn.cli.arguments import ask_secret, file_name
from cairn.cli.context import current_vault, vault_option
from cairn.cli.errors import CairnError
from cairn.cli.output import with_progress

PHASES = {"exhibits": "Copying exhibits", "encrypting": "Encrypting"}
_RANGE = re.compile(r"^(\d+)\s*-\s*(\d+)$")


def parse_selection(values: tuple[str, ...]) -> tuple[set[int], set[str]] | None:
    """(incident numbers, exhibit references) from ``--select`` values; None for all."""
    numbers: set[int] = set()
    references: set[str] = set()
    items = [part.strip() for value in values for part in value.split(",") if part.strip()]
    if not items or any(item.lower() == "all" for item in items):
        return None
    for item in items:
        if item.isdigit():
            numbers.add(int(item))
        elif (m := _RANGE.match(item)) is not None:
            low, high = int(m[1]), int(m[2])
            if high < low or high - low > 100_000:
                raise CairnError(f"select: {item!r} is not a range of incident numbers")
            numbers.update(range(low, high + 1))
        elif "/" in item:
            references.add(item.upper())
        else:
            raise CairnError(
                f"select: {item!r} is neither an incident number, a range "
                "(3-9) nor an exhibit reference (AB/7)"
            )
    return numbers, references


@click.command("pack")
@vault_option
@click.option(
    "--select",
    "select",
    multiple=True,
    metavar="ITEMS",
    help="Incidents (12, 3-9) and exhibits (AB/7) to include; default: all.",
)
@click.option(
    "--redacted",
    is_flag=True,
    help="Carry each chosen exhibit's latest redacted copy instead of the original.",
)
@click.option(
    "--with-originals",
    is_flag=True,
    help="With --select: also the original files (chat exports...) the chosen "
    "incidents were imported from. They hold every message, also those behind "
    "incidents you leave out.",
)
@click.option(
    "--statement",
    type=click.Choice(["none", "saved", "draft"]),
    default="none",
    show_default=True,
    help="Put a statement draft in the pack: your saved draft, or a fresh draft of "
    "the chosen incidents. A draft in the pack may be disclosed to the defence.",
)
@click.option(
    "--to",
    "recipients",
    multiple=True,
    metavar="RECIPIENT",
    help="Encrypt to this age public key (age1...); repeatable. Needs --out *.age.",
)
@click.option(
    "--passphrase", is_flag=True, help="Encrypt with a passphrase (asked for). Needs --out *.age."
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="Where to write: a folder, a .zip, or a .age (encrypted zip).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def pack_command(
    vault_ref: str | None,
    select: tuple[str, ...],
    redacted: bool,
    with_originals: bool,
    statement: str,
    recipients: tuple[str, ...],
    passphrase: bool,
    out: Path,
    as_json: bool,
) -> None:
    """Build an evidence pack: a PDF and a BagIt bag that anyone can check."""
    vault = current_vault(vault_ref)
    from cairn.packs.builder import PackBuildError
    from cairn.packs.crypt import PackCryptError
    from cairn.packs.selection import SelectionError
    from cairn.packs.services import build_pack, selection_for

    chosen = parse_selection(select)
    if with_originals and chosen is None:
        raise CairnError(
            "with-originals: a whole-vault pack already holds every original; use it with --select"
        )
    _check_output(out)
    secret = None
    if passphrase:
        secret = ask_secret("Passphrase for the pack", field="passphrase", confirm=True)
    try:
        selection = selection_for(
            vault, chosen, use_redacted=redacted, with_originals=with_originals
        )
        result = with_progress(
            lambda progress: build_pack(
                actor=vault.owner,
                vault=vault,
                selection=selection,
                out=out,
                recipients=recipients,
                passphrase=secret,
                statement=statement,
                progress=progress,
            ),
            quiet=as_json,
            phases=PHASES,
        )
    except (PackBuildError, PackCryptError, SelectionError) as exc:
        raise CairnError(f"pack: {exc}") from None
    except OSError as exc:
        written = Path(exc.filename or "").resolve().parent == out.resolve().parent
        if not written:
            raise
        raise CairnError(f"out: cannot write the pack at {out}: {exc.strerror}") from None
    summary = {
        "path": str(result.path),
        "incidents": result.incidents,
        "exhibits": result.exhibits,
        "entries": result.entries,
        "omitted_entries": result.omitted_entries,
        "bytes": result.size,
        "encrypted": result.encrypted,
    }
    if as_json:
        click.echo(json.dumps(summary))
        return
    click.echo(f"Pack written to {result.path}")
    click.echo(
        f"  {result.incidents} incident(s), {result.exhibits} exhibit(s), "
        f"{result.entries} log entries with their proofs "
        f"({result.omitted_entries} other entries left out)."
    )
    if statement != "none":
        click.echo("  It holds your statement draft: the defence may be shown it.")
    if result.encrypted:
        click.echo("  Encrypted with age: open it with `age -d` and the key or passphrase.")
    click.echo(f"  Check it with: cairn verify-pack {result.path}")


@click.command("verify-pack")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--identity",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="An age identity file, for an encrypted pack.",
)
@click.option("--passphrase", is_flag=True, help="Ask for the passphrase of an encrypted pack.")
@click.option(
    "--key",
    "key_fingerprint",
    metavar="FINGERPRINT",
    help="The instance key's fingerprint you expect (as its operator publishes it).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def verify_pack_command(
    ctx: click.Context,
    path: Path,
    identity: Path | None,
    passphrase: bool,
    key_fingerprint: str | None,
    as_json: bool,
) -> None:
    """Check a pack on its own: every file against its signature, the manifests, proofs,
    tree head, timestamp, exhibits and PDF.

    Needs no database and nothing from the instance that made it. Exits 0 when every check
    holds, 1 otherwise, naming each file and check that fails.
    """
    from cairn.packs.verify import PackError, verify_pack

    identity_text = _text_file(identity, "identity") if identity else None
    secret = ask_secret("Passphrase", field="passphrase") if passphrase else None
    try:
        report = verify_pack(
            path, identity=identity_text, passphrase=secret, key_fingerprint=key_fingerprint
        )
    except PackError as exc:
        raise CairnError(f"verify-pack: {exc}") from None
    except (UnicodeError, ValueError, OSError, zipfile.BadZipFile) as exc:
        # A pack is untrusted input: whatever stops the reader, the answer is one line
        # saying the pack cannot be checked, and a failing exit status.
        raise CairnError(
            f"verify-pack: {file_name(path)}: cannot be checked: {_reading_problem(exc)}"
        ) from None
    if as_json:
        click.echo(json.dumps(_report_json(report)))
    else:
        _print_report(report)
    ctx.exit(0 if report.ok else 1)


def _check_output(out: Path) -> None:
    """Refuse at once a place the pack could not be written to, before the slow work."""
    folder = out.absolute().parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        raise CairnError(f"out: {folder.name} is a file, not a folder")
    if not os.access(folder, os.W_OK):
        raise CairnError(f"out: cannot write in {folder}")


def _text_file(path: Path, field: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CairnError(f"{field}: {file_name(path)} is not UTF-8 text") from None


def _reading_problem(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"a file in it is not UTF-8 text (byte {exc.start + 1} of that file)"
    if isinstance(exc, OSError):
        where = f" ({Path(exc.filename).name})" if exc.filename else ""
        return f"{exc.strerror or type(exc).__name__}{where}"
    return str(exc) or type(exc).__name__


def _report_json(report: Any) -> dict[str, Any]:
    return {
        "ok": report.ok,
        "problems": [{"where": p.where, "what": p.what} for p in report.problems],
        "notes": report.notes,
        "head": report.head,
        "files": report.files,
        "entries": report.entries,
        "records": report.records,
        "exhibits": report.exhibits,
    }


def _print_report(report: Any) -> None:
    head = report.head
    if head:
        click.echo(
            f"Tree head: {head.get('size')} entries, signed {head.get('timestamp')} by "
            f"key {head.get('key')}"
        )
        if head.get("timestamped_at"):
            click.echo(f"Timestamp: {head['timestamped_at']} by {head.get('timestamped_by')}")
    for note in report.notes:
        click.echo(f"Note: {note}")
    for problem in report.problems:
        click.echo(f"FAIL {problem}")
    if report.ok:
        click.echo(
            f"OK: all {report.files} files are as the instance key signed them; "
            f"{report.entries} entries proven in the signed log, {report.records} "
            f"records and {report.exhibits} exhibit files match them."
        )
    else:
        click.echo(f"{len(report.problems)} check(s) failed.")
