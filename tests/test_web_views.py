"""The vault's web pages, through HTTP: who may see what, what the forms accept and refuse."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cairn.accounts.session_store import session_key_hash
from cairn.store import keys
from cairn.vault import access, services
from cairn.vault.choices import Channel, IdentifierKind
from cairn.vault.models import Exhibit, Incident, Person
from tests.factories import make_incident

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
SECRET_TEXT = "He waited outside the pharmacy on Mill Lane"


@pytest.fixture
def incident(vault):
    return make_incident(vault, description=SECRET_TEXT, acts=["a", "e"])


@pytest.fixture
def person(vault, owner):
    return services.create_person(
        actor=owner,
        vault=vault,
        name="Chris Example",
        identifiers=[services.IdentifierInput(kind=IdentifierKind.PHONE, value="07700 900123")],
    )


@pytest.fixture
def exhibit(vault, owner, incident):
    return services.add_exhibit(
        actor=owner,
        vault=vault,
        stream=_stream(PNG),
        original_name="screenshot of texts.png",
        incident=incident,
    )


def _stream(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


def object_urls(vault, incident, person, exhibit) -> list[str]:
    return [
        reverse("vault:vault", args=[vault.pk]),
        reverse("vault:incident-new", args=[vault.pk]),
        reverse("vault:timeline", args=[vault.pk]),
        reverse("vault:persons", args=[vault.pk]),
        reverse("vault:person-new", args=[vault.pk]),
        reverse("vault:exhibits", args=[vault.pk]),
        reverse("vault:incident", args=[incident.pk]),
        reverse("vault:incident-edit", args=[incident.pk]),
        reverse("vault:incident-delete", args=[incident.pk]),
        reverse("vault:revision", args=[incident.pk, 1]),
        reverse("vault:exhibit", args=[exhibit.pk]),
        reverse("vault:exhibit-download", args=[exhibit.pk]),
        reverse("vault:person", args=[person.pk]),
        reverse("vault:person-edit", args=[person.pk]),
    ]


def incident_post(**overrides) -> dict[str, object]:
    today = timezone.localdate()
    data: dict[str, object] = {
        "date_day": str(today.day),
        "date_month": str(today.month),
        "date_year": str(today.year),
        "time": "",
        "channel": Channel.IN_PERSON,
        "acts": ["a"],
        "description": "Stood at the gate again",
        "feared_violence": "no",
    }
    data.update(overrides)
    return data


def title_of(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    assert match, "the page has no <title>"
    return match.group(1).strip()


# --- who may see what ---------------------------------------------------------------------


def test_the_owner_can_open_every_page_of_her_vault(owner_client, vault, incident, person, exhibit):
    for url in [reverse("vault:home"), *object_urls(vault, incident, person, exhibit)]:
        response = owner_client.get(url)
        assert response.status_code == 200, url


def test_another_victim_gets_not_found_for_every_object_of_the_vault(
    client, colleague, other_vault, vault, incident, person, exhibit
):
    client.force_login(colleague)
    for url in object_urls(vault, incident, person, exhibit):
        assert client.get(url).status_code == 404, url
        if "download" not in url:
            assert client.post(url, {}).status_code in (404, 405), url


def test_another_victim_cannot_upload_to_the_owners_incident(client, colleague, incident):
    client.force_login(colleague)
    url = reverse("vault:incident-exhibit-upload", args=[incident.pk])
    response = client.post(url, {"file": SimpleUploadedFile("a.png", PNG, "image/png")})
    assert response.status_code == 404
    assert not Exhibit.objects.filter(incident=incident).exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, vault, incident, person, exhibit):
    sign_in = reverse("accounts:sign-in")
    for url in [reverse("vault:home"), *object_urls(vault, incident, person, exhibit)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(sign_in), url


def test_the_sign_in_page_renders_and_signs_in(client, owner, password):
    response = client.get(reverse("accounts:sign-in"))
    assert response.status_code == 200
    assert title_of(response) == "Cairn"
    response = client.post(reverse("accounts:sign-in"), {"username": "owner", "password": password})
    assert response.status_code == 302
    assert response["Location"] == reverse("vault:home")


def test_a_wrong_password_shows_an_error_summary(client, owner):
    response = client.post(
        reverse("accounts:sign-in"), {"username": "owner", "password": "not it at all"}
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert title_of(response).startswith("Error: ")


def test_signing_out_is_a_post_from_the_header(owner_client, vault):
    page = owner_client.get(reverse("vault:home")).content.decode()
    assert f'method="post" action="{reverse("accounts:sign-out")}"' in page
    response = owner_client.post(reverse("accounts:sign-out"))
    assert response.status_code == 302
    assert owner_client.get(reverse("vault:home")).status_code == 302


# --- home and vaults ----------------------------------------------------------------------


def test_someone_without_a_vault_is_offered_to_start_one(client, outsider):
    client.force_login(outsider)
    response = client.get(reverse("vault:home"))
    assert "Start your log" in response.content.decode()
    response = client.post(reverse("vault:home"), {"name": "My log", "initials": "jo"})
    created = access.vaults_readable_by(outsider).get()
    assert response["Location"] == reverse("vault:vault", args=[created.pk])
    assert created.initials == "JO"


def test_bad_initials_are_refused_at_the_field(client, outsider):
    client.force_login(outsider)
    response = client.post(reverse("vault:home"), {"name": "My log", "initials": "1"})
    assert response.status_code == 400
    assert "Initials must be 1 to 4 letters" in response.content.decode()
    assert not access.vaults_readable_by(outsider).exists()


def test_home_shows_the_only_vault_with_its_counts(owner_client, vault, incident):
    page = owner_client.get(reverse("vault:home")).content.decode()
    assert "Log an incident" in page
    assert "Incident 1" in page


def test_someone_with_several_vaults_sees_a_list(owner_client, vault, owner):
    services.create_vault(actor=owner, name="Second log", initials="AB")
    page = owner_client.get(reverse("vault:home")).content.decode()
    assert "Your logs" in page and "Second log" in page


# --- logging an incident ------------------------------------------------------------------


def test_logging_an_incident_stores_it_and_shows_it(owner_client, vault, person):
    url = reverse("vault:incident-new", args=[vault.pk])
    yesterday = timezone.localdate() - timedelta(days=1)
    data = incident_post(
        date_day=str(yesterday.day),
        date_month=str(yesterday.month),
        date_year=str(yesterday.year),
        time="14:30",
        acts=["a", "other"],
        other_act="Left flowers",
        feared_violence="yes",
        location="Bus stop",
        impact="Changed route",
        reported_to_police="on",
        police_reference="CAD 123",
        persons=[str(person.pk)],
        end_time="15:00",
    )
    response = owner_client.post(url, data)
    incident = access.incidents_readable_by(vault.owner, vault).get()
    assert response["Location"] == reverse("vault:incident", args=[incident.pk])
    assert incident.act_codes == ["a", "other"]
    assert incident.precision == "exact"
    assert incident.feared_violence and incident.reported_to_police
    assert list(incident.persons.all()) == [person]
    assert incident.end - incident.start == timedelta(minutes=30)
    page = owner_client.get(response["Location"]).content.decode()
    assert "Followed me" in page and "Left flowers" in page


def test_a_day_without_a_time_is_logged_as_on_the_day(owner_client, vault):
    owner_client.post(reverse("vault:incident-new", args=[vault.pk]), incident_post())
    incident = access.incidents_readable_by(vault.owner, vault).get()
    assert incident.precision == "day"
    page = owner_client.get(reverse("vault:incident", args=[incident.pk])).content.decode()
    assert "on the day" in page


def test_overnight_is_logged_as_overnight(owner_client, vault):
    yesterday = timezone.localdate() - timedelta(days=1)
    owner_client.post(
        reverse("vault:incident-new", args=[vault.pk]),
        incident_post(
            date_day=str(yesterday.day),
            date_month=str(yesterday.month),
            date_year=str(yesterday.year),
            overnight="on",
        ),
    )
    incident = access.incidents_readable_by(vault.owner, vault).get()
    assert incident.precision == "overnight"


def test_the_log_form_defaults_to_today(owner_client, vault):
    page = owner_client.get(reverse("vault:incident-new", args=[vault.pk])).content.decode()
    today = timezone.localdate()
    assert f'name="date_year" type="text" inputmode="numeric" value="{today.year}"' in page


def _assert_refused(response, message: str, vault) -> None:
    page = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in page
    assert message in page
    assert title_of(response).startswith("Error: ")
    assert not access.incidents_readable_by(vault.owner, vault).exists()


def test_an_end_before_the_start_is_refused_at_the_field(owner_client, vault):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = owner_client.post(
        reverse("vault:incident-new", args=[vault.pk]),
        incident_post(
            date_day=str(yesterday.day),
            date_month=str(yesterday.month),
            date_year=str(yesterday.year),
            time="15:00",
            end_time="14:00",
        ),
    )
    _assert_refused(response, "The end must be after the start", vault)
    assert 'href="#id_end_time"' in response.content.decode()


def test_a_future_date_is_refused_at_the_field(owner_client, vault):
    future = timezone.localdate() + timedelta(days=3)
    response = owner_client.post(
        reverse("vault:incident-new", args=[vault.pk]),
        incident_post(
            date_day=str(future.day), date_month=str(future.month), date_year=str(future.year)
        ),
    )
    _assert_refused(response, "The date cannot be in the future", vault)
    assert 'href="#id_date_day"' in response.content.decode()


def test_an_unknown_act_code_is_refused(owner_client, vault):
    response = owner_client.post(
        reverse("vault:incident-new", args=[vault.pk]), incident_post(acts=["a", "zz"])
    )
    _assert_refused(response, "Choose what they did from the list", vault)


def test_an_impossible_date_is_refused(owner_client, vault):
    response = owner_client.post(
        reverse("vault:incident-new", args=[vault.pk]), incident_post(date_day="31", date_month="2")
    )
    _assert_refused(response, "Enter a real date", vault)


def test_a_missing_answer_about_fear_is_refused(owner_client, vault):
    response = owner_client.post(
        reverse("vault:incident-new", args=[vault.pk]), incident_post(feared_violence="")
    )
    _assert_refused(response, "Select yes if it made you fear violence, or no", vault)


def test_the_other_act_needs_words(owner_client, vault):
    response = owner_client.post(
        reverse("vault:incident-new", args=[vault.pk]), incident_post(acts=["other"])
    )
    _assert_refused(response, "Say what the other act was", vault)


def test_a_half_given_position_is_refused(owner_client, vault):
    response = owner_client.post(
        reverse("vault:incident-new", args=[vault.pk]), incident_post(latitude="51.5")
    )
    _assert_refused(response, "Give both latitude and longitude", vault)


# --- editing and deleting -----------------------------------------------------------------


def test_editing_an_incident_makes_a_new_revision(owner_client, incident):
    url = reverse("vault:incident-edit", args=[incident.pk])
    page = owner_client.get(url).content.decode()
    assert SECRET_TEXT in page  # prefilled
    form = owner_client.get(url).context["form"]
    data = {name: value for name, value in _form_data(form).items()}
    data["description"] = "He waited outside again"
    response = owner_client.post(url, data)
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.revision == 2
    assert incident.description == "He waited outside again"
    revision = access.revisions_of(incident).get(number=2)
    assert revision.changed_fields == ["description"]
    page = owner_client.get(reverse("vault:incident", args=[incident.pk])).content.decode()
    assert "What happened" in page and "Version 2" in page


def _form_data(form) -> dict[str, object]:
    """What a browser would send back for an unbound, prefilled form."""
    data: dict[str, object] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name == "date":
            data.update(date_day=value.day, date_month=value.month, date_year=value.year)
        elif value is None or value is False:
            continue
        elif value is True:
            data[name] = "on"
        elif hasattr(value, "strftime"):
            data[name] = value.strftime("%H:%M")
        else:
            data[name] = value
    return data


def test_editing_with_bad_input_changes_nothing(owner_client, incident):
    url = reverse("vault:incident-edit", args=[incident.pk])
    data = _form_data(owner_client.get(url).context["form"])
    data["acts"] = ["bogus"]
    response = owner_client.post(url, data)
    assert response.status_code == 400
    incident.refresh_from_db()
    assert incident.revision == 1


def test_deleting_asks_first_then_leaves_a_tombstone(owner_client, incident):
    url = reverse("vault:incident-delete", args=[incident.pk])
    page = owner_client.get(url).content.decode()
    assert "will be erased" in page and "existed and was deleted" in page
    response = owner_client.post(url)
    assert response["Location"] == reverse("vault:timeline", args=[incident.vault_id])
    incident.refresh_from_db()
    assert incident.is_deleted and incident.description == ""
    page = owner_client.get(reverse("vault:incident", args=[incident.pk])).content.decode()
    assert "was deleted" in page and SECRET_TEXT not in page
    revision_page = owner_client.get(reverse("vault:revision", args=[incident.pk, 1]))
    assert "erased" in revision_page.content.decode()
    assert owner_client.get(reverse("vault:incident-edit", args=[incident.pk])).status_code == 404


# --- exhibits -----------------------------------------------------------------------------


def upload(
    client,
    incident,
    content: bytes,
    name: str = "photo.png",
    content_type: str = "image/png",
    **extra,
):
    url = reverse("vault:incident-exhibit-upload", args=[incident.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, content, content_type), **extra})


def test_uploading_an_exhibit_keeps_its_bytes(owner_client, incident, tmp_path):
    response = upload(
        owner_client, incident, PNG, captured_at="2025-03-27T14:30", description="Screenshot"
    )
    assert response.status_code == 302
    exhibit = access.exhibits_readable_by(incident.vault.owner, incident.vault).get()
    assert exhibit.incident == incident and exhibit.reference == "AB/1"
    assert exhibit.media_type == "image/png"
    assert exhibit.received_at is None
    assert exhibit.captured_at.astimezone(timezone.get_current_timezone()).hour == 14

    download = owner_client.get(reverse("vault:exhibit-download", args=[exhibit.pk]))
    body = b"".join(download.streaming_content)
    assert download["Content-Disposition"] == 'attachment; filename="AB-1.png"'
    original = tmp_path / "original.bin"
    original.write_bytes(PNG)
    sha256sum = subprocess.run(
        ["sha256sum", str(original)], capture_output=True, text=True, check=True
    ).stdout.split()[0]
    assert hashlib.sha256(body).hexdigest() == sha256sum == exhibit.sha256


def test_a_download_never_carries_the_original_file_name(owner_client, exhibit):
    download = owner_client.get(reverse("vault:exhibit-download", args=[exhibit.pk]))
    assert "screenshot" not in download["Content-Disposition"]
    page = owner_client.get(reverse("vault:exhibit", args=[exhibit.pk])).content.decode()
    assert exhibit.sha256 in page and "Not known" in page


def _assert_upload_refused(response, message: str) -> None:
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and "govuk-error-summary" in page
    assert not Exhibit.objects.exists()


def test_an_empty_file_is_refused(owner_client, incident):
    _assert_upload_refused(upload(owner_client, incident, b""), "The selected file is empty")


def test_a_file_over_the_size_limit_is_refused(owner_client, incident, settings):
    settings.CAIRN_MAX_UPLOAD_BYTES = 10
    _assert_upload_refused(upload(owner_client, incident, PNG), "larger than the limit")


def test_content_that_contradicts_its_name_is_refused(owner_client, incident):
    response = upload(
        owner_client,
        incident,
        b"MZ\x90\x00 not really a photo",
        name="holiday.jpg",
        content_type="image/jpeg",
    )
    _assert_upload_refused(response, "but it was given as a JPEG image")


def test_an_exhibit_can_be_added_from_the_exhibits_page(owner_client, vault):
    response = owner_client.post(
        reverse("vault:exhibits", args=[vault.pk]),
        {"file": SimpleUploadedFile("a.png", PNG, "image/png")},
    )
    exhibit = access.exhibits_readable_by(vault.owner, vault).get()
    assert response["Location"] == reverse("vault:exhibit", args=[exhibit.pk])
    assert exhibit.incident is None


# --- people -------------------------------------------------------------------------------


def test_adding_a_person_with_identifiers(owner_client, vault):
    response = owner_client.post(
        reverse("vault:person-new", args=[vault.pk]),
        {
            "name": "Unknown man",
            "role": "suspect",
            "relationship": "stranger",
            "aliases": "Dave, D",
            "identifier_1_kind": "phone",
            "identifier_1_value": "07700 900456",
            "identifier_2_kind": "",
            "identifier_2_value": "",
            "identifier_3_kind": "handle",
            "identifier_3_value": "@dave",
            "identifier_3_platform": "Instagram",
        },
    )
    person = access.persons_readable_by(vault.owner, vault).get()
    assert response["Location"] == reverse("vault:person", args=[person.pk])
    assert person.aliases == ["D", "Dave"]
    assert {(i.kind, i.value) for i in person.identifiers.all()} == {
        ("phone", "+447700900456"),
        ("handle", "dave"),
    }


def test_a_bad_identifier_is_shown_on_its_own_row(owner_client, vault):
    response = owner_client.post(
        reverse("vault:person-new", args=[vault.pk]),
        {
            "name": "Unknown man",
            "role": "suspect",
            "relationship": "stranger",
            "identifier_1_kind": "",
            "identifier_1_value": "",
            "identifier_2_kind": "phone",
            "identifier_2_value": "12",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_identifier_2_value"' in page
    assert 'id="id_identifier_2_value-error"' in page
    assert not Person.objects.exists()


def test_editing_a_person(owner_client, person):
    url = reverse("vault:person-edit", args=[person.pk])
    assert "+447700900123" in owner_client.get(url).content.decode()
    response = owner_client.post(
        url,
        {
            "name": "Chris E",
            "role": "suspect",
            "relationship": "ex_partner",
            "identifier_1_kind": "phone",
            "identifier_1_value": "+447700900123",
            "identifier_2_kind": "email",
            "identifier_2_value": "Chris@Example.com",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.name == "Chris E" and person.relationship == "ex_partner"
    assert person.identifiers.count() == 2


def test_a_persons_page_lists_their_incidents(owner_client, vault, person):
    make_incident(vault, persons=[person], description="With him")
    make_incident(vault, description="Without him")
    page = owner_client.get(reverse("vault:person", args=[person.pk])).content.decode()
    assert "With him" in page and "Without him" not in page


# --- timeline -----------------------------------------------------------------------------


def test_the_timeline_filters_by_date_act_channel_and_person(owner_client, vault, person):
    old = make_incident(
        vault, days_ago=40, acts=["b"], channel=Channel.TEXT_MESSAGE, description="Old text"
    )
    new = make_incident(
        vault, days_ago=2, acts=["a", "e"], persons=[person], description="Recent following"
    )
    url = reverse("vault:timeline", args=[vault.pk])

    def shown(params):
        page = owner_client.get(url, params)
        return {item.pk for item in page.context["page"].incidents}

    assert shown({}) == {old.pk, new.pk}
    since = timezone.localdate() - timedelta(days=10)
    assert shown(
        {"date_from_day": since.day, "date_from_month": since.month, "date_from_year": since.year}
    ) == {new.pk}
    assert shown(
        {"date_to_day": since.day, "date_to_month": since.month, "date_to_year": since.year}
    ) == {old.pk}
    assert shown({"act": "e"}) == {new.pk}
    assert shown({"act": "b"}) == {old.pk}
    assert shown({"channel": Channel.TEXT_MESSAGE}) == {old.pk}
    assert shown({"person": str(person.pk)}) == {new.pk}


def test_deleted_incidents_leave_the_timeline(owner_client, vault, incident):
    services.delete_incident(actor=vault.owner, incident=incident)
    page = owner_client.get(reverse("vault:timeline", args=[vault.pk]))
    assert page.context["page"].incidents == []


def test_the_timeline_is_paged_by_key_eight_at_a_time_keeping_the_filter(owner_client, vault):
    for day in range(23):
        make_incident(vault, days_ago=23 - day)  # incident 23 is the newest
    url = reverse("vault:timeline", args=[vault.pk])
    first = owner_client.get(url, {"act": "a"})
    numbers = [i.number for i in first.context["page"].incidents]
    assert numbers == list(range(23, 15, -1))  # newest first
    html = first.content.decode()
    assert "older=16" in html and "act=a" in html and "newer=" not in html
    second = owner_client.get(url, {"act": "a", "older": 16})
    assert [i.number for i in second.context["page"].incidents] == list(range(15, 7, -1))
    html = second.content.decode()
    assert "newer=15" in html and "older=8" in html and "act=a" in html
    last = owner_client.get(url, {"act": "a", "older": 8})
    assert [i.number for i in last.context["page"].incidents] == list(range(7, 0, -1))
    assert "older=" not in last.content.decode()
    back = owner_client.get(url, {"act": "a", "newer": 15})
    assert [i.number for i in back.context["page"].incidents] == list(range(23, 15, -1))
    assert "newer=" not in back.content.decode()
    # The count is said on every page; the address never carries a date.
    assert "23 incidents match the filter" in html
    assert not re.search(r"\?[^\"]*\d{4}-\d\d-\d\d", html)


def test_a_page_key_that_is_not_a_number_shows_the_newest_page(owner_client, vault):
    for day in range(3):
        make_incident(vault, days_ago=3 - day)
    url = reverse("vault:timeline", args=[vault.pk])
    for bad in ("x", "-1", "99999999999", "7"):
        page = owner_client.get(url, {"older": bad})
        assert page.status_code == 200, bad
        assert [i.number for i in page.context["page"].incidents] == [3, 2, 1], bad


def test_incidents_on_a_page_are_grouped_by_month(owner_client, vault):
    for when in (
        datetime(2025, 11, 26, 23, 33, tzinfo=UTC),
        datetime(2025, 11, 2, 9, 0, tzinfo=UTC),
        datetime(2025, 10, 30, 12, 0, tzinfo=UTC),
    ):
        services.log_incident(
            actor=vault.owner,
            vault=vault,
            data=services.IncidentInput(start=when, channel=Channel.IN_PERSON),
        )
    page = owner_client.get(reverse("vault:timeline", args=[vault.pk]))
    months = page.context["page"].months
    assert [(m.label, len(m.incidents)) for m in months] == [
        ("November 2025", 2),
        ("October 2025", 1),
    ]
    assert "Wednesday 26 November 2025 at 11:33pm" in page.content.decode()


def test_the_timeline_needs_few_queries_however_many_incidents(
    owner_client, vault, person, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    for day in range(60):
        make_incident(vault, days_ago=day + 1, persons=[person])
    # A served process reads the credential key once, then keeps it (after its transaction
    # commits, which a test's never does).
    with django_capture_on_commit_callbacks(execute=True):
        keys.credential_key()
    # The session and user, her role, the vault, her people, the page, its people, the size of
    # her log (the count's cache key) and, the first time only, the count.
    with django_assert_max_num_queries(13):
        owner_client.get(reverse("vault:timeline", args=[vault.pk]))


def test_a_deep_page_costs_what_the_first_does(owner_client, vault, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for day in range(60):
        make_incident(vault, days_ago=60 - day)
    url = reverse("vault:timeline", args=[vault.pk])
    owner_client.get(url)  # counts once, then the count is cached
    with CaptureQueriesContext(connection) as first:
        owner_client.get(url)
    with CaptureQueriesContext(connection) as deep:
        owner_client.get(url, {"older": 11})
    # The deep page adds the look-up of its key and the check for newer ones; no OFFSET.
    assert len(deep.captured_queries) <= len(first.captured_queries) + 2
    assert not any("OFFSET" in query["sql"].upper() for query in deep.captured_queries)
    assert not any("COUNT(" in query["sql"].upper() for query in deep.captured_queries)


def test_times_show_in_the_vaults_zone_with_their_precision(owner_client, vault):
    summer = datetime(2024, 7, 1, 12, 5, tzinfo=UTC)
    services.log_incident(
        actor=vault.owner,
        vault=vault,
        data=services.IncidentInput(start=summer, channel=Channel.IN_PERSON),
    )
    page = owner_client.get(reverse("vault:timeline", args=[vault.pk])).content.decode()
    assert "Monday 1 July 2024 at 1:05pm" in page  # BST, in her words


# --- safety -------------------------------------------------------------------------------


def test_page_titles_never_contain_what_was_written(owner_client, vault, incident, person, exhibit):
    for url in object_urls(vault, incident, person, exhibit):
        if "download" in url:
            continue
        title = title_of(owner_client.get(url))
        assert SECRET_TEXT not in title and "Chris" not in title and "screenshot" not in title
        assert title == "Cairn", url  # one neutral title (DESIGN.md invariant 11)


def test_every_victim_page_has_exit_this_page(
    owner_client, client, vault, incident, person, exhibit, settings
):
    settings.CAIRN_EXIT_URL = "https://exit.invalid/weather"
    urls = [u for u in object_urls(vault, incident, person, exhibit) if "download" not in u]
    for url in [reverse("vault:home"), *urls]:
        page = owner_client.get(url).content.decode()
        assert 'data-module="govuk-exit-this-page"' in page, url
        assert 'href="https://exit.invalid/weather"' in page, url
    owner_client.logout()
    page = client.get(reverse("accounts:sign-in")).content.decode()
    assert 'data-module="govuk-exit-this-page"' in page


def test_pages_load_no_inline_script_or_style(owner_client, incident):
    page = owner_client.get(reverse("vault:incident-new", args=[incident.vault_id]))
    html = page.content.decode()
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    assert "style=" not in html and "<style" not in html
    assert "{#" not in html and "{%" not in html  # no template syntax leaks into the page
    assert "script-src 'self'" in page["Content-Security-Policy"]


def test_the_session_lasts_as_long_as_configured_and_is_renewed(owner_client, vault, settings):
    owner_client.get(reverse("vault:home"))
    assert owner_client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    key = session_key_hash(owner_client.session.session_key)
    stored = Session.objects.get(session_key=key)
    Session.objects.filter(session_key=key).update(
        expire_date=stored.expire_date - timedelta(seconds=60)
    )
    owner_client.get(reverse("vault:home"))  # saved on every request: the clock restarts
    renewed = Session.objects.get(session_key=key).expire_date
    assert renewed > stored.expire_date - timedelta(seconds=5)


def test_an_expired_session_is_signed_out(owner_client, vault):
    owner_client.get(reverse("vault:home"))
    key = session_key_hash(owner_client.session.session_key)
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = owner_client.get(reverse("vault:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:sign-in"))


def test_the_session_cookie_ends_with_the_browser(owner_client, vault, settings):
    response = owner_client.get(reverse("vault:home"))
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert cookie["max-age"] == ""  # no persistent cookie left on a shared device
    assert cookie["httponly"]


def test_dates_in_the_timeline_filter_are_local_days(vault):
    from cairn.vault.timeline import TimelineFilter, filter_incidents
    from cairn.web.timeframe import zone

    late = datetime(2024, 7, 1, 23, 30, tzinfo=UTC)  # 00:30 on 2 July BST
    services.log_incident(
        actor=vault.owner,
        vault=vault,
        data=services.IncidentInput(start=late, channel=Channel.IN_PERSON),
    )
    qs = access.incidents_readable_by(vault.owner, vault)
    on_second = TimelineFilter(date_from=date(2024, 7, 2), date_to=date(2024, 7, 2))
    assert filter_incidents(qs, on_second, tz=zone("Europe/London")).count() == 1
    on_first = TimelineFilter(date_from=date(2024, 7, 1), date_to=date(2024, 7, 1))
    assert filter_incidents(qs, on_first, tz=zone("Europe/London")).count() == 0
    assert Incident.objects.count() == 1


def test_the_stylesheet_and_scripts_collect_for_production(settings, tmp_path):
    from django.conf import settings as live_settings
    from django.core.management import call_command

    css = live_settings.PACKAGE_DIR / "web" / "static" / "cairn" / "cairn.css"
    if not css.exists():
        pytest.fail(f"{css} is missing: run `npm run build` to compile the stylesheet")
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    collected = settings.STATIC_ROOT
    assert (collected / "govuk" / "govuk-frontend.min.js").exists()
    assert (collected / "staticfiles.json").exists()
    compiled = css.read_text(encoding="utf-8")
    assert "/static/govuk/assets/" in compiled
    assert "GDS Transport" not in compiled
