"""Where each rule comes from: the law (docs/law.md) and the studies
(research.md). Every finding the analysis makes names one of these, so a reader can check
the rule behind it. Summaries are in our own words; no licensed screening wording is used.
"""

from __future__ import annotations

from cairn.law.pha1997 import SOURCE_S2A_3

PHA_S7 = "Protection from Harassment Act 1997, s.7 (course of conduct)"
PHA_S2A_3 = SOURCE_S2A_3
PHA_S4A_FEAR = "Protection from Harassment Act 1997, s.4A(1)(b)(i) (fear of violence)"
PHA_S4A_DISTRESS = (
    "Protection from Harassment Act 1997, s.4A(1)(b)(ii) (serious alarm or distress with a "
    "substantial adverse effect on usual day-to-day activities)"
)
LAU_V_DPP = "Lau v DPP [2000]: two incidents four months apart were not a course of conduct"
R_V_PATEL = "R v Patel [2004]: the acts need a sufficient link to form a course of conduct"

SPA_S1_1_A = "Stalking Protection Act 2019, s.1(1)(a)"
SPA_S1_1_B = "Stalking Protection Act 2019, s.1(1)(b) and s.1(4)"
SPA_S1_1_C = "Stalking Protection Act 2019, s.1(1)(c)"
SPA_S2_1 = "Stalking Protection Act 2019, s.2(1) and s.2(2)"

FOUR = "College of Policing, FOUR: fixated, obsessive, unwanted, repeated"

PURCELL_2004 = (
    "Purcell, Pathé & Mullen (2004), J. Forensic Psychiatry & Psychology "
    "15(4):571: two weeks is the watershed"
)
MULLEN_2009 = "Mullen et al. (2009): episodes past two weeks lasted about six months"
MCEWAN_2020 = (
    "McEwan et al. (2020), Stalking Assessment Indices: at least 5 intrusions over at least 2 weeks"
)
ROSENFELD_2003 = (
    "Rosenfeld (2003), Law & Human Behavior 27:251: 49% reoffended, 80% of them "
    "within the first year"
)
MULLEN_1999 = (
    "Mullen, Pathé, Purcell & Stuart (1999), Am. J. Psychiatry 156:1244: threats, "
    "substance misuse and previous convictions went with assault; resentful stalkers "
    "threatened more and damaged property"
)
MCEWAN_2009 = (
    "McEwan et al. (2009), Psychological Medicine: violence by ex-intimate stalkers "
    "predicted by previous violence and threats"
)
MCEWAN_2017 = (
    "McEwan et al. (2017), J. Forensic Psychiatry & Psychology 28(1):38: violence "
    "linked to an ex-intimate victim, explicit threats and prior property damage; "
    "recurrence linked to prior acquaintance and criminal versatility"
)
MONCKTON_SMITH_2017 = (
    "Monckton Smith et al. (2017), with the Suzy Lamplugh Trust: escalation, "
    "surveillance and threats to kill were common before intimate-partner "
    "homicides; most took place in the victim's home"
)
CAIRN_INDICATORS = "Cairn indicator set (research.md, 'Violence risk')"

# The methods, stated so anyone can repeat them (ACPO principle 3).
METHOD_TREND = (
    "Mann-Kendall trend test: Kendall's tau-b between week number and incidents "
    "that week (scipy.stats.kendalltau, two-sided); a trend is reported when p < 0.05"
)
METHOD_SEVERITY_TREND = (
    "Kendall's tau-b between each incident's time and its severity level "
    "(scipy.stats.kendalltau, two-sided); reported when p < 0.05"
)
METHOD_CHANGE_POINTS = (
    "Optimal partitioning of weekly counts under a Poisson model (Jackson et al. 2005): the "
    "split minimising the negative log-likelihood plus log(number of weeks) per change (BIC), "
    "each part at least 3 weeks long"
)
METHOD_LULL = (
    "A quiet period is a gap between incidents longer than both 4 weeks and 5 times "
    "the median gap between incidents"
)
METHOD_SEVERITY = (
    "Cairn severity scale: 1 contact at a distance (messages, calls, posts, letters) < 2 approach "
    "in public < 3 at home or work < 4 interference with property < 5 threats or fear of "
    "violence < 6 violence or a weapon; each incident takes the highest level it shows"
)
