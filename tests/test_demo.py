"""The demo vault: a realistic case, loaded only through the services, repeatable, and never
into a production database or one that already holds a vault."""

from __future__ import annotations

import hashlib
import io
import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from PIL import Image

from cairn.accounts.models import User
from cairn.audit.models import AuditRecord
from cairn.demo import DEMO_PASSWORD, DEMO_USERNAME, DemoRefused, load_demo
from cairn.store.blobs import default_store
from cairn.vault.choices import ExhibitSource, PersonRole
from cairn.vault.models import Exhibit, Incident, IncidentRevision, Person, Vault

pytestmark = pytest.mark.django_db

# A fixed "now" in the past, so the tests do not depend on the day they run.
NOW = datetime(2026, 1, 20, 10, 30, tzinfo=UTC)


@pytest.fixture
def demo_vault():
    return load_demo(now=NOW)


def incidents_in_order(vault):
    return list(Incident.objects.filter(vault=vault).order_by("start", "number"))


def content_without_ids(vault):
    """What the demo says, with the random ids (vault, incident, person) left out."""
    names = {person.pk: person.name for person in Person.objects.filter(vault=vault)}
    rows = []
    for incident in Incident.objects.filter(vault=vault).order_by("number"):
        rows.append(
            {
                "number": incident.number,
                "start": incident.start,
                "end": incident.end,
                "precision": incident.precision,
                "when_words": incident.when_words,
                "location": incident.location,
                "channel": incident.channel,
                "acts": incident.acts,
                "description": incident.description,
                "impact": incident.impact,
                "feared_violence": incident.feared_violence,
                "witnesses": incident.witnesses,
                "police_reference": incident.police_reference,
                "revision": incident.revision,
                "persons": sorted(
                    names[pk] for pk in incident.persons.values_list("pk", flat=True)
                ),
            }
        )
    exhibits = [
        (
            e.reference,
            e.original_name,
            e.media_type,
            e.sha256,
            e.captured_at,
            e.received_at,
            e.incident.number if e.incident else None,
        )
        for e in Exhibit.objects.filter(vault=vault).order_by("number").select_related("incident")
    ]
    return rows, exhibits


def test_the_demo_builds_a_case_of_about_sixty_incidents_and_a_dozen_exhibits(demo_vault):
    assert demo_vault.initials == "AM"
    assert demo_vault.owner.username == DEMO_USERNAME
    assert demo_vault.owner.display_name == "Alex Morgan"
    assert 50 <= Incident.objects.filter(vault=demo_vault).count() <= 70
    assert 10 <= Exhibit.objects.filter(vault=demo_vault).count() <= 15
    numbers = [incident.number for incident in incidents_in_order(demo_vault)]
    assert numbers == sorted(numbers), "incidents are numbered in the order they happened"


def test_every_incident_is_in_the_past_and_the_last_shortly_before_now(demo_vault):
    incidents = incidents_in_order(demo_vault)
    assert all(incident.start <= NOW for incident in incidents)
    assert all(incident.end is None or incident.end <= NOW for incident in incidents)
    assert NOW - incidents[-1].start < timedelta(days=14)
    assert timedelta(days=600) < NOW - incidents[0].start < timedelta(days=800)


def test_every_exhibit_is_stored_byte_for_byte_under_its_sha256(demo_vault):
    store = default_store()
    for exhibit in Exhibit.objects.filter(vault=demo_vault):
        data = b"".join(store.iter_bytes(str(demo_vault.pk), exhibit.sha256))
        assert hashlib.sha256(data).hexdigest() == exhibit.sha256, exhibit.reference
        assert len(data) == exhibit.size
        assert exhibit.source == ExhibitSource.DEMO
        assert exhibit.reference == f"AM/{exhibit.number}"


def test_the_pictures_are_real_pngs_and_most_exhibits_belong_to_an_incident(demo_vault):
    store = default_store()
    exhibits = list(Exhibit.objects.filter(vault=demo_vault))
    pngs = [exhibit for exhibit in exhibits if exhibit.original_name.endswith(".png")]
    assert len(pngs) >= 5
    for exhibit in pngs:
        assert exhibit.media_type == "image/png"
        image = Image.open(io.BytesIO(store.read(str(demo_vault.pk), exhibit.sha256)))
        image.verify()
        assert image.format == "PNG"
    assert {exhibit.media_type for exhibit in exhibits} >= {"image/png", "text/plain"}
    attached = [exhibit for exhibit in exhibits if exhibit.incident_id]
    assert len(attached) >= len(exhibits) * 3 // 4
    # Capture and receipt times only where known, never in the future.
    assert any(exhibit.received_at for exhibit in exhibits)
    assert any(exhibit.captured_at for exhibit in exhibits)
    assert any(not exhibit.received_at and not exhibit.captured_at for exhibit in exhibits)
    for exhibit in exhibits:
        for value in (exhibit.captured_at, exhibit.received_at):
            assert value is None or value <= NOW


def test_a_screenshot_was_received_when_the_message_came(demo_vault):
    [screenshot] = [
        e
        for e in Exhibit.objects.filter(vault=demo_vault)
        if e.original_name.startswith("Screenshot_t") and "threat" in e.original_name
    ]
    assert screenshot.received_at == screenshot.incident.start


def test_the_case_has_a_lull_then_a_more_intense_restart(demo_vault):
    starts = [incident.start for incident in incidents_in_order(demo_vault)]
    gaps = [
        (later - earlier, index)
        for index, (earlier, later) in enumerate(itertools.pairwise(starts))
    ]
    longest, index = max(gaps)
    assert longest >= timedelta(days=90)
    lull_from, restart = starts[index], starts[index + 1]
    eight_weeks = timedelta(weeks=8)
    before = sum(1 for start in starts if lull_from - eight_weeks < start <= lull_from)
    after = sum(1 for start in starts if restart <= start < restart + eight_weeks)
    assert after / 8 > before / 8 > 0
    # Only one lull: everywhere else the gaps are much shorter.
    assert sorted(gap for gap, _ in gaps)[-2] < timedelta(days=60)


def test_the_case_meets_the_shape_of_s4a(demo_vault):
    incidents = incidents_in_order(demo_vault)
    assert sum(incident.feared_violence for incident in incidents) >= 2
    acts = {code for incident in incidents for code in incident.act_codes}
    assert acts >= {"a", "b", "c", "e", "f", "g"}
    assert any(incident.impact for incident in incidents)
    reported = [incident for incident in incidents if incident.reported_to_police]
    assert len(reported) >= 3
    assert all(incident.police_reference.startswith("CAD ") for incident in reported)
    precisions = {incident.precision for incident in incidents}
    assert precisions == {"exact", "hour", "day", "overnight", "unknown"}
    channels = {incident.channel for incident in incidents}
    assert channels >= {
        "in_person",
        "text_message",
        "messaging_app",
        "social_media",
        "email",
        "letter_or_gift",
        "property",
    }
    # The lull's restart is more in person and more frightening than the start.
    later = incidents[len(incidents) // 2 :]
    assert sum(i.feared_violence for i in later) > sum(i.feared_violence for i in incidents) / 2


def test_the_suspect_and_witnesses_are_recorded_with_identifiers(demo_vault):
    mark = Person.objects.get(vault=demo_vault, role=PersonRole.SUSPECT)
    assert mark.name == "Mark Ellis"
    assert mark.relationship == "ex_colleague"
    kinds = {identifier.kind: identifier.value for identifier in mark.identifiers.all()}
    assert set(kinds) == {"phone", "email", "handle", "vehicle"}
    phones = {i.value for i in mark.identifiers.filter(kind="phone")}
    assert all(phone.startswith("+447700900") for phone in phones)
    assert kinds["email"].endswith(("@example.com", "@example.org"))
    witnesses = Person.objects.filter(vault=demo_vault, role=PersonRole.WITNESS)
    assert 1 <= witnesses.count() <= 2
    assert Incident.objects.filter(vault=demo_vault, persons__in=witnesses).exists()
    assert (
        Incident.objects.filter(vault=demo_vault, persons=mark).count()
        == Incident.objects.filter(vault=demo_vault).count()
    )


def test_some_incidents_have_a_revision_history(demo_vault):
    revised = Incident.objects.filter(vault=demo_vault, revision__gt=1)
    assert revised.count() >= 2
    for incident in revised:
        revisions = list(IncidentRevision.objects.filter(incident=incident))
        assert [r.number for r in revisions] == list(range(1, incident.revision + 1))
        assert revisions[-1].changed_fields
    actions = set(
        AuditRecord.objects.filter(vault_id=demo_vault.pk).values_list("action", flat=True)
    )
    assert actions >= {
        "vault.created",
        "person.created",
        "incident.created",
        "incident.revised",
        "exhibit.added",
    }


def test_the_same_now_gives_the_same_vault():
    def load_and_capture():
        with transaction.atomic():
            vault = load_demo(now=NOW)
            captured = content_without_ids(vault)
            transaction.set_rollback(True)
        return captured

    first = load_and_capture()
    assert not Vault.objects.exists()
    second = load_and_capture()
    assert first == second


def test_a_different_now_moves_the_case_with_it():
    later = NOW + timedelta(days=10)
    vault = load_demo(now=later)
    last = incidents_in_order(vault)[-1]
    assert timedelta(0) < later - last.start < timedelta(days=14)


def test_the_demo_runs_with_the_present_as_now():
    vault = load_demo()
    assert all(incident.start <= timezone.now() for incident in incidents_in_order(vault))


def test_it_refuses_when_a_vault_already_exists(vault):
    with pytest.raises(DemoRefused, match="already holds a vault"):
        load_demo(now=NOW)
    assert Vault.objects.count() == 1
    assert not User.objects.filter(username=DEMO_USERNAME).exists()


def test_it_refuses_a_second_load(demo_vault):
    with pytest.raises(DemoRefused):
        load_demo(now=NOW)
    assert Vault.objects.count() == 1


def test_it_refuses_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(DemoRefused, match="demo data refuses to load into a production database"):
        load_demo(now=NOW)
    assert not Vault.objects.exists()
    assert not User.objects.filter(username=DEMO_USERNAME).exists()


def test_it_refuses_a_now_in_the_future():
    with pytest.raises(DemoRefused, match="future"):
        load_demo(now=timezone.now() + timedelta(days=2))
    assert not Vault.objects.exists()


def test_the_demo_user_signs_in_with_the_demo_password(demo_vault):
    user = authenticate(username=DEMO_USERNAME, password=DEMO_PASSWORD)
    assert user is not None
    assert user == demo_vault.owner
    assert authenticate(username=DEMO_USERNAME, password="wrong-password") is None
    validate_password(DEMO_PASSWORD, user)  # passes the instance's own password rules


# How long `cairn demo` takes is measured, not asserted: scripts/bench.sh demo.


# --- the demo case (the police side) -----------------------------------------------------------


def test_the_demo_case_shares_the_whole_log_with_the_unit(demo_vault):
    from cairn.accounts.models import Membership
    from cairn.analysis.engine import analyse_people
    from cairn.cases import access
    from cairn.cases.closure import log_warning, recurrence_warnings
    from cairn.cases.models import ShareScope
    from cairn.demo import load_demo_case
    from cairn.demo.police import CASE_REFERENCE, OFFICERS

    case = load_demo_case(demo_vault, now=NOW)
    assert case.reference == CASE_REFERENCE
    roles = dict(Membership.objects.filter(unit=case.unit).values_list("user__username", "role"))
    assert roles == {o.username: o.role for o in OFFICERS}
    share = case.shares.get()
    assert (share.vault, share.scope, share.withdrawn_at) == (demo_vault, ShareScope.ALL, None)
    investigator = case.officer
    assert (
        len(access.shared_incidents(investigator, demo_vault, purpose="investigation", case=case))
        == demo_vault.incidents.count()
    )
    suspect = case.suspects.get()
    assert suspect.name == "Mark Ellis"
    assert {i["kind"] for i in suspect.identifiers} >= {"phone", "email", "vehicle"}
    # The demo log's recurrence warning, as at the demo's own time, is Mark's: it has not
    # stopped (the guard reads the defendant's analysis; ADR 0029).
    people = analyse_people(
        access.shared_snapshot(investigator, demo_vault, purpose="supervision", case=case), now=NOW
    )
    (mark,) = people.people
    assert mark.subject.name == "Mark Ellis"
    warning = log_warning(demo_vault.pk, mark)
    assert warning is not None and warning.ongoing
    # At the real time it may be quiet for longer than the earlier lull (no countdown): any
    # warning the guard gives now is still Mark's own.
    assert all(w.person == mark.subject.key for w in recurrence_warnings(investigator, case))
    # She first reported it with the first incident that has a police reference.
    first = demo_vault.incidents.filter(reported_to_police=True).order_by("start").first()
    assert case.first_reported_on == first.start.astimezone(ZoneInfo("Europe/London")).date()
    assert case.first_reported_on < case.created_at.date()


def test_the_demo_officers_sign_in_with_the_published_password_and_key(demo_vault):
    from django_otp.oath import TOTP

    from cairn.accounts import two_factor
    from cairn.demo import load_demo_case
    from cairn.demo.police import DEMO_POLICE_PASSWORD, OFFICERS, totp_key

    load_demo_case(demo_vault, now=NOW)
    for officer in OFFICERS:
        user = authenticate(username=officer.username, password=DEMO_POLICE_PASSWORD)
        assert user is not None, officer.username
        validate_password(DEMO_POLICE_PASSWORD, user)
        code = f"{TOTP(totp_key(officer.username)).token():06d}"
        outcome, _ = two_factor.check_code(actor=user, code=code)
        assert outcome is two_factor.Check.ACCEPTED, officer.username


def test_the_demo_case_loads_once_and_never_in_production(demo_vault, settings):
    from cairn.accounts.models import Organisation
    from cairn.demo import load_demo_case

    load_demo_case(demo_vault, now=NOW)
    with pytest.raises(DemoRefused, match="already loaded"):
        load_demo_case(demo_vault, now=NOW)
    assert Organisation.objects.count() == 1
    settings.PRODUCTION = True
    with pytest.raises(DemoRefused, match="production"):
        load_demo_case(demo_vault, now=NOW)
