"""``cairn import``: bring an export (chat, texts, e-mail, photos, diary) into the vault, and
accept what it proposes.

``cairn import FILE`` runs ``cairn.importers.services.commit_import`` with a progress bar and
prints a summary (``--json`` for machines); ``cairn import accept BATCH --all | ID...``
logs the proposed incidents the victim agrees with. Nothing becomes an incident without
that second step.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cairn.cli.context import current_vault, vault_option
from cairn.cli.errors import CairnError

if TYPE_CHECKING:
    from cairn.importers.models import ImportBatch
    from cairn.vault.models import Vault

FORMATS = ["auto", "whatsapp", "sms", "email", "facebook", "instagram", "telegram", "twitter",
           "media", "csv"]
PHASES = {"reading": "Reading", "saving": "Saving", "proposing": "Proposing"}


class _ImportGroup(click.Group):
    """A group whose default command is ``run``: ``cairn import FILE`` means
    ``cairn import run FILE``; ``cairn import accept ...`` is the subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["run", *args]
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "FILE [OPTIONS] | accept BATCH [--all | ID...]")


@click.group("import", cls=_ImportGroup)
def import_group() -> None:
    """Import an export file: WhatsApp, SMS backup, e-mail, Facebook, Instagram, Telegram,
    X (Twitter), photos and videos, or a CSV diary.

    The file is kept byte for byte as an exhibit; its messages become items that point back
    into it; incidents are proposed for you to accept (cairn import accept).
    """


@import_group.command("run")
@vault_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True,
                                        path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="auto", show_default=True,
              help="What kind of export it is.")
@click.option("--tz", "time_zone", metavar="ZONE",
              help="The time zone of times the file gives without one (default: the vault's).")
@click.option("--date-order", type=click.Choice(["day-first", "month-first"]),
              help="Whether dates like 01/02/25 are day first or month first, when the file "
                   "does not settle it.")
@click.option("--me", "owner", metavar="NAME",
              help="Your own name as the chat shows it, so your replies are kept as yours.")
@click.option("--dry-run", is_flag=True, help="Work everything out, then store nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def run(vault_ref: str | None, file: Path, fmt: str, time_zone: str | None,
        date_order: str | None, owner: str | None, dry_run: bool, as_json: bool) -> None:
    """Import FILE into the vault and print what it found."""
    vault = current_vault(vault_ref)
    from cairn.importers import services
    from cairn.importers.base import AmbiguousDates, ImportFailure

    try:
        result = _with_progress(
            lambda progress: services.commit_import(
                actor=vault.owner, vault=vault, source=file, name=file.name, format=fmt,
                tz=time_zone, dry_run=dry_run, date_order=date_order, progress=progress,
                owner=owner),
            quiet=as_json)
    except AmbiguousDates as exc:
        raise CairnError(f"import: {exc.where}: the dates could be day/month or month/day; "
                         "run again with --date-order day-first or --date-order month-first"
                         ) from None
    except ImportFailure as exc:
        raise CairnError(f"import: {exc}") from None
    if as_json:
        summary = result.as_json()
        summary["proposals"] = _proposal_rows(result.batch) if result.batch else []
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    _print_summary(vault, result)


def _with_progress(work: Any, *, quiet: bool) -> Any:
    """Run ``work(progress)`` under a rich progress bar on stderr: only on a terminal, and
    not with --json."""
    from rich.console import Console

    console = Console(stderr=True)
    if quiet or not console.is_terminal:
        return work(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("Reading", total=None)

        def progress(phase: str, done: int, total: int | None) -> None:
            bar.update(task, description=PHASES.get(phase, phase.title()), completed=done,
                       total=total)

        return work(progress)


def _print_summary(vault: Vault, result: Any) -> None:
    head = "Dry run: nothing was stored." if result.dry_run else (
        f"Import {result.batch.number} ({result.batch.pk}) is saved; the file is exhibit "
        f"{result.exhibit_reference}.")
    click.echo(head)
    click.echo(f"  Format: {result.format}; times without a zone read as "
               f"{result.assumed_time_zone}.")
    click.echo(f"  Items: {result.items} ({result.new} new, {result.duplicates} already "
               "imported)")
    click.echo(f"  Senders linked to people you know: {result.persons}; new unknown senders: "
               f"{result.candidates}")
    click.echo(f"  Proposed incidents: {result.proposed_incidents}")
    for note in result.notes:
        click.echo(f"  Note: {note}")
    if result.batch is not None and result.proposed_incidents:
        from cairn.cli.output import print_table

        rows = _proposal_rows(result.batch)
        print_table(["No.", "Day", "How", "Acts", "Items", "From"],
                    [[str(r["number"]), r["day"], r["channel"], ",".join(r["acts"]),
                      str(r["items"]), r["from"]] for r in rows])
        click.echo(f"Accept them with: cairn import accept {result.batch.number} --all "
                   "(or give the numbers to accept)")


def _proposal_rows(batch: ImportBatch) -> list[dict[str, Any]]:
    from django.db.models import Count

    from cairn.importers import access

    rows = []
    for proposal in (access.proposals_of(batch).select_related("person", "candidate")
                     .annotate(item_total=Count("items")).order_by("number")):
        sender = (proposal.person.name if proposal.person is not None else
                  proposal.candidate.display_name if proposal.candidate is not None else "")
        rows.append({"id": str(proposal.pk), "number": proposal.number, "rule": proposal.rule,
                     "day": proposal.day.isoformat(), "channel": proposal.channel,
                     "acts": proposal.act_codes, "items": proposal.item_total,
                     "from": sender, "status": proposal.status})
    return rows


def find_batch(vault: Vault, ref: str) -> ImportBatch:
    """A batch of the vault by its number, full id, or an id prefix of 6+ hex digits."""
    from cairn.importers import access

    batches = access.batches_readable_by(vault.owner, vault)
    ref = (ref or "").strip()
    if ref.isdigit():
        found = batches.filter(number=int(ref)).first()
        if found is not None:
            return found
    digits = ref.replace("-", "").lower()
    if len(digits) >= 6 and all(c in "0123456789abcdef" for c in digits):
        matches = [b for b in batches if b.pk.hex.startswith(digits)]
        if len(matches) == 1:
            return matches[0]
    raise CairnError(f"batch: no import {ref!r} in this vault")


@import_group.command("accept")
@vault_option
@click.argument("batch_ref", metavar="BATCH")
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option("--all", "accept_all", is_flag=True, help="Accept every proposal still waiting.")
def accept(vault_ref: str | None, batch_ref: str, ids: Sequence[str], accept_all: bool) -> None:
    """Log the incidents proposed by import BATCH: --all, or the proposals' numbers or ids."""
    if accept_all == bool(ids):
        raise CairnError("accept: give --all, or the numbers of the proposals to accept")
    vault = current_vault(vault_ref)
    from cairn.importers import services

    batch = find_batch(vault, batch_ref)
    incidents = services.accept_proposals(actor=vault.owner, batch=batch, ids=list(ids),
                                          all=accept_all)
    if not incidents:
        click.echo("Nothing was waiting to be accepted.")
        return
    numbers = ", ".join(str(incident.number) for incident in incidents)
    click.echo(f"Logged {len(incidents)} incident{'s' if len(incidents) != 1 else ''}: "
               f"{numbers}.")
