"""Victims and officers at once, as a force's instance sees them (docs/benchmarks.md).

Each simulated person signs in once (officers with their two-factor code), then works
without pause, so the server is saturated and the figures are its capacity:

- a victim (weight 3): her home page, her timeline, an incident, her exhibits (reads), the
  pattern page (the analysis, heavy), logging an incident (a write) and adding a photo to
  one (an upload, 50-200 kB);
- an officer (weight 1): the unit's cases, the demo case page (the analysis of the shared
  log), and a shared incident (reads, each audited in her access log).

Accounts come from bench/load/seed.py. Requests are named by page, not by URL. Signing in
costs an Argon2 hash per person, on purpose slow, and each web process loads its templates and
rules on first use: the figures start ``LOAD_WARM_UP`` seconds after the last person has
signed in (the statistics are reset then), so they measure a server in its stride.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import random
import re

from locust import HttpUser, between, task

from bench.load.seed import VICTIM_PASSWORD

OFFICER_PASSWORD = "demo-police-2026"
VICTIMS = int(os.environ.get("LOAD_VICTIMS", "30"))
WARM_UP = float(os.environ.get("LOAD_WARM_UP", "20"))
NOTICE = "/account/sign-in/new-devices/"
OFFICERS = int(os.environ.get("LOAD_OFFICERS", "8"))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
INCIDENT_LINK = re.compile(r'href="/incidents/([0-9a-f-]{36})/"')
CASE_LINK = re.compile(r'href="/cases/([0-9a-f-]{36})/"')
SHARED_LINK = re.compile(
    r'href="(/cases/[0-9a-f-]{36}/vaults/[0-9a-f-]{36}/incidents/'
    r'[0-9a-f-]{36}/)"'
)
VAULT_LINK = re.compile(r'href="/vaults/([0-9a-f-]{36})/')
_victims = itertools.cycle(range(1, VICTIMS + 1))
_officers = itertools.cycle(range(1, OFFICERS + 1))


def totp(username: str) -> str:
    """The officer's current code: the demo's published key for the username (as
    cairn/demo/police.py derives it), through django-otp's own TOTP (no Django set-up)."""
    from django_otp.oath import TOTP

    key = hashlib.sha256(f"cairn demo two-factor key: {username}".encode()).digest()[:20]
    return f"{TOTP(key).token():06d}"


def _csrf(text: str) -> str:
    found = CSRF.search(text)
    return found.group(1) if found else ""


_signed_in = 0


class Person(HttpUser):
    abstract = True
    wait_time = between(0, 0.05)

    def signed_in(self) -> None:
        """Count this person in; once everyone is, and the warm-up is over, start the
        figures afresh."""
        import gevent

        global _signed_in
        _signed_in += 1
        runner = self.environment.runner
        if runner is not None and _signed_in == runner.target_user_count:
            gevent.spawn_later(WARM_UP, self.environment.stats.reset_all)

    def past_notice(self, answer):
        """Her sessions on other devices are listed once after signing in (the earlier run's
        sessions count): seen, and on to the page she asked for."""
        if NOTICE in answer.url:
            answer = self.client.post(
                NOTICE, name="sign-in", data={"csrfmiddlewaretoken": _csrf(answer.text)}
            )
        return answer

    def sign_in(self, username: str, password: str) -> str:
        page = self.client.get("/account/sign-in/", name="sign-in")
        answer = self.client.post(
            "/account/sign-in/",
            name="sign-in",
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": _csrf(page.text),
            },
        )
        return str(self.past_notice(answer).text)


class Victim(Person):
    weight = 3

    def on_start(self) -> None:
        home = self.sign_in(f"victim{next(_victims):02d}", VICTIM_PASSWORD)
        found = VAULT_LINK.search(home)
        self.vault = found.group(1) if found else ""
        timeline = self.client.get(f"/vaults/{self.vault}/timeline/", name="timeline").text
        self.incidents = INCIDENT_LINK.findall(timeline) or [""]
        self.signed_in()

    @task(3)
    def home(self) -> None:
        self.client.get("/", name="home")

    @task(3)
    def timeline(self) -> None:
        self.client.get(f"/vaults/{self.vault}/timeline/", name="timeline")

    @task(3)
    def incident(self) -> None:
        self.client.get(f"/incidents/{random.choice(self.incidents)}/", name="incident")

    @task(1)
    def exhibits(self) -> None:
        self.client.get(f"/vaults/{self.vault}/exhibits/", name="exhibits")

    @task(1)
    def pattern(self) -> None:
        self.client.get(f"/pattern/{self.vault}/", name="pattern")

    @task(1)
    def log_incident(self) -> None:
        form = self.client.get(f"/vaults/{self.vault}/incidents/new/", name="incident-new")
        self.client.post(
            f"/vaults/{self.vault}/incidents/new/",
            name="incident-new",
            data={
                "csrfmiddlewaretoken": _csrf(form.text),
                "date_day": "3",
                "date_month": "11",
                "date_year": "2026",
                "time": "08:15",
                "channel": "in_person",
                "acts": ["a"],
                "description": "He was outside the house again this morning.",
                "feared_violence": "no",
            },
        )

    @task(1)
    def add_photo(self) -> None:
        incident = random.choice(self.incidents)
        page = self.client.get(f"/incidents/{incident}/", name="incident")
        photo = os.urandom(random.randint(50_000, 200_000))
        self.client.post(
            f"/incidents/{incident}/exhibits/",
            name="exhibit-upload",
            data={"csrfmiddlewaretoken": _csrf(page.text)},
            files={"file": ("photo.bin", photo, "application/octet-stream")},
        )


class Officer(Person):
    weight = 1

    def on_start(self) -> None:
        username = f"load{next(_officers):02d}"
        page = self.sign_in(username, OFFICER_PASSWORD)
        self.past_notice(
            self.client.post(
                "/account/two-factor/",
                name="two-factor",
                data={"code": totp(username), "csrfmiddlewaretoken": _csrf(page)},
            )
        )
        cases = self.client.get("/cases/", name="cases").text
        found = CASE_LINK.search(cases)
        self.case = found.group(1) if found else ""
        case_page = self.client.get(f"/cases/{self.case}/", name="case").text
        self.shared = SHARED_LINK.findall(case_page) or [f"/cases/{self.case}/"]
        self.signed_in()

    @task(2)
    def cases(self) -> None:
        self.client.get("/cases/", name="cases")

    @task(1)
    def case(self) -> None:
        self.client.get(f"/cases/{self.case}/", name="case")

    @task(3)
    def shared_incident(self) -> None:
        self.client.get(random.choice(self.shared), name="shared-incident")
