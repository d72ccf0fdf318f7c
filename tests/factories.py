"""factory_boy factories. Vault content is created through the services, as in production,
so every factory-made row also has its audit record."""

from __future__ import annotations

import functools
from datetime import timedelta

import factory
from django.conf import settings
from django.contrib.auth.hashers import get_hasher, make_password
from django.utils import timezone

from cairn.accounts.models import User
from cairn.vault import services
from cairn.vault.choices import Channel

PASSWORD = "correct-horse-battery"


def password_hash() -> str:
    """PASSWORD hashed with the configured hasher (Argon2, unless a test chose another), once
    per test process: a real hash every user signs in with, without paying Argon2's fifth of
    a CPU second for each user made."""
    return _hashed(settings.PASSWORD_HASHERS[0])


@functools.cache
def _hashed(hasher: str) -> str:
    return make_password(PASSWORD, hasher=get_hasher("default"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Faker("first_name")
    password = factory.LazyFunction(password_hash)


def make_vault(
    owner: User, *, name: str = "My log", initials: str = "AB", time_zone: str = "Europe/London"
):  # type: ignore[no-untyped-def]
    return services.create_vault(actor=owner, name=name, initials=initials, time_zone=time_zone)


def make_incident(vault, *, days_ago: float = 1, **overrides):  # type: ignore[no-untyped-def]
    data = services.IncidentInput(
        start=timezone.now() - timedelta(days=days_ago),
        channel=overrides.pop("channel", Channel.IN_PERSON),
        acts=overrides.pop("acts", ["a"]),
        description=overrides.pop("description", "He followed me from the bus stop."),
        **overrides,
    )
    return services.log_incident(actor=vault.owner, vault=vault, data=data)


# What an SPO application needs before it is submitted besides its grounds and terms: the
# defendant's link to the force's area (s.1(3)) and how the terms avoid his religious
# observance, work and education (s.2(3)).
SPO_ANSWERS = {
    "defendant_area": "resides",
    "conflicts_considered": "He keeps no religious observance the terms touch; he works from "
    "home and does not study.",
}
