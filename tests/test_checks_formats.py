"""The phone check's inputs (issue 13, point 6): ``adb shell dumpsys package`` output and
AndroidQF acquisition zips are read; anything else is refused with a message listing what is
read, never reported as "nothing matched"; indicator files add up to one set.

The indicators are Echap's real ``ioc.yaml`` and ``watchware.yaml``
(AssoEchap/stalkerware-indicators @a04c5c1, CC-BY 4.0: Echap, stalkerware-indicators). The
phone outputs are built to the layouts their tools document and print:

- ``dumpsys package``: AOSP's package manager dump (``Packages:``, ``Package [name] (id):``
  blocks of indented ``key=value`` lines with ``userId=``, ``installerPackageName=`` and
  ``signatures=PackageSignatures{...}``; ``Hidden system packages:``; in a whole ``dumpsys``,
  the ``DUMP OF SERVICE package:`` section);
- AndroidQF (mvt-project/androidqf, README and docs/acquisition-archives.md): a zip named by
  the acquisition's UUID holding ``acquisition.json``, ``packages.json``, ``getprop.txt``,
  ``settings_*.txt``, ``processes.txt``, ``services.txt``, ``logcat.txt``, ``dumpsys.txt``,
  ``hashes.csv`` and ``command.log``; older versions wrote a folder, zipped by hand.

Each test fails on the code before issue 13: dumpsys output was read as a list of app names
(and its stalkerware missed), a zip was refused as not UTF-8, output in no known format was
checked as names, and loading watchware.yaml replaced the ioc.yaml set.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.urls import reverse

from cairn.checks import indicators as ioc
from cairn.checks import phone, services
from cairn.checks.errors import CheckInputError
from cairn.checks.models import IndicatorSet
from tests.test_import_email import cairn_in

ECHAP = Path(__file__).resolve().parent / "fixtures" / "third_party" / "stalkerware-indicators"
IOC = ioc.parse_indicator_file((ECHAP / "ioc.yaml").read_bytes(), name="ioc.yaml")
WATCHWARE = ioc.parse_indicator_file((ECHAP / "watchware.yaml").read_bytes(), name="watchware.yaml")
STALKERWARE = "com.mxspy"  # TheTruthSpy, in ioc.yaml
WATCHING = "com.wondershare.famisafe"  # FamiSafe, in watchware.yaml
TRUTHSPY_SHA1 = "31A6ECECD97CF39BC4126B8745CD94A7C30BF81C"
CLEAN = [
    "com.whatsapp",
    "org.thoughtcrime.securesms",
    "com.spotify.music",
    "uk.co.bbc.iplayer",
    "com.android.chrome",
    "com.google.android.gm",
    "com.samsung.android.messaging",
    "com.instagram.android",
    "com.facebook.katana",
    "com.duolingo",
    "org.mozilla.firefox",
    "com.microsoft.teams",
    "com.google.android.apps.maps",
    "com.booking",
    "uk.gov.hmrc.ptcalc",
    "com.nianticlabs.pokemongo",
    "com.king.candycrushsaga",
]


# == adb shell dumpsys package =============================================================


def package_block(
    name: str, number: int, *, installer: str | None, signature: str, modern: bool = True
) -> str:
    signatures = (
        f"PackageSignatures{{{number:07x} version:2, signatures:[{signature}], past signatures:[]}}"
        if modern
        else f"PackageSignatures{{{number:07x} [{signature}]}}"
    )
    lines = [
        f"  Package [{name}] ({number * 7919:x}):",
        f"    userId={10100 + number}",
        f"    pkg=Package{{{number * 31:x} {name}}}",
        f"    codePath=/data/app/~~{number}Qx==/{name}-Zm9v==",
        f"    resourcePath=/data/app/~~{number}Qx==/{name}-Zm9v==",
        "    primaryCpuAbi=arm64-v8a",
        "    secondaryCpuAbi=null",
        f"    versionCode={1000 + number} minSdk=24 targetSdk=33",
        f"    versionName=1.{number}.0",
        "    splits=[base]",
        "    apkSigningVersion=2",
        f"    applicationInfo=ApplicationInfo{{{number * 97:x} {name}}}",
        "    flags=[ HAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP ]",
        f"    dataDir=/data/user/0/{name}",
        "    timeStamp=2024-03-01 10:00:00",
        "    firstInstallTime=2024-03-01 10:00:01",
        "    lastUpdateTime=2024-03-01 10:00:01",
    ]
    if installer is not None:
        lines.append(f"    installerPackageName={installer}")
    lines += [
        f"    signatures={signatures}",
        "    installPermissionsFixed=true",
        "    pkgFlags=[ HAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP ]",
        "    requested permissions:",
        "      android.permission.INTERNET",
        "      android.permission.ACCESS_FINE_LOCATION",
        "    install permissions:",
        "      android.permission.INTERNET: granted=true",
        "    User 0: ceDataInode=4242 installed=true hidden=false suspended=false "
        "distractionFlags=0 stopped=false notLaunched=false enabled=0 instant=false "
        "virtual=false",
        "      runtime permissions:",
        "        android.permission.ACCESS_FINE_LOCATION: granted=true, flags=[ USER_SET ]",
    ]
    return "\n".join(lines)


def dumpsys(packages: list[str], *, certificate_for: str = "", modern: bool = True) -> str:
    """``adb shell dumpsys package`` as Android prints it. The stalkerware is sideloaded (no
    installer); ``certificate_for`` gets a SHA-1 fingerprint where Android prints a hash."""
    blocks = []
    for number, name in enumerate(packages, start=1):
        sideloaded = name in (STALKERWARE, WATCHING)
        signature = (
            TRUTHSPY_SHA1.lower()
            if name == certificate_for
            else f"{(number * 2654435761) % 2**32:x}"
        )
        blocks.append(
            package_block(
                name,
                number,
                installer=None if sideloaded else "com.android.vending",
                signature=signature,
                modern=modern,
            )
        )
    return (
        "\n".join(
            [
                "Activity Resolver Table:",
                "  Non-Data Actions:",
                "      android.intent.action.MAIN:",
                # A package named elsewhere in the dump is not a package of the list.
                "        5b5e6c8 com.thetruth/.MainActivity filter 8c2a6e1",
                '          Action: "android.intent.action.MAIN"',
                "",
                "Key Set Manager:",
                "  [com.whatsapp]",
                "      Signing KeySets: 12",
                "",
                "Packages:",
                *blocks,
                "",
                # An updated system app is listed again, as the phone shipped it.
                "Hidden system packages:",
                package_block(packages[0], 99, installer=None, signature="5ac0ffee"),
                "",
                "Shared users:",
                "  SharedUser [android.uid.system] (1a2b3c):",
                "    userId=1000",
                "",
            ]
        )
        + "\n"
    )


def test_dumpsys_output_is_read_as_packages_with_installer_uid_and_signatures():
    listed = phone.read_app_list(dumpsys([*CLEAN, STALKERWARE]).encode(), name="dumpsys.txt")
    assert listed.format == "dumpsys"
    assert [a.identifier for a in listed.apps] == [*CLEAN, STALKERWARE]
    whatsapp, spy = listed.apps[0], listed.apps[-1]
    assert (whatsapp.installer, whatsapp.uid, whatsapp.where) == (
        "com.android.vending",
        10101,
        "line 12",
    )
    assert (spy.installer, spy.uid) == ("", 10100 + len(CLEAN) + 1)
    # Android prints a hash of the certificate, not a fingerprint: kept, never matched.
    assert whatsapp.certificates == () and whatsapp.signature_ids[0] == "9e3779b1"


def test_a_stalkerware_package_in_dumpsys_output_is_found_not_nothing_matched():
    """The issue's case: 160 lines and more of dumpsys were read as app names, and the
    stalkerware inside reported as "Nothing in 160 items matched"."""
    assert any(STALKERWARE in app.packages and TRUTHSPY_SHA1 in app.certificates for app in IOC)
    assert any(WATCHING in app.packages for app in WATCHWARE)
    assert not {p for app in [*IOC, *WATCHWARE] for p in app.packages} & set(CLEAN)
    text = dumpsys([*CLEAN, STALKERWARE])
    assert len(text.splitlines()) > 160
    matches = ioc.match_apps(
        phone.read_app_list(text.encode(), name="d.txt").apps, [*IOC, *WATCHWARE]
    )
    assert [(m.app, m.grade, m.item, m.strength, m.installer) for m in matches] == [
        ("TheTruthSpy", "package", STALKERWARE, "medium", "")
    ]


def test_a_certificate_fingerprint_in_dumpsys_is_matched_as_the_strongest_sign():
    text = dumpsys(
        ["com.example.battery.saver", *CLEAN],
        certificate_for="com.example.battery.saver",
        modern=False,
    )
    matches = ioc.match_apps(phone.read_app_list(text.encode(), name="d.txt").apps, IOC)
    assert [(m.app, m.grade, m.item) for m in matches] == [
        ("TheTruthSpy", "certificate", "com.example.battery.saver")
    ]


def test_the_package_section_of_a_whole_dumpsys_is_read():
    whole = "\n".join(
        [
            "Currently running services:",
            "  package",
            "  activity",
            "-" * 78,
            "DUMP OF SERVICE activity:",
            "ACTIVITY MANAGER SETTINGS (dumpsys activity settings)",
            "  max_cached_processes=32",
            "-" * 78,
            "DUMP OF SERVICE package:",
            dumpsys([*CLEAN[:3], STALKERWARE]),
            "-" * 78,
            "DUMP OF SERVICE usagestats:",
            "  package=com.ignored.elsewhere totalTime=1",
        ]
    )
    listed = phone.read_app_list(whole.encode(), name="dumpsys.txt")
    assert listed.format == "dumpsys"
    assert [a.identifier for a in listed.apps] == [*CLEAN[:3], STALKERWARE]


# == An AndroidQF acquisition ==============================================================


def packages_json(packages: list[str], *, certificate_for: str = "") -> bytes:
    items = []
    for number, name in enumerate(packages):
        sha1 = TRUTHSPY_SHA1 if name == certificate_for else f"{number:040x}"
        items.append(
            {
                "name": name,
                "installer": "null" if name == certificate_for else "com.android.vending",
                "uid": 10100 + number,
                "disabled": False,
                "system": False,
                "third_party": True,
                "files": [
                    {
                        "path": f"/data/app/~~x==/{name}-y==/base.apk",
                        "local_name": "",
                        "md5": "",
                        "sha1": "",
                        "sha256": "",
                        "sha512": "",
                        "error": "",
                        "verified_certificate": True,
                        "certificate": {
                            "Md5": "",
                            "Sha1": sha1.lower(),
                            "Sha256": "",
                            "ValidFrom": "2019-01-01T00:00:00Z",
                            "ValidTo": "2049-01-01T00:00:00Z",
                            "Issuer": "CN=Android",
                            "Subject": "CN=Android",
                            "SignatureAlgorithm": "SHA256-RSA",
                            "SerialNumber": 1,
                        },
                        "certificate_error": "",
                        "trusted_certificate": False,
                    }
                ],
            }
        )
    return json.dumps(items, indent=1).encode()


UUID = "5f0c8a4e-3b2d-4d6e-9a1f-2c7b8e9d0a11"


def acquisition(members: dict[str, bytes], *, folder: str = "") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(folder + name, data)
    return out.getvalue()


def androidqf_members(packages: bytes | None, *, with_dumpsys: str = "") -> dict[str, bytes]:
    members = {
        "getprop.txt": b"[ro.build.version.release]: [13]\n[ro.product.model]: [Pixel 6a]\n",
        "settings_secure.txt": b"android_id=0a1b2c3d4e5f\n",
        "settings_global.txt": b"adb_enabled=1\n",
        "processes.txt": b"USER PID PPID VSZ RSS WCHAN ADDR S NAME\n"
        b"u0_a101      4242   678 1234567 98765 0 0 S com.whatsapp\n",
        "services.txt": b"Found 1 services:\n0\tphone: [com.android.internal.telephony]\n",
        "logcat.txt": b"--------- beginning of main\n",
        "dumpsys.txt": with_dumpsys.encode(),
        "command.log": b'level=debug msg="adb shell pm list packages"\n',
    }
    if packages is not None:
        members["packages.json"] = packages
    members["acquisition.json"] = json.dumps(
        {
            "uuid": UUID,
            "androidqf_version": "1.8.1",
            "storage_path": "",
            "started": "2024-06-01T10:00:00Z",
            "completed": "2024-06-01T10:12:00Z",
            "collector": None,
            "tmp_dir": "/data/local/tmp/",
            "sdcard": "/sdcard/",
            "cpu": "arm64-v8a",
        }
    ).encode()
    members["hashes.csv"] = "".join(f"{name},{'0' * 64}\n" for name in members).encode()
    return members


@pytest.mark.parametrize("folder", ["", f"{UUID}/"], ids=["zip", "zipped-folder"])
def test_an_androidqf_zip_is_read_from_its_packages_json(folder):
    data = acquisition(
        androidqf_members(
            packages_json(
                [*CLEAN, "com.example.battery.saver", WATCHING],
                certificate_for="com.example.battery.saver",
            )
        ),
        folder=folder,
    )
    listed = phone.read_app_list(data, name=f"{UUID}.zip")
    assert listed.format == "androidqf"
    matches = ioc.match_apps(listed.apps, [*IOC, *WATCHWARE])
    assert [(m.app, m.grade, m.item, m.where) for m in matches] == [
        (
            "TheTruthSpy",
            "certificate",
            "com.example.battery.saver",
            f"{folder}packages.json, item {len(CLEAN) + 1}",
        ),
        ("FamiSafe", "package", WATCHING, f"{folder}packages.json, item {len(CLEAN) + 2}"),
    ]


def test_an_androidqf_zip_without_packages_json_is_read_from_its_dumpsys():
    whole = "DUMP OF SERVICE package:\n" + dumpsys([*CLEAN[:4], STALKERWARE])
    listed = phone.read_app_list(
        acquisition(androidqf_members(None, with_dumpsys=whole)), name="acquisition.zip"
    )
    assert listed.format == "androidqf"
    assert STALKERWARE in [a.identifier for a in listed.apps]


def test_an_encrypted_acquisition_is_refused_saying_how_to_decrypt_it():
    with pytest.raises(CheckInputError) as caught:
        phone.read_app_list(b"age-encryption.org/v1\n-> X25519 abc\n", name=f"{UUID}.zip.age")
    assert "age --decrypt" in caught.value.message


# == Anything else is refused, listing what is read ========================================


def _ps() -> bytes:
    return (
        b"USER           PID  PPID     VSZ    RSS WCHAN            ADDR S NAME\n"
        b"root             1     0 12345678  9876 0                   0 S init\n"
        b"u0_a101     4242   678 1234567  98765 0                   0 S com.whatsapp\n"
    )


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (_ps(), "processes.txt"),
        (b"[ro.build.version.release]: [13]\n[ro.product.model]: [Pixel 6a]\n", "getprop.txt"),
        (b"adb_enabled=1\nandroid_id=0a1b2c3d\n", "settings_global.txt"),
        (json.dumps({"uuid": UUID, "androidqf_version": "1.8.1"}).encode(), "acquisition.json"),
        (acquisition({"photo.jpg": b"\xff\xd8\xff", "notes.txt": b"hello"}), "holiday.zip"),
        (dumpsys(["com.whatsapp"]).encode().replace(b"Package [", b"Pkg ["), "odd-dump.txt"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "screenshot.png"),
    ],
    ids=["ps", "getprop", "settings", "acquisition-json", "photos-zip", "unknown-dump", "not-text"],
)
def test_output_in_no_format_read_is_refused_listing_the_formats(data, name):
    with pytest.raises(CheckInputError) as caught:
        phone.read_app_list(data, name=name)
    assert caught.value.where.startswith(name)
    for description in phone.FORMAT_DESCRIPTIONS.values():
        assert description in caught.value.message


def test_a_windows_powershell_list_in_utf16_is_read():
    text = (
        "package:com.whatsapp installer=com.android.vending uid:10101\r\n"
        f"package:{STALKERWARE} installer=null uid:10150\r\n"
    )
    listed = phone.read_app_list(b"\xff\xfe" + text.encode("utf-16-le"), name="apps.txt")
    assert [a.identifier for a in listed.apps] == ["com.whatsapp", STALKERWARE]


# == Indicator files add up to one set =====================================================


@pytest.fixture
def ioc_then_watchware(operator):
    first = services.load_indicators(
        actor=operator,
        files=[("ioc.yaml", (ECHAP / "ioc.yaml").read_bytes())],
        source="ioc.yaml",
        version="a04c5c1",
        data_date=date(2026, 6, 21),
    )
    second = services.load_indicators(
        actor=operator,
        files=[("watchware.yaml", (ECHAP / "watchware.yaml").read_bytes())],
        source="watchware.yaml",
        version="b7e9d20",
        data_date=date(2026, 7, 2),
    )
    return first, second


def test_loading_watchware_after_ioc_adds_to_the_set(ioc_then_watchware):
    first, second = ioc_then_watchware
    assert first.app_count == len(IOC)
    assert second.app_count == len(IOC) + len(WATCHWARE)
    assert second.version == "ioc.yaml a04c5c1, watchware.yaml b7e9d20"
    assert [f["name"] for f in second.files] == ["ioc.yaml", "watchware.yaml"]
    assert second.data_date == date(2026, 6, 21)  # the oldest of its files
    items = phone.read_app_list(
        dumpsys([*CLEAN[:5], STALKERWARE, WATCHING]).encode(), name="d.txt"
    ).apps
    found = services.check_apps(
        dumpsys([*CLEAN[:5], STALKERWARE, WATCHING]).encode(), name="d.txt", indicator_set=second
    ).matches
    assert len(items) == 7
    assert {(m.app, m.kind) for m in found} == {
        ("TheTruthSpy", "stalkerware"),
        ("FamiSafe", "watchware"),
    }


def test_loading_a_file_again_replaces_its_older_copy_and_replace_starts_afresh(
    ioc_then_watchware, operator
):
    newer = services.load_indicators(
        actor=operator,
        files=[("ioc.yaml", (ECHAP / "ioc.yaml").read_bytes())],
        source="ioc.yaml",
        version="c0ffee1",
    )
    assert newer.app_count == len(IOC) + len(WATCHWARE)
    assert newer.version == "ioc.yaml c0ffee1, watchware.yaml b7e9d20"
    alone = services.load_indicators(
        actor=operator,
        files=[("watchware.yaml", (ECHAP / "watchware.yaml").read_bytes())],
        source="watchware.yaml",
        replace=True,
    )
    assert alone.app_count == len(WATCHWARE)
    assert alone.version.startswith("watchware.yaml sha256:") and "ioc.yaml" not in alone.version
    assert IndicatorSet.objects.count() == 4  # every set stays, for findings that name it


def test_a_set_loaded_before_sets_added_up_is_kept_when_a_file_is_added(operator):
    from importlib import import_module

    from django.apps import apps as registry

    legacy = IndicatorSet.objects.create(
        source="ioc.yaml, watchware.yaml",
        version="a04c5c1",
        sha256="ab" * 32,
        app_count=len(IOC),
        apps=[app.as_plain() for app in IOC],
        loaded_by=operator,
    )
    migration = import_module("cairn.checks.migrations.0002_indicator_sets_add_up_files")
    migration.describe_earlier_sets(registry, None)
    legacy.refresh_from_db()
    assert legacy.files[0]["name"] == "ioc.yaml, watchware.yaml"
    added = services.load_indicators(
        actor=operator,
        files=[("watchware.yaml", (ECHAP / "watchware.yaml").read_bytes())],
        source="watchware.yaml",
        version="b7e9d20",
    )
    assert added.app_count == len(IOC) + len(WATCHWARE)
    assert added.version == "ioc.yaml, watchware.yaml a04c5c1, watchware.yaml b7e9d20"


# == As people meet it: the page and the installed command =================================


@pytest.mark.django_db
def test_the_page_names_each_format_and_reads_an_androidqf_zip(
    owner_client, vault, ioc_then_watchware
):
    page = owner_client.get(reverse("checks:check", args=[vault.pk])).content.decode()
    for description in phone.FORMAT_DESCRIPTIONS.values():
        assert description in page
    upload = io.BytesIO(acquisition(androidqf_members(packages_json([*CLEAN, WATCHING]))))
    upload.name = f"{UUID}.zip"
    result = owner_client.post(
        reverse("checks:apps", args=[vault.pk]), {"file": upload, "format": "auto"}
    )
    html = result.content.decode()
    assert result.status_code == 200
    assert "FamiSafe" in html and "an AndroidQF acquisition" in html
    refused = owner_client.post(
        reverse("checks:apps", args=[vault.pk]), {"pasted": _ps().decode(), "format": "auto"}
    )
    assert refused.status_code == 400
    assert "Cairn reads:" in refused.content.decode()
    assert "Nothing on the list" not in refused.content.decode()


def test_the_command_adds_indicator_files_reads_dumpsys_and_lists_its_formats(tmp_path):
    data = tmp_path / "data"
    assert (
        cairn_in(
            data, "vault", "create", "My log", "--initials", "AB", "--owner", "alex"
        ).returncode
        == 0
    )
    first = cairn_in(
        data, "indicators", "update", "--file", ECHAP / "ioc.yaml", "--version", "a04c5c1"
    )
    assert first.returncode == 0, first.stderr
    second = cairn_in(
        data, "indicators", "update", "--file", ECHAP / "watchware.yaml", "--version", "b7e9d20"
    )
    assert second.returncode == 0, second.stderr
    assert "version ioc.yaml a04c5c1, watchware.yaml b7e9d20" in second.stdout
    assert (
        f"holds 2 files: ioc.yaml ({len(IOC)} apps); watchware.yaml "
        f"({len(WATCHWARE)} apps)" in second.stdout
    )

    dump = tmp_path / "dumpsys.txt"
    dump.write_text(dumpsys([*CLEAN, STALKERWARE, WATCHING]))
    checked = cairn_in(data, "check", "apps", dump, "--json")
    assert checked.returncode == 0, checked.stderr
    result = json.loads(checked.stdout)
    assert (result["format"], result["items"]) == ("dumpsys", len(CLEAN) + 2)
    assert {(m["app"], m["item"]) for m in result["matches"]} == {
        ("TheTruthSpy", STALKERWARE),
        ("FamiSafe", WATCHING),
    }
    assert result["indicators"]["version"] == "ioc.yaml a04c5c1, watchware.yaml b7e9d20"

    processes = tmp_path / "processes.txt"
    processes.write_bytes(_ps())
    refused = cairn_in(data, "check", "apps", processes)
    assert refused.returncode == 1
    (line,) = refused.stderr.strip().splitlines()
    assert line.startswith("cairn: file: processes.txt, line 1:") and "Cairn reads:" in line
    assert "Nothing in" not in refused.stdout

    helped = cairn_in(data, "check", "apps", "--help")
    for name, description in phone.FORMAT_DESCRIPTIONS.items():
        assert name in helped.stdout and description in " ".join(helped.stdout.split())
