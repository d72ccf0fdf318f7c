"""The operator's commands from a shell: organisations, units and roles, API tokens and the web
server, run as the installed ``cairn`` on a copy of the demo data directory (whose force,
Northshire Police, has a stalking unit and three officers with two-factor devices). The
README's "HTTP API" section is followed word for word, with ``curl``'s request made here."""

from __future__ import annotations

import json
import re
import socket
import urllib.error
import urllib.request

import pytest

from tests.shell import DataDir, bad_input, ok, one_line_error, usual


@pytest.fixture
def demo(shell_demo):
    return shell_demo


def unit_id(data: DataDir, name: str) -> str:
    listing = ok(data("org", "list")).stdout
    organisation = listing.split(f"  {name} (")[1]
    return re.search(r"unit (\S+)", organisation)[1]


def get(address: str, path: str, token: str) -> tuple[int, dict]:
    """``curl -H "Authorization: Bearer $TOKEN" ADDRESS/PATH``: the status and the JSON."""
    assert address.startswith("http://127.0.0.1:")
    request = urllib.request.Request(  # noqa: S310 (checked above)
        address + path,
        headers={"Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {}


# --- organisations ----------------------------------------------------------------------------


@usual("org create", "org unit", "org list")
@bad_input("org create", "org unit", "org list")
def test_an_organisation_and_its_unit(demo):
    created = ok(demo("org", "create", "Southshire Police", "--kind", "police"))
    assert re.match(
        r"Created organisation \S+ Southshire Police \(Police force\)\.", created.stdout
    )
    assert ok(demo("org", "unit", "Southshire Police", "Stalking Unit")).stdout.startswith(
        "Created unit "
    )
    one_line_error(demo("org", "create", "", "--kind", "police"), "name:")
    one_line_error(demo("org", "create", "Army", "--kind", "army"), "'--kind'", "army")
    one_line_error(
        demo("org", "unit", "Nowhere Police", "Unit"), "organisation:", "'Nowhere Police'"
    )
    one_line_error(demo("org", "list", "everything"), "unexpected extra argument")
    listing = ok(demo("org", "list")).stdout
    assert "Northshire Police" in listing and "Southshire Police" in listing
    assert unit_id(demo, "Southshire Police") != unit_id(demo, "Northshire Police (demo)")
    assert "Army" not in listing


@usual("org grant", "org invite", "org reset-two-factor")
@bad_input("org grant", "org invite", "org reset-two-factor")
def test_roles_invitations_and_two_factor_resets(demo):
    unit = unit_id(demo, "Northshire Police (demo)")
    granted = ok(demo("org", "grant", "di.reed", "--unit", unit, "--role", "investigator"))
    assert granted.stdout.startswith("di.reed is now investigator in Stalking Unit")
    assert "cairn user set-password di.reed" in granted.stdout
    invited = ok(
        demo(
            "org",
            "invite",
            "--unit",
            unit,
            "--role",
            "analyst",
            "--base-url",
            "https://cairn.example.org",
        )
    )
    assert re.fullmatch(r"https://cairn\.example\.org/invite/\S+/\n", invited.stdout)
    reset = ok(demo("org", "reset-two-factor", "demo.analyst", "--yes"))
    assert reset.stdout.startswith("Removed 1 authenticator app(s) for demo.analyst.")
    one_line_error(
        demo("api", "token", "create", "demo.analyst", "--name", "x"), "user:", "two-factor"
    )  # no token without a confirmed device
    one_line_error(
        demo("org", "grant", "di.reed", "--unit", "zzz", "--role", "analyst"), "unit:", "'zzz'"
    )
    one_line_error(
        demo("org", "grant", "di.reed", "--unit", unit, "--role", "boss"), "'--role'", "boss"
    )
    one_line_error(
        demo("org", "invite", "--unit", unit, "--role", "analyst", "--base-url", "not an address"),
        "base-url:",
        "'not an address'",
    )
    one_line_error(demo("org", "reset-two-factor", "nobody", "--yes"), "user:", "'nobody'")
    one_line_error(demo("org", "reset-two-factor", "demo.supervisor"), "stopped")


# --- the HTTP API and the server --------------------------------------------------------------


@usual("api token create", "api token list", "api token revoke", "serve")
@bad_input("api token create", "api token list", "api token revoke")
def test_the_readme_http_api_section(demo):
    made = ok(demo("api", "token", "create", "demo.investigator", "--name", "case system"))
    token = made.stdout.strip()
    assert re.fullmatch(r"cairn_\S+", token) and "shown only this once" in made.stderr
    with demo.serving("serve") as address:
        status, cases = get(address, "/api/cases", token)
        assert status == 200
        assert [case["reference"] for case in cases["items"]] == ["NS/2026/0042"]
        assert get(address, "/api/cases", "cairn_not-a-token")[0] == 401
        status, document = get(address, "/api/openapi.json", token)
        assert status == 200 and "/api/cases" in document["paths"]
        listed = ok(demo("api", "token", "list", "demo.investigator")).stdout
        assert "case system" in listed and "live" in listed
        revoked = ok(demo("api", "token", "revoke", "demo.investigator", "--name", "case system"))
        assert revoked.stdout == "Token 'case system' of demo.investigator revoked.\n"
        assert get(address, "/api/cases", token)[0] == 401
    one_line_error(demo("api", "token", "create", "nobody", "--name", "x"), "user:", "'nobody'")
    ok(demo("api", "token", "create", "demo", "--name", "phone"))
    one_line_error(demo("api", "token", "create", "demo", "--name", "phone"), "name:", "'phone'")
    one_line_error(demo("api", "token", "list", "nobody"), "user:", "'nobody'")
    one_line_error(
        demo("api", "token", "revoke", "demo.investigator", "--name", "case system"),
        "name:",
        "no live token",
    )


@bad_input("serve")
def test_serve_refuses_a_busy_port_or_an_unknown_host_in_one_line(demo):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        taken = demo("serve", "--no-worker", "--port", port)
    one_line_error(taken, "serve:", f"port {port}")
    assert "is running" not in taken.stdout
    elsewhere = demo("serve", "--no-worker", "--host", "192.0.2.1")  # not this computer's
    one_line_error(elsewhere, "serve:", "192.0.2.1")
    one_line_error(demo("serve", "--port", "0"), "'--port'")
