"""Research used honestly (issue 14, point 8; docs/research.md, "How the product may use
research"). Every study the product shows is in one place, ``cairn.analysis.sources``, with
its sample, and each figure it quotes is the one docs/research.md gives for that study; no
other shown text names a study; no finding uses the time since the last incident as a risk;
Cairn's own rules and bands say so, and the lowest band does not reassure."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cairn.analysis import questionnaire, risk, sources
from cairn.analysis.engine import analyse_people
from tests.test_analysis import incident, snapshot, suspect

ROOT = Path(__file__).resolve().parents[1]
RESEARCH = (ROOT / "docs" / "research.md").read_text(encoding="utf-8")
AUTHORS = ("Rosenfeld", "Monckton Smith", "McEwan", "McFarlane", "Purcell", "Mullen", "Sheridan")
NUMBER = re.compile(r"\d+(?:[.:()\-]\d+)*%?")


def research_rows(authors: str) -> str:
    """The lines of docs/research.md that cite ``authors`` (its table rows and notes)."""
    rows = [line for line in RESEARCH.splitlines() if authors in line]
    assert rows, f"{authors} is not in docs/research.md"
    return "\n".join(rows)


@pytest.mark.parametrize("study", list(sources.STUDIES.values()), ids=lambda s: s.key)
def test_each_study_names_its_sample_and_quotes_only_what_research_md_says(study):
    rows = research_rows(study.authors)
    assert study.sample.strip(), "every research statement names its sample"
    assert study.sample in study.text and study.authors in study.text
    if study.published:
        # The journal as research.md writes it (without its italics).
        assert study.published.split(" ")[0] in rows.replace("*", "")
    for figure in NUMBER.findall(
        " ".join((study.sample, study.finding, study.caveat, study.published))
    ):
        assert figure in rows, f"{study.key}: {figure} is not what research.md says"


def test_monckton_smith_is_never_cited_as_showing_risk():
    study = sources.STUDIES["monckton_smith_2017"]
    assert "358 criminal homicides" in study.text and "no comparison group" in study.text
    assert "intimate-partner homicides" not in study.text
    assert all(study.text not in spec.source for spec in risk.SPECS)


def test_indicators_cite_the_right_study_or_say_they_are_cairns_own():
    by_key = {spec.key: spec.source for spec in risk.SPECS}
    assert by_key["at_home"] == by_key["knows_whereabouts"] == sources.MCFARLANE_2002
    assert by_key["criminal_history"] == sources.MULLEN_1999
    for own in ("online_to_offline", "weapons", "third_parties", "lull_then_restart"):
        assert by_key[own] == sources.CAIRN_OWN, own
    known = {s.text for s in sources.STUDIES.values()} | {sources.CAIRN_OWN}
    assert set(by_key.values()) <= known


def _shown_strings(path: Path) -> list[str]:
    """The string literals of a module that are not docstrings (what it can show)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_no_other_shown_text_names_a_study():
    src = ROOT / "src" / "cairn"
    found = []
    for path in sorted(src.rglob("*")):
        if path == src / "analysis" / "sources.py" or not path.is_file():
            continue
        if path.suffix == ".py":
            texts = _shown_strings(path)
        elif path.suffix in {".html", ".typ", ".txt"}:
            texts = [path.read_text(encoding="utf-8")]
        elif path.suffix == ".yaml":
            # A form's "source:" attributes it; its questions and bands must not cite.
            texts = [
                line
                for line in path.read_text(encoding="utf-8").splitlines()
                if not line.startswith(("source:", "#"))
            ]
        else:
            continue
        found += [
            f"{path.relative_to(src)}: {name}" for text in texts for name in AUTHORS if name in text
        ]
    assert found == []


NOW = datetime(2026, 6, 1, tzinfo=UTC)


def test_no_finding_uses_the_time_since_the_last_incident_as_risk():
    # The same incidents, analysed 10 days and 800 days after the last: the risk limb and
    # the indicators are the same (no clock, no year).
    snap = snapshot(
        *(
            incident(n, days=n * 3, feared_violence=True, description="He said he will hurt me.")
            for n in range(1, 8)
        ),
        persons=(suspect(),),
    )
    last = max(i.start for i in snap.incidents)
    soon, later = (analyse_people(snap, now=last + timedelta(days=d)).people[0] for d in (10, 800))
    assert soon.threshold.s1_1_b.status == later.threshold.s1_1_b.status == "met"
    assert [f.statement for f in soon.threshold.s1_1_b.findings] == [
        f.statement for f in later.threshold.s1_1_b.findings
    ]
    assert [(i.key, i.status) for i in soon.risk_indicators] == [
        (i.key, i.status) for i in later.risk_indicators
    ]
    for analysis in (soon, later):
        for finding in analysis.findings():
            assert finding.source != sources.ROSENFELD_2003
            assert "year" not in finding.statement


def test_the_lowest_band_does_not_reassure_and_the_bands_say_they_are_cairns_own():
    form = questionnaire.available_forms()["cairn-indicators"]
    lowest = min(form.bands, key=lambda band: band.min)
    assert "999" in lowest.label and "dangerous without any of these signs" in lowest.label
    assert "not validated by research" in questionnaire.BAND_NOTE
    assert "999" in questionnaire.BAND_NOTE
    assert "not validated by research" in sources.METHOD_SEVERITY
    assert sources.CAIRN_OWN in sources.METHOD_LULL


def test_the_readme_does_not_overstate():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "Sheridan 2009" not in readme and "typically" not in readme
    assert "in one survey" not in readme
    assert "ITV News" in readme and "103,348" in readme
