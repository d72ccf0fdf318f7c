"""``cairn flags``: the threat flags in a vault's incidents and imported messages, each with
the words that raised it, and the accounts that may belong to someone the victim named
(``--leads``). Read only; prints to stdout, never to a log."""

from __future__ import annotations

import click

from cairn.cli.context import current_vault, vault_option


@click.command("flags")
@vault_option
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    metavar="KIND",
    help="Only this kind of flag (violence, sexual, whereabouts, family, "
    "surveillance, self_harm); may be repeated.",
)
@click.option(
    "--leads",
    "show_leads",
    is_flag=True,
    help="Also list accounts that may be the same person as someone you named.",
)
def flags_command(vault_ref: str | None, kinds: tuple[str, ...], show_leads: bool) -> None:
    """List the flagged words in a vault's incidents and imported messages.

    Flags are found by word patterns: some will be wrong and some things missed. Each line
    shows the words that raised the flag so you can judge it.
    """
    from cairn.cli.errors import CairnError
    from cairn.flags import reading
    from cairn.flags.engine import load_rules

    vault = current_vault(vault_ref)
    labels = load_rules().labels
    unknown = sorted(set(kinds) - set(labels))
    if unknown:
        raise CairnError(f"kind: unknown kind {unknown[0]!r} (choose from {', '.join(labels)})")
    shown = 0
    for item in reading.flagged_items(vault.owner, vault):
        flags = [f for f in item.flags if not kinds or f.kind in kinds]
        if not flags:
            continue
        shown += 1
        when = item.when.isoformat(timespec="minutes") if item.when else "time not known"
        where = (
            f"incident {item.number}"
            if item.source == "incident"
            else f"message from {item.sender or 'an unknown sender'}"
        )
        click.echo(f"{where}, {when}")
        for flag in flags:
            how = reading.flag_tag(flag)[2]
            click.echo(
                f"  {labels[flag.kind]}: \u201c{flag.words}\u201d" + (f" ({how})" if how else "")
            )
    click.echo(
        f"{shown} flagged {'item' if shown == 1 else 'items'}. Flags point at words "
        "worth a look; they are not proof."
    )
    if show_leads:
        _, leads = reading.account_leads(vault.owner, vault)
        click.echo(
            f"\n{len(leads)} possible {'link' if len(leads) == 1 else 'links'} "
            "between accounts (leads, not proof):"
        )
        for lead in leads:
            click.echo(f"  {lead.account.name} may be {lead.suspect.name}")
            for reason in lead.reasons:
                click.echo(f"    - {reason.text}")
