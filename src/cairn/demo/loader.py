"""Put the demo scenario into the database, only through ``cairn.vault.services``."""

from __future__ import annotations

import dataclasses
import io
import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cairn.accounts.models import User
from cairn.demo import exhibit_specs, exhibits, scenario
from cairn.demo.common import DEMO_PASSWORD, DEMO_USERNAME, DemoRefused
from cairn.store.blobs import default_store
from cairn.vault import services
from cairn.vault.choices import ExhibitSource
from cairn.vault.models import Incident, Person, Vault
from cairn.vault.services import IdentifierInput, IncidentInput
from cairn.web import timeframe
from cairn.web.timeframe import Precision


def load(*, now: datetime | None = None) -> Vault:
    if getattr(settings, "PRODUCTION", False):
        raise DemoRefused("demo data refuses to load into a production database")
    real_now = timezone.now()
    now = now or real_now
    if timezone.is_naive(now):
        raise DemoRefused("the demo's 'now' needs a time zone")
    if now > real_now + timeframe.FUTURE_TOLERANCE:
        raise DemoRefused("the demo's 'now' cannot be in the future")

    written: list[tuple[str, str]] = []  # (namespace, sha256) of files stored so far
    try:
        with transaction.atomic():
            # Vault.objects directly: "is this database empty?" is not a per-user read.
            if Vault.objects.exists():
                raise DemoRefused(
                    "demo data loads only into an empty database, and this one already holds "
                    "a vault"
                )
            if User.objects.filter(username=DEMO_USERNAME).exists():
                raise DemoRefused(f"a user named {DEMO_USERNAME!r} already exists")
            return _build(now, written)
    except BaseException:
        # The rows rolled back; take away any evidence files written for them.
        store = default_store()
        for namespace, sha256 in written:
            store.delete(namespace, sha256)
        raise


def _build(now: datetime, written: list[tuple[str, str]]) -> Vault:
    first, _, last = scenario.OWNER_DISPLAY_NAME.partition(" ")
    user = User(
        username=DEMO_USERNAME,
        display_name=scenario.OWNER_DISPLAY_NAME,
        first_name=first,
        last_name=last,
        email=scenario.OWNER_EMAIL,
    )
    user.set_password(DEMO_PASSWORD)
    user.save()

    vault = services.create_vault(
        actor=user, name=scenario.VAULT_NAME, initials=scenario.VAULT_INITIALS
    )
    tz = ZoneInfo(vault.time_zone)
    today = now.astimezone(tz).date()

    persons: dict[str, Person] = {}
    for spec in scenario.PERSONS:
        persons[spec.key] = services.create_person(
            actor=user,
            vault=vault,
            name=spec.name,
            role=spec.role,
            relationship=spec.relationship,
            aliases=spec.aliases,
            notes=spec.notes,
            identifiers=[
                IdentifierInput(kind=kind, value=value, platform=platform)
                for kind, value, platform in spec.identifiers
            ],
        )
    suspect = persons["mark"]

    # Logged oldest first, so incident numbers follow the order things happened.
    inputs = [
        (spec, _incident_input(spec, today, tz, suspect, persons)) for spec in scenario.INCIDENTS
    ]
    inputs.sort(key=lambda pair: (pair[1].start, pair[0].key))
    incidents: dict[str, Incident] = {}
    specs = {spec.key: spec for spec in scenario.INCIDENTS}
    for spec, data in inputs:
        if data.start is None or data.start > now:
            raise ValueError(f"demo incident {spec.key!r} would start after 'now'")
        incidents[spec.key] = services.log_incident(actor=user, vault=vault, data=data)

    for revision in scenario.REVISIONS:
        spec = dataclasses.replace(specs[revision.key], **revision.changes)  # type: ignore[arg-type]
        incidents[revision.key] = services.revise_incident(
            actor=user,
            incident=incidents[revision.key],
            data=_incident_input(spec, today, tz, suspect, persons),
        )

    for item in exhibit_specs.EXHIBITS:
        # One generator per file, so adding a file to the scenario leaves the others' bytes alone.
        rng = random.Random(f"{scenario.SEED}:{item.key}")
        incident = incidents[item.incident] if item.incident else None
        when = (incident.start if incident else now).astimezone(tz)
        captured_at = None
        if incident is not None and item.captured:
            day = when.date() + timedelta(days=1 if item.next_day else 0)
            captured_at = datetime.combine(day, _clock(item.captured), tzinfo=tz)
        # A photo shows when it was taken; a screenshot or note, the incident's day.
        content = exhibits.generate(item.kind, item.params, captured_at or when, rng)
        exhibit = services.add_exhibit(
            actor=user,
            vault=vault,
            stream=io.BytesIO(content),
            original_name=item.name,
            incident=incident,
            source=ExhibitSource.DEMO,
            description=item.description,
            captured_at=captured_at,
            received_at=incident.start if incident is not None and item.received else None,
        )
        written.append((str(vault.pk), exhibit.sha256))
    return vault


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _incident_input(
    spec: scenario.IncidentSpec,
    today: date,
    tz: ZoneInfo,
    suspect: Person,
    persons: dict[str, Person],
) -> IncidentInput:
    day = today - timedelta(days=spec.days_ago)
    start: datetime
    end: datetime | None
    if spec.precision is Precision.OVERNIGHT:
        start, end, _ = timeframe.from_local(day, None, tz, overnight=True)
    elif spec.precision is Precision.DAY:
        start, end, _ = timeframe.from_local(day, None, tz)
    elif spec.precision is Precision.EXACT:
        if spec.at is None:
            raise ValueError(f"demo incident {spec.key!r} needs a time")
        until = _clock(spec.until) if spec.until else None
        start, end, _ = timeframe.from_local(day, _clock(spec.at), tz, until=until)
    elif spec.precision is Precision.HOUR:
        if spec.at is None:
            raise ValueError(f"demo incident {spec.key!r} needs a time")
        start = datetime.combine(day, _clock(spec.at), tzinfo=tz)
        end = start + timedelta(hours=1)
    else:  # unknown: some time within a span of days
        start = datetime.combine(day, time(0, 0), tzinfo=tz)
        end = datetime.combine(day + timedelta(days=spec.span_days), time(0, 0), tzinfo=tz)
        end -= timedelta(seconds=1)

    reference = ""
    if spec.police_reference:
        # A CAD reference carries the date of the call: the morning after, for "overnight".
        called = (end or start).date() if spec.precision is Precision.OVERNIGHT else day
        reference = spec.police_reference.format(date=called.strftime("%d/%m"))

    return IncidentInput(
        start=start,
        end=end,
        precision=spec.precision.value,
        when_words=spec.when_words,
        location=spec.location,
        channel=spec.channel,
        acts=spec.acts.split(","),
        description=spec.description,
        impact=spec.impact,
        feared_violence=spec.feared_violence,
        witnesses=", ".join(persons[key].name for key in spec.witnesses),
        reported_to_police=bool(reference),
        police_reference=reference,
        persons=[suspect, *(persons[key] for key in spec.witnesses)],
    )
