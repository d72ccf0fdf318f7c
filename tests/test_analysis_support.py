"""Hand-built vault snapshots for the analysis tests (no database): helpers only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cairn.vault.snapshot import IncidentSnapshot, PersonSnapshot, VaultSnapshot

BASE = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)  # a Monday
SUSPECT_ID = "p-suspect"


def suspect(relationship: str = "ex_colleague", person_id: str = SUSPECT_ID) -> PersonSnapshot:
    return PersonSnapshot(
        id=person_id,
        role="suspect",
        name="Sam Doe",
        aliases=(),
        relationship=relationship,
        identifiers=(),
    )


def incident(
    number: int,
    *,
    at: datetime | None = None,
    days: float | None = None,
    channel: str = "text_message",
    acts: tuple[str, ...] = ("b",),
    description: str = "He sent me a message.",
    impact: str = "",
    feared_violence: bool = False,
    location: str = "",
    persons: tuple[str, ...] = (SUSPECT_ID,),
    precision: str = "exact",
    exhibits: tuple[str, ...] = (),
    reported: bool = False,
    witnesses: str = "",
) -> IncidentSnapshot:
    start = at if at is not None else BASE + timedelta(days=days or 0)
    return IncidentSnapshot(
        id=f"i-{number:05d}",
        number=number,
        start=start,
        end=None,
        precision=precision,
        when_words="",
        location=location,
        latitude=None,
        longitude=None,
        channel=channel,
        acts=acts,
        other_act="",
        description=description,
        impact=impact,
        feared_violence=feared_violence,
        witnesses=witnesses,
        reported_to_police=reported,
        police_reference="",
        person_ids=persons,
        exhibit_ids=exhibits,
        recorded_at=start,
        revision=1,
    )


def snapshot(
    *incidents: IncidentSnapshot,
    persons: tuple[PersonSnapshot, ...] | None = None,
    time_zone: str = "Europe/London",
    now: datetime | None = None,
) -> VaultSnapshot:
    ordered = tuple(sorted(incidents, key=lambda i: (i.start, i.number)))
    return VaultSnapshot(
        id="v-test",
        name="Test log",
        initials="TL",
        jurisdiction="england_and_wales",
        time_zone=time_zone,
        taken_at=now or default_now(ordered),
        incidents=ordered,
        persons=persons if persons is not None else (suspect(),),
        exhibits=(),
    )


def default_now(incidents: tuple[IncidentSnapshot, ...]) -> datetime:
    return (incidents[-1].start if incidents else BASE) + timedelta(days=3)


def weekly(
    count: int, *, start_day: float = 0, every: float = 7, first_number: int = 1, **kwargs: object
) -> list[IncidentSnapshot]:
    return [
        incident(first_number + k, days=start_day + k * every, **kwargs)  # type: ignore[arg-type]
        for k in range(count)
    ]
