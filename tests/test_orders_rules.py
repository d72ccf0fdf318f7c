"""Properties of the pure SPO rules (``cairn.orders.rules``): the s.9 day, months added, and
the incompatibility table, over many generated inputs."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cairn.orders import rules
from cairn.orders.rules import TermSpec

days = st.dates(min_value=date(2020, 1, 20), max_value=date(2100, 12, 31))


@given(days)
def test_the_notification_window_is_three_calendar_days_including_service(served_on):
    due = rules.notification_due(served_on)
    window = [served_on + timedelta(days=n) for n in range((due - served_on).days + 1)]
    assert len(window) == 3 and window[0] == served_on and window[-1] == due


@given(days, st.integers(min_value=0, max_value=240))
def test_months_added_land_in_the_right_month_and_never_overshoot(day, months):
    later = rules.add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day <= day.day
    assert rules.add_months(later, -months) <= day


@given(days, st.integers(min_value=24, max_value=240))
def test_a_fixed_order_is_reviewed_before_it_expires(made_on, months):
    expiry = rules.expires_on(made_on, months)
    assert expiry is not None and expiry > made_on
    assert made_on < rules.renewal_review_on(made_on, expiry) < expiry


coordinates = st.tuples(
    st.floats(min_value=49.9, max_value=58.7), st.floats(min_value=-7.5, max_value=1.7)
)
kinds = st.sampled_from(
    sorted(
        rules.ATTENDANCE_KINDS
        | {
            "exclusion_zone",
            "no_contact",
            "no_third_party_contact",
            "no_entry_places",
            "not_within_distance",
        }
    )
)


@st.composite
def terms(draw):  # type: ignore[no-untyped-def]
    kind = draw(kinds)
    lat, lon = draw(coordinates)
    return TermSpec(
        kind,
        necessity="x",
        place=draw(st.sampled_from(["", "Library", "Gym"])),
        place_lat=lat,
        place_lon=lon,
        exception=draw(st.sampled_from(["", "through solicitors"])),
        centre_lat=lat + draw(st.floats(-0.01, 0.01)),
        centre_lon=lon + draw(st.floats(-0.01, 0.01)),
        radius_m=draw(st.sampled_from([100, 500, 2000])),
    )


@given(st.lists(terms(), max_size=5))
def test_the_clashes_found_do_not_depend_on_the_order_of_the_terms(found):
    forward = {name for name, _ in rules.incompatibilities(found)}
    backward = {name for name, _ in rules.incompatibilities(list(reversed(found)))}
    assert forward == backward


@given(coordinates, st.integers(min_value=1, max_value=5000))
def test_a_place_at_a_zones_centre_is_inside_it(point, radius):
    lat, lon = point
    zone = TermSpec("exclusion_zone", centre_lat=lat, centre_lon=lon, radius_m=radius)
    assert rules.in_zone(zone, lat, lon)
    assert not rules.in_zone(zone, lat + (radius + 100) / 111_000, lon)


# --- the lifecycle tables (docs/adr/0040) -----------------------------------------------------


@given(days, st.integers(min_value=24, max_value=240))
def test_s3_2_the_last_day_is_the_day_before_the_same_date_n_months_on(made_on, months):
    last = rules.expires_on(made_on, months)
    assert last == rules.add_months(made_on, months) - timedelta(days=1)
    assert rules.has_effect_on(last, made_on, last)
    assert not rules.has_effect_on(last + timedelta(days=1), made_on, last)
    assert rules.has_effect_on(made_on, made_on, last)


@given(days, st.integers(min_value=0, max_value=1500))
def test_s4_consent_is_needed_exactly_within_the_two_years(made_on, after):
    decided = made_on + timedelta(days=after)
    within = decided <= rules.add_months(made_on, 24) - timedelta(days=1)
    assert rules.discharge_needs_consent(made_on, decided) == within


def test_s5_6_a_an_interim_order_past_its_last_day_has_lapsed():
    day = date(2026, 3, 14)
    assert rules.interim_state("interim_renewed", day, day) == "interim_renewed"
    assert rules.interim_state("interim_renewed", day, day + timedelta(days=1)) == "interim_lapsed"
    assert rules.interim_state("interim_applied", None, day) == "interim_applied"
    assert (
        rules.interim_state("interim_discharged", day, day + timedelta(days=9))
        == "interim_discharged"
    )


def test_s5_1_and_2_interim_steps_only_while_the_main_application_is_undecided():
    # Applied for with the draft (s.5(2)(a)) or after it was made (s.5(2)(b)).
    assert rules.can_move_interim("", "interim_applied", main_status="draft")
    assert rules.can_move_interim("", "interim_applied", main_status="hearing_listed")
    assert not rules.can_move_interim("", "interim_applied", main_status="granted")
    # Made only on an application already made.
    assert not rules.can_move_interim("interim_applied", "interim_granted", main_status="draft")
    assert rules.can_move_interim("interim_applied", "interim_granted", main_status="submitted")
    for decided in ("granted", "refused", "withdrawn"):
        assert not rules.can_move_interim("interim_granted", "interim_renewed", main_status=decided)
    # A lapsed interim order is not renewed; another may be applied for.
    assert not rules.can_move_interim("interim_lapsed", "interim_renewed", main_status="submitted")
    assert rules.can_move_interim("interim_lapsed", "interim_applied", main_status="submitted")


def test_the_main_track_no_longer_holds_interim_steps_or_kills_the_application():
    assert not any(
        s.startswith("interim_") for targets in rules.TRANSITIONS.values() for s in targets
    )
    assert "expired" not in rules.TRANSITIONS["hearing_listed"]
    assert "expired" not in rules.TRANSITIONS["submitted"]
