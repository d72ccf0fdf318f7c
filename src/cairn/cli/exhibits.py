"""``cairn exhibit``: keep a file as an exhibit, byte for byte; make a redacted copy."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO
from zoneinfo import ZoneInfo

import click

from cairn.cli import times
from cairn.cli.arguments import file_name
from cairn.cli.context import current_vault, find_incident, vault_option
from cairn.cli.errors import CairnError

if TYPE_CHECKING:
    from cairn.vault.models import Exhibit, Vault

# Files larger than this get a progress bar while they are read and stored.
PROGRESS_FROM_BYTES = 4 * 1024 * 1024


@click.group("exhibit")
def exhibit_group() -> None:
    """Exhibits: screenshots, photos, recordings, exports."""


@exhibit_group.command("add")
@vault_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path))
@click.option(
    "--incident",
    "incident_ref",
    metavar="ID",
    help="The incident it belongs to: number, id, or 6+ characters of the id.",
)
@click.option("--description", default="", help="What the file shows.")
@click.option(
    "--captured-at",
    metavar="ISO",
    help="When the photo, screenshot or recording was made, if known.",
)
@click.option("--received-at", metavar="ISO", help="When you received it, if known.")
def add(
    vault_ref: str | None,
    file: Path,
    incident_ref: str | None,
    description: str,
    captured_at: str | None,
    received_at: str | None,
) -> None:
    """Keep FILE as the vault's next exhibit and print its reference and SHA-256."""
    vault = current_vault(vault_ref)
    from cairn.vault import services
    from cairn.vault.choices import ExhibitSource

    tz = ZoneInfo(vault.time_zone)
    incident = find_incident(vault, incident_ref) if incident_ref else None
    captured = times.point_in_time(captured_at, tz, field="captured-at") if captured_at else None
    received = times.point_in_time(received_at, tz, field="received-at") if received_at else None
    size = file.stat().st_size

    def store(stream: BinaryIO) -> Exhibit:
        return services.add_exhibit(
            actor=vault.owner,
            vault=vault,
            stream=stream,
            original_name=file_name(file),
            incident=incident,
            source=ExhibitSource.CLI,
            description=description,
            captured_at=captured,
            received_at=received,
        )

    with file.open("rb") as handle:
        if size < PROGRESS_FROM_BYTES:
            exhibit = store(handle)
        else:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )

            columns = (
                TextColumn("{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
            )
            with (
                Progress(*columns, console=Console(stderr=True), transient=True) as progress,
                progress.wrap_file(handle, total=size, description="Storing") as reader,
            ):
                exhibit = store(reader)
    click.echo(
        f"Added exhibit {exhibit.reference} ({exhibit.media_type}, {exhibit.size} bytes)"
        + (f" to incident {incident.number}" if incident is not None else "")
        + "."
    )
    click.echo(f"SHA-256: {exhibit.sha256}")


def find_exhibit(vault: Vault, ref: str) -> Exhibit:
    """An exhibit of the vault by reference (``AB/3``) or number (``3``)."""
    from cairn.vault import access

    exhibits = access.exhibits_readable_by(vault.owner, vault)
    ref = (ref or "").strip()
    number = ref.rsplit("/", 1)[-1]
    if number.isdigit() and (ref == number or ref.upper() == f"{vault.initials}/{number}"):
        found = exhibits.filter(number=int(number)).first()
        if found is not None:
            return found
    raise CairnError(
        f"exhibit: no exhibit {ref!r} in this vault; give its reference, like {vault.initials}/1"
    )


@exhibit_group.command("redact")
@vault_option
@click.argument("ref", metavar="REF")
@click.option(
    "--rect",
    "rects",
    multiple=True,
    metavar="X,Y,W,H",
    help="An area of a picture to cover in black, in pixels from its top left "
    "corner (after turning it upright). Repeat for more areas.",
)
@click.option(
    "--hide",
    "phrases",
    multiple=True,
    metavar="PHRASE",
    help="A word or phrase to hide everywhere in a text, ignoring case. Repeat for more.",
)
def redact(
    vault_ref: str | None, ref: str, rects: tuple[str, ...], phrases: tuple[str, ...]
) -> None:
    """Make a redacted copy of exhibit REF as a new exhibit, and print its reference.

    The original stays as it is. A picture's copy has no EXIF, GPS or other hidden details.
    """
    if bool(rects) == bool(phrases):
        raise click.UsageError("give --rect areas for a picture or --hide phrases for a text")
    vault = current_vault(vault_ref)
    from cairn.vault import redaction, redaction_services

    exhibit = find_exhibit(vault, ref)
    if rects:
        rectangles = []
        for text in rects:
            try:
                rectangles.append(redaction.Rectangle.parse(text))
            except ValueError as exc:
                raise CairnError(f"rect: {exc}") from None
        copy = redaction_services.redact_image(
            actor=vault.owner, exhibit=exhibit, rectangles=rectangles
        )
    else:
        text = redaction_services.exhibit_text(exhibit)
        found = redaction.find_phrases(text, phrases)
        missing = [phrase for phrase, places in found if not places]
        if len(missing) == len(found):
            raise CairnError(f"hide: none of the phrases appear in {exhibit.reference}")
        for phrase in missing:
            click.echo(f"cairn: note: {phrase!r} does not appear in {exhibit.reference}", err=True)
        spans = redaction.merge_spans(span for _, places in found for span in places)
        copy = redaction_services.redact_text(actor=vault.owner, exhibit=exhibit, spans=spans)
    click.echo(
        f"Made exhibit {copy.reference}, a redacted copy of {exhibit.reference} "
        f"({copy.derivation['summary']})."
    )
    click.echo(f"SHA-256: {copy.sha256}")
