"""The analysis rules on hand-built snapshots whose answers are known (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest

from cairn.analysis import charts, questionnaire, sources
from cairn.analysis.base import EvidenceMissing, Finding
from cairn.analysis.engine import analyse, to_json, to_json_text
from cairn.analysis.escalation import change_points
from cairn.analysis.labels import CHANNEL_LABELS
from cairn.analysis.severity import severity_of
from tests.test_analysis_support import BASE, incident, snapshot, suspect, weekly


def run(snap, **kwargs):
    return analyse(snap, now=snap.taken_at, **kwargs)


def limb_statuses(analysis):
    return {limb.key: limb.status for limb in analysis.threshold.limbs()}


# --- course of conduct (PHA s.7) -----------------------------------------------------------


def test_two_incidents_months_apart_carry_the_lau_warning():
    result = run(snapshot(incident(1, days=0), incident(2, days=120)))
    course = result.course_of_conduct.courses[0]
    assert course.two_or_more_occasions
    assert course.gaps[0].days == 120
    assert [w.source for w in course.warnings] == [sources.LAU_V_DPP]
    assert "only two incidents, 120 days apart" in course.warnings[0].statement
    assert course.warnings[0].incident_ids == ("i-00001", "i-00002")


def test_few_incidents_far_apart_are_warned_about():
    result = run(snapshot(*weekly(3, every=60)))
    warnings = result.course_of_conduct.courses[0].warnings
    assert any(
        w.source == sources.LAU_V_DPP and "few incidents (3)" in w.statement for w in warnings
    )


def test_many_close_linked_incidents_carry_no_warning():
    result = run(snapshot(*weekly(10)))
    course = result.course_of_conduct.courses[0]
    assert course.warnings == ()
    assert course.median_gap_days == 7
    assert any(link.kind == "channel" and link.value == "text_message" for link in course.links)


def test_an_incident_sharing_nothing_with_the_others_is_named_for_patel():
    odd = incident(3, days=14, channel="email", acts=("c",), location="The library")
    result = run(snapshot(*weekly(2), odd))
    course = result.course_of_conduct.courses[0]
    assert course.unlinked_ids == (odd.id,)
    assert any(w.source == sources.R_V_PATEL for w in course.warnings)


def test_no_suspect_identified_is_reported_and_weakens_limb_a():
    result = run(snapshot(*weekly(6, persons=()), persons=()))
    courses = result.course_of_conduct.courses
    assert len(courses) == 1 and courses[0].person_id is None
    assert "nobody linked" in courses[0].findings[0].statement
    assert result.threshold.s1_1_a.status == "partly"
    assert any("nobody linked" in tip.text for tip in result.threshold.s1_1_a.strengthen)


def test_incidents_are_grouped_per_suspect():
    other = suspect(person_id="p-other")
    snap = snapshot(
        *weekly(3), *weekly(2, first_number=10, persons=("p-other",)), persons=(suspect(), other)
    )
    sizes = {c.person_id: len(c.incident_ids) for c in run(snap).course_of_conduct.courses}
    assert sizes == {"p-suspect": 3, "p-other": 2}


# --- acts (s.2A(3)) ------------------------------------------------------------------------


def test_each_act_lists_the_incidents_that_show_it():
    snap = snapshot(
        incident(1, acts=("a", "g"), channel="in_person"),
        incident(2, days=2),
        incident(3, days=4, acts=("f",), channel="property"),
    )
    acts = {a.code: a.incident_ids for a in run(snap).acts}
    assert acts == {"a": ("i-00001",), "b": ("i-00002",), "f": ("i-00003",), "g": ("i-00001",)}


# --- FOUR ----------------------------------------------------------------------------------


def test_unwanted_shows_when_she_blocked_them_and_it_went_on():
    snap = snapshot(
        incident(1, description="I told him to stop and blocked his number."),
        *weekly(3, start_day=3, first_number=2),
    )
    unwanted = run(snap).four.unwanted
    assert unwanted.shown
    assert unwanted.facts[0].incident_ids == ("i-00001",)
    assert unwanted.facts[1].statement == "It went on after that: 3 more incidents."


def test_repeated_counts_incidents_and_their_span():
    repeated = run(snapshot(*weekly(5))).four.repeated
    assert repeated.facts[0].statement == "5 incidents over 28 days."
    assert repeated.facts[1].source == sources.MCEWAN_2020


def test_a_single_incident_shows_no_element_of_four():
    four = run(snapshot(incident(1))).four
    assert not any(e.shown for e in four.elements())


def test_one_burst_in_a_day_is_obsessive_but_not_a_long_course():
    burst = [incident(n, at=BASE + timedelta(minutes=20 * n)) for n in range(1, 7)]
    result = run(snapshot(*burst))
    assert any("6 incidents within seven days" in f.statement for f in result.four.obsessive.facts)
    assert not result.four.fixated.shown
    assert [w.count for w in result.escalation.weekly] == [6]
    assert result.escalation.trend.direction == "not_enough_data"
    assert result.lulls.lulls == ()


# --- s.4A ----------------------------------------------------------------------------------


def test_fear_of_violence_on_two_occasions_is_marked():
    one = run(snapshot(incident(1, feared_violence=True), incident(2, days=3))).s4a
    two = run(
        snapshot(incident(1, feared_violence=True), incident(2, days=3, feared_violence=True))
    ).s4a
    assert not one.fear_on_two_or_more_occasions
    assert two.fear_on_two_or_more_occasions and two.fear_occasion_ids == ("i-00001", "i-00002")


def test_moving_home_or_changing_route_is_a_recorded_change_to_usual_activities():
    snap = snapshot(
        incident(1, impact="I moved house to get away."),
        incident(2, days=5, impact="I could not sleep."),
        incident(3, days=9, impact="I changed my route to work."),
    )
    s4a = run(snap).s4a
    effects = {e.key: e.incident_ids for e in s4a.effects}
    assert effects["home"] == ("i-00001",)
    assert effects["route"] == ("i-00003",)
    assert effects["health"] == ("i-00002",)
    assert s4a.activity_changes_recorded


def test_only_feelings_are_not_yet_a_substantial_adverse_effect():
    s4a = run(snapshot(incident(1, impact="I felt sick and could not sleep."))).s4a
    assert s4a.impact_ids == ("i-00001",) and not s4a.activity_changes_recorded


# --- severity, frequency and escalation ----------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "level"),
    [
        ({"channel": "email"}, 1),
        ({"channel": "in_person", "acts": ("a",), "location": "The high street"}, 2),
        ({"channel": "in_person", "acts": ("e",), "location": "Outside my house"}, 3),
        ({"channel": "property", "acts": ("f",), "location": "My car"}, 4),
        ({"channel": "text_message", "description": "He said I would regret it."}, 5),
        ({"channel": "text_message", "feared_violence": True}, 5),
        ({"channel": "in_person", "description": "He grabbed my arm and pushed me."}, 6),
    ],
)
def test_the_severity_scale_orders_incidents(kwargs, level):
    assert severity_of(incident(1, **kwargs)).level == level


def test_everything_online_stays_at_the_lowest_level_and_asks_for_screenshots():
    channels = ["text_message", "email", "social_media", "messaging_app"]
    snap = snapshot(*[incident(n, days=n * 3, channel=channels[n % 4]) for n in range(1, 13)])
    result = run(snap)
    assert {s.level for s in result.escalation.severities} == {1}
    indicators = {i.key: i.status for i in result.risk_indicators}
    assert indicators["at_home"] != "present"
    tips = {t.text.split(" ")[0] for limb in result.threshold.limbs() for t in limb.strengthen}
    assert "Cameras" not in tips
    assert any("screenshots" in t.text for t in result.threshold.s1_1_a.strengthen)


def test_many_channels_at_once_are_an_indicator_and_obsessive():
    channels = ["text_message", "email", "social_media", "in_person", "phone_call"]
    snap = snapshot(
        *[
            incident(n, at=BASE + timedelta(hours=5 * n), channel=c)
            for n, c in enumerate(channels, 1)
        ]
    )
    result = run(snap)
    assert len(result.escalation.channels) == 5
    assert {i.key: i.status for i in result.risk_indicators}["many_channels"] == "present"
    assert any("5 different ways" in f.statement for f in result.four.obsessive.facts)


def test_a_rising_rate_is_found_with_its_method_and_p_value():
    # One incident a week for ten weeks, then four a week for ten weeks.
    quiet = weekly(10)
    busy = [incident(100 + k, days=70 + k * 1.75) for k in range(40)]
    trend = run(snapshot(*quiet, *busy)).escalation.trend
    assert trend.direction == "rising"
    assert trend.p_value is not None and trend.p_value < 0.05
    assert trend.method == sources.METHOD_TREND
    # The statement says what the test means; its figures stay in the Trend (for an annex).
    assert "more frequent" in trend.finding.statement
    assert "p = " not in trend.finding.statement and "tau" not in trend.finding.statement
    assert trend.statistic is not None and trend.statistic > 0


def test_change_points_find_a_quiet_stretch_between_two_busy_ones():
    counts = [1] * 30 + [0] * 16 + [2] * 20
    assert change_points(counts) == [30, 46]


def test_change_points_find_nothing_in_a_steady_rate():
    assert change_points([1] * 60) == []


def test_time_of_day_uses_the_vaults_time_zone():
    # 23:30 UTC on a summer Saturday is 00:30 on Sunday in London.
    at = datetime(2025, 7, 5, 23, 30, tzinfo=UTC)
    london = run(snapshot(incident(1, at=at))).escalation
    assert london.hour_by_weekday[6][0] == 1
    new_york = run(snapshot(incident(1, at=at), time_zone="America/New_York")).escalation
    assert new_york.hour_by_weekday[5][19] == 1


def test_incidents_without_a_time_are_left_out_of_the_hour_grid():
    result = run(
        snapshot(
            incident(1, precision="day"),
            incident(2, days=1, precision="overnight"),
            incident(3, days=2, precision="unknown"),
        )
    ).escalation
    assert sum(map(sum, result.hour_by_weekday)) == 0
    assert result.overnight_ids == ("i-00002",) and result.untimed_ids == ("i-00001", "i-00003")
    assert sum(result.by_weekday) == 2


def test_places_that_recur_are_counted_however_they_were_typed():
    snap = snapshot(
        incident(1, channel="in_person", location="Bus stop, Hill Road"),
        incident(2, days=2, channel="in_person", location="bus stop hill road"),
        incident(3, days=4, channel="in_person", location="The gym"),
    )
    places = run(snap).escalation.places
    assert [(p.location, p.incident_ids) for p in places] == [
        ("Bus stop, Hill Road", ("i-00001", "i-00002"))
    ]


# --- lulls and recurrence ------------------------------------------------------------------


def long_lull_then_restart(now_after_last: float = 3):
    before = weekly(10)
    after = [
        incident(
            50 + k,
            days=63 + 150 + k * 3,
            channel="in_person",
            acts=("a", "e"),
            feared_violence=k % 2 == 0,
            location="Outside my house",
        )
        for k in range(10)
    ]
    last = after[-1].start
    return snapshot(*before, *after, now=last + timedelta(days=now_after_last))


def test_a_long_lull_then_a_harder_restart_is_found():
    result = run(long_lull_then_restart())
    (lull,) = result.lulls.lulls
    assert round(lull.days) == 150
    assert lull.last_before_id == "i-00010" and lull.first_after_id == "i-00050"
    assert lull.ended_in_restart and lull.restart_more_intense
    assert lull.rate_after > lull.rate_before
    assert len(result.escalation.change_points) >= 2
    # Three days after the last incident it has not stopped: no "quiet period (3 days)".
    assert result.recurrence.warning and result.recurrence.ongoing
    assert result.recurrence.reasons[0].statement.startswith("It has not stopped")
    assert "quiet period (" not in result.recurrence.reasons[0].statement


def test_a_quiet_period_shorter_than_an_earlier_lull_that_ended_in_a_restart_warns():
    result = run(long_lull_then_restart(now_after_last=100))
    assert result.lulls.current.is_lull
    assert result.recurrence.warning and not result.recurrence.ongoing
    (reason,) = result.recurrence.reasons
    assert reason.statement == (
        "It has been quiet for 100 days, but an earlier quiet period "
        "of 150 days ended when it started again."
    )
    assert reason.source == sources.METHOD_LULL and sources.CAIRN_OWN in reason.source


def test_the_lull_threshold_is_four_weeks_or_five_median_gaps():
    result = run(snapshot(*weekly(6, every=10)))  # median gap 10 days: threshold 50 days
    assert result.lulls.threshold_days == 50
    assert result.lulls.lulls == ()


def test_no_recurrence_warning_after_more_than_a_year_with_no_earlier_lull():
    snap = snapshot(*weekly(8), now=BASE + timedelta(days=49 + 400))
    result = run(snap)
    assert result.lulls.current.is_lull
    assert not result.recurrence.warning and result.recurrence.reasons == ()


def test_no_countdown_from_the_last_incident():
    # 100 days quiet, no earlier lull: no warning, and nothing counts down a year (research.md:
    # Rosenfeld's year starts at a court referral, never at a last incident).
    result = run(snapshot(*weekly(8), now=BASE + timedelta(days=49 + 100)))
    assert not result.recurrence.warning
    statements = [f.statement for f in result.findings()]
    assert not any("year" in s for s in statements)
    assert all(f.source != sources.ROSENFELD_2003 for f in result.findings())


def test_an_incident_today_is_not_a_quiet_period_of_zero_days():
    result = run(snapshot(*weekly(8), now=BASE + timedelta(days=49, hours=2)))
    assert result.recurrence.ongoing
    text = " ".join(f.statement for f in result.findings())
    assert "0 days" not in text and "quiet period (" not in text
    assert "under a day ago" in result.lulls.current.finding.statement


def test_the_duration_is_stated_with_its_study():
    context = run(snapshot(*weekly(5))).lulls.context
    assert [f.source for f in context] == [sources.PURCELL_2004]


# --- risk indicators and the questionnaire -------------------------------------------------


def test_risk_indicators_come_from_the_log_and_from_answers():
    form = questionnaire.available_forms()["cairn-indicators"]
    snap = snapshot(
        incident(1, description="He said I would regret it."),
        incident(2, days=20, channel="property", acts=("f",)),
        persons=(suspect("ex_partner"),),
    )
    result = run(snap, form=form, answers={"weapons": "yes", "substances": "no"})
    status = {i.key: i for i in result.risk_indicators}
    assert status["ex_intimate"].status == "present"
    assert status["explicit_threats"].from_log.incident_ids == ("i-00001",)
    assert status["property_damage"].status == "present"
    assert status["weapons"].status == "present" and status["weapons"].answer == "Yes"
    assert status["substance_misuse"].status == "answered_no"
    assert status["criminal_history"].status == "ask"
    assert status["duration_past_two_weeks"].source == sources.PURCELL_2004
    assert result.questionnaire.total == 1
    assert all(i.source for i in result.risk_indicators)


def test_cairn_ships_only_its_own_form():
    forms = questionnaire.available_forms()
    assert list(forms) == ["cairn-indicators"]
    text = (questionnaire.BUILTIN_DIR / "cairn-indicators.yaml").read_text().lower()
    for licensed in ("dash", "sash", "stalking risk profile", "srp"):
        assert licensed not in text.replace("-", " ").split() and f" {licensed} " not in text


def test_a_broken_form_definition_names_the_file_and_field():
    with pytest.raises(questionnaire.FormError, match=r"f.yaml.questions\[0\].type"):
        questionnaire.parse_form(
            "id: f\nversion: 1\ntitle: T\nsource: S\nquestions:\n"
            "  - {id: q, text: Q, type: slider}\n",
            name="f.yaml",
        )
    with pytest.raises(questionnaire.FormError, match="not one of the options"):
        questionnaire.parse_form(
            "id: f\nversion: 1\ntitle: T\nsource: S\nquestions:\n"
            "  - id: q\n    text: Q\n    options: [{value: a, label: A}]\n"
            "    flags: {b: x}\n",
            name="f.yaml",
        )


def test_answers_are_checked_against_the_form_and_scored():
    form = questionnaire.available_forms()["cairn-indicators"]
    with pytest.raises(questionnaire.AnswerError) as caught:
        questionnaire.clean_answers(form, {"threats": "maybe", "made_up": "yes"})
    assert set(caught.value.errors) == {"threats", "made_up"}
    cleaned = questionnaire.clean_answers(
        form, {"threats": "yes", "threats_to_kill": "yes", "anything_else": "  "}
    )
    assert cleaned == {"threats": "yes", "threats_to_kill": "yes"}
    result = questionnaire.score(form, cleaned)
    assert result.total == 3
    assert ("threats_to_kill", "threats_to_kill") in result.flags
    assert "999" in result.band


# --- the SPO threshold ---------------------------------------------------------------------


def test_an_escalating_attributed_case_meets_every_limb_with_citations():
    result = run(long_lull_then_restart())
    assert limb_statuses(result) == {
        "s1_1_a": "met",
        "s1_1_b": "met",
        "s1_1_c": "partly",
        "s2_1": "partly",
    }
    for limb in result.threshold.limbs():
        assert "Stalking Protection Act 2019" in limb.citation
        assert limb.evidence
    assert "a court decides" in result.threshold.note


def test_continuing_after_being_told_to_stop_meets_s1_1_c():
    snap = long_lull_then_restart()
    first = snap.incidents[0]
    told = incident(first.number, at=first.start, description="I told him to stop.")
    snap = snapshot(told, *snap.incidents[1:], now=snap.taken_at)
    result = run(snap)
    assert limb_statuses(result) == {
        "s1_1_a": "met",
        "s1_1_b": "met",
        "s1_1_c": "met",
        "s2_1": "met",
    }


def test_a_recent_in_person_incident_suggests_asking_for_cctv():
    snap = snapshot(*weekly(6, channel="in_person", acts=("e",)))  # now: 3 days after the last
    tips = [t for limb in run(snap).threshold.limbs() for t in limb.strengthen]
    recent = ("i-00003", "i-00004", "i-00005", "i-00006")  # within 30 days of now
    assert any("30 days" in t.text and t.incident_ids == recent for t in tips)


def test_an_empty_vault_has_nothing_evidenced_and_still_draws_its_charts():
    snap = snapshot()
    result = run(snap)
    assert set(limb_statuses(result).values()) == {"not_yet"}
    assert result.recurrence.warning is False
    for svg in charts.all_charts(result).values():
        ElementTree.fromstring(svg)  # noqa: S314 (our own SVG)


# --- findings, JSON and charts -------------------------------------------------------------


def test_a_finding_without_an_incident_is_refused():
    with pytest.raises(EvidenceMissing):
        Finding("Something", (), sources.PHA_S7)


def test_the_json_has_the_agreed_keys():
    data = to_json(run(long_lull_then_restart()))
    for key in (
        "course_of_conduct",
        "acts",
        "four",
        "s4a",
        "escalation",
        "lulls",
        "recurrence_warning",
        "risk_indicators",
        "threshold",
    ):
        assert key in data
    assert data["recurrence_warning"] is True and data["recurrence_reasons"]
    for limb in ("s1_1_a", "s1_1_b", "s1_1_c", "s2_1"):
        assert data["threshold"][limb]["status"] in {"met", "partly", "not_yet"}
        assert isinstance(data["threshold"][limb]["evidence"], list)


def test_the_same_snapshot_gives_the_same_json():
    snap = long_lull_then_restart()
    assert to_json_text(run(snap)) == to_json_text(run(snap))


def test_now_must_be_aware():
    with pytest.raises(ValueError, match="aware"):
        analyse(snapshot(), now=datetime(2025, 1, 1))


@pytest.mark.parametrize(
    "name", ["timeline", "weekly", "severity", "acts", "channels", "time_of_day"]
)
def test_each_chart_is_an_accessible_svg_image(name):
    svg = charts.all_charts(run(long_lull_then_restart()))[name]
    root = ElementTree.fromstring(svg)  # noqa: S314 (our own SVG)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg" and root.get("role") == "img"
    title, desc = root.find(f"{ns}title"), root.find(f"{ns}desc")
    assert title.text and desc.text
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    assert "style=" not in svg  # the site's Content Security Policy forbids inline styles
    assert svg == charts.all_charts(run(long_lull_then_restart()))[name]


def test_the_timeline_marks_the_lull_and_the_change_points():
    svg = charts.timeline(run(long_lull_then_restart()))
    assert "Quiet 150 days" in svg
    assert svg.count('stroke-dasharray="5 4"') >= 2


def test_chart_text_is_escaped():
    snap = snapshot(
        incident(1, channel="in_person", location="<b>&"),
        incident(2, days=1, channel="in_person", location="<b>&"),
    )
    for svg in charts.all_charts(run(snap)).values():
        ElementTree.fromstring(svg)  # noqa: S314 (our own SVG)


def test_channel_labels_match_the_vault_vocabulary():
    from cairn.vault.choices import Channel

    assert dict(Channel.choices) == CHANNEL_LABELS
