"""``cairn analyse``: the pattern of a vault (course of conduct, acts, FOUR, s.4A, escalation,
lulls and recurrence, risk indicators, the SPO threshold), as text or as JSON."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import click

from cairn.cli.context import current_vault, vault_option

if TYPE_CHECKING:
    from cairn.analysis.engine import Analysis

STATUS_WORDS = {
    "met": "evidence in the log",
    "partly": "partly evidenced",
    "not_yet": "not yet evidenced",
}


@click.command("analyse")
@vault_option
@click.option("--json", "as_json", is_flag=True, help="Print the whole analysis as JSON.")
@click.option(
    "--now",
    "now_raw",
    metavar="TIME",
    hidden=True,
    help="Analyse as of this ISO 8601 time with a zone (to repeat an earlier run).",
)
def analyse_command(vault_ref: str | None, as_json: bool, now_raw: str | None) -> None:
    """Show the pattern in a vault and the evidence against each limb of the SPO test.

    Every conclusion names the incidents it rests on and the law or study behind it. This is
    evidence against a test, not legal advice: a court decides.
    """
    from cairn.analysis.reading import analyse_vault_people, vault_people_json
    from cairn.cli.errors import CairnError

    vault = current_vault(vault_ref)
    now = None
    if now_raw:
        try:
            now = datetime.fromisoformat(now_raw)
        except ValueError:
            raise CairnError("now: give an ISO 8601 time, e.g. 2026-01-20T10:30:00+00:00") from None
        if now.tzinfo is None:
            raise CairnError("now: the time needs a zone, e.g. +00:00")
    if as_json:
        click.echo(vault_people_json(vault.owner, vault, now=now))
        return
    result = analyse_vault_people(vault.owner, vault, now=now)
    click.echo(
        f"{result.incident_count} incidents analysed as of "
        f"{result.now.isoformat(timespec='minutes')}, one analysis per person."
    )
    for analysis in result.all():
        _print_one(analysis)


def _print_one(analysis: Analysis) -> None:
    numbers = {p.id: p.number for p in analysis.points}
    subject = analysis.subject

    def cites(ids: tuple[str, ...]) -> str:
        listed = [str(numbers[i]) for i in ids[:12]]
        more = f" and {len(ids) - 12} more" if len(ids) > 12 else ""
        return f"incidents {', '.join(listed)}{more}" if len(ids) != 1 else f"incident {listed[0]}"

    def line(statement: str, ids: tuple[str, ...], source: str) -> None:
        click.echo(f"  - {statement}\n      [{cites(ids)}; {source}]")

    if subject is not None and subject.person_ids:
        click.echo(f"\n=== {subject.name}: {analysis.incident_count} incidents ===")
        if subject.combined:
            click.echo(subject.combined_words(victim=True))
    else:
        click.echo(f"\n=== Nobody named as doing this: {analysis.incident_count} incidents ===")
        click.echo("Shown apart: these are not counted against anyone.")
    click.echo("\nSPO threshold (evidence against the test; a court decides):")
    for limb in analysis.threshold.limbs():
        click.echo(f"  {limb.key}: {STATUS_WORDS[limb.status]} ({limb.citation})")
        for tip in limb.strengthen:
            click.echo(f"      to strengthen: {tip.text}")
    sections = [
        (
            "Course of conduct (for the offences of harassment and stalking)",
            list(analysis.course_of_conduct.findings)
            + [w for c in analysis.course_of_conduct.courses for w in c.warnings],
        ),
        ("Acts (s.2A(3))", [a.finding for a in analysis.acts]),
        ("FOUR", [f for e in analysis.four.elements() for f in e.facts]),
        ("s.4A", list(analysis.s4a.findings)),
        ("Frequency and escalation", list(analysis.escalation.findings)),
        ("Lulls and recurrence", list(analysis.lulls.findings) + list(analysis.lulls.context)),
    ]
    for title, findings in sections:
        click.echo(f"\n{title}:")
        for finding in findings:
            line(finding.statement, finding.incident_ids, finding.source)
    click.echo(f"\nMay start again: {'yes' if analysis.recurrence.warning else 'no'}")
    for reason in analysis.recurrence.reasons:
        line(reason.statement, reason.incident_ids, reason.source)
    click.echo("\nRisk indicators:")
    for indicator in analysis.risk_indicators:
        click.echo(f"  {indicator.label}: {indicator.status.replace('_', ' ')}")
