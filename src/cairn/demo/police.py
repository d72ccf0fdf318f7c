"""The demo case: the police side of the demo, beside the demo vault.

An invented force with a stalking unit of three people (an investigator, a supervisor and an
analyst), and one case, "the demo case", to which the demo victim has linked her whole log
by the code the investigator gave her. The suspect is recorded with the identifiers the
victim's log holds for him. Everything goes through the services, as real use would, so the
victim's access log and the audit trail look as they would.

The officers sign in with the published ``DEMO_POLICE_PASSWORD`` and a two-factor code from
an authenticator app set up with the published key ``totp_key(username)`` (``cairn demo``
prints both): two-factor stays switched on for the demo, as it is for every organisation role.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from cairn.accounts import services as accounts
from cairn.accounts.models import Organisation, OrganisationKind, Role, User
from cairn.cases import services as cases
from cairn.cases.models import Case, CaseStatus, EntryKind
from cairn.demo import scenario
from cairn.demo.common import DemoRefused
from cairn.vault.models import Incident, Vault

FORCE_NAME = "Northshire Police (demo)"
UNIT_NAME = "Stalking Unit"
CASE_REFERENCE = "NS/2026/0042"
# Published on purpose, like the victim's: they only open invented data.
DEMO_POLICE_PASSWORD = "demo-police-2026"  # noqa: S105
OPERATOR_USERNAME = "demo.operator"


@dataclass(frozen=True)
class Officer:
    username: str
    display_name: str
    role: str


OFFICERS = (
    Officer("demo.investigator", "DC Sam Patel", Role.INVESTIGATOR),
    Officer("demo.supervisor", "DS Ruth Okafor", Role.SUPERVISOR),
    Officer("demo.analyst", "Lee Morgan", Role.ANALYST),
)


def totp_key(username: str) -> bytes:
    """The demo officer's published TOTP secret (20 bytes, derived from the username)."""
    return hashlib.sha256(f"cairn demo two-factor key: {username}".encode()).digest()[:20]


def totp_key_text(username: str) -> str:
    """The same secret in base32, in groups of four, to type into an authenticator app."""
    secret = base64.b32encode(totp_key(username)).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def demo_case() -> Case | None:
    return Case.objects.filter(organisation__name=FORCE_NAME, reference=CASE_REFERENCE).first()


def load_case(vault: Vault, *, now: datetime) -> Case:
    """Create the demo force, its officers and the demo case, and link ``vault`` to it.

    Refuses on a production instance and when the demo force already exists; one
    transaction, so a refusal or an error leaves nothing behind.
    """
    if getattr(settings, "PRODUCTION", False):
        raise DemoRefused("demo data refuses to load into a production database")
    with transaction.atomic():
        if Organisation.objects.filter(name=FORCE_NAME).exists():
            raise DemoRefused("the demo force is already loaded")
        taken = [o.username for o in OFFICERS if User.objects.filter(username=o.username).exists()]
        if taken or User.objects.filter(username=OPERATOR_USERNAME).exists():
            raise DemoRefused(f"a user named {(taken or [OPERATOR_USERNAME])[0]!r} already exists")
        return _build(vault, now)


def _build(vault: Vault, now: datetime) -> Case:
    # Organisations are made by the instance's operator: an account that cannot sign in.
    operator = User(
        username=OPERATOR_USERNAME, display_name="Demo operator", is_superuser=True, is_staff=False
    )
    operator.set_unusable_password()
    operator.save()
    force = accounts.create_organisation(
        actor=operator, name=FORCE_NAME, kind=OrganisationKind.POLICE
    )
    unit = accounts.create_unit(actor=operator, organisation=force, name=UNIT_NAME)
    people: dict[str, User] = {}
    for officer in OFFICERS:
        user = User(username=officer.username, display_name=officer.display_name)
        user.set_password(DEMO_POLICE_PASSWORD)
        user.save()
        accounts.grant_role(actor=operator, user=user, unit=unit, role=officer.role)
        TOTPDevice.objects.create(
            user=user,
            name="Authenticator app (demo key)",
            key=totp_key(officer.username).hex(),
            confirmed=True,
        )
        people[officer.role] = user
    investigator = people[Role.INVESTIGATOR]

    tz = ZoneInfo(vault.time_zone)
    today = now.astimezone(tz).date()
    # She first went to the police with the earliest incident she reported to them.
    reported = (
        Incident.objects.filter(vault=vault, reported_to_police=True).order_by("start").first()
    )
    case = cases.open_case(
        actor=investigator,
        reference=CASE_REFERENCE,
        next_review=today + timedelta(days=14),
        first_reported_on=reported.start.astimezone(tz).date() if reported else None,
    )
    suspect = next(p for p in scenario.PERSONS if p.key == "mark")
    cases.add_suspect(
        actor=investigator,
        case=case,
        name=suspect.name,
        identifiers=[(kind, value) for kind, value, _ in suspect.identifiers],
    )
    cases.change_status(
        actor=investigator,
        case=case,
        status=CaseStatus.INVESTIGATING,
        note="Allocated to the stalking unit.",
    )
    cases.add_entry(
        actor=investigator,
        case=case,
        kind=EntryKind.ACTION,
        text="Called the victim; she will share her log with the unit.",
        happened_at=now - timedelta(days=2),
    )
    code = cases.issue_share_code(actor=investigator, case=case)
    cases.link_by_code(actor=vault.owner, vault=vault, code=code, scope="all")
    return case
