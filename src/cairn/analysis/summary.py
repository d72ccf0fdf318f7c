"""The pattern page's summary, and its topics (issue 16: one thing per page on a phone).

Pure: ``summary(analysis)`` says what the log shows in five lines, each pointing to the topic
page that has the evidence. ``TOPICS`` are those pages, in the order they are read. Both speak
to the victim ("you"); officers read the analysis on the case page, in the third person.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cairn.analysis.engine import Analysis
from cairn.web.timeframe import day_words


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str


TOPICS = (
    Topic("test", "What the police would need to show"),
    Topic("when", "When it happened"),
    Topic("frequency", "How often, and how serious"),
    Topic("acts", "What they did"),
    Topic("how", "How and when"),
    Topic("course", "A course of conduct"),
    Topic("signs", "Signs of stalking"),
    Topic("fear", "Fear, and the effect on your life"),
    Topic("risk", "Things research links to risk"),
    Topic("research", "General research"),
)
TOPICS_BY_SLUG = {topic.slug: topic for topic in TOPICS}


@dataclass(frozen=True)
class Line:
    """One line of the summary and the topic with its evidence."""

    text: str
    topic: Topic


def _zone(analysis: Analysis) -> ZoneInfo:
    try:
        return ZoneInfo(analysis.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/London")


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _period(analysis: Analysis) -> str:
    points = analysis.points
    count = _count(analysis.incident_count, "incident", "incidents")
    if not points:
        return f"Your log has {count}."
    zone = _zone(analysis)
    first = day_words(points[0].start.astimezone(zone))
    last = day_words(points[-1].start.astimezone(zone))
    if first == last:
        return f"Your log has {count}, on {first}."
    return f"Your log has {count}, from {first} to {last}."


def _test(analysis: Analysis) -> str:
    limbs = analysis.threshold.limbs()
    met = sum(1 for limb in limbs if limb.status == "met")
    partly = sum(1 for limb in limbs if limb.status == "partly")
    text = (
        f"{met} of the {len(limbs)} parts of the test for a Stalking Protection Order have "
        "evidence in your log"
    )
    if met == 1:
        text = text.replace(" have evidence", " has evidence")
    if partly:
        text += f", and {partly} {'has' if partly == 1 else 'have'} some"
    return text + "."


_FREQUENCY = {
    "rising": "Things have happened more often over time",
    "falling": "Things have happened less often over time",
    "no_clear_trend": "How often things happen has not clearly changed",
    "not_enough_data": "There is not enough in your log yet to tell whether it happens more often",
}
_SERIOUSNESS = {
    "rising": "and incidents have become more serious",
    "falling": "and incidents have become less serious",
}


def _frequency(analysis: Analysis) -> str:
    text = _FREQUENCY.get(analysis.escalation.trend.direction, _FREQUENCY["no_clear_trend"])
    more = _SERIOUSNESS.get(analysis.escalation.severity_trend.direction)
    return f"{text}, {more}." if more else f"{text}."


def _acts(analysis: Analysis) -> str:
    shown = sorted(
        (act for act in analysis.acts if act.incident_ids),
        key=lambda act: (-len(act.incident_ids), act.code),
    )
    if not shown:
        return "No incident says what they did yet."
    most = "; ".join(f"{act.plain.lower()} ({len(act.incident_ids)})" for act in shown[:2])
    return f"What they did most often: {most}."


def _ongoing(analysis: Analysis) -> str:
    if analysis.recurrence.warning:
        if analysis.recurrence.ongoing:
            return "It has not stopped: keep logging anything new, however small."
        return "It has gone quiet before and started again: keep logging anything new."
    present = sum(1 for indicator in analysis.risk_indicators if indicator.status == "present")
    return (
        f"{_count(present, 'thing', 'things')} research links to risk "
        f"{'shows' if present == 1 else 'show'} in your log."
    )


def summary(analysis: Analysis) -> tuple[Line, ...]:
    """What the log shows, in five lines, each with the topic that holds its evidence."""
    return (
        Line(_period(analysis), TOPICS_BY_SLUG["when"]),
        Line(_test(analysis), TOPICS_BY_SLUG["test"]),
        Line(_frequency(analysis), TOPICS_BY_SLUG["frequency"]),
        Line(_acts(analysis), TOPICS_BY_SLUG["acts"]),
        Line(_ongoing(analysis), TOPICS_BY_SLUG["when" if analysis.recurrence.warning else "risk"]),
    )


def neighbours(slug: str) -> tuple[Topic | None, Topic | None]:
    """The topics before and after ``slug``, for "Previous" and "Next" links."""
    index = next(n for n, topic in enumerate(TOPICS) if topic.slug == slug)
    return (
        TOPICS[index - 1] if index > 0 else None,
        TOPICS[index + 1] if index + 1 < len(TOPICS) else None,
    )
