#!/usr/bin/env bash
# Known vulnerabilities in the exact versions Cairn runs with:
#   - Python: every package installed in .venv (pip freeze, i.e. what `make install` resolved
#     from pyproject.toml), checked by pip-audit against the PyPI advisory data
#     (https://pypi.org/pypi/<name>/<version>/json, fed by the PyPA advisory database);
#   - the front end: package-lock.json, checked by `npm audit` against the configured npm
#     registry's advisory endpoint (https://registry.npmjs.org by default).
# Both databases are online services: without them nothing can be checked.
#
#   scripts/audit.sh                  # make audit: advisory data out of reach is an error
#   scripts/audit.sh --if-reachable   # CI: says plainly what could not be checked, and
#                                     # does not fail for that reason alone
# A vulnerability found, or a package that could not be checked while the data was
# reachable, always fails.
set -euo pipefail
cd "$(dirname "$0")/.."
if_reachable=false
[ "${1:-}" = "--if-reachable" ] && if_reachable=true
python=.venv/bin/python
status=0

answers() {  # $1: "pypi", or the npm registry's address: does its advisory service answer?
  "$python" - "$1" <<'PY' >/dev/null 2>&1
import json, sys, urllib.request
from importlib.metadata import version

probe = sys.argv[1]
if probe == "pypi":
    # The advisories of a version installed here (a mirror may serve only some versions).
    url = f"https://pypi.org/pypi/django/{version('django')}/json"
    with urllib.request.urlopen(url, timeout=20) as answer:
        assert "vulnerabilities" in json.load(answer)
else:
    request = urllib.request.Request(
        probe.rstrip("/") + "/-/npm/v1/security/advisories/bulk",
        data=json.dumps({"govuk-frontend": ["5.0.0"]}).encode(), method="POST",
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=20) as answer:
        assert isinstance(json.load(answer), dict)
PY
}

not_checked() {  # $1: what could not be checked
  if $if_reachable; then
    echo "audit: NOT CHECKED: $1: the advisory database could not be reached from here," \
         "or does not know the installed versions."
  else
    echo "audit: $1 cannot be checked: the advisory database could not be reached, or" \
         "does not know the installed versions (make audit needs https://pypi.org and the" \
         "npm registry online)." >&2
    status=1
  fi
}

if answers pypi; then
  frozen=$(mktemp)
  trap 'rm -f "$frozen"' EXIT
  "$python" -m pip freeze --exclude-editable --disable-pip-version-check > "$frozen"
  echo "audit: the Python packages ($(wc -l < "$frozen") installed in .venv) against PyPI's" \
       "advisories"
  .venv/bin/pip-audit --requirement "$frozen" --no-deps --disable-pip --strict \
    --progress-spinner off || status=1
else
  not_checked "the Python packages"
fi

registry=$(npm config get registry)
if answers "$registry"; then
  echo "audit: the front-end packages (package-lock.json) against $registry's advisories"
  npm audit --package-lock-only --audit-level=low || status=1
else
  not_checked "the front-end packages"
fi
exit $status
