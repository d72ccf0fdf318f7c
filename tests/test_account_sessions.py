"""Where she is signed in (issue 21, point 3), through the pages: each sign-in recorded by a
keyed hash of its session key (never the key), with the browser and device and, only where
the instance has a place database, an approximate place; ending one session or every other
one; a password change ending the others; a sign-in from a new device shown to her at her
next sign-in, on the page."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from cairn.accounts import sessions
from cairn.accounts.models import EndReason, SessionRecord
from cairn.audit.models import AuditRecord

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
NEW = "another-long-passphrase-2"


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def browser(user_agent: str = FIREFOX, address: str = "127.0.0.1") -> Client:
    return Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=address)


def sign_in(client: Client, password: str, username: str = "owner") -> None:
    response = client.post("/account/sign-in/", {"username": username, "password": password})
    assert response.status_code == 302, response.content[:300]


def test_a_sign_in_is_recorded_by_a_keyed_hash_with_its_browser(owner, vault, password):
    phone = browser(IPHONE)
    sign_in(phone, password)
    record = SessionRecord.objects.get(user=owner)
    key = phone.cookies["sessionid"].value
    assert record.key_hash == sessions.session_key_hash(key) and key not in record.key_hash
    assert (record.browser, record.platform) == ("Mobile Safari", "iPhone (iOS)")
    assert record.place == "" and not record.new_device
    assert not SessionRecord.objects.filter(key_hash=key).exists()
    page = phone.get("/account/sessions/").content.decode()
    assert "Mobile Safari on iPhone (iOS)" in page and "This browser" in page
    assert "cannot tell where a sign-in came from" in page


def test_describing_browsers():
    assert sessions.describe_agent(FIREFOX) == sessions.Agent("Firefox", "Windows")
    assert sessions.describe_agent("") == sessions.Agent("", "")
    assert sessions.describe_agent("curl/8.5.0").browser == "curl"


def test_the_place_comes_from_a_place_database_only_for_public_addresses(settings, tmp_path):
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet

    path = tmp_path / "places.mmdb"
    writer = MMDBWriter(ip_version=4, database_type="GeoLite2-City")
    writer.insert_network(
        IPSet(["81.2.69.0/24"]),
        {"city": {"names": {"en": "Leeds"}}, "country": {"names": {"en": "United Kingdom"}}},
    )
    writer.to_db_file(str(path))
    sessions._place_reader.cache_clear()
    settings.CAIRN_GEOIP_DATABASE = str(path)
    assert sessions.place_of("81.2.69.160") == "Leeds, United Kingdom"
    assert sessions.place_of("8.8.8.8") == ""  # not in the database
    assert sessions.place_of("192.168.1.4") == ""  # private: nothing to tell
    assert sessions.place_of("not an address") == ""
    settings.CAIRN_GEOIP_DATABASE = str(tmp_path / "missing.mmdb")
    sessions._place_reader.cache_clear()
    assert sessions.place_of("81.2.69.160") == ""


def test_the_sessions_page_shows_the_place_when_the_instance_can_tell(
    owner, password, settings, tmp_path
):
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet

    path = tmp_path / "places.mmdb"
    writer = MMDBWriter(ip_version=4, database_type="GeoLite2-Country")
    writer.insert_network(IPSet(["81.2.69.0/24"]), {"country": {"names": {"en": "United Kingdom"}}})
    writer.to_db_file(str(path))
    sessions._place_reader.cache_clear()
    settings.CAIRN_GEOIP_DATABASE = str(path)
    client = browser(address="81.2.69.160")
    sign_in(client, password)
    page = client.get("/account/sessions/").content.decode()
    assert "Near United Kingdom" in page and "cannot tell" not in page
    assert "81.2.69" not in page
    assert not SessionRecord.objects.filter(place__contains="81.2").exists()


def test_she_ends_another_session_and_it_is_signed_out(owner, vault, password):
    mine, theirs = browser(), browser(IPHONE)
    sign_in(mine, password)
    sign_in(theirs, password)
    other = SessionRecord.objects.get(user=owner, browser="Mobile Safari")
    page = mine.get("/account/sessions/").content.decode()
    assert f"/account/sessions/{other.pk}/end/" in page
    response = mine.post(f"/account/sessions/{other.pk}/end/")
    assert response.status_code == 302
    assert theirs.get("/").url.startswith("/account/sign-in/")
    assert mine.get("/").status_code == 200
    other.refresh_from_db()
    assert other.end_reason == EndReason.ENDED
    assert AuditRecord.objects.filter(actor=owner, action="session.ended").exists()
    # Its session row is gone (not just marked): nothing is left to take over.
    assert not Session.objects.filter(session_key=other.key_hash).exists()
    assert Session.objects.filter(
        session_key=SessionRecord.objects.get(user=owner, ended_at__isnull=True).key_hash
    ).exists()


def test_her_own_session_cannot_be_ended_from_the_list(owner, vault, password):
    mine = browser()
    sign_in(mine, password)
    record = SessionRecord.objects.get(user=owner)
    mine.post(f"/account/sessions/{record.pk}/end/")
    assert mine.get("/").status_code == 200


def test_sign_out_everywhere_else(owner, vault, password):
    clients = [browser(), browser(IPHONE), browser(FIREFOX, "127.0.0.2")]
    for client in clients:
        sign_in(client, password)
    clients[0].post("/account/sessions/end-others/")
    assert clients[0].get("/").status_code == 200
    assert Session.objects.count() == 1  # the other browsers' rows were deleted at once
    for client in clients[1:]:
        assert client.get("/").status_code == 302
    assert SessionRecord.objects.filter(user=owner, ended_at__isnull=True).count() == 1


def test_someone_elses_session_is_not_found(owner, colleague, password):
    theirs = browser()
    sign_in(theirs, password, "colleague")
    record = SessionRecord.objects.get(user=colleague)
    mine = browser()
    sign_in(mine, password)
    assert mine.post(f"/account/sessions/{record.pk}/end/").status_code == 404
    assert theirs.get("/").status_code == 200
    assert "Mobile" not in mine.get("/account/sessions/").content.decode()


def test_signing_out_and_a_password_change_end_sessions(owner, vault, password):
    mine, other, third = browser(), browser(IPHONE), browser()
    for client in (mine, other, third):
        sign_in(client, password)
    third.post("/account/sign-out/")
    assert SessionRecord.objects.filter(end_reason=EndReason.SIGNED_OUT).count() == 1
    response = mine.post(
        "/account/password/", {"old_password": password, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    assert mine.get("/").status_code == 200  # this browser stays signed in
    assert other.get("/").status_code == 302
    assert SessionRecord.objects.filter(end_reason=EndReason.PASSWORD).count() == 1
    wrong = mine.post(
        "/account/password/", {"old_password": "not-it", "new_password1": NEW, "new_password2": NEW}
    )
    assert wrong.status_code == 400
    assert "Your current password is not right" in wrong.content.decode()


def test_a_sign_in_from_a_new_device_is_shown_at_her_next_sign_in(owner, vault, password):
    phone = browser(IPHONE)
    sign_in(phone, password)
    assert phone.get("/").status_code == 200  # her first device: nothing to tell
    phone.post("/account/sign-out/")
    stranger = browser(FIREFOX)
    sign_in(stranger, password)
    assert stranger.get("/").status_code == 200  # not told about its own sign-in
    sign_in(phone, password)
    notice = phone.get("/")
    assert notice.status_code == 302 and notice.url.startswith("/account/sign-in/new-devices/")
    page = phone.get(notice.url).content.decode()
    assert "Firefox on Windows" in page and "If this was not you" in page
    assert phone.post(notice.url).status_code == 302
    assert phone.get("/").status_code == 200
    # Seen once: not shown again at the sign-in after.
    phone.post("/account/sign-out/")
    sign_in(phone, password)
    assert phone.get("/").status_code == 200
    assert not sessions.new_device_notices(owner, None).exists()


def test_the_database_keeps_no_session_key_only_the_hash_her_record_shares(owner, password):
    client = browser()
    sign_in(client, password)
    key = client.cookies["sessionid"].value
    stored_keys = list(Session.objects.values_list("session_key", flat=True))
    stored = " ".join(
        str(v)
        for v in SessionRecord.objects.values_list("key_hash", "browser", "platform", "place")
    )
    assert stored_keys == [SessionRecord.objects.get(user=owner).key_hash]
    assert key not in stored and key not in stored_keys[0]
