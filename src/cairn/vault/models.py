"""The victim's vault: incidents (with revisions and tombstones), persons, exhibits.

Rows are written only by ``cairn.vault.services``; reads go through ``cairn.vault.access``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from cairn.law import jurisdictions
from cairn.law.pha1997 import ACTS_BY_CODE
from cairn.vault.choices import (
    Channel,
    ExhibitSource,
    IdentifierKind,
    PersonRole,
    PrecisionChoices,
    Relationship,
)


class Vault(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="vaults")
    name = models.CharField(max_length=100)
    initials = models.CharField(
        max_length=4, help_text="The owner's initials, used for exhibit references (AB/1).")
    jurisdiction = models.CharField(max_length=32, choices=jurisdictions.CHOICES,
                                    default=jurisdictions.ENGLAND_AND_WALES)
    time_zone = models.CharField(max_length=64, default="Europe/London")
    created_at = models.DateTimeField(auto_now_add=True)
    # Counters for human-readable numbers; bumped under a row lock by the services.
    last_incident_number = models.PositiveIntegerField(default=0)
    last_exhibit_number = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vault = models.ForeignKey(Vault, on_delete=models.CASCADE, related_name="persons")
    role = models.CharField(max_length=16, choices=PersonRole.choices, default=PersonRole.SUSPECT)
    name = models.CharField(max_length=200)
    aliases = models.JSONField(default=list, blank=True)
    relationship = models.CharField(max_length=32, choices=Relationship.choices,
                                    default=Relationship.UNKNOWN)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name


class PersonIdentifier(models.Model):
    """A way to recognise a person: phone (E.164), e-mail, handle or vehicle registration."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=16, choices=IdentifierKind.choices)
    value = models.CharField(max_length=320, help_text="Normalised: E.164, lower-case e-mail...")
    platform = models.CharField(max_length=64, blank=True, help_text="For handles: where.")

    class Meta:
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "value", "platform"],
                                    name="person_identifier_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class Incident(models.Model):
    """One thing that happened. The row holds the current state; every state it has had is
    an ``IncidentRevision``. Deleting leaves a tombstone: the row stays with ``deleted_at``
    set and its content erased, so the fact that something was removed stays provable."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vault = models.ForeignKey(Vault, on_delete=models.CASCADE, related_name="incidents")
    number = models.PositiveIntegerField(help_text="Per vault: incident 1, 2, 3...")

    # When: an interval with a precision, in UTC, plus the victim's own words.
    start = models.DateTimeField()
    end = models.DateTimeField(null=True, blank=True)
    precision = models.CharField(max_length=16, choices=PrecisionChoices.choices)
    when_words = models.CharField(max_length=500, blank=True)

    # Where.
    location = models.CharField(max_length=500, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    channel = models.CharField(max_length=32, choices=Channel.choices)
    # s.2A(3) codes, stored delimited (",a,e,") so "has act e" is one indexable LIKE on any DB.
    acts = models.CharField(max_length=40, default=",")
    other_act = models.CharField(max_length=500, blank=True)

    description = models.TextField(blank=True)
    impact = models.TextField(blank=True, help_text="What it changed in daily life (s.4A).")
    feared_violence = models.BooleanField(default=False)
    witnesses = models.TextField(blank=True)
    reported_to_police = models.BooleanField(default=False)
    police_reference = models.CharField(max_length=64, blank=True)
    persons = models.ManyToManyField(Person, blank=True, related_name="incidents")

    # Entry time, never a stand-in for when it happened (DESIGN.md invariant 3).
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    revision = models.PositiveIntegerField(default=1)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-start", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["vault", "number"], name="incident_number_unique"),
        ]
        indexes = [
            models.Index(fields=["vault", "deleted_at", "-start"], name="incident_timeline_idx"),
        ]

    def __str__(self) -> str:
        return f"Incident {self.number}"

    @property
    def act_codes(self) -> list[str]:
        return [code for code in self.acts.split(",") if code]

    @property
    def act_labels(self) -> list[tuple[str, str]]:
        return [(code, ACTS_BY_CODE[code].plain) for code in self.act_codes]

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class IncidentRevision(models.Model):
    """An immutable snapshot of an incident's content after each change."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    content = models.JSONField()
    changed_fields = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    erased = models.BooleanField(default=False)

    class Meta:
        ordering = ["incident", "number"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "number"], name="revision_number_unique"),
        ]

    def __str__(self) -> str:
        return f"Revision {self.number}"


class Exhibit(models.Model):
    """A file kept byte for byte; its SHA-256 is its identity (DESIGN.md invariant 1)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vault = models.ForeignKey(Vault, on_delete=models.CASCADE, related_name="exhibits")
    incident = models.ForeignKey(Incident, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="exhibits")
    number = models.PositiveIntegerField(help_text="The n in the reference XX/n.")
    reference = models.CharField(max_length=16)
    original_name = models.CharField(max_length=255)
    media_type = models.CharField(max_length=127, help_text="From the content, not the name.")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    source = models.CharField(max_length=16, choices=ExhibitSource.choices)
    description = models.TextField(blank=True)
    captured_at = models.DateTimeField(null=True, blank=True,
                                       help_text="When the photo or recording was made, if known.")
    received_at = models.DateTimeField(null=True, blank=True,
                                       help_text="When the victim received it, if known.")
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["vault", "number"], name="exhibit_number_unique"),
        ]
        indexes = [models.Index(fields=["vault", "sha256"], name="exhibit_sha_idx")]

    def __str__(self) -> str:
        return self.reference
