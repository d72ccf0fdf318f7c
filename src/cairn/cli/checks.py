"""``cairn check apps|accounts FILE`` and ``cairn indicators update``.

Thin over ``cairn.checks.services``: the safety advice is printed before any result, and the
indicators' version, date and credit (Echap, stalkerware-indicators, CC-BY 4.0) beside them.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click

from cairn.checks.phone import FORMAT_LABELS, FORMATS
from cairn.cli.arguments import file_name
from cairn.cli.context import current_vault, vault_option
from cairn.cli.errors import CairnError
from cairn.cli.output import print_table

ADVICE = (
    "Before you act on this:",
    "- Removing stalkerware, or signing someone out of your accounts, can alert the person "
    "watching you, and that can make things more dangerous.",
    "- Talk to a stalking advocate first, and plan for your safety.",
    "- Keep the phone as evidence: do not reset it or throw it away.",
)
FILE = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)


def _advice() -> None:
    for line in ADVICE:
        click.echo(line, err=True)
    click.echo("", err=True)


def _credit(indicator_set: Any) -> str:
    from cairn.checks.indicators import CREDIT, LICENCE

    dated = f", dated {indicator_set.data_date:%Y-%m-%d}" if indicator_set.data_date else ""
    return (
        f"Indicators: {CREDIT} ({LICENCE}), version {indicator_set.version}{dated}, "
        f"loaded {indicator_set.loaded_at:%Y-%m-%d}."
    )


@click.group("check")
def check_group() -> None:
    """Check a phone's apps for stalkerware, or an account's sign-ins."""


@check_group.command("apps")
@vault_option
@click.argument("file", type=FILE)
@click.option(
    "--format",
    "format_",
    default="auto",
    show_default=True,
    type=click.Choice(["auto", *FORMATS]),
    help="What FILE is (see above); auto tells it from its content.",
)
@click.option(
    "--save",
    is_flag=True,
    help="Save what matched as an incident (act d) with FILE as its exhibit.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def check_apps(vault_ref: str | None, file: Path, format_: str, save: bool, as_json: bool) -> None:
    """Match the app list in FILE against the stalkerware indicators.

    \b
    FILE is one of these (--format):
    pm-list    the output of adb shell pm list packages (best with -i -U)
    dumpsys    the output of adb shell dumpsys package
    androidqf  an AndroidQF acquisition (its zip, or the packages.json in it)
    names      app names typed one on each line
    Anything else is refused with an error, never reported as matching nothing.
    """
    vault = current_vault(vault_ref)
    from cairn.checks import services
    from cairn.vault.choices import ExhibitSource

    # The set in use, or on first use the one Cairn ships with.
    indicator_set = services.indicators_in_use(actor=vault.owner)
    data = file.read_bytes()
    result = services.check_apps(
        data, name=file_name(file), indicator_set=indicator_set, format=format_
    )
    _advice()
    if as_json:
        click.echo(
            json.dumps(
                {
                    "format": result.app_list.format,
                    "items": len(result.app_list.apps),
                    "matches": [m.as_plain() for m in result.matches],
                    "indicators": {
                        "version": indicator_set.version,
                        "date": indicator_set.data_date.isoformat()
                        if indicator_set.data_date
                        else None,
                        "credit": "Echap, stalkerware-indicators (CC-BY 4.0)",
                    },
                },
                indent=2,
            )
        )
    elif result.matches:
        print_table(
            ["App", "Type", "Item", "Where", "Matched by", "Sign"],
            [[m.app, m.kind, m.item, m.where, m.grade, m.strength] for m in result.matches],
            title=f"{len(result.matches)} match(es) in {len(result.app_list.apps)} "
            f"items ({FORMAT_LABELS[result.app_list.format]})",
        )
    else:
        click.echo(
            f"Nothing in {len(result.app_list.apps)} items "
            f"({FORMAT_LABELS[result.app_list.format]}) matched. This does not prove "
            "the phone is clean."
        )
    click.echo(_credit(indicator_set), err=as_json)
    if save and result.matches:
        incident = services.save_app_finding(
            actor=vault.owner,
            vault=vault,
            data=data,
            name=file_name(file),
            indicator_set=indicator_set,
            format=format_,
            source=ExhibitSource.CLI,
        )
        click.echo(
            f"Saved as incident {incident.number}, with {file_name(file)} as its exhibit.",
            err=as_json,
        )
    elif save:
        click.echo("Nothing matched, so nothing was saved.", err=as_json)


@check_group.command("accounts")
@vault_option
@click.argument("file", type=FILE)
@click.option(
    "--mine",
    "mine",
    multiple=True,
    metavar="DEVICE",
    help="Mark a device (as listed) as yours. Repeat for more.",
)
@click.option(
    "--usual-place",
    "places",
    multiple=True,
    metavar="PLACE",
    help="Mark a place (as listed) as one you are usually at. Repeat for more.",
)
@click.option(
    "--save",
    "save",
    is_flag=True,
    help="Save every unexplained sign-in as one incident (act d) with FILE as its exhibit.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the sessions as JSON.")
def check_accounts(
    vault_ref: str | None,
    file: Path,
    mine: tuple[str, ...],
    places: tuple[str, ...],
    save: bool,
    as_json: bool,
) -> None:
    """List the sign-ins in an account export, and those not from your devices or places."""
    vault = current_vault(vault_ref)
    from cairn.checks import access, services
    from cairn.checks import sessions as accounts
    from cairn.checks.models import MarkKind
    from cairn.vault.choices import ExhibitSource

    data = file.read_bytes()
    found = services.check_accounts(data, name=file_name(file), tz=vault.time_zone)
    _advice()
    for device in mine:
        services.mark_own(actor=vault.owner, vault=vault, kind=MarkKind.DEVICE, value=device)
    for place in places:
        services.mark_own(actor=vault.owner, vault=vault, kind=MarkKind.PLACE, value=place)
    marks = list(access.marks_of(vault.owner, vault))
    explained, unexplained = accounts.explain(
        found.sessions,
        [m.value for m in marks if m.kind == MarkKind.DEVICE],
        [m.value for m in marks if m.kind == MarkKind.PLACE],
    )
    if as_json:
        click.echo(
            json.dumps(
                {
                    "format": found.format,
                    "explained": [s.as_plain() for s in explained],
                    "unexplained": [s.as_plain() for s in unexplained],
                },
                indent=2,
            )
        )
    else:
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(vault.time_zone)
        rows = [
            [
                s.at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if s.at else "not known",
                s.ip,
                s.place,
                s.device,
                s.app,
                s.where,
            ]
            for s in unexplained
        ]
        print_table(
            ["Time", "IP address", "Place", "Device", "App", "Where"],
            rows,
            title=f"{len(unexplained)} unexplained of {len(found.sessions)} "
            f"({accounts.FORMAT_LABELS.get(found.format, found.format)})",
        )
    if save:
        incident = services.save_session_finding(
            actor=vault.owner,
            vault=vault,
            data=data,
            name=file_name(file),
            wheres=None,
            source=ExhibitSource.CLI,
        )
        click.echo(
            f"Saved as incident {incident.number}, with {file_name(file)} as its exhibit.",
            err=as_json,
        )


@click.group("indicators")
def indicators_group() -> None:
    """The stalkerware indicator data the phone check uses."""


@indicators_group.command("update")
@click.option(
    "--file",
    "files",
    multiple=True,
    type=FILE,
    metavar="PATH",
    help="Load from a local copy of Echap's ioc.yaml (repeat for watchware.yaml) "
    "instead of fetching it.",
)
@click.option(
    "--version",
    "version",
    default="",
    metavar="COMMIT",
    help="The upstream commit the files are at (default: their SHA-256).",
)
@click.option(
    "--date",
    "data_date",
    default=None,
    metavar="YYYY-MM-DD",
    help="The date of the data (the upstream commit's date).",
)
@click.option(
    "--replace",
    is_flag=True,
    help="Make a set of only these files, instead of adding them to the set in use.",
)
def indicators_update(
    files: tuple[Path, ...], version: str, data_date: str | None, replace: bool
) -> None:
    """Load Echap's stalkerware indicators, from --file or from the project's public address.

    Files add up to one set: loading watchware.yaml after ioc.yaml gives a set of both (a
    file of the same name replaces the older copy), unless --replace.
    """
    from cairn.cli.orgs import operator_account
    from cairn.cli.runtime import ensure_database

    ensure_database()
    from cairn.checks import services

    when = None
    if data_date:
        try:
            when = date.fromisoformat(data_date)
        except ValueError:
            raise CairnError(f"date: {data_date!r} is not a date like 2026-06-21") from None
    actor = operator_account()
    if files:
        loaded = services.load_indicators(
            actor=actor,
            files=[(file_name(path), path.read_bytes()) for path in files],
            source=", ".join(file_name(path) for path in files),
            version=version,
            data_date=when,
            replace=replace,
        )
    else:
        try:
            loaded = services.fetch_indicators(actor=actor, replace=replace)
        except services.IndicatorsUnavailable as exc:
            raise CairnError(f"indicators: {exc}") from None
    click.echo(
        f"Loaded {loaded.app_count} apps, version {loaded.version}"
        + (f", dated {loaded.data_date:%Y-%m-%d}" if loaded.data_date else "")
        + "."
    )
    click.echo(
        f"The set in use holds {len(loaded.files)} file"
        f"{'s' if len(loaded.files) != 1 else ''}: "
        + "; ".join(f"{f['name']} ({f['apps']} apps)" for f in loaded.files)
        + "."
    )
    click.echo("Indicators by Echap, stalkerware-indicators (CC-BY 4.0).")
