"""``cairn import``: bring an export (chat, texts, e-mail, photos, diary) into the vault, and
accept what it proposes.

``cairn import FILE`` runs ``cairn.importers.services.commit_import`` with a progress bar and
prints a summary (``--json`` for machines); ``cairn import accept BATCH --all | ID...``
logs the proposed incidents the victim agrees with. Nothing becomes an incident without
that second step.

A CSV diary is imported only with columns the victim confirmed: without ``--columns`` the
command shows the header and the suggested columns, stores nothing and says how to confirm
(``--columns date=1,what_happened=3,...`` or ``--columns suggested``).

E-mail signatures (DKIM) are checked against keys earlier imports archived and keys looked
up in DNS; ``--no-dkim-lookup`` (or ``CAIRN_DKIM_LOOKUP=false``) asks DNS for none.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cairn.cli.arguments import file_name
from cairn.cli.context import current_vault, vault_option
from cairn.cli.errors import CairnError
from cairn.cli.output import with_progress
from cairn.importers.dates import ORDERS as DATE_ORDERS

if TYPE_CHECKING:
    from cairn.importers.models import ImportBatch
    from cairn.vault.models import Vault

FORMATS = [
    "auto",
    "whatsapp",
    "sms",
    "email",
    "facebook",
    "instagram",
    "telegram",
    "twitter",
    "media",
    "csv",
]
PHASES = {"reading": "Reading", "saving": "Saving", "proposing": "Proposing"}
PROPOSALS_SHOWN = 50  # the summary's table; --json lists every proposal


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
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="What kind of export it is.",
)
@click.option(
    "--tz",
    "time_zone",
    metavar="ZONE",
    help="The time zone of times the file gives without one (default: the vault's).",
)
@click.option(
    "--date-order",
    type=click.Choice(list(DATE_ORDERS)),
    help="The order of day, month and year in the file's dates, when the file "
    "does not settle it: day-first (31/12/24), month-first (12/31/24), "
    "year-first (24/12/31), year-day-month, day-year-month, month-year-day.",
)
@click.option(
    "--me",
    "owner",
    metavar="NAME",
    help="Your own name as the chat shows it, so your replies are kept as yours.",
)
@click.option(
    "--columns",
    "columns",
    metavar="FIELD=N,...",
    help="A CSV diary's columns, as you confirm them: e.g. "
    "date=1,time=2,what_happened=3 (columns counted from 1), or 'suggested' "
    "to accept the columns Cairn suggests. Without it Cairn shows its "
    "suggestion and stores nothing.",
)
@click.option(
    "--no-dkim-lookup",
    is_flag=True,
    help="Check e-mail signatures only against keys already archived: ask DNS for "
    "none (the sender's domain could see a lookup).",
)
@click.option("--dry-run", is_flag=True, help="Work everything out, then store nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def run(
    vault_ref: str | None,
    file: Path,
    fmt: str,
    time_zone: str | None,
    date_order: str | None,
    owner: str | None,
    columns: str | None,
    no_dkim_lookup: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Import FILE into the vault and print what it found."""
    vault = current_vault(vault_ref)
    from cairn.importers import services
    from cairn.importers.base import AmbiguousDates, ImportFailure

    try:
        mapping = _confirmed_columns(file, fmt, columns, as_json=as_json)
        result = with_progress(
            lambda progress: services.commit_import(
                actor=vault.owner,
                vault=vault,
                source=file,
                name=file_name(file),
                format=fmt,
                tz=time_zone,
                dry_run=dry_run,
                date_order=date_order,
                progress=progress,
                owner=owner,
                mapping=mapping,
                dkim_lookup=False if no_dkim_lookup else None,
            ),
            quiet=as_json,
            phases=PHASES,
        )
    except AmbiguousDates as exc:
        raise CairnError(f"import: {_date_question(exc)}") from None
    except ImportFailure as exc:
        raise CairnError(f"import: {exc}") from None
    if as_json:
        summary = result.as_json()
        summary["proposals"] = _proposal_rows(result.batch) if result.batch else []
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    _print_summary(vault, result)


def _date_question(exc: Any) -> str:
    """One line: where the file shows that its dates can be read more than one way, what
    that date would be in each order, and how to say which."""
    readings = "; ".join(
        f"{order}: {day.day} {day:%B} {day.year}" for order, day in exc.readings.items()
    )
    shown = f" ({exc.written} reads as {readings})" if exc.written and readings else ""
    options = " or ".join(f"--date-order {order}" for order in exc.choices)
    return (
        f"{exc.where}: the dates could be read more than one way{shown}; run again with {options}"
    )


def _is_diary(file: Path, fmt: str) -> bool:
    if fmt != "auto":
        return fmt == "csv"
    from cairn.importers import services
    from cairn.importers.detect import detect_format

    with file.open("rb") as handle:
        head = handle.read(services.HEAD_BYTES)
    return detect_format(file_name(file), head) == "csv"


def _confirmed_columns(
    file: Path, fmt: str, spec: str | None, *, as_json: bool
) -> dict[str, int] | None:
    """The diary's columns as confirmed with --columns (0-based); None for other formats.

    Without --columns, show the header and the suggestion and stop: nothing is stored
    until the victim has said what her columns mean."""
    if not _is_diary(file, fmt):
        if spec is not None:
            raise CairnError("import: --columns is only for a CSV diary")
        return None
    from django.core.exceptions import ValidationError

    from cairn.importers import services

    preview = services.diary_preview(file, name=file_name(file))
    if spec is None:
        _show_columns(preview, as_json=as_json)
        suggested = preview.suggested_mapping
        missing = [f for f in ("date", "what_happened") if f not in suggested]
        if missing:
            raise CairnError(
                f"import: no column was recognised for {' and '.join(missing)}; "
                "say which column holds what with --columns "
                "date=1,what_happened=3,..."
            )
        raise CairnError(
            f"import: confirm the columns with --columns {_spec(suggested)} "
            "(or --columns suggested to accept the suggestion as shown)"
        )
    try:
        chosen = (
            dict(preview.suggested_mapping)
            if spec.strip().lower() == "suggested"
            else _parse_columns(spec)
        )
        return services.check_diary_columns(preview, chosen)
    except ValidationError as exc:
        raise CairnError(f"import: columns: {exc.messages[0]}") from None


def _spec(mapping: dict[str, int]) -> str:
    return ",".join(f"{field}={column + 1}" for field, column in mapping.items())


def _parse_columns(spec: str) -> dict[str, int]:
    """``date=1,what_happened=3`` as {field: 0-based column}; numbers are checked later."""
    mapping: dict[str, int] = {}
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        field, equals, number = (x.strip() for x in part.partition("="))
        field = field.lower().replace("-", "_").replace(" ", "_")
        if not equals or not field:
            raise CairnError(f"import: columns: {part!r} is not FIELD=N, for example date=1")
        if not number.isdigit():
            raise CairnError(
                f"import: columns: {part!r} needs a column number, for example {field}=1"
            )
        if field in mapping:
            raise CairnError(f"import: columns: {field} is given twice")
        mapping[field] = int(number) - 1
    if not mapping:
        raise CairnError("import: columns: give FIELD=N pairs, for example date=1,what_happened=3")
    return mapping


def _show_columns(preview: Any, *, as_json: bool) -> None:
    from cairn.importers.parsers.diary import FIELDS

    suggested = preview.suggested_mapping
    if as_json:
        click.echo(
            json.dumps(
                {
                    "columns": [
                        {"number": i + 1, "name": name} for i, name in enumerate(preview.header)
                    ],
                    "suggested": {f: c + 1 for f, c in suggested.items()},
                    "rows": preview.row_count,
                    "confirmed": False,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    click.echo("The diary's first row names these columns:")
    for index, name in enumerate(preview.header):
        click.echo(f"  {index + 1:>3}  {name}")
    click.echo(f"Rows after the first: {preview.row_count}")
    click.echo("Suggested columns:")
    for field in FIELDS:
        column = suggested.get(field)
        where = (
            f"column {column + 1} ({preview.header[column]})" if column is not None else "(none)"
        )
        click.echo(f"  {field:<17} {where}")


def _print_summary(vault: Vault, result: Any) -> None:
    head = (
        "Dry run: nothing was stored."
        if result.dry_run
        else (
            f"Import {result.batch.number} ({result.batch.pk}) is saved; the file is exhibit "
            f"{result.exhibit_reference}."
        )
    )
    click.echo(head)
    click.echo(
        f"  Format: {result.format}; times without a zone read as {result.assumed_time_zone}."
    )
    click.echo(f"  Items: {result.items} ({result.new} new, {result.duplicates} already imported)")
    click.echo(
        f"  Senders linked to people you know: {result.persons}; new unknown senders: "
        f"{result.candidates}"
    )
    click.echo(f"  Proposed incidents: {result.proposed_incidents}")
    for note in result.notes:
        click.echo(f"  Note: {note}")
    if result.batch is not None and result.proposed_incidents:
        from cairn.cli.output import number_ranges, print_table

        rows = _proposal_rows(result.batch)
        print_table(
            ["No.", "Day", "How", "Acts", "Items", "From"],
            [
                [
                    str(r["number"]),
                    r["day"],
                    r["channel"],
                    ",".join(r["acts"]),
                    str(r["items"]),
                    r["from"],
                ]
                for r in rows[:PROPOSALS_SHOWN]
            ],
        )
        if len(rows) > PROPOSALS_SHOWN:
            rest = number_ranges(r["number"] for r in rows[PROPOSALS_SHOWN:])
            click.echo(
                f"... and {len(rows) - PROPOSALS_SHOWN} more proposals ({rest}): "
                "review each in the web pages (cairn serve, then Import)."
            )
        click.echo(
            f"Accept them with: cairn import accept {result.batch.number} --all "
            "(or give the numbers to accept)"
        )


def _proposal_rows(batch: ImportBatch) -> list[dict[str, Any]]:
    from django.db.models import Count

    from cairn.importers import access

    rows = []
    for proposal in (
        access.proposals_of(batch)
        .select_related("person", "candidate")
        .annotate(item_total=Count("items"))
        .order_by("number")
    ):
        sender = (
            proposal.person.name
            if proposal.person is not None
            else proposal.candidate.display_name
            if proposal.candidate is not None
            else ""
        )
        rows.append(
            {
                "id": str(proposal.pk),
                "number": proposal.number,
                "rule": proposal.rule,
                "day": proposal.day.isoformat(),
                "channel": proposal.channel,
                "acts": proposal.act_codes,
                "items": proposal.item_total,
                "from": sender,
                "status": proposal.status,
            }
        )
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
    incidents = services.accept_proposals(
        actor=vault.owner, batch=batch, ids=list(ids), all=accept_all
    )
    if not incidents:
        click.echo("Nothing was waiting to be accepted.")
        return
    from cairn.cli.output import number_ranges

    numbers = number_ranges(incident.number for incident in incidents)
    click.echo(f"Logged {len(incidents)} incident{'s' if len(incidents) != 1 else ''}: {numbers}.")
