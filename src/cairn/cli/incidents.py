"""``cairn incident``: log an incident, list the log, show one incident in full."""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import click

from cairn import spreadsheet
from cairn.cli import times
from cairn.cli.context import current_vault, find_incident, vault_option
from cairn.cli.errors import CairnError
from cairn.web.timeframe import Precision, from_local

if TYPE_CHECKING:
    from cairn.vault.models import Incident, Person, Vault

# The columns of `incident list` (JSON keys, CSV header), in order.
COLUMNS = (
    "id", "number", "start", "end", "precision", "when_words", "channel", "acts", "other_act",
    "description", "location", "impact", "suspects", "witness_persons", "witnesses",
    "feared_violence", "reported_to_police", "police_reference", "exhibits", "recorded_at",
    "revision",
)
LIST_COLUMNS = ("suspects", "witness_persons", "acts", "exhibits")
_ROW_FIELDS = (
    "id", "vault_id", "number", "start", "end", "precision", "channel", "acts", "sealed",
    "feared_violence", "reported_to_police", "recorded_at", "revision",
)


@click.group("incident")
def incident_group() -> None:
    """Incidents: what happened, when, how, and who did it."""


# --- add ----------------------------------------------------------------------------------

def _timeframe(vault: Vault, start_raw: str, end_raw: str | None,
               precision: str | None) -> tuple[datetime, datetime | None, str]:
    """Turn typed start, end and precision into an aware interval (validated by the service).

    A date alone means that local day (precision "day") unless another precision is given;
    "overnight" on a date alone means that evening to the next morning.
    """
    tz = ZoneInfo(vault.time_zone)
    start = times.parse(start_raw, field="start")
    end = times.parse(end_raw, field="end") if end_raw is not None else None
    end_at = times.resolve(end, tz, field="end", day_end=True) if end is not None else None
    if start.day is None:
        start_at = times.resolve(start, tz, field="start")
        return start_at, end_at, precision or Precision.EXACT
    if end is None and precision in (None, Precision.DAY, Precision.OVERNIGHT):
        overnight = precision == Precision.OVERNIGHT
        start_at, day_end, made = from_local(start.day, None, tz, overnight=overnight)
        return start_at, day_end, made.value
    return times.start_of_day(start.day, tz), end_at, precision or Precision.DAY


def _link_persons(vault: Vault, names: tuple[str, ...]) -> tuple[list[Person], list[str]]:
    """Persons for ``--suspect``: an existing one by name or alias, else a new suspect."""
    from cairn.vault import access, services
    from cairn.vault.choices import PersonRole

    known = list(access.persons_readable_by(vault.owner, vault))
    linked: list[Person] = []
    created: list[str] = []
    for raw in names:
        key = raw.strip().casefold()
        if not key:
            raise CairnError("suspect: the name is empty")
        matches = [p for p in known
                   if p.name.casefold() == key or any(a.casefold() == key for a in p.aliases)]
        if len(matches) > 1:
            raise CairnError(f"suspect: {raw!r} matches {len(matches)} persons in this vault; "
                             "use a name only one of them has (see: cairn person list)")
        if matches:
            person = matches[0]
        else:
            person = services.create_person(actor=vault.owner, vault=vault, name=raw,
                                            role=PersonRole.SUSPECT)
            known.append(person)
            created.append(person.name)
        if person not in linked:
            linked.append(person)
    return linked, created


@incident_group.command("add")
@vault_option
@click.option("--start", required=True, metavar="ISO",
              help="When it happened (or began): 2025-03-01 or 2025-03-01T14:30. Without an "
                   "offset it is read in the vault's time zone.")
@click.option("--end", metavar="ISO", help="When it ended, if it lasted.")
@click.option("--precision", type=click.Choice([p.value for p in Precision]),
              help="How sure the time is. Default: exact, or day for a date alone.")
@click.option("--channel", required=True, metavar="C",
              help="How it happened: in_person, phone_call, text_message, messaging_app, "
                   "social_media, email, letter_or_gift, third_party, property, other_online.")
@click.option("--acts", required=True, metavar="a,b",
              help="s.2A(3) PHA 1997 act codes a-g or other, separated by commas.")
@click.option("--other-act", default="", help="What the other act was (with --acts other).")
@click.option("--description", default="", help="What happened, in your words.")
@click.option("--location", default="", help="Where it happened.")
@click.option("--suspect", "suspects", multiple=True, metavar="NAME",
              help="Who did it: a person's name or alias in the vault, else a new suspect. "
                   "Repeat for several.")
@click.option("--feared-violence", is_flag=True, help="It made you fear violence would be used.")
@click.option("--when-words", default="", help="When it happened, in your own words.")
@click.option("--impact", default="", help="What it changed in your daily life.")
@click.option("--witnesses", default="", help="Who saw or heard it.")
@click.option("--reported-to-police", is_flag=True, help="You reported it to the police.")
@click.option("--police-reference", default="", metavar="REF", help="The police reference.")
def add(vault_ref: str | None, start: str, end: str | None, precision: str | None,  # noqa: PLR0913 (one argument per click option)
        channel: str, acts: str, other_act: str, description: str, location: str,
        suspects: tuple[str, ...], feared_violence: bool, when_words: str, impact: str,
        witnesses: str, reported_to_police: bool, police_reference: str) -> None:
    """Log an incident."""
    vault = current_vault(vault_ref)
    from django.db import transaction

    from cairn.vault import services

    start_at, end_at, precision_value = _timeframe(vault, start, end, precision)
    # One transaction: if the incident is refused, no suspect made for it is left behind.
    with transaction.atomic():
        persons, created = _link_persons(vault, suspects)
        data = services.IncidentInput(
            start=start_at, end=end_at, precision=precision_value, when_words=when_words,
            location=location, channel=channel, acts=acts, other_act=other_act,
            description=description, impact=impact, feared_violence=feared_violence,
            witnesses=witnesses, reported_to_police=reported_to_police,
            police_reference=police_reference, persons=persons,
        )
        incident = services.log_incident(actor=vault.owner, vault=vault, data=data)
    for name in created:
        click.echo(f"Added {name} to the vault as a suspect.")
    click.echo(f"Logged incident {incident.number} (id {incident.pk}).")


# --- list ---------------------------------------------------------------------------------

def _filtered(vault: Vault, date_from: str | None, date_to: str | None, act: str | None,
              channel: str | None) -> Any:
    from django.db.models import Q

    from cairn.law.pha1997 import UnknownActCode, parse_act_codes
    from cairn.vault import access
    from cairn.vault.choices import Channel

    tz = ZoneInfo(vault.time_zone)
    incidents = access.incidents_readable_by(vault.owner, vault).filter(deleted_at__isnull=True)
    if date_from:
        lower = times.bound(date_from, tz, field="from", upper=False)
        # An interval counts when any of it falls in the range.
        incidents = incidents.filter(Q(end__gte=lower) | Q(end__isnull=True, start__gte=lower))
    if date_to:
        incidents = incidents.filter(start__lte=times.bound(date_to, tz, field="to", upper=True))
    if act:
        try:
            codes = parse_act_codes(act)
        except UnknownActCode as exc:
            raise CairnError(f"act: {exc}") from None
        for code in codes:
            incidents = incidents.filter(acts__contains=f",{code},")
    if channel:
        if channel not in Channel.values:
            raise CairnError(f"channel: choose one of {', '.join(Channel.values)}")
        incidents = incidents.filter(channel=channel)
    return incidents


def _rows(vault: Vault, incidents: Any) -> Iterator[dict[str, Any]]:
    """One plain dict per incident, in three queries whatever the number of incidents.

    Free text is sealed, so each row's sealed values are decrypted once, straight from the
    query's values (no model instance per row: this lists tens of thousands).
    """
    from cairn.store.sealed import unseal_row
    from cairn.vault import access
    from cairn.vault.choices import PersonRole
    from cairn.vault.models import Incident

    names = {person.pk: (person.name, person.role)
             for person in access.persons_readable_by(vault.owner, vault)}
    suspects: dict[Any, list[str]] = defaultdict(list)
    witness_persons: dict[Any, list[str]] = defaultdict(list)
    links = incidents.filter(persons__isnull=False).values_list("pk", "persons")
    for pk, person_pk in links:
        name, role = names[person_pk]
        (suspects if role == PersonRole.SUSPECT else witness_persons)[pk].append(name)
    for listing in (*suspects.values(), *witness_persons.values()):
        listing.sort()
    exhibits: dict[Any, list[str]] = defaultdict(list)
    attached = access.exhibits_readable_by(vault.owner, vault).filter(
        incident__isnull=False).values_list("incident_id", "reference").order_by("number")
    for pk, reference in attached:
        exhibits[pk].append(reference)
    utc = times.utc_iso
    empty: list[str] = []
    rows = incidents.order_by("start", "number").values_list(*_ROW_FIELDS).iterator(2000)
    for (pk, vault_id, number, start, end, precision, channel, acts, sealed, feared_violence,
         reported_to_police, recorded_at, revision) in rows:
        text = unseal_row(Incident, pk, vault_id, sealed)
        yield {
            "id": str(pk), "number": number, "start": utc(start), "end": utc(end),
            "precision": precision, "when_words": text.get("when_words", ""),
            "channel": channel, "acts": [code for code in acts.split(",") if code],
            "other_act": text.get("other_act", ""),
            "description": text.get("description", ""), "location": text.get("location", ""),
            "impact": text.get("impact", ""), "suspects": suspects.get(pk, empty),
            "witness_persons": witness_persons.get(pk, empty),
            "witnesses": text.get("witnesses", ""), "feared_violence": feared_violence,
            "reported_to_police": reported_to_police,
            "police_reference": text.get("police_reference", ""),
            "exhibits": exhibits.get(pk, empty), "recorded_at": utc(recorded_at),
            "revision": revision,
        }


def _write_json(rows: Iterator[dict[str, Any]]) -> None:
    """Stream a JSON array, one object per line, written in chunks of a few hundred rows
    (a write per row to a pipe costs more than encoding the row)."""
    out = sys.stdout
    encode = json.JSONEncoder(ensure_ascii=False).encode
    chunk: list[str] = ["["]
    separator = "\n"
    for row in rows:
        chunk.append(separator)
        chunk.append(encode(row))
        separator = ",\n"
        if len(chunk) > 1000:
            out.write("".join(chunk))
            chunk.clear()
    chunk.append("\n]\n")
    out.write("".join(chunk))
    out.flush()


def _write_csv(rows: Iterator[dict[str, Any]]) -> None:
    writer = spreadsheet.writer(sys.stdout, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([
            ";".join(row[name]) if name in LIST_COLUMNS
            else ("true" if row[name] else "false") if isinstance(row[name], bool)
            else "" if row[name] is None else row[name]
            for name in COLUMNS
        ])
    sys.stdout.flush()


def _local(row: dict[str, Any], tz: ZoneInfo) -> str:
    """When, in the vault's zone, only as exactly as it is known."""
    start = datetime.fromisoformat(row["start"]).astimezone(tz)
    precision = row["precision"]
    if precision == Precision.DAY:
        return f"{start:%a %d %b %Y}"
    if precision == Precision.OVERNIGHT:
        return f"{start:%a %d %b %Y}, overnight"
    if precision == Precision.UNKNOWN:
        return f"{start:%a %d %b %Y}, not sure"
    if precision == Precision.HOUR:
        return f"{start:%a %d %b %Y} about {start:%H:%M}"
    return f"{start:%a %d %b %Y %H:%M}"


def _write_table(vault: Vault, rows: Iterator[dict[str, Any]]) -> None:
    from cairn.cli.output import print_table

    tz = ZoneInfo(vault.time_zone)
    cells = []
    for row in rows:
        description = " ".join(row["description"].split())
        if len(description) > 50:
            description = description[:49] + "…"
        cells.append([str(row["number"]), _local(row, tz), row["channel"], ",".join(row["acts"]),
                      "; ".join(row["suspects"]), " ".join(row["exhibits"]), description])
    if not cells:
        click.echo("No incidents match.")
        return
    when = f"When ({vault.time_zone})"
    print_table(["No.", when, "Channel", "Acts", "Suspects", "Exhibits", "Description"], cells,
                title=f"Incidents in {vault.name}", min_width=150,
                one_line=["No.", when, "Channel", "Acts", "Suspects", "Exhibits"],
                flexible="Description")


@incident_group.command("list")
@vault_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True)
@click.option("--from", "date_from", metavar="DATE", help="Only incidents on or after this.")
@click.option("--to", "date_to", metavar="DATE", help="Only incidents on or before this.")
@click.option("--act", metavar="X", help="Only incidents with this s.2A(3) act code.")
@click.option("--channel", metavar="C", help="Only incidents that happened this way.")
def list_incidents(vault_ref: str | None, fmt: str, date_from: str | None, date_to: str | None,
                   act: str | None, channel: str | None) -> None:
    """List the incidents, oldest first (deleted ones are left out)."""
    vault = current_vault(vault_ref)
    from cairn.store.keys import data_key

    data_key(vault.pk)  # a destroyed key is one clear line before any output, not half a list
    rows = _rows(vault, _filtered(vault, date_from, date_to, act, channel))
    if fmt == "json":
        _write_json(rows)
    elif fmt == "csv":
        _write_csv(rows)
    else:
        _write_table(vault, rows)


# --- show ---------------------------------------------------------------------------------

def _show_lines(vault: Vault, incident: Incident) -> Iterator[str]:
    from cairn.law.pha1997 import ACTS_BY_CODE
    from cairn.vault import access
    from cairn.vault.choices import Channel, PrecisionChoices

    tz = ZoneInfo(vault.time_zone)

    def when(value: datetime | None) -> str:
        if value is None:
            return ""
        local = value.astimezone(tz)
        return f"{local:%a %d %b %Y %H:%M %Z} ({times.utc_iso(value)})"

    yield f"Incident {incident.number}   id {incident.pk}"
    if incident.is_deleted:
        yield f"Deleted:          {when(incident.deleted_at)} (its content was erased)"
    yield f"Start:            {when(incident.start)}"
    if incident.end is not None:
        yield f"End:              {when(incident.end)}"
    yield f"Precision:        {PrecisionChoices(incident.precision).label}"
    if incident.when_words:
        yield f"In your words:    {incident.when_words}"
    yield f"Channel:          {Channel(incident.channel).label}"
    yield "Acts (s.2A(3) Protection from Harassment Act 1997):"
    for code in incident.act_codes:
        act = ACTS_BY_CODE[code]
        yield f"  ({code}) {act.plain}: {act.label}"
    if incident.other_act:
        yield f"  Other act: {incident.other_act}"
    if incident.location:
        yield f"Location:         {incident.location}"
    if incident.latitude is not None:
        yield f"Coordinates:      {incident.latitude}, {incident.longitude}"
    if incident.description:
        yield "Description:"
        yield from (f"  {line}" for line in incident.description.splitlines())
    if incident.impact:
        yield "Impact:"
        yield from (f"  {line}" for line in incident.impact.splitlines())
    yield f"Feared violence:  {'yes' if incident.feared_violence else 'no'}"
    if incident.witnesses:
        yield f"Witnesses:        {incident.witnesses}"
    reported = "yes" if incident.reported_to_police else "no"
    if incident.police_reference:
        reported += f", reference {incident.police_reference}"
    yield f"Reported:         {reported}"
    persons = list(access.persons_readable_by(vault.owner, vault).filter(incidents=incident))
    if persons:
        yield "Persons:"
        for person in persons:
            role, relationship = person.get_role_display(), person.get_relationship_display()
            yield f"  {person.name} ({role}, {relationship})"
    exhibits = list(access.exhibits_readable_by(vault.owner, vault).filter(incident=incident))
    if exhibits:
        yield "Exhibits:"
        for exhibit in exhibits:
            yield (f"  {exhibit.reference}  {exhibit.original_name}  {exhibit.media_type}  "
                   f"{exhibit.size} bytes  sha256 {exhibit.sha256}")
    yield f"Recorded:         {when(incident.recorded_at)}"
    yield "Revisions:"
    for revision in access.revisions_of(incident):
        changed = ", ".join(revision.changed_fields) if revision.changed_fields else "first entry"
        erased = " (content erased)" if revision.erased else ""
        yield f"  {revision.number}  {when(revision.created_at)}  {changed}{erased}"


@incident_group.command("show")
@vault_option
@click.argument("incident_ref", metavar="ID")
def show(vault_ref: str | None, incident_ref: str) -> None:
    """Show one incident in full: ID is its number, its id, or 6+ characters of the id."""
    vault = current_vault(vault_ref)
    incident = find_incident(vault, incident_ref)
    for line in _show_lines(vault, incident):
        click.echo(line)
