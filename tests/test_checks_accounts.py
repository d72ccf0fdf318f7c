"""The account activity review (issue 9): sign-ins and sessions read from Telegram, Facebook,
Instagram, Google Takeout and X exports, her own devices and usual places, and unexplained
sessions saved as an incident with the export as its exhibit.

The files are built here to the layouts in ``docs/formats.md`` and
``cairn.checks.sessions`` (newer and older layouts, and rows with fields missing).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from cairn.checks import services
from cairn.checks import sessions as accounts
from cairn.checks.errors import CheckInputError
from cairn.checks.models import OwnMark, PendingCheck
from cairn.cli.main import cli
from cairn.vault.models import Exhibit, Incident

T1 = 1_736_071_200  # 2025-01-05 10:00:00 UTC
T2 = 1_736_244_000  # 2025-01-07 10:00:00 UTC


def at(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def read(data: bytes | str, name: str = "export.json", tz: str = "Europe/London"):
    raw = data.encode() if isinstance(data, str) else data
    return accounts.read_sessions(raw, name=name, tz=tz)


# --- Telegram ---------------------------------------------------------------------------------


def telegram(rows: list[dict]) -> str:
    return json.dumps(
        {
            "about": "Telegram export",
            "personal_information": {"first_name": "A"},
            "sessions": {"about": "Active sessions", "list": rows},
            "chats": {"about": "", "list": []},
        }
    )


def test_telegram_sessions_from_a_full_export():
    found = read(
        telegram(
            [
                {
                    "last_active": "2025-01-05T10:00:00",
                    "last_active_unixtime": str(T1),
                    "last_ip": "203.0.113.9",
                    "last_country": "United Kingdom",
                    "last_region": "London",
                    "application_name": "Telegram Android",
                    "application_version": "11.5.3",
                    "device_model": "Samsung SM-S911B",
                    "platform": "Android",
                    "system_version": "SDK 34",
                    "created": "2024-12-01T09:00:00",
                    "created_unixtime": "1733043600",
                },
            ]
        )
    )
    assert found.format == "telegram"
    [session] = found.sessions
    assert session == accounts.Session(
        "Telegram",
        at(T1),
        "203.0.113.9",
        "London, United Kingdom",
        "Samsung SM-S911B (Android, SDK 34)",
        "Telegram Android 11.5.3",
        "sessions.list[0]",
    )


def test_telegram_web_sessions_are_read_too():
    document = json.loads(telegram([]))
    document["web_sessions"] = {
        "about": "",
        "list": [
            {
                "last_active": "2025-01-05T10:00:00",
                "last_active_unixtime": str(T1),
                "last_ip": "192.0.2.40",
                "last_region": "Wales",
                "bot_username": "shopbot",
                "domain_name": "shop.example",
                "browser": "Firefox",
                "platform": "Linux",
            }
        ],
    }
    [s] = read(json.dumps(document)).sessions
    assert (s.at, s.ip, s.place, s.device, s.app, s.where) == (
        at(T1),
        "192.0.2.40",
        "Wales",
        "Firefox, Linux",
        "Log in with Telegram: shop.example",
        "web_sessions.list[0]",
    )


def test_older_telegram_exports_without_unixtime_use_local_time_and_missing_fields_stay_empty():
    found = read(
        telegram([{"last_active": "2025-07-01T10:00:00", "device_model": "PC"}, {}]),
        tz="Europe/London",
    )
    first, second = found.sessions
    assert first.at == datetime(2025, 7, 1, 9, 0, tzinfo=UTC)  # BST
    assert (first.ip, first.place, first.app) == ("", "", "")
    assert second.at is None and second.device == ""


# --- Facebook and Instagram -------------------------------------------------------------------


def test_facebook_account_activity_old_layout():
    found = read(
        json.dumps(
            {
                "account_activity": [
                    {
                        "action": "Login",
                        "timestamp": T1,
                        "ip_address": "198.51.100.4",
                        "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) "
                        "AppleWebKit/605.1.15 Mobile/15E148 [FBAN/FBIOS;FBAV/449.0]",
                        "datr_cookie": "x",
                        "city": "Leeds",
                        "region": "England",
                        "country": "GB",
                        "site_name": "Facebook",
                    },
                ]
            }
        ),
        name="account_activity.json",
    )
    assert found.format == "meta-activity"
    [s] = found.sessions
    assert (s.source, s.at, s.ip, s.place, s.device, s.app) == (
        "Facebook",
        at(T1),
        "198.51.100.4",
        "Leeds, England, GB",
        "iPhone",
        "Facebook app, Login",
    )


def test_facebook_account_activity_v2_and_label_values_layouts():
    v2 = read(
        json.dumps(
            {
                "account_activity_v2": [
                    {
                        "action": "Session updated",
                        "timestamp": T2,
                        "ip_address": "192.0.2.1",
                        "user_agent": "",
                        "city": "",
                        "region": "",
                        "country": "",
                        "site_name": "Instagram",
                    }
                ]
            }
        )
    )
    assert v2.sessions[0].source == "Instagram" and v2.sessions[0].place == ""
    labels = read(
        json.dumps(
            {
                "account_activity_v2": [
                    {
                        "timestamp": T1,
                        "label_values": [
                            {"label": "Action", "value": "Login"},
                            {"label": "IP address", "value": "192.0.2.7"},
                            {
                                "label": "User agent",
                                "value": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
                                "Chrome/120.0 Safari/537.36",
                            },
                            {"label": "City", "value": "Hull"},
                            {"label": "Country", "value": "GB"},
                        ],
                    }
                ]
            }
        )
    )
    [s] = labels.sessions
    assert (s.at, s.ip, s.place, s.device, s.app) == (
        at(T1),
        "192.0.2.7",
        "Hull, GB",
        "Windows computer",
        "Chrome, Login",
    )


def test_where_youre_logged_in_old_and_new_layouts_with_mojibake_repaired():
    old = read(
        json.dumps(
            {
                "active_sessions": [
                    {
                        "created_timestamp": T1 - 86400,
                        "updated_timestamp": T1,
                        "ip_address": "192.0.2.8",
                        "user_agent": "",
                        "datr_cookie": "x",
                        "device": "Pixel 8",
                        "location": "M\u00c3\u00bcnchen, Germany",
                        "app": "Facebook for Android",
                        "session_type": "mobile",
                    }
                ]
            }
        ),
        name="where_you're_logged_in.json",
    )
    assert old.format == "meta-sessions"
    [s] = old.sessions
    assert (s.at, s.device, s.place, s.app) == (
        at(T1),
        "Pixel 8",
        "München, Germany",
        "Facebook for Android",
    )
    new = read(
        json.dumps(
            {
                "active_sessions_v2": [
                    {
                        "label_values": [
                            {"label": "Created", "timestamp_value": T1},
                            {"label": "Device", "value": "iPad"},
                            {"label": "Location", "value": "Cardiff, United Kingdom"},
                        ]
                    }
                ]
            }
        )
    )
    assert new.sessions[0].at == at(T1) and new.sessions[0].ip == ""


def test_instagram_login_activity_string_map_layout():
    found = read(
        json.dumps(
            {
                "account_history_login_history": [
                    {
                        "title": "2025-01-05T10:00:00+00:00",
                        "media_map_data": {},
                        "string_map_data": {
                            "Cookie Name": {"href": "", "value": "abc", "timestamp": 0},
                            "IP Address": {"href": "", "value": "198.51.100.20", "timestamp": 0},
                            "Language Code": {"href": "", "value": "en", "timestamp": 0},
                            "Time": {"href": "", "value": "", "timestamp": T1},
                            "User Agent": {
                                "href": "",
                                "value": "Instagram 300.0 Android (33/13; Pixel 7)",
                                "timestamp": 0,
                            },
                        },
                    },
                    {
                        "title": "2025-01-07T10:00:00+00:00",
                        "media_map_data": {},
                        "string_map_data": {},
                    },
                ]
            }
        ),
        name="login_activity.json",
    )
    first, second = found.sessions
    assert (first.source, first.at, first.ip, first.device, first.app) == (
        "Instagram",
        at(T1),
        "198.51.100.20",
        "Android phone",
        "Instagram app",
    )
    assert second.at == at(T2) and second.ip == ""  # only the title is left


# --- Google Takeout ---------------------------------------------------------------------------


def test_google_access_log_maps_columns_by_header_name_in_either_order():
    newer = (
        "Gaia ID,Activity Timestamp,IP Address,Activity Country,Activity Region,"
        "Activity City,User Agent String,Product Name,Sub-Product Name,Activity Type\n"
        "1,2025-01-05 10:00:00 UTC,203.0.113.50,GB,England,York,"
        '"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) Safari/605.1",Gmail,,login\n'
    )
    older = (
        "IP Address,Timestamp,User Agent,Product\n"
        "203.0.113.51,2025-01-07T10:00:00.000Z,,Google Drive\n"
    )
    [a] = read(newer, name="Activities.csv").sessions
    assert (a.source, a.at, a.ip, a.place, a.device, a.app) == (
        "Google",
        at(T1),
        "203.0.113.50",
        "York, England, GB",
        "Mac",
        "Gmail, Safari",
    )
    assert a.where == "line 2"
    found = read(older, name="access.csv")
    assert found.format == "google-access"
    assert (found.sessions[0].at, found.sessions[0].app) == (at(T2), "Google Drive")


def test_google_devices_csv_with_and_without_a_time():
    newer = (
        "Device Type,Device Brand Name,Device Model,Device OS,"
        "Device Last Location Timestamp,Device Last Location IP,"
        "Device Last Location Country\n"
        "Phone,Google,Pixel 8,Android 14,2025-01-05 10:00:00 UTC,203.0.113.60,GB\n"
    )
    older = "Device Name,Device Type,OS\nGalaxy S21,Phone,Android\n,,\n"
    [d] = read(newer, name="Devices.csv").sessions
    assert (d.at, d.ip, d.place, d.device) == (
        at(T1),
        "203.0.113.60",
        "GB",
        "Google, Pixel 8 (Android 14)",
    )
    found = read(older, name="Devices.csv")
    assert found.format == "google-devices"
    assert [(s.at, s.device) for s in found.sessions] == [(None, "Galaxy S21 (Android)")]


# --- X ----------------------------------------------------------------------------------------


def test_x_ip_audit_new_and_old_time_layouts():
    text = (
        "window.YTD.ip_audit.part0 = [\n"
        '  {"ipAudit": {"accountId": "1", "createdAt": "2025-01-05T10:00:00.000Z", '
        '"loginIp": "192.0.2.30"}},\n'
        '  {"ipAudit": {"accountId": "1", "createdAt": "Tue Jan 07 10:00:00 +0000 2025", '
        '"loginIp": "192.0.2.31"}},\n'
        '  {"ipAudit": {"accountId": "1"}}\n]'
    )
    found = read(text, name="ip-audit.js")
    assert found.format == "x-ip-audit"
    assert [(s.at, s.ip) for s in found.sessions] == [
        (at(T1), "192.0.2.30"),
        (at(T2), "192.0.2.31"),
        (None, ""),
    ]


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "where", "words"),
    [
        (
            '{"sessions": {"list": [{"last_active": "yesterday"}]}}',
            "x.json, sessions.list[0].last_active",
            "is not a time",
        ),
        ('{"sessions": {"list": ["x"]}}', "x.json, sessions.list[0]", "expected a session"),
        ('{"account_activity": {"a": 1}}', "x.json, account_activity", "expected a list"),
        (
            '{"account_activity": [{"timestamp": true}]}',
            "x.json, account_activity[0]",
            "expected a time",
        ),
        ('{"something_else": []}', "x.json", "not one of the exports"),
        ('{"sessions": ', "x.json, line 1", "not valid JSON"),
        ("window.YTD.tweets.part0 = []", "x.json", "not an X archive ip-audit.js"),
        ('window.YTD.ip_audit.part0 = [{"nope": 1}]', "x.json, entry 1", "'ipAudit'"),
        ("Name,Colour\nA,blue\n", "x.json, line 1", "no column for the time"),
        (
            "Activity Timestamp,IP Address\nnot a time,1.2.3.4\n",
            "x.json, line 2, column Activity Timestamp",
            "is not a time",
        ),
        (b"\xff\xfe{", "x.json, line 1", "not UTF-8"),
        ("  ", "x.json", "empty"),
    ],
)
def test_malformed_exports_are_refused_naming_the_entry_or_line(data, where, words):
    with pytest.raises(CheckInputError) as caught:
        read(data, name="x.json")
    assert caught.value.where == where
    assert words in caught.value.message


# --- her devices and places -------------------------------------------------------------------


def test_sessions_from_her_devices_or_usual_places_are_explained():
    mine = accounts.Session("X", None, "1", "Leeds, GB", "iPhone", "", "a")
    home = accounts.Session("X", None, "2", "York, GB", "Windows computer", "", "b")
    other = accounts.Session("X", None, "3", "Hull, GB", "Android phone", "", "c")
    bare = accounts.Session("X", None, "4", "", "", "", "d")
    explained, unexplained = accounts.explain([mine, home, other, bare], ["IPHONE"], ["york,  gb"])
    assert explained == [mine, home]
    assert unexplained == [other, bare]


EXPORT = json.dumps(
    {
        "account_activity_v2": [
            {
                "action": "Login",
                "timestamp": T1,
                "ip_address": "192.0.2.1",
                "user_agent": "",
                "city": "Leeds",
                "region": "",
                "country": "GB",
                "site_name": "Facebook",
            },
            {
                "action": "Login",
                "timestamp": T2,
                "ip_address": "198.51.100.99",
                "user_agent": "",
                "city": "Hull",
                "region": "",
                "country": "GB",
                "site_name": "Facebook",
            },
        ]
    }
).encode()


def test_unexplained_sessions_are_saved_as_one_incident_with_the_export(vault):
    services.mark_own(actor=vault.owner, vault=vault, kind="place", value="Leeds, GB")
    services.mark_own(actor=vault.owner, vault=vault, kind="place", value="leeds,  gb")
    assert OwnMark.objects.filter(vault=vault).count() == 1
    assert OwnMark.objects.get().value == "Leeds, GB"
    incident = services.save_session_finding(
        actor=vault.owner, vault=vault, data=EXPORT, name="account_activity.json", wheres=None
    )
    assert incident.acts == ",d,"
    assert incident.start == at(T2)
    assert "198.51.100.99" in incident.description and "192.0.2.1" not in incident.description
    exhibit = Exhibit.objects.get(incident=incident)
    assert exhibit.original_name == "account_activity.json" and exhibit.size == len(EXPORT)


def test_nothing_unexplained_or_a_bad_export_saves_nothing(vault):
    services.mark_own(actor=vault.owner, vault=vault, kind="place", value="Leeds, GB")
    services.mark_own(actor=vault.owner, vault=vault, kind="place", value="Hull, GB")
    for data in (EXPORT, b'{"account_activity": [{"timestamp": "soon"}]}'):
        with pytest.raises(ValidationError):
            services.save_session_finding(
                actor=vault.owner, vault=vault, data=data, name="account_activity.json", wheres=None
            )
    assert not Incident.objects.exists() and not Exhibit.objects.exists()


def test_marks_are_kept_per_vault(vault, other_vault):
    services.mark_own(actor=vault.owner, vault=vault, kind="device", value="iPhone")
    assert services.own_marks(other_vault) == ([], [])
    assert services.own_marks(vault) == (["iPhone"], [])


# --- the pages and the command ----------------------------------------------------------------


def test_the_review_page_marks_and_saves(owner_client, vault):
    from django.core.files.uploadedfile import SimpleUploadedFile

    uploaded = owner_client.post(
        reverse("checks:accounts", args=[vault.pk]),
        {"accounts-file": SimpleUploadedFile("account_activity.json", EXPORT)},
    )
    pending = PendingCheck.objects.get()
    assert uploaded.status_code == 302 and uploaded.url.endswith(f"?review={pending.pk}")
    page = owner_client.get(uploaded.url).content.decode()
    assert "Removing stalkerware can alert" in page
    assert "198.51.100.99" in page and "192.0.2.1" in page
    owner_client.post(
        reverse("checks:accounts-mark", args=[vault.pk]),
        {"review": pending.pk, "kind": "place", "value": "Leeds, GB"},
    )
    page = owner_client.get(uploaded.url).content.decode()
    assert "192.0.2.1<" not in page and "IP address 192.0.2.1\n" not in page
    refused = owner_client.post(
        reverse("checks:accounts-save", args=[vault.pk]), {"check_id": pending.pk, "action": "save"}
    )
    assert refused.status_code == 400
    assert "Choose at least one sign-in" in refused.content.decode()
    saved = owner_client.post(
        reverse("checks:accounts-save", args=[vault.pk]),
        {"check_id": pending.pk, "action": "save", "sessions": ["account_activity_v2[1]"]},
    )
    incident = Incident.objects.get()
    assert saved.url == reverse("vault:incident", args=[incident.pk])
    assert not PendingCheck.objects.exists()


def test_a_malformed_export_on_the_page_keeps_nothing(owner_client, vault):
    from django.core.files.uploadedfile import SimpleUploadedFile

    answer = owner_client.post(
        reverse("checks:accounts", args=[vault.pk]),
        {
            "accounts-file": SimpleUploadedFile(
                "ip-audit.js", b'window.YTD.ip_audit.part0 = [{"x": 1}]'
            )
        },
    )
    assert answer.status_code == 400
    assert "ip-audit.js, entry 1: expected an &#x27;ipAudit&#x27; object" in answer.content.decode()
    assert not PendingCheck.objects.exists()


def test_the_command_lists_unexplained_sessions_and_saves(vault, tmp_path):
    export = tmp_path / "account_activity.json"
    export.write_bytes(EXPORT)
    runner = CliRunner()
    listed = runner.invoke(
        cli, ["check", "accounts", str(export), "--usual-place", "Leeds, GB", "--json"]
    )
    assert listed.exit_code == 0, listed.output
    assert "talk to a stalking advocate first" in listed.stderr.lower()
    result = json.loads(listed.stdout)
    assert [s["ip"] for s in result["unexplained"]] == ["198.51.100.99"]
    assert [s["ip"] for s in result["explained"]] == ["192.0.2.1"]
    saved = runner.invoke(cli, ["check", "accounts", str(export), "--save"])
    assert saved.exit_code == 0, saved.output
    assert "Saved as incident 1" in saved.stdout
    assert Exhibit.objects.get().source == "cli"


# --- any bytes at all -------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "window.YTD.ip_audit.part0 = ",
        '{"sessions": {"list": [',
        '{"account_activity": [',
        '{"active_sessions_v2": [',
        '{"account_history_login_history": [',
        "[",
        "]",
        "{",
        "}",
        '"timestamp": ',
        '"createdAt": ',
        '"last_active": ',
        '"label_values": ',
        "1e400",
        "-1",
        "99999999999999999999",
        '"2025-13-45"',
        '"x"',
        "null",
        "true",
        ",",
        ":",
        "Activity Timestamp,IP Address\n",
        "Device Name\n",
        "\n",
        '"',
        "\xff",
    ]
)


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=200),
        st.lists(_PIECES, max_size=30).map(
            lambda parts: "".join(parts).encode("utf-8", "surrogatepass")
        ),
    )
)
def test_any_input_is_read_or_refused_with_a_clear_error(data):
    try:
        found = accounts.read_sessions(data, name="x")
    except CheckInputError as exc:
        assert exc.where.startswith("x")
        return
    for session in found.sessions:
        assert session.at is None or session.at.tzinfo is not None
