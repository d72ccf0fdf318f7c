"""The Stalking Protection Order threshold: the evidence in the log against each limb of the
application test (Stalking Protection Act 2019, s.1(1)(a), (b), (c)) and the court's test
(s.2(1)). Each limb is "met", "partly" or "not_yet" evidenced, with the incidents behind it and
what would strengthen it. This shows evidence against a test; it is not legal advice, and a
court decides."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from cairn.analysis import sources
from cairn.analysis.base import VICTIM, Finding, Index, plural
from cairn.analysis.course import CourseOfConduct
from cairn.analysis.escalation import Escalation
from cairn.analysis.four import Four
from cairn.analysis.labels import ONLINE_CHANNELS
from cairn.analysis.lulls import Lulls
from cairn.analysis.s4a import S4A

MET, PARTLY, NOT_YET = "met", "partly", "not_yet"
CCTV_KEPT_DAYS = 30  # footage is typically kept for about a month
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
class Suggestion:
    text: str
    incident_ids: tuple[str, ...]
    key: str = ""  # which suggestion ("cctv", "witness"...), for pages that link from it


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


def _suggestions(index: Index) -> dict[str, Suggestion]:
    incidents = index.incidents
    out: dict[str, Suggestion] = {}
    unseen = [
        i.id
        for i in incidents
        if i.channel == "in_person"
        and not i.witnesses.strip()
        and not any(p not in index.suspect_ids for p in i.person_ids)
    ]
    if unseen:
        out["witness"] = Suggestion(
            f"Nobody is named as a witness to {plural(len(unseen), 'in-person incident')}. "
            + index.say(
                "If anyone saw what happened, ask them to write down what they saw, with the "
                "date.",
                "Ask the victim whether anyone saw what happened, and take their account.",
            ),
            index.ordered(unseen),
        )
    cutoff = index.now - timedelta(days=CCTV_KEPT_DAYS)
    recent = [
        i.id
        for i in incidents
        if i.start >= cutoff
        and (
            i.channel in {"in_person", "property", "letter_or_gift"}
            or {"a", "e", "f", "g"} & set(i.acts)
        )
    ]
    if recent:
        out["cctv"] = Suggestion(
            "Cameras may have recorded these recent incidents. CCTV and doorbell footage is "
            f"often kept for only about {CCTV_KEPT_DAYS} days: "
            + index.say("ask the police to request it now.", "request it now."),
            index.ordered(recent),
        )
    bare = [i.id for i in incidents if i.channel in ONLINE_CHANNELS and not i.exhibit_ids]
    if bare:
        out["screenshots"] = Suggestion(
            f"{plural(len(bare), 'message or call has', 'messages or calls have')} no file kept. "
            + index.say(
                "Add screenshots that show the sender's number or account, the date and the "
                "time.",
                "Screenshots that show the sender's number or account, the date and the time "
                "would help.",
            ),
            index.ordered(bare),
        )
    unattributed = [i.id for i in incidents if not set(i.person_ids) & set(index.suspect_ids)]
    if unattributed:
        out["link_person"] = Suggestion(
            f"{plural(len(unattributed), 'incident has', 'incidents have')} nobody linked as the "
            "person doing this. "
            + index.say(
                "Link them if you know, and say how you know.",
                "Ask the victim whether she knows who it was, and how she knows.",
            ),
            index.ordered(unattributed),
        )
    unreported = [
        i.id
        for i in incidents
        if not i.reported_to_police
        and not i.police_reference.strip()
        and (i.feared_violence or "f" in i.acts)
    ]
    if unreported:
        out["report"] = Suggestion(
            index.say(
                "Some incidents where you feared violence or your property was touched are not "
                "marked as reported. Reporting them gives the police a reference for each.",
                "Some incidents where the victim recorded fear of violence or interference "
                "with property are not marked as reported: each needs a police reference.",
            ),
            index.ordered(unreported),
        )
    no_impact = [i.id for i in incidents if i.feared_violence and not i.impact.strip()]
    if no_impact:
        out["impact"] = Suggestion(
            index.say(
                "Write down what you changed in your life because of these incidents (for "
                "example your route, your work or going out): it is evidence of the effect "
                "on you.",
                "The victim has not recorded what she changed in her life because of these "
                "incidents (for example her route, her work or going out); her statement can "
                "cover it.",
            ),
            index.ordered(no_impact),
        )
    return {key: replace(tip, key=key) for key, tip in out.items()}


def threshold(
    index: Index,
    course: CourseOfConduct,
    four: Four,
    s4a: S4A,
    escalation: Escalation,
    quiet: Lulls,
) -> Threshold:
    tips = _suggestions(index)

    def pick(*keys: str) -> tuple[Suggestion, ...]:
        return tuple(tips[k] for k in keys if k in tips)

    # s.1(1)(a): acts associated with stalking. An SPO needs neither an offence nor a course
    # of conduct: acts by the named person are enough to show; the course-of-conduct warnings
    # belong to the criminal offences.
    acted = [i.id for i in index.incidents if i.acts]
    named = [c for c in course.courses if c.person_id is not None]
    by_person = index.ordered(i for c in named for i in c.incident_ids if index.by_id[i].acts)
    a_findings: list[Finding] = []
    if by_person:
        who = " and ".join(c.person_name for c in named)
        a_status, a_ids = MET, by_person
        a_findings.append(
            index.find(
                f"{plural(len(a_ids), 'incident')} linked to {who} show acts associated with "
                "stalking (s.2A(3)). An order needs neither an offence nor a course of "
                "conduct.",
                a_ids,
                sources.SPA_S1_1_A,
            )
        )
    elif acted:
        a_status, a_ids = PARTLY, index.ordered(acted)
        a_findings.append(
            index.find(
                f"{plural(len(a_ids), 'incident')} show acts associated with stalking, but "
                "nobody is named as the person doing them.",
                a_ids,
                sources.SPA_S1_1_A,
            )
        )
    elif named:
        a_status, a_ids = PARTLY, index.ordered(i for c in named for i in c.incident_ids)
        a_findings.append(
            index.find(
                f"{plural(len(a_ids), 'incident')} linked to the person, but none records "
                "which act associated with stalking it was (s.2A(3)).",
                a_ids,
                sources.SPA_S1_1_A,
            )
        )
    else:
        a_status, a_ids = NOT_YET, ()
    s1_1_a = Limb(
        "s1_1_a",
        "They have carried out acts associated with stalking",
        "The person has done things associated with stalking (following, contacting, "
        "watching, loitering, interfering with property and similar). No offence and no "
        "course of conduct is needed.",
        sources.SPA_S1_1_A + "; " + sources.PHA_S2A_3,
        a_status,
        a_ids,
        tuple(a_findings),
        pick("link_person", "screenshots", "witness"),
    )

    # s.1(1)(b): they pose a risk associated with stalking (physical or psychological harm).
    # The time since the last incident is not a signal (research.md: never a countdown).
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
    b_ids = index.ordered(i for f in factors if f not in rising for i in f.incident_ids)
    strong = sum(
        [
            len(s4a.fear_occasion_ids) >= 2,
            bool(threats),
            s4a.activity_changes_recorded,
            bool(rising),
            bool(restarts),
        ]
    )
    if strong >= 2:
        b_status = MET
    elif factors:
        b_status = PARTLY
    else:
        b_status = NOT_YET
    if not b_ids and rising:
        b_ids = index.ordered(i for f in rising for i in f.incident_ids)
    s1_1_b = Limb(
        "s1_1_b",
        "They pose a risk associated with stalking",
        "The person poses a risk of physical or psychological harm linked to stalking "
        "(including from acts that look harmless but they know are unwelcome).",
        sources.SPA_S1_1_B,
        b_status,
        b_ids,
        tuple(factors),
        pick("impact", "report", "witness"),
    )

    # s.1(1)(c): reasonable cause to believe an order is necessary to protect.
    continued = [f for f in four.unwanted.facts if f.statement.startswith("It went on")]
    c_findings = list(continued)
    c_findings.extend(lull.finding for lull in quiet.lulls)
    c_ids = index.ordered(i for f in c_findings for i in f.incident_ids)
    if b_status == MET and continued:
        c_status = MET
    elif b_status != NOT_YET and (continued or quiet.lulls):
        c_status = PARTLY
    else:
        c_status = NOT_YET
    s1_1_c = Limb(
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
        c_status,
        c_ids,
        tuple(c_findings),
        pick("report", "cctv"),
    )

    # s.2(1): the court's own test, stricter: satisfied of (a) and (b), and the order is
    # necessary; each term must itself be necessary (s.2(2)).
    statuses = (a_status, b_status, c_status)
    if all(s == MET for s in statuses):
        d_status = MET
    elif any(s != NOT_YET for s in statuses):
        d_status = PARTLY
    else:
        d_status = NOT_YET
    d_ids = index.ordered((*a_ids, *b_ids, *c_ids))
    d_findings: tuple[Finding, ...] = ()
    if d_ids:
        d_findings = (
            index.find(
                "The court must itself be satisfied that the person did these acts, poses the "
                "risk, "
                "and that the order is necessary; this is stricter than the police's 'reasonable "
                "cause to believe'. The incidents above are the evidence it would weigh.",
                d_ids,
                sources.SPA_S2_1,
            ),
        )
    s2_1 = Limb(
        "s2_1",
        "The court's test",
        "The court is satisfied of (a) and (b) and that the order is necessary to "
        + index.say("protect you", "protect the victim")
        + "; each prohibition or requirement must itself be necessary.",
        sources.SPA_S2_1,
        d_status,
        d_ids,
        d_findings,
        pick("cctv", "witness", "screenshots"),
    )
    result = Threshold(s1_1_a, s1_1_b, s1_1_c, s2_1)
    return result if index.voice == VICTIM else replace(result, note=NOTE_THIRD)
