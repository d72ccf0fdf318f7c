"""The stalkerware check (issue 9): app lists read from ``adb shell pm list packages -i -U``
output, AndroidQF ``packages.json`` and typed names, matched against Echap's indicators.

The indicators are the real files from ``tests/fixtures/third_party/stalkerware-indicators``
(AssoEchap/stalkerware-indicators @a04c5c1, CC-BY 4.0: Echap, stalkerware-indicators). The
phones' app lists are built here from those indicators, so the right answer is known: true
matches by certificate and by package name, weak generic names, and clean phones.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from cairn.audit.models import AuditRecord
from cairn.checks import indicators as ioc
from cairn.checks import phone, services
from cairn.checks.errors import CheckInputError
from cairn.checks.models import IndicatorSet, PendingCheck
from cairn.cli.main import cli
from cairn.ledger.models import LedgerEntry
from cairn.vault.models import Exhibit, Incident

ECHAP = Path(__file__).resolve().parent / "fixtures" / "third_party" / "stalkerware-indicators"
CLEAN_PACKAGES = (
    "com.whatsapp",
    "org.thoughtcrime.securesms",
    "com.spotify.music",
    "uk.co.bbc.iplayer",
    "com.android.chrome",
    "com.google.android.gm",
    "com.samsung.android.messaging",
    "android",
)
PLAY = "com.android.vending"


def _apps() -> list[ioc.StalkerwareApp]:
    return [
        app
        for name in ("ioc.yaml", "watchware.yaml")
        for app in ioc.parse_indicator_file((ECHAP / name).read_bytes(), name=name)
    ]


APPS = _apps()
ALL_CERTIFICATES = {c for app in APPS for c in app.certificates}
ALL_PACKAGES = {p for app in APPS for p in app.packages}


def _strong_package() -> tuple[ioc.StalkerwareApp, str]:
    """An app with a distinctive (not generic) package name."""
    for app in APPS:
        for package in app.packages:
            if not ioc.is_generic_package(package):
                return app, package
    raise AssertionError("the fixture has no distinctive package name")


def _generic_package() -> tuple[ioc.StalkerwareApp, str]:
    for app in APPS:
        for package in app.packages:
            if ioc.is_generic_package(package):
                return app, package
    raise AssertionError("the fixture has no generic package name")


def _certified() -> tuple[ioc.StalkerwareApp, str]:
    for app in APPS:
        if app.certificates:
            return app, app.certificates[0]
    raise AssertionError("the fixture has no certificates")


def pm_list(packages: list[str], *, installer: bool = True, uid: bool = True) -> bytes:
    lines = []
    for number, package in enumerate(packages):
        line = f"package:{package}"
        if installer:
            line += f" installer={PLAY if number % 2 else 'null'}"
        if uid:
            line += f" uid:{10100 + number}"
        lines.append(line)
    return ("\n".join(lines) + "\n").encode()


def androidqf(packages: list[tuple[str, str | None]]) -> bytes:
    """packages.json as AndroidQF writes it: one object per package, each APK's certificate
    under files[].certificate.Sha1 (avast/apkverifier's CertInfo)."""
    items = []
    for number, (package, certificate) in enumerate(packages):
        files = [
            {
                "path": f"/data/app/{package}-1/base.apk",
                "local_name": "",
                "md5": "",
                "sha1": "",
                "sha256": "",
                "sha512": "",
                "error": "",
                "verified_certificate": certificate is not None,
                "certificate": {
                    "Md5": "",
                    "Sha1": certificate.lower(),
                    "Sha256": "",
                    "Issuer": "CN=Someone",
                    "Subject": "CN=Someone",
                }
                if certificate
                else None,
                "certificate_error": "",
                "trusted_certificate": False,
            }
        ]
        items.append(
            {
                "name": package,
                "files": files,
                "installer": PLAY if number else "null",
                "uid": 10100 + number,
                "disabled": False,
                "system": False,
                "third_party": True,
            }
        )
    return json.dumps(items, indent=1).encode()


# --- the indicators ---------------------------------------------------------------------------


def test_echaps_files_are_read_with_their_packages_and_certificates():
    assert len(APPS) > 170
    assert {app.kind for app in APPS} == {"stalkerware", "watchware"}
    truthspy = next(app for app in APPS if app.name == "TheTruthSpy")
    assert "com.mxspy" in truthspy.packages
    assert "31A6ECECD97CF39BC4126B8745CD94A7C30BF81C" in truthspy.certificates
    assert all(len(c) == 40 for c in ALL_CERTIFICATES)


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        (b"- name: A\n  packages: [com.a.b\n", "x.yaml, line", "not valid YAML"),
        (b"name: A\n", "x.yaml", "expected a YAML list"),
        (b"- packages: [com.a.b]\n", "x.yaml, entry 1", "'name' is missing"),
        (b"- name: A\n  certificates: [ABC]\n", "x.yaml, entry 1 (A)", "not a SHA-1"),
        (
            b"- name: A\n  packages: ['not a package']\n",
            "x.yaml, entry 1 (A)",
            "not a package name",
        ),
        (b"- name: A\n  type: spyware\n", "x.yaml, entry 1 (A)", "'type' must be"),
    ],
)
def test_bad_indicator_files_are_refused_naming_the_entry(text, where, words):
    with pytest.raises(CheckInputError) as caught:
        ioc.parse_indicator_file(text, name="x.yaml")
    assert caught.value.where.startswith(where)
    assert words in caught.value.message


@pytest.mark.parametrize(
    ("package", "generic"),
    [
        ("com.android.core.monitor", True),
        ("com.google.android.gms.update", True),
        ("com.systemservice", True),
        ("com.guest", True),
        ("com.fone", True),
        ("android", True),
        ("com.sec.android.app.x", True),
        ("com.mxspy", False),
        ("com.thetruth", False),
        ("net.example.tracker.pro", False),
    ],
)
def test_generic_package_names_follow_the_documented_rule(package, generic):
    assert ioc.is_generic_package(package) is generic


# --- reading app lists -----------------------------------------------------------------------


def test_pm_list_output_is_read_with_installer_and_uid_and_tolerates_their_absence():
    text = (
        b"package:com.a.b installer=com.android.vending uid:10123\n"
        b"package:com.c.d uid:10124\n"
        b"\n"
        b"package:com.e.f installer=null\n"
        b"package:com.g.h\r\n"
        b"package:/data/app/~~x==/com.i.j-1/base.apk=com.i.j installer=x uid:1,2\n"
        b"package:com.k.l versionCode:33 installer=org.fdroid.fdroid uid:10200\n"
    )
    listed = phone.read_app_list(text, name="apps.txt")
    assert listed.format == "pm-list"
    assert [(a.identifier, a.installer, a.uid, a.where) for a in listed.apps] == [
        ("com.a.b", "com.android.vending", 10123, "line 1"),
        ("com.c.d", "", 10124, "line 2"),
        ("com.e.f", "", None, "line 4"),
        ("com.g.h", "", None, "line 5"),
        ("com.i.j", "x", 1, "line 6"),
        ("com.k.l", "org.fdroid.fdroid", 10200, "line 7"),
    ]


def test_androidqf_packages_json_gives_certificates():
    _, certificate = _certified()
    listed = phone.read_app_list(
        androidqf([("com.a.b", certificate), ("com.c.d", None)]), name="packages.json"
    )
    assert listed.format == "androidqf"
    assert listed.apps[0].certificates == (certificate,)
    assert listed.apps[0].installer == ""  # AndroidQF writes "null" for no installer
    assert listed.apps[1].certificates == ()
    assert listed.apps[1].installer == PLAY


def test_typed_names_are_one_a_line():
    listed = phone.read_app_list(b"  mSpy \n\nFamiSafe\n", name="typed")
    assert listed.format == "names"
    assert [(a.identifier, a.where) for a in listed.apps] == [
        ("mSpy", "line 1"),
        ("FamiSafe", "line 3"),
    ]


@pytest.mark.parametrize(
    ("data", "fmt", "where", "words"),
    [
        (b"package:com.a.b\nhello there\n", "auto", "apps.txt, line 2", "expected 'package:'"),
        (b"package:com.a.b\npackage:\n", "auto", "apps.txt, line 2", "no package name"),
        (
            b"package:com.a.b\npackage:not/a package\n",
            "auto",
            "apps.txt, line 2",
            "not a package name",
        ),
        (b"package:com.a.b uid:abc\n", "auto", "apps.txt, line 1", "not a number"),
        (b"package:com.a.b\n\xff\xfe\n", "auto", "apps.txt, line 2", "not UTF-8"),
        (b"   \n", "auto", "apps.txt", "empty"),
        (
            b'[{"name": "com.a.b"}, {"installer": "x"}]',
            "auto",
            "apps.txt, item 2",
            "'name' is missing",
        ),
        (
            b'[{"name": "com.a.b", "files": [{"certificate": {"Sha1": "XYZ"}}]}]',
            "auto",
            "apps.txt, item 1 (com.a.b), files[0].certificate.Sha1",
            "not a SHA-1",
        ),
        (b'[{"name": "com.a.b", "uid": "ten"}]', "auto", "apps.txt, item 1.uid", "number"),
        (b'{"packages": []}', "auto", "apps.txt", "expected a JSON list"),
        (b'[{"name": "com.a.b",]', "auto", "apps.txt, line 1", "not valid JSON"),
        (b"[]", "auto", "apps.txt", "no packages"),
        (("x" * 201).encode(), "names", "apps.txt, line 1", "longer than 200"),
        (b"com.a.b\n", "pm-list", "apps.txt, line 1", "expected 'package:'"),
    ],
)
def test_malformed_app_lists_are_refused_naming_the_line_or_field(data, fmt, where, words):
    with pytest.raises(CheckInputError) as caught:
        phone.read_app_list(data, name="apps.txt", format=fmt)
    assert caught.value.where == where
    assert words in caught.value.message


# --- matching -------------------------------------------------------------------------------


def test_a_pm_list_with_stalkerware_matches_by_package_and_marks_generic_names_weak():
    strong_app, strong = _strong_package()
    weak_app, weak = _generic_package()
    listed = phone.read_app_list(
        pm_list([*CLEAN_PACKAGES[:3], strong, weak, *CLEAN_PACKAGES[3:]]), name="apps.txt"
    )
    matches = ioc.match_apps(listed.apps, APPS)
    assert [(m.app, m.grade, m.item, m.weak, m.strength) for m in matches] == [
        (strong_app.name, "package", strong, False, "medium"),
        (weak_app.name, "package", weak, True, "weak"),
    ]
    assert matches[0].where == "line 4"


def test_an_androidqf_list_matches_by_certificate_first():
    cert_app, certificate = _certified()
    strong_app, strong = _strong_package()
    # A package with an innocent name, signed with a stalkerware maker's certificate.
    listed = phone.read_app_list(
        androidqf(
            [
                ("com.example.notes", None),
                ("com.example.battery.saver", certificate),
                (strong, None),
            ]
        ),
        name="packages.json",
    )
    matches = ioc.match_apps(listed.apps, APPS)
    assert [(m.app, m.grade, m.item) for m in matches] == [
        (cert_app.name, "certificate", "com.example.battery.saver"),
        (strong_app.name, "package", strong),
    ]
    assert matches[0].strength == "strong"


def test_typed_names_match_weakly_and_package_names_typed_match_as_packages():
    _, strong = _strong_package()
    listed = phone.read_app_list(f"the truth spy\nCalculator\n{strong}\n".encode(), name="typed")
    matches = ioc.match_apps(listed.apps, APPS)
    assert [(m.grade, m.item) for m in matches] == [("package", strong), ("name", "the truth spy")]
    assert matches[1].app == "TheTruthSpy" and matches[1].strength == "weak"


@pytest.mark.parametrize(
    "build",
    [
        lambda: pm_list(list(CLEAN_PACKAGES)),
        lambda: pm_list(list(CLEAN_PACKAGES), installer=False, uid=False),
        lambda: androidqf([(p, "AB" * 20) for p in CLEAN_PACKAGES]),
        lambda: b"WhatsApp\nSignal\nBBC iPlayer\n",
    ],
    ids=["pm-list", "pm-list-bare", "androidqf", "names"],
)
def test_clean_phones_match_nothing(build):
    data = build()
    assert not (set(CLEAN_PACKAGES) & ALL_PACKAGES)
    assert "AB" * 20 not in ALL_CERTIFICATES
    assert ioc.match_apps(phone.read_app_list(data, name="clean").apps, APPS) == []


# --- storing: indicators, findings ------------------------------------------------------------


@pytest.fixture
def indicator_set(operator):
    return services.load_indicators(
        actor=operator,
        files=[(n, (ECHAP / n).read_bytes()) for n in ("ioc.yaml", "watchware.yaml")],
        source="ioc.yaml, watchware.yaml",
        version="a04c5c1",
        data_date=date(2026, 6, 21),
    )


def test_loading_indicators_keeps_a_versioned_set(indicator_set):
    assert indicator_set.app_count == len(APPS)
    assert indicator_set.version == "ioc.yaml a04c5c1, watchware.yaml a04c5c1"
    assert str(indicator_set.data_date) == "2026-06-21"
    assert indicator_set.loaded_at is not None
    assert AuditRecord.objects.filter(action="indicators.loaded").count() == 1


def test_only_the_operator_loads_indicators_and_bad_files_store_nothing(owner, operator):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.load_indicators(actor=owner, files=[("ioc.yaml", b"- name: A\n")], source="x")
    with pytest.raises(ValidationError) as caught:
        services.load_indicators(
            actor=operator,
            files=[("ioc.yaml", b"- name: A\n"), ("w.yaml", b"- nom: B\n")],
            source="x",
        )
    assert "w.yaml, entry 1: 'name' is missing" in caught.value.messages[0]
    assert not IndicatorSet.objects.exists()


def test_a_finding_is_saved_as_an_incident_with_the_list_as_exhibit(vault, indicator_set):
    _, strong = _strong_package()
    data = pm_list([*CLEAN_PACKAGES, strong])
    incident = services.save_app_finding(
        actor=vault.owner, vault=vault, data=data, name="apps.txt", indicator_set=indicator_set
    )
    assert incident.acts == ",d,"
    assert strong in incident.description
    assert "Echap, stalkerware-indicators" in incident.description
    assert "a04c5c1" in incident.description
    exhibit = Exhibit.objects.get(incident=incident)
    assert exhibit.original_name == "apps.txt"
    assert exhibit.size == len(data)
    actions = list(
        AuditRecord.objects.filter(vault_id=vault.pk)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == ["incident.created", "exhibit.added"]


def test_a_list_with_no_match_or_malformed_stores_nothing(vault, indicator_set):
    before = (Incident.objects.count(), Exhibit.objects.count(), LedgerEntry.objects.count())
    for data in (pm_list(list(CLEAN_PACKAGES)), b"package:com.a.b\nnonsense\n"):
        with pytest.raises(ValidationError):
            services.save_app_finding(
                actor=vault.owner,
                vault=vault,
                data=data,
                name="apps.txt",
                indicator_set=indicator_set,
            )
    assert (
        Incident.objects.count(),
        Exhibit.objects.count(),
        LedgerEntry.objects.count(),
    ) == before


# --- the pages --------------------------------------------------------------------------------


def test_the_page_gives_the_safety_advice_first_and_credits_echap(
    owner_client, vault, indicator_set
):
    page = owner_client.get(reverse("checks:check", args=[vault.pk])).content.decode()
    advice = page.index("Removing stalkerware can alert the person")
    assert advice < page.index("Check the apps on my phone")
    assert "Talk to a stalking advocate" in page and "Keep the phone as evidence" in page
    assert "Echap, stalkerware-indicators" in page and "a04c5c1" in page
    assert "21 June 2026" in page


def test_checking_on_the_page_then_saving(owner_client, vault, indicator_set):
    _, strong = _strong_package()
    answer = owner_client.post(
        reverse("checks:apps", args=[vault.pk]),
        {"pasted": f"WhatsApp\n{strong}\n", "format": "auto"},
    )
    page = answer.content.decode()
    assert answer.status_code == 200
    assert strong in page and "Echap, stalkerware-indicators" in page
    assert "Removing stalkerware can alert" in page
    pending = PendingCheck.objects.get()
    # Until she decides, the check page offers it again.
    waiting = owner_client.get(reverse("checks:check", args=[vault.pk])).content.decode()
    assert "Checks you have not finished" in waiting and "App list app-list.txt" in waiting
    assert str(pending.pk) in waiting
    saved = owner_client.post(
        reverse("checks:apps-save", args=[vault.pk]), {"check_id": pending.pk, "action": "save"}
    )
    incident = Incident.objects.get(vault=vault)
    assert saved.status_code == 302 and saved.url == reverse("vault:incident", args=[incident.pk])
    assert Exhibit.objects.get(incident=incident).original_name == "app-list.txt"
    assert not PendingCheck.objects.exists()


def test_a_clean_or_malformed_list_on_the_page_keeps_nothing(
    owner_client, vault, indicator_set, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    clean = owner_client.post(
        reverse("checks:apps", args=[vault.pk]), {"pasted": "WhatsApp\nSignal\n"}
    )
    assert clean.status_code == 200
    assert "Nothing on the list is named as stalkerware" in clean.content.decode()
    bad = owner_client.post(
        reverse("checks:apps", args=[vault.pk]),
        {"file": SimpleUploadedFile("packages.json", b'[{"name": "com.a.b"}, {"uid": 3}]')},
    )
    assert bad.status_code == 400
    assert "packages.json, item 2: &#x27;name&#x27; is missing" in bad.content.decode()
    assert not PendingCheck.objects.exists()
    assert not Incident.objects.exists() and not Exhibit.objects.exists()


def test_putting_a_finding_aside_deletes_the_kept_file(owner_client, vault, indicator_set):
    from cairn.store.blobs import default_store

    _, strong = _strong_package()
    owner_client.post(reverse("checks:apps", args=[vault.pk]), {"pasted": strong})
    pending = PendingCheck.objects.get()
    assert default_store().exists(str(vault.pk), pending.staged_sha256)
    owner_client.post(
        reverse("checks:apps-save", args=[vault.pk]), {"check_id": pending.pk, "action": "discard"}
    )
    assert not PendingCheck.objects.exists()
    assert not default_store().exists(str(vault.pk), pending.staged_sha256)
    assert not Incident.objects.exists()


def test_another_user_cannot_save_the_owners_check(
    client, colleague, other_vault, vault, indicator_set, owner_client
):
    _, strong = _strong_package()
    owner_client.post(reverse("checks:apps", args=[vault.pk]), {"pasted": strong})
    pending = PendingCheck.objects.get()
    client.force_login(colleague)
    refused = client.post(
        reverse("checks:apps-save", args=[other_vault.pk]),
        {"check_id": pending.pk, "action": "save"},
    )
    assert refused.status_code == 404
    assert PendingCheck.objects.filter(pk=pending.pk).exists()


# --- the command ------------------------------------------------------------------------------


def test_the_command_loads_indicators_checks_and_saves(vault, tmp_path):
    runner = CliRunner()
    loaded = runner.invoke(
        cli,
        [
            "indicators",
            "update",
            "--file",
            str(ECHAP / "ioc.yaml"),
            "--file",
            str(ECHAP / "watchware.yaml"),
            "--version",
            "a04c5c1",
            "--date",
            "2026-06-21",
        ],
    )
    assert loaded.exit_code == 0, loaded.output
    assert "version ioc.yaml a04c5c1, watchware.yaml a04c5c1, dated 2026-06-21" in loaded.output
    _, strong = _strong_package()
    apps = tmp_path / "apps.txt"
    apps.write_bytes(pm_list([*CLEAN_PACKAGES, strong]))
    checked = runner.invoke(cli, ["check", "apps", str(apps), "--save"])
    assert checked.exit_code == 0, checked.output
    assert strong in checked.stdout
    assert "Removing stalkerware, or signing someone out" in checked.stderr
    assert (
        "Echap, stalkerware-indicators (CC-BY 4.0), version ioc.yaml a04c5c1, "
        "watchware.yaml a04c5c1" in checked.stdout
    )
    assert "Saved as incident 1" in checked.stdout
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"package:com.a.b\nhello\n")
    refused = runner.invoke(cli, ["check", "apps", str(bad), "--save"])
    assert refused.exit_code == 1
    assert refused.stderr.strip().splitlines()[-1] == (
        "cairn: file: bad.txt, line 2: expected 'package:' and a package name (the output "
        "of adb shell pm list packages)"
    )
    assert Incident.objects.count() == 1


def test_the_command_fails_in_one_line_when_offline(db, monkeypatch):
    from cairn.checks import services as check_services

    def offline(url):
        raise check_services.IndicatorsUnavailable(f"could not fetch {url} (offline)")

    monkeypatch.setattr(check_services, "_get", offline)
    result = CliRunner().invoke(cli, ["indicators", "update"])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cairn: indicators: could not fetch https://")
    assert not IndicatorSet.objects.exists()


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=200),
        st.lists(
            st.sampled_from(
                [
                    "package:",
                    "com.a.b",
                    " installer=",
                    "null",
                    " uid:",
                    "12",
                    "x",
                    "\n",
                    "[",
                    "]",
                    "{",
                    "}",
                    '"name": ',
                    '"com.x"',
                    '"files": ',
                    '"certificate": ',
                    '"Sha1": ',
                    '"' + "ab" * 20 + '"',
                    ",",
                    "1e400",
                    "true",
                    "/data/app/a.apk=",
                    "=",
                ]
            ),
            max_size=30,
        ).map(lambda parts: "".join(parts).encode()),
    )
)
def test_any_app_list_is_read_or_refused_with_a_clear_error(data):
    try:
        listed = phone.read_app_list(data, name="x")
    except CheckInputError as exc:
        assert exc.where.startswith("x")
        return
    assert listed.apps
    ioc.match_apps(listed.apps, APPS)


def test_fetching_names_the_set_by_the_upstream_commit_and_its_date(operator, monkeypatch):
    from cairn.checks import services as check_services

    answers = {
        check_services.RAW_BASE + name: (ECHAP / name).read_bytes()
        for name in check_services.INDICATOR_FILES
    }
    answers[check_services.COMMITS_URL] = json.dumps(
        {"sha": "a04c5c1" + "0" * 33, "commit": {"committer": {"date": "2026-06-21T09:30:00Z"}}}
    ).encode()
    asked: list[str] = []

    def fake_get(url):
        asked.append(url)
        return answers[url]

    monkeypatch.setattr(check_services, "_get", fake_get)
    loaded = check_services.fetch_indicators(actor=operator)
    assert asked[0].startswith("https://raw.githubusercontent.com/AssoEchap/")
    assert loaded.version == f"ioc.yaml a04c5c1{'0' * 33}, watchware.yaml a04c5c1{'0' * 33}"
    assert str(loaded.data_date) == "2026-06-21"
    assert loaded.source == check_services.RAW_BASE
    assert loaded.app_count == len(APPS)


def test_fetching_without_the_commit_names_the_set_by_its_files(operator, monkeypatch):
    from cairn.checks import services as check_services

    answers = {
        check_services.RAW_BASE + name: (ECHAP / name).read_bytes()
        for name in check_services.INDICATOR_FILES
    }

    def fake_get(url):
        if url == check_services.COMMITS_URL:
            raise check_services.IndicatorsUnavailable("offline")
        return answers[url]

    monkeypatch.setattr(check_services, "_get", fake_get)
    loaded = check_services.fetch_indicators(actor=operator)
    assert loaded.version.startswith("ioc.yaml sha256:") and loaded.data_date is None
    assert ", watchware.yaml sha256:" in loaded.version
    assert loaded.app_count == len(APPS)
