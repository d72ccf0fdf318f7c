"""Published national figures on the police use of Stalking Protection Orders, as data.

The dashboard draws its reference line from here and cites each figure next to it; nothing
else in the code or the templates repeats these numbers. Source: docs/research.md,
"Police use of SPOs". Each figure is a count against a count, so the page can show it as a
rate per 1,000 stalking offences beside the force's own rate per 1,000 cases opened.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NationalFigure:
    measure: str  # what the numerator counts, in the page's words
    numerator: int
    denominator: int  # stalking offences (crimes) recorded over the same period
    period: str
    scope: str
    source: str

    @property
    def per_thousand(self) -> float:
        return 1000 * self.numerator / self.denominator

    @property
    def numerator_text(self) -> str:
        return f"{self.numerator:,}"

    @property
    def denominator_text(self) -> str:
        return f"{self.denominator:,}"

    @property
    def percent(self) -> float:
        return 100 * self.numerator / self.denominator


# 356 applications by 31 forces against 103,348 stalking crimes: about 0.3%, or 3.4 per 1,000.
APPLICATIONS = NationalFigure(
    measure="SPO applications",
    numerator=356,
    denominator=103_348,
    period="about 18 months to early 2022",
    scope="31 police forces in England and Wales",
    source="ITV News investigation, 7 April 2022",
)

# 456 orders made against about 80,000 stalking offences in the first year of the Act.
ORDERS_MADE = NationalFigure(
    measure="SPOs made",
    numerator=456,
    denominator=80_000,
    period="January 2020 to January 2021",
    scope="England and Wales",
    source="HMCTS data in the Home Office review, reported by the Guardian (2021)",
)

# The reference line on the chart of applications per 1,000 cases opened.
REFERENCE_LINE = APPLICATIONS
