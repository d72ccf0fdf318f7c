"""The Stalking Protection Order threshold: the evidence in the log against each limb of the
application test (Stalking Protection Act 2019, s.1(1)(a), (b), (c)) and the court's test
(s.2(1)). Each limb is "met", "partly" or "not_yet" evidenced, with the incidents behind it and
what would strengthen it. This shows evidence against a test; it is not legal advice, and a
court decides."""

from __future__ import annotations

from dataclasses import dataclass, replace

from cairn.analysis import sources
from cairn.analysis.base import VICTIM, Finding, Index, plural
from cairn.analysis.course import CourseOfConduct
from cairn.analysis.escalation import Escalation
from cairn.analysis.four import Four
from cairn.analysis.lulls import Lulls
from cairn.analysis.s4a import S4A
from cairn.analysis.suggestions import CCTV_KEPT_DAYS, Suggestion, suggestions

MET, PARTLY, NOT_YET = "met", "partly", "not_yet"
NOTE = (
    "This shows the evidence in your log against each part of the test. It is not legal "
    "advice: the police decide whether to apply, and a court decides."
)
NOTE_THIRD = (
    "This shows the evidence in the log against each part of the test. It is not legal "
    "advice: the police decide whether to apply, and a court decides."
)
STATUS_WORDS = {
    MET: "Evidence in the log",
    PARTLY: "Partly evidenced",
    NOT_YET: "Not yet evidenced",
}


@dataclass(frozen=True)
class Limb:
    key: str
    title: str
    test: str  # the test, in plain words
    citation: str
    status: str
    evidence: tuple[str, ...]  # incident ids
    findings: tuple[Finding, ...]
    strengthen: tuple[Suggestion, ...]


@dataclass(frozen=True)
class Threshold:
    s1_1_a: Limb
    s1_1_b: Limb
    s1_1_c: Limb
    s2_1: Limb
    note: str = NOTE

    def limbs(self) -> tuple[Limb, ...]:
        return (self.s1_1_a, self.s1_1_b, self.s1_1_c, self.s2_1)


__all__ = [
    "CCTV_KEPT_DAYS",
    "MET",
    "NOT_YET",
    "PARTLY",
    "STATUS_WORDS",
    "Limb",
    "Suggestion",
    "Threshold",
    "threshold",
]

Tips = dict[str, Suggestion]


def _pick(tips: Tips, *keys: str) -> tuple[Suggestion, ...]:
    return tuple(tips[k] for k in keys if k in tips)


def acts_limb(index: Index, course: CourseOfConduct, tips: Tips) -> Limb:
    """s.1(1)(a): acts associated with stalking. An SPO needs neither an offence nor a course
    of conduct: acts by the named person are enough to show; the course-of-conduct warnings
    belong to the criminal offences."""
    acted = [i.id for i in index.incidents if i.acts]
    named = [c for c in course.courses if c.person_id is not None]
    by_person = index.ordered(i for c in named for i in c.incident_ids if index.by_id[i].acts)
    findings: list[Finding] = []
    if by_person:
        who = " and ".join(c.person_name for c in named)
        status, ids = MET, by_person
        findings.append(
            index.find(
                f"{plural(len(ids), 'incident')} linked to {who} show acts associated with "
                "stalking (s.2A(3)). An order needs neither an offence nor a course of conduct.",
                ids,
                sources.SPA_S1_1_A,
            )
        )
    elif acted:
        status, ids = PARTLY, index.ordered(acted)
        findings.append(
            index.find(
                f"{plural(len(ids), 'incident')} show acts associated with stalking, but "
                "nobody is named as the person doing them.",
                ids,
                sources.SPA_S1_1_A,
            )
        )
    elif named:
        status, ids = PARTLY, index.ordered(i for c in named for i in c.incident_ids)
        findings.append(
            index.find(
                f"{plural(len(ids), 'incident')} linked to the person, but none records "
                "which act associated with stalking it was (s.2A(3)).",
                ids,
                sources.SPA_S1_1_A,
            )
        )
    else:
        status, ids = NOT_YET, ()
    return Limb(
        "s1_1_a",
        "They have carried out acts associated with stalking",
        "The person has done things associated with stalking (following, contacting, "
        "watching, loitering, interfering with property and similar). No offence and no "
        "course of conduct is needed.",
        sources.SPA_S1_1_A + "; " + sources.PHA_S2A_3,
        status,
        ids,
        tuple(findings),
        _pick(tips, "link_person", "screenshots", "witness"),
    )


def risk_limb(index: Index, s4a: S4A, escalation: Escalation, quiet: Lulls, tips: Tips) -> Limb:
    """s.1(1)(b): they pose a risk associated with stalking (physical or psychological harm).
    The time since the last incident is not a signal (research.md: never a countdown)."""
    factors: list[Finding] = []
    if s4a.fear_occasion_ids:
        factors.extend(f for f in s4a.findings if f.source == sources.PHA_S4A_FEAR)
    threats = [i.id for i in index.incidents if index.facts[i.id].threat]
    if threats:
        factors.append(
            index.find(
                f"Words of a threat in {plural(len(threats), 'incident')}.",
                threats,
                sources.SPA_S1_1_B,
            )
        )
    if s4a.activity_changes_recorded:
        factors.extend(f for f in s4a.findings if f.source == sources.PHA_S4A_DISTRESS)
    rising = [
        t.finding
        for t in (escalation.trend, escalation.severity_trend)
        if t.direction == "rising" and t.finding is not None
    ]
    factors.extend(rising)
    restarts = [lull.finding for lull in quiet.lulls if lull.restart_more_intense]
    factors.extend(restarts)
    # The trends rest on every incident; the limb's evidence is the incidents that show risk.
    ids = index.ordered(i for f in factors if f not in rising for i in f.incident_ids)
    strong = sum(
        [
            len(s4a.fear_occasion_ids) >= 2,
            bool(threats),
            s4a.activity_changes_recorded,
            bool(rising),
            bool(restarts),
        ]
    )
    status = MET if strong >= 2 else PARTLY if factors else NOT_YET
    if not ids and rising:
        ids = index.ordered(i for f in rising for i in f.incident_ids)
    return Limb(
        "s1_1_b",
        "They pose a risk associated with stalking",
        "The person poses a risk of physical or psychological harm linked to stalking "
        "(including from acts that look harmless but they know are unwelcome).",
        sources.SPA_S1_1_B,
        status,
        ids,
        tuple(factors),
        _pick(tips, "impact", "report", "witness"),
    )


def necessity_limb(index: Index, four: Four, quiet: Lulls, risk: Limb, tips: Tips) -> Limb:
    """s.1(1)(c): reasonable cause to believe an order is necessary to protect: it went on
    after she said no, or came back after a lull, and there is a risk."""
    continued = [f for f in four.unwanted.facts if f.statement.startswith("It went on")]
    findings = [*continued, *(lull.finding for lull in quiet.lulls)]
    ids = index.ordered(i for f in findings for i in f.incident_ids)
    if risk.status == MET and continued:
        status = MET
    elif risk.status != NOT_YET and (continued or quiet.lulls):
        status = PARTLY
    else:
        status = NOT_YET
    return Limb(
        "s1_1_c",
        index.say("An order is needed to protect you", "An order is needed to protect the victim"),
        index.say(
            "There is reasonable cause to believe an order is necessary to protect you "
            "from that risk: for example, it went on after you said no, blocked them or "
            "reported it.",
            "There is reasonable cause to believe an order is necessary to protect the victim "
            "from that risk: for example, it went on after she said no, blocked the person or "
            "reported it.",
        ),
        sources.SPA_S1_1_C,
        status,
        ids,
        tuple(findings),
        _pick(tips, "report", "cctv"),
    )


def court_limb(index: Index, acts: Limb, risk: Limb, necessity: Limb, tips: Tips) -> Limb:
    """s.2(1): the court's own test, stricter: satisfied of (a) and (b), and the order is
    necessary; each term must itself be necessary (s.2(2))."""
    statuses = (acts.status, risk.status, necessity.status)
    if all(s == MET for s in statuses):
        status = MET
    elif any(s != NOT_YET for s in statuses):
        status = PARTLY
    else:
        status = NOT_YET
    ids = index.ordered((*acts.evidence, *risk.evidence, *necessity.evidence))
    findings: tuple[Finding, ...] = ()
    if ids:
        findings = (
            index.find(
                "The court must itself be satisfied that the person did these acts, poses the "
                "risk, and that the order is necessary; this is stricter than the police's "
                "'reasonable cause to believe'. The incidents above are the evidence it would "
                "weigh.",
                ids,
                sources.SPA_S2_1,
            ),
        )
    return Limb(
        "s2_1",
        "The court's test",
        "The court is satisfied of (a) and (b) and that the order is necessary to "
        + index.say("protect you", "protect the victim")
        + "; each prohibition or requirement must itself be necessary.",
        sources.SPA_S2_1,
        status,
        ids,
        findings,
        _pick(tips, "cctv", "witness", "screenshots"),
    )


def threshold(
    index: Index,
    course: CourseOfConduct,
    four: Four,
    s4a: S4A,
    escalation: Escalation,
    quiet: Lulls,
) -> Threshold:
    """Each limb of the test, each from its own rule, in the statute's order."""
    tips = suggestions(index)
    acts = acts_limb(index, course, tips)
    risk = risk_limb(index, s4a, escalation, quiet, tips)
    necessity = necessity_limb(index, four, quiet, risk, tips)
    result = Threshold(acts, risk, necessity, court_limb(index, acts, risk, necessity, tips))
    return result if index.voice == VICTIM else replace(result, note=NOTE_THIRD)
