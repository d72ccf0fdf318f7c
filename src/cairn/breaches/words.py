"""What the police did about a breach the victim reported, in plain words for her pages (and
the API's victim view), without legal shorthand. The officer's pages use the labels of
``BreachOutcomeKind``."""

from __future__ import annotations

from cairn.breaches.models import BreachOutcomeKind

OUTCOME_WORDS = {
    BreachOutcomeKind.ARRESTED: "They were arrested",
    BreachOutcomeKind.VOLUNTARY_INTERVIEW: "The police interviewed them under caution",
    BreachOutcomeKind.CHARGED: "They were charged with breaching the order",
    BreachOutcomeKind.SUMMONSED: "They were told to go to court (a summons)",
    BreachOutcomeKind.CAUTIONED: "They were given a caution",
    BreachOutcomeKind.NO_FURTHER_ACTION: "The police decided to take no further action",
    BreachOutcomeKind.CONVICTED: "They were found guilty in court",
    BreachOutcomeKind.ACQUITTED: "They were found not guilty in court",
}

NOTHING_YET = "The police have your report. Nothing else has been recorded yet."


def outcome_words(outcome: str) -> str:
    try:
        return OUTCOME_WORDS[BreachOutcomeKind(outcome)]
    except ValueError:
        return outcome
