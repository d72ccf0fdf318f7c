"""Risk indicators: Cairn's own set (research.md, "Violence risk"). Each is derived from the log
where it can be, and otherwise asked of the victim through the questionnaire; each cites the
study that links it to risk, or says it is Cairn's own and not validated by research.
Indicators inform a conversation with the police or an advocate; they are not a score of how
dangerous someone is, and none reassures: stalking can become dangerous without any of them.
The time since the last incident is never an indicator."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cairn.analysis import sources
from cairn.analysis.base import THIRD_PERSON, Finding, Index
from cairn.analysis.course import CourseOfConduct
from cairn.analysis.escalation import Escalation
from cairn.analysis.lulls import Lulls
from cairn.analysis.questionnaire import FormDefinition
from cairn.analysis.risk_seen import seen_in_log

PRESENT, NOT_SEEN, ASK, ANSWERED_NO, NOT_SURE = (
    "present",
    "not_seen",
    "ask",
    "answered_no",
    "not_sure",
)


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    source: str
    status: str  # present | not_seen | ask | answered_no | not_sure
    from_log: Finding | None
    question_id: str | None
    answer: str | None  # the answer's words, when the victim answered


@dataclass(frozen=True)
class Spec:
    key: str
    label: str  # to the victim
    source: str
    log_only: bool = False  # the log always settles it; nothing to ask
    third: str = ""  # to anyone else, when it differs

    def label_for(self, voice: str) -> str:
        return self.third if self.third and voice == THIRD_PERSON else self.label


# Each indicator cites the study that links it to risk, or says it is Cairn's own (research.md,
# "How the product may use research"). Monckton Smith et al. (2017) counted behaviours before
# homicides with no comparison group: it cannot show risk, so no indicator cites it.
SPECS: tuple[Spec, ...] = (
    Spec("ex_intimate", "The person is an ex-partner", sources.MCEWAN_2017),
    Spec("explicit_threats", "Explicit threats", sources.MULLEN_1999),
    Spec("threats_to_kill", "Threats to kill", sources.MULLEN_1999),
    Spec(
        "prior_violence",
        "Violence, to you or to others",
        sources.MCEWAN_2009,
        third="Violence, to the victim or to others",
    ),
    Spec(
        "property_damage",
        "Damage or interference with your property",
        sources.MCEWAN_2017,
        third="Damage or interference with the victim's property",
    ),
    Spec(
        "at_home",
        "Turning up at or watching your home",
        sources.MCFARLANE_2002,
        third="Turning up at or watching the victim's home",
    ),
    Spec(
        "rising_frequency",
        "Getting more frequent or more serious",
        sources.CAIRN_OWN,
        log_only=True,
    ),
    Spec(
        "many_channels",
        "Contact through many different ways",
        sources.CAIRN_OWN,
        log_only=True,
    ),
    Spec(
        "third_parties",
        "Involving family, friends or colleagues",
        sources.CAIRN_OWN,
    ),
    Spec("substance_misuse", "Heavy drinking or drug use", sources.MULLEN_1999),
    Spec(
        "weapons",
        "A weapon owned, carried or mentioned",
        sources.CAIRN_OWN,
    ),
    Spec(
        "duration_past_two_weeks",
        "Going on for more than two weeks",
        sources.PURCELL_2004,
        log_only=True,
    ),
    Spec(
        "lull_then_restart",
        "Stopping for a while, then starting again",
        sources.CAIRN_OWN,
        log_only=True,
    ),
    Spec("criminal_history", "Trouble with the police before", sources.MULLEN_1999),
    Spec(
        "knows_whereabouts",
        "Knowing where you live, go or are, or claiming to watch you",
        sources.MCFARLANE_2002,
        log_only=True,
        third="Knowing where the victim lives, goes or is, or claiming to watch the victim",
    ),
    Spec(
        "online_to_offline",
        "Contact moving from online to your physical world",
        sources.CAIRN_OWN,
        log_only=True,
        third="Contact moving from online to the victim's physical world",
    ),
)


def risk_indicators(
    index: Index,
    course: CourseOfConduct,
    escalation: Escalation,
    quiet: Lulls,
    form: FormDefinition | None = None,
    answers: Mapping[str, Any] | None = None,
) -> tuple[Indicator, ...]:
    """Every indicator: seen in the log (with its incidents), answered by the victim, or still
    to ask. A "yes" answer or evidence in the log makes it present."""
    seen = seen_in_log(index, course, escalation, quiet)
    answers = answers or {}
    result = []
    for spec in SPECS:
        finding = seen.get(spec.key)
        question = None
        if form is not None:
            question = next((q for q in form.questions if spec.key in q.flags.values()), None)
        value = answers.get(question.id) if question is not None else None
        raised = (
            question is not None
            and isinstance(value, str)
            and question.flags.get(value) == spec.key
        )
        if finding is not None or raised:
            status = PRESENT
        elif spec.log_only or question is None:
            status = NOT_SEEN
        elif value is None:
            status = ASK
        elif value == "no":
            status = ANSWERED_NO
        else:
            status = NOT_SURE
        answer = (
            question.label_of(value) if question is not None and isinstance(value, str) else None
        )
        result.append(
            Indicator(
                spec.key,
                spec.label_for(index.voice),
                spec.source,
                status,
                finding,
                question.id if question is not None else None,
                answer,
            )
        )
    return tuple(result)
