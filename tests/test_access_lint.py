"""Views, the CLI and other thin layers read through access functions, never Model.objects.

STYLE.md rule 3: one access function per object type; this test enforces it by reading the
source of every module that faces a user.
"""

from __future__ import annotations

import re
from pathlib import Path

import cairn

PACKAGE = Path(cairn.__file__).parent
THIN_LAYERS = [
    "vault/views",
    "vault/views.py",
    "web",
    "cli",
    "accounts/views.py",
    "accounts/org_views.py",
    "accounts/two_factor_views.py",
    "own/join_views.py",
    "own/views.py",
    "accounts/recovery_views.py",
    "accounts/passkey_views.py",
    "accounts/own_forms.py",
    "importers/views.py",
    "integrity/views.py",
    "analysis/views.py",
    "cases/victim_views.py",
    "cases/advocate_views.py",
    "cases/views.py",
    "cases/risk_views.py",
    "orders/views_applications.py",
    "orders/views_orders.py",
    "packs/views.py",
    "packs/statement_views.py",
    "api",
    "breaches/views.py",
    "breaches/victim_views.py",
    "breaches/templatetags",
    "orders/templatetags",
    "orders/views.py",
    "orders/calendar.py",
    "dashboard/views.py",
    "checks/views.py",
    "flags/views.py",
    "cameras/views.py",
    "cameras/police_views.py",
    "cameras/templatetags",
    "cameras/paperwork.py",
]
BARE_QUERY = re.compile(r"\b[A-Z][A-Za-z]+\.objects\b")
ALLOWED = {
    "cli/users.py": {"User.objects"},  # the CLI manages local accounts itself
    # The API's own token store and its one read for case officers (its access module).
    "api/tokens.py": {"ApiToken.objects", "TOTPDevice.objects"},
    "api/access.py": {"Membership.objects"},
}


def thin_layer_modules() -> list[Path]:
    found: list[Path] = []
    for name in THIN_LAYERS:
        path = PACKAGE / name
        if path.is_dir():
            found.extend(sorted(path.rglob("*.py")))
        elif path.is_file():
            found.append(path)
    return found


def test_thin_layers_never_query_models_directly():
    offenders = []
    for module in thin_layer_modules():
        relative = module.relative_to(PACKAGE).as_posix()
        for number, line in enumerate(module.read_text(encoding="utf-8").splitlines(), 1):
            for match in BARE_QUERY.findall(line):
                if match not in ALLOWED.get(relative, set()):
                    offenders.append(f"{relative}:{number}: {match}")
    assert offenders == [], "use an access function instead:\n" + "\n".join(offenders)


def test_the_lint_sees_the_thin_layers():
    assert any(p.match("*/web/*.py") for p in thin_layer_modules())
    assert any(p.match("*/api/endpoints/*.py") for p in thin_layer_modules())
