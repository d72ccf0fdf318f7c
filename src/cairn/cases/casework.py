"""Pure helpers for the officer's pages: the case timeline (shared incidents merged with the
police's actions and notes) and questionnaire answers prefilled from the analysis.

No database here: the views pass in what the access functions returned, and the analysis's
risk indicators (``cairn.analysis.risk``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cairn.analysis.questionnaire import FormDefinition
from cairn.analysis.risk import Indicator


@dataclass(frozen=True)
class TimelineItem:
    """One line of the case timeline: a shared incident (with the vault it is in) or a
    police action or note."""

    at: datetime
    kind: str  # "incident" | "action" | "note"
    incident: Any = None
    vault: Any = None
    entry: Any = None
    href: str = ""  # an incident's page


def merge_timeline(
    incidents: Iterable[tuple[Any, Any]],
    entries: Iterable[Any],
    link: Callable[[Any, Any], str] | None = None,
) -> list[TimelineItem]:
    """Newest first. ``incidents`` are (vault, incident) pairs; an incident is placed at its
    start, an action or note when it happened. At the same moment, police entries come
    after the incident they usually answer (so, newest first, above it). ``link`` gives an
    incident's page."""
    items = [
        TimelineItem(
            incident.start,
            "incident",
            incident=incident,
            vault=vault,
            href=link(vault, incident) if link else "",
        )
        for vault, incident in incidents
    ]
    items += [TimelineItem(entry.happened_at, entry.kind, entry=entry) for entry in entries]
    items.sort(key=lambda item: (item.at, item.kind != "incident"), reverse=True)
    return items


@dataclass(frozen=True)
class Prefill:
    """An answer the evidence gives: the option whose flag is the indicator the log shows
    (or the options, for a several-answers question), and the analysis's statements."""

    question_id: str
    value: str | tuple[str, ...]
    statements: tuple[str, ...]
    incident_ids: tuple[str, ...]

    @property
    def answer(self) -> str | list[str]:
        """As a form's initial value and as the service stores it."""
        return list(self.value) if isinstance(self.value, tuple) else self.value

    @property
    def evidence(self) -> str:
        return "From the evidence: " + " ".join(self.statements)


def prefill_answers(
    form: FormDefinition, indicator_sets: Iterable[Sequence[Indicator]]
) -> dict[str, Prefill]:
    """The questions of ``form`` the shared evidence answers, by question id.

    A question is answered when one of its options is flagged with an indicator key (the
    form's ``flags``) and the analysis of any linked vault found that indicator in the log.
    Forms an organisation loads use the same keys to get the same prefill. Only what the log
    shows is filled in; "no" is never inferred from an absence."""
    found: dict[str, tuple[list[str], list[str], list[str]]] = {}
    for indicators in indicator_sets:
        for indicator in indicators:
            if indicator.from_log is None:
                continue
            for question in form.questions:
                if question.type == "text":
                    continue
                flagged = [option for option, key in question.flags.items() if key == indicator.key]
                if not flagged:
                    continue
                values, statements, ids = found.setdefault(question.id, ([], [], []))
                for option in flagged[:1] if question.type == "choice" else flagged:
                    if option not in values:
                        values.append(option)
                if indicator.from_log.statement not in statements:
                    statements.append(indicator.from_log.statement)
                for incident_id in indicator.from_log.incident_ids:
                    if incident_id not in ids:
                        ids.append(incident_id)
    result: dict[str, Prefill] = {}
    for question in form.questions:
        if question.id not in found:
            continue
        values, statements, ids = found[question.id]
        if question.type == "choice":
            value: str | tuple[str, ...] = values[0]
        else:
            value = tuple(o.value for o in question.options if o.value in values)
        result[question.id] = Prefill(question.id, value, tuple(statements), tuple(ids))
    return result


def still_prefilled(prefilled: Mapping[str, Any], answers: Mapping[str, Any]) -> list[str]:
    """The questions whose answer is still the one the evidence gave (an officer who changed
    it answered it themselves)."""

    def same(a: Any, b: Any) -> bool:
        if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
            return sorted(a or []) == sorted(b or [])
        return bool(a == b)

    return sorted(qid for qid, value in prefilled.items() if same(answers.get(qid), value))
