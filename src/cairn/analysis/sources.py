"""Where each rule comes from: the law (docs/law.md), the studies (docs/research.md) and
Cairn's own rules. Every finding the analysis makes names one of these, so a reader can check
the rule behind it. Summaries are in our own words; no licensed screening wording is used.

Every research statement the product shows is here, once, with its study and sample
(``STUDIES``); a test holds each against ``docs/research.md``. How research may be used
(research.md, last section): population figures are background, never evidence about one
person and never a countdown; a rule that is Cairn's own says so wherever its result is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from cairn.law.pha1997 import SOURCE_S2A_3

PHA_S7 = "Protection from Harassment Act 1997, s.7 (course of conduct)"
PHA_S7_3A = (
    "Protection from Harassment Act 1997, s.7(3A) (conduct by one person, aided, counselled "
    "or procured by another, is taken to be conduct of that other person too)"
)
PHA_S2A_3 = SOURCE_S2A_3
PHA_S4A_FEAR = "Protection from Harassment Act 1997, s.4A(1)(b)(i) (fear of violence)"
# The court decides whether an effect on day-to-day activities is "substantial"; Cairn only
# lists the changes she recorded.
PHA_S4A_DISTRESS = (
    "Protection from Harassment Act 1997, s.4A(1)(b)(ii) (serious alarm or distress and its "
    "effect on usual day-to-day activities: whether the effect meets the test is for the court)"
)
LAU_V_DPP = "Lau v DPP [2000]: two incidents four months apart were not a course of conduct"
R_V_PATEL = "R v Patel [2004]: the acts need a sufficient link to form a course of conduct"

SPA_S1_1_A = "Stalking Protection Act 2019, s.1(1)(a)"
SPA_S1_1_B = "Stalking Protection Act 2019, s.1(1)(b) and s.1(4)"
SPA_S1_1_C = "Stalking Protection Act 2019, s.1(1)(c)"
SPA_S2_1 = "Stalking Protection Act 2019, s.2(1) and s.2(2)"

FOUR = "College of Policing, FOUR: fixated, obsessive, unwanted, repeated"

# Said wherever the result of one of Cairn's own rules is shown (research.md).
CAIRN_OWN = "Cairn's own rule, not validated by research"


@dataclass(frozen=True)
class Study:
    """One study as the product may cite it: who, where published, what sample, what it
    found, in our own words. ``text`` is what a page or a document prints."""

    key: str
    authors: str  # "Rosenfeld (2003)": how docs/research.md names it
    published: str
    sample: str
    finding: str
    caveat: str = ""  # what the study cannot show, said with it

    @property
    def text(self) -> str:
        where = f", {self.published}" if self.published else ""
        caveat = f" {self.caveat}" if self.caveat else ""
        return f"{self.authors}{where} ({self.sample}): {self.finding}.{caveat}"

    def __str__(self) -> str:
        return self.text


STUDIES: dict[str, Study] = {
    study.key: study
    for study in (
        Study(
            "purcell_2004",
            "Purcell, Pathé & Mullen (2004)",
            "J. Forensic Psychiatry & Psychology 15(4):571-583",
            "an Australian community survey",
            "harassment lasting over two weeks was on average more intrusive, threatening and "
            "psychologically damaging than shorter episodes",
            "A comparison of episodes, not a forecast for one case.",
        ),
        Study(
            "mullen_2009",
            "Mullen et al. (2009)",
            "",
            "a community sample",
            "45% of episodes ended within 2 weeks; those going past 2 weeks lasted about 6 months "
            "on average, with about 20 intrusions",
        ),
        Study(
            "mcewan_2020",
            "McEwan, Simmons, Clothier & Senkans (2020)",
            "Psychiatry, Psychology and Law 28(3):435-461",
            "244 students",
            "one research threshold for stalking is at least 5 intrusions over at least 2 weeks, "
            "causing substantial fear or distress",
            "It is one study's threshold (others use 10 intrusions over 4 weeks), not a legal "
            "test.",
        ),
        Study(
            "rosenfeld_2003",
            "Rosenfeld (2003)",
            "Law & Human Behavior 27(3):251-265",
            "148 people charged with stalking or harassment in New York and referred by a court "
            "for a mental-health evaluation",
            "49% offended again within 2.5-13 years of follow-up, 80% of those in the first year "
            "of follow-up",
            "The year starts at the court referral, not at a last incident: it is general "
            "background, never a countdown for one person.",
        ),
        Study(
            "mullen_1999",
            "Mullen, Pathé, Purcell & Stuart (1999)",
            "Am. J. Psychiatry 156:1244",
            "145 stalkers",
            "63% made threats and 36% assaulted; assault was predicted by previous convictions, "
            "substance misuse and prior threats",
        ),
        Study(
            "mcewan_2009",
            "McEwan et al. (2009)",
            "Psychological Medicine",
            "ex-intimate stalkers",
            "violence by ex-intimate stalkers was predicted by previous violence, threats and "
            "being employed",
        ),
        Study(
            "mcewan_2017",
            "McEwan et al. (2017)",
            "J. Forensic Psychiatry & Psychology 28(1):38",
            "stalkers followed for violence and recurrence",
            "violence was linked to an ex-intimate victim, explicit threats and prior property "
            "damage (AUC 0.74); recurrence was linked to prior acquaintance and criminal "
            "versatility",
        ),
        Study(
            "mcfarlane_2002",
            "McFarlane, Campbell & Watson (2002)",
            "Behavioral Sciences & the Law 20:51-68",
            "a case-control study of femicide",
            "being followed or spied on went with more than twice the risk of femicide",
        ),
        Study(
            "monckton_smith_2017",
            "Monckton Smith et al. (2017)",
            "University of Gloucestershire with the Suzy Lamplugh Trust",
            "358 criminal homicides, 71% by intimate partners",
            "stalking behaviours were present in 94%; surveillance in 63%, escalation in 79%, "
            "threats to kill in 55%",
            "Counts with no comparison group, in a report that is not peer-reviewed: it cannot "
            "show that a behaviour raises risk.",
        ),
    )
}

PURCELL_2004 = STUDIES["purcell_2004"].text
MCEWAN_2020 = STUDIES["mcewan_2020"].text
ROSENFELD_2003 = STUDIES["rosenfeld_2003"].text
MULLEN_1999 = STUDIES["mullen_1999"].text
MCEWAN_2009 = STUDIES["mcewan_2009"].text
MCEWAN_2017 = STUDIES["mcewan_2017"].text
MCFARLANE_2002 = STUDIES["mcfarlane_2002"].text

# The studies shown as general research (never as evidence about the person): the pattern
# page's "general research" note and the court documents' annex.
BACKGROUND = ("purcell_2004", "mullen_2009", "rosenfeld_2003", "monckton_smith_2017")
BACKGROUND_NOTE = (
    "General research about groups of people, not about this case. It gives context; it is "
    "not evidence about the person, and no figure here is a countdown."
)

# The methods, stated so anyone can repeat them (ACPO principle 3).
METHOD_TREND = (
    "Mann-Kendall trend test: Kendall's tau-b between week number and incidents "
    "that week (scipy.stats.kendalltau, two-sided); a trend is reported when p < 0.05"
)
METHOD_SEVERITY_TREND = (
    "Kendall's tau-b between each incident's time and its level on Cairn's own severity "
    "scale (scipy.stats.kendalltau, two-sided); reported when p < 0.05"
)
METHOD_CHANGE_POINTS = (
    "Optimal partitioning of weekly counts under a Poisson model (Jackson et al. 2005): the "
    "split minimising the negative log-likelihood plus log(number of weeks) per change (BIC), "
    "each part at least 3 weeks long"
)
METHOD_LULL = (
    "A quiet period is a gap between incidents longer than both 4 weeks and 5 times "
    "the median gap between incidents (" + CAIRN_OWN + ")"
)
METHOD_SEVERITY = (
    "Cairn's own six-level severity scale, not validated by research: 1 contact at a distance "
    "(messages, calls, posts, letters) < 2 approach in public < 3 at home or work < "
    "4 interference with property < 5 threats or fear of violence < 6 violence or a weapon; "
    "each incident takes the highest level it shows"
)
