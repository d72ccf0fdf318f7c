"""``cairn camera``: note a camera that may have recorded an incident, list the cameras with
their ask-by dates, and write the letter asking its owner for the footage (a PDF). Thin over
``cairn.cameras.services``, ``access`` and ``paperwork``; acts as the vault's owner."""

from __future__ import annotations

import json
import os
import uuid
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cairn.cli.context import current_vault, find_incident, vault_option
from cairn.cli.errors import CairnError

if TYPE_CHECKING:
    from cairn.cameras.models import Camera
    from cairn.vault.models import Vault

KINDS_HELP = (
    "own_doorbell, own_dashcam, neighbour_doorbell, shop, bus_or_train, "
    "council_or_car_park, taxi, other"
)


@click.group("camera")
def camera_group() -> None:
    """Cameras that may have recorded an incident, and by when to ask for the footage."""


@camera_group.command("add")
@vault_option
@click.option(
    "--incident",
    "incident_ref",
    required=True,
    metavar="N",
    help="The incident it may have recorded: its number or id.",
)
@click.option("--kind", required=True, metavar="KIND", help=f"Whose camera: {KINDS_HELP}.")
@click.option("--owner", default="", metavar="TEXT", help="Who runs it.")
@click.option("--where", "place", default="", metavar="TEXT", help="Where the camera is.")
@click.option(
    "--kept-days",
    type=int,
    default=None,
    metavar="D",
    help="How many days it keeps footage, if you know; otherwise what is often "
    "the case for its kind is used.",
)
@click.option(
    "--kept-words",
    default="",
    metavar="TEXT",
    help="What you were told about how long it keeps footage.",
)
@click.option(
    "--appears",
    default="not_sure",
    metavar="A",
    help="Whether you might be in the footage: yes, no or not_sure (default).",
)
def add(
    vault_ref: str | None,
    incident_ref: str,
    kind: str,
    owner: str,
    place: str,
    kept_days: int | None,
    kept_words: str,
    appears: str,
) -> None:
    """Note a camera that may have recorded an incident."""
    vault = current_vault(vault_ref)
    from cairn.cameras import retention, services

    incident = find_incident(vault, incident_ref)
    camera = services.add_camera(
        actor=vault.owner,
        incident=incident,
        kind=kind.strip(),
        owner=owner,
        place=place,
        kept_days=kept_days,
        kept_words=kept_words,
        appears=appears.strip(),
    )
    ask = services.ask_by_for(camera)
    click.echo(f"Noted camera {camera.number} (id {camera.pk}) for incident {incident.number}.")
    click.echo(retention.deadline(ask, _today(vault)) + " " + retention.basis(ask))


def _today(vault: Vault) -> date:
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    return timezone.now().astimezone(ZoneInfo(vault.time_zone)).date()


def _row(camera: Camera, today: date) -> dict[str, Any]:
    from cairn.cameras import services

    ask = services.ask_by_for(camera)
    return {
        "id": str(camera.pk),
        "number": camera.number,
        "incident": camera.incident.number,
        "kind": camera.kind,
        "owner": camera.owner,
        "where": camera.place,
        "kept_days": camera.kept_days,
        "appears": camera.appears,
        "ask_by": ask.date.isoformat(),
        "kept_days_used": ask.days,
        "from_her": ask.from_her,
        "rough_time": ask.rough_time,
        "overdue": ask.overdue(today) and camera.unasked,
        "status": camera.status,
    }


@camera_group.command("list")
@vault_option
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def list_cameras(vault_ref: str | None, fmt: str) -> None:
    """List the cameras, by camera number, with their ask-by dates and status."""
    vault = current_vault(vault_ref)
    from cairn.cameras import access

    today = _today(vault)
    rows = [_row(camera, today) for camera in access.cameras_of(vault.owner, vault)]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    if not rows:
        click.echo("No cameras noted.")
        return
    from cairn.cli.output import print_table

    print_table(
        ["No.", "Incident", "Kind", "Ask by", "Status", "Where"],
        [
            [
                str(r["number"]),
                str(r["incident"]),
                r["kind"],
                r["ask_by"] + (" (passed)" if r["overdue"] else ""),
                r["status"],
                r["where"],
            ]
            for r in rows
        ],
        title=f"Cameras in {vault.name}",
        one_line=["No.", "Incident", "Ask by"],
        flexible="Where",
    )
    click.echo(
        "Ask-by dates come from how long such cameras often keep footage: the owner "
        "may keep it for less."
    )


def find_camera(vault: Vault, ref: str) -> Camera:
    """A camera of the vault by number or full id."""
    from cairn.cameras import access

    cameras = access.cameras_of(vault.owner, vault)
    ref = (ref or "").strip()
    found = None
    if ref.isdigit():
        found = cameras.filter(number=int(ref)).first()
    else:
        try:
            found = cameras.filter(pk=uuid.UUID(ref)).first()
        except ValueError:
            found = None
    if found is None:
        raise CairnError(f"camera: no camera {ref!r} in this vault (see: cairn camera list)")
    return found


@camera_group.command("letter")
@vault_option
@click.argument("camera_ref", metavar="ID")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the PDF.",
)
@click.option(
    "--kind",
    "letter",
    type=click.Choice(["access", "keep"]),
    default="access",
    show_default=True,
    help="access: a copy of the footage of you (UK GDPR Article 15); keep: ask them "
    "to keep it until the police collect it.",
)
@click.option("--to", default="", help="Who it is to (else a line to write it by hand).")
@click.option("--where", default="", help="Where it happened or where the camera is.")
@click.option("--looks", default="", help="What you looked like, to help them find you.")
@click.option("--name", default="", help="Your name (else a line to write it by hand).")
@click.option("--reply-to", default="", help="Where they should reply (else a line).")
@click.option("--police-reference", default="", help="With --kind keep: the police reference.")
def letter(
    vault_ref: str | None,
    camera_ref: str,
    out: Path,
    letter: str,
    to: str,
    where: str,
    looks: str,
    name: str,
    reply_to: str,
    police_reference: str,
) -> None:
    """Write a letter for camera ID (its number or id) as a PDF.

    The letter holds the incident's date and time, and only what you give with the options:
    nothing else from your log.
    """
    vault = current_vault(vault_ref)
    from cairn.cameras import letters, paperwork

    camera = find_camera(vault, camera_ref)
    if camera.kind_enum.hers:
        raise CairnError(
            "camera: this is your own camera: save the footage and add it with "
            "cairn exhibit add FILE --incident N"
        )
    if letter == "access" and police_reference:
        raise CairnError("police-reference: only the keep letter carries a police reference")
    choices = {"to": to, "where": where, "looks": looks, "name": name, "reply_to": reply_to}
    if letter == "keep":
        choices["police_reference"] = police_reference
        if looks:
            raise CairnError("looks: only the access letter says what you looked like")
    pdf = letters.render(paperwork.letter_for(camera, letter, **choices))
    if out.exists() and out.is_dir():
        raise CairnError(f"out: {out} is a folder")
    temporary = out.with_name(out.name + ".part")
    try:
        temporary.write_bytes(pdf)
        os.replace(temporary, out)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise CairnError(f"out: cannot write {out}: {exc.strerror}") from None
    click.echo(f"Wrote {out} ({len(pdf):,} bytes). Print it, sign it and keep a copy.")
