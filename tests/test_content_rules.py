"""The content rules of docs/content.md, held on every template and on the pages of the demo
(issue 16, point 5).

- Every template: no media type printed raw, no ISO date formats, no ``isoformat``.
- Every page the demo's victim, investigator and analyst reach by following links from their
  home page (and the pages that only a form leads to: an import's review, a phone check's
  result, an account review, a pack's preview): no ISO timestamp, no media type, no Python
  ``None`` in what a reader sees or hears (text, titles, alt text, labels, SVG descriptions).
  Her pages also show no ISO date and no field name (``account_activity[2]``,
  ``date_unixtime``).
- Officers' pages speak to officers and analysts' pages carry none of a victim's text: no
  "Your log is private to you" on either.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

from cairn.checks import services as check_services
from cairn.checks.models import CheckKind
from cairn.demo import load_demo, load_demo_case
from cairn.importers import services as import_services
from tests.orgs import sign_in_verified
from tests.test_import_pipeline import CHAT

pytestmark = pytest.mark.django_db

ISO_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
MEDIA_TYPE = re.compile(
    r"\b(?:image|video|audio|text|application|message|multipart)/"
    r"[a-z0-9][a-z0-9.+-]*[a-z0-9]\b"
)
# Python's None printed into a page; English "None of these" or "None linked" is words.
PY_NONE = re.compile(r"\bNone\b(?! [a-z])")
# A name like ``date_unixtime`` or ``account_activity[2]``; not a file's name (``notes_x.txt``).
FIELD_NAME = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+(?:\[\d+\]|\b(?![.'\u2019\w]))")
# Downloads and scripts' endpoints: not pages.
NOT_PAGES = {
    "vault:exhibit-download",
    "vault:exhibit-image",
    "integrity:checkpoint",
    "packs:statement_download",
    "orders:spo-download",
    "breaches:breach-pack",
    "dashboard:csv",
    "orders:calendar",
    "importers:job-status",
    "accounts:sign-out",
    "web:leave",
    "accounts:passkey-options",
    "accounts:two-factor-passkey-options",
}
PER_NAME = {"analysis:topic": 12}


class _Seen(HTMLParser):
    """What a reader sees or hears: text outside scripts and styles, and the attributes read
    aloud (alt, title, aria-label, placeholder). A ``<pre>`` block is machine text shown to be
    copied exactly (a checkpoint), which docs/content.md allows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "pre"):
            self._skip += 1
        for name, value in attrs:
            if name in ("alt", "title", "aria-label", "placeholder") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "pre") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def seen_text(html: str) -> str:
    parser = _Seen()
    parser.feed(html)
    return "\n".join(parser.parts)


def problems_in(text: str, *, hers: bool) -> list[str]:
    checks = [("an ISO time", ISO_TIME), ("a media type", MEDIA_TYPE), ("None", PY_NONE)]
    if hers:
        checks += [("an ISO date", ISO_DATE), ("a field name", FIELD_NAME)]
    found = []
    for label, pattern in checks:
        for match in pattern.finditer(text):
            start = max(0, match.start() - 40)
            found.append(f"{label}: …{text[start : match.end() + 40]!s}…".replace("\n", " / "))
    return found


def crawl(client: Client, start: list[str], limit: int = 300) -> list[tuple[str, str, str]]:
    """(url, view name, html) of the pages reached from ``start`` by following links, at most
    three of each view (twelve topics of the pattern)."""
    queue, seen, per_view, pages = deque(start), set(), Counter(), []
    while queue and len(pages) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        try:
            name = resolve(urlsplit(url).path).view_name
        except Resolver404:
            continue
        if name in NOT_PAGES or per_view[name] >= PER_NAME.get(name, 3):
            continue
        per_view[name] += 1
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages.append((url, name, html))
        for href in re.findall(r'href="([^"#]*)"', html):
            href = unescape(href)
            if (
                href
                and (href.startswith("/") or href.startswith("?"))
                and not href.startswith("/static/")
            ):
                queue.append(urljoin(url, href))
    return pages


@pytest.fixture
def demo():
    vault = load_demo(now=timezone.now())
    case = load_demo_case(vault)
    owner = vault.owner
    batch = import_services.commit_import(
        actor=owner,
        vault=vault,
        source=CHAT.encode(),
        name="WhatsApp Chat with Mark.txt",
        format="whatsapp",
        owner="Alex",
    ).batch
    export = (
        b'{"account_activity_v2": [{"action": "Login", "timestamp": 1736071200, '
        b'"ip_address": "198.51.100.99", "user_agent": "", "city": "Hull", '
        b'"region": "", "country": "GB", "site_name": "Facebook"}]}'
    )
    pending = check_services.stage_check(
        actor=owner,
        vault=vault,
        data=export,
        name="account_activity.json",
        kind=CheckKind.ACCOUNTS,
        format="auto",
    )
    return {"vault": vault, "case": case, "batch": batch, "pending": pending}


def _victim_pages(demo) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    vault = demo["vault"]
    client = Client()
    client.force_login(vault.owner)
    pages = crawl(
        client,
        [
            "/",
            f"/import/batches/{demo['batch'].pk}/",
            f"/import/batches/{demo['batch'].pk}/accept/check/",
            f"/check/{vault.pk}/accounts/review/?review={demo['pending'].pk}",
        ],
    )
    # Pages only a form leads to.
    for name, url, data in [
        (
            "checks:apps",
            f"/check/{vault.pk}/apps/",
            {"pasted": "com.android.chrome\ncom.apspy.app\n", "format": "auto"},
        ),
        (
            "packs:pack",
            f"/pack/{vault.pk}/",
            {"scope": "all", "statement": "none", "protection": "none", "action": "preview"},
        ),
        ("vault:incident-new", f"/vaults/{vault.pk}/incidents/new/", {}),
    ]:
        response = client.post(url, data)
        pages.append((url + " (POST)", name, response.content.decode()))
    return pages


def test_her_pages_show_no_codes_iso_times_media_types_or_none(demo):
    pages = _victim_pages(demo)
    names = {name for _, name, _ in pages}
    for expected in (
        "vault:vault",
        "vault:timeline",
        "vault:incident",
        "vault:exhibit",
        "vault:exhibits",
        "vault:person",
        "analysis:pattern",
        "analysis:topic",
        "importers:batch",
        "checks:accounts-review",
        "packs:pack",
        "sharing:share",
        "sharing:access-log",
        "integrity:page",
        "accounts:account",
        "flags:flags",
    ):
        assert expected in names, f"the crawl did not reach {expected}"
    problems = [
        f"{url}: {problem}"
        for url, _, html in pages
        for problem in problems_in(seen_text(html), hers=True)
    ]
    assert not problems, "\n".join(problems[:40])


def test_officers_pages_show_no_iso_times_media_types_or_none(demo):
    from cairn.accounts.models import User
    from cairn.cases.purpose import purpose_key

    investigator = User.objects.get(username="demo.investigator")
    client = Client()
    sign_in_verified(client, investigator)
    session = client.session
    session[purpose_key(demo["case"])] = "investigation"
    session.save()
    pages = crawl(client, ["/cases/", f"/cases/{demo['case'].pk}/"])
    assert {"cases:list", "cases:case", "cases:incident"} <= {name for _, name, _ in pages}
    problems = [
        f"{url}: {problem}"
        for url, _, html in pages
        for problem in problems_in(seen_text(html), hers=False)
    ]
    assert not problems, "\n".join(problems[:40])
    for url, _, html in pages:
        assert "Your log is private to you" not in html, url


def test_the_analysts_pages_carry_nothing_of_a_victims(demo):
    from cairn.accounts.models import User

    analyst = User.objects.get(username="demo.analyst")
    client = Client()
    sign_in_verified(client, analyst)
    pages = crawl(client, ["/dashboard/"])
    assert pages
    descriptions = [
        incident.description
        for incident in demo["vault"].incidents.all()
        if len(incident.description) > 20
    ]
    for url, _, html in pages:
        text = seen_text(html)
        assert "Your log" not in text and "private to you" not in text, url
        assert not any(description[:40] in text for description in descriptions), url
        assert not problems_in(text, hers=False), url


TEMPLATES = sorted(Path(django_settings.PACKAGE_DIR).glob("*/templates/**/*.html"))
RAW_MEDIA_TYPE = re.compile(r"\{\{[^}|]*media_type\s*\}\}")
ISO_FORMAT = re.compile(r"isoformat|\|date:\"(?:c|Y-m-d[^\"]*|U)\"")


@pytest.mark.parametrize(
    "template", TEMPLATES, ids=lambda p: str(p.relative_to(django_settings.PACKAGE_DIR))
)
def test_no_template_prints_a_media_type_or_an_iso_date(template):
    source = template.read_text(encoding="utf-8")
    assert not RAW_MEDIA_TYPE.search(source), "print a file's kind with |file_kind"
    assert not ISO_FORMAT.search(source), "print dates and times in words (|in_zone, |when)"
