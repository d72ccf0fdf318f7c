"""The victim's vault: incidents (with revisions and tombstones), persons, exhibits.

Rows are written only by ``cairn.vault.services``; reads go through ``cairn.vault.access``.
Free text, names, identifiers and file names are sealed: encrypted with the vault's data key
in the ``sealed`` column and read as ordinary attributes (``cairn.store.sealed``). What stays
in clear columns is what the database must filter and order on: times, channel, act codes,
numbers, sizes, digests.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from cairn.law import jurisdictions
from cairn.law.pha1997 import ACTS_BY_CODE
from cairn.store.sealed import SealedField, SealedFields
from cairn.vault.choices import (
    Channel,
    CombinedAs,
    ExhibitSource,
    IdentifierKind,
    PersonRole,
    PrecisionChoices,
    Relationship,
)


class Vault(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="vaults"
    )
    name = models.CharField(max_length=100)
    initials = models.CharField(
        max_length=4, help_text="The owner's initials, used for exhibit references (AB/1)."
    )
    jurisdiction = models.CharField(
        max_length=32, choices=jurisdictions.CHOICES, default=jurisdictions.ENGLAND_AND_WALES
    )
    time_zone = models.CharField(max_length=64, default="Europe/London")
    created_at = models.DateTimeField(auto_now_add=True)
    # Counters for human-readable numbers; bumped under a row lock by the services.
    last_incident_number = models.PositiveIntegerField(default=0)
    last_exhibit_number = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name


class Person(SealedFields, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vault = models.ForeignKey(Vault, on_delete=models.CASCADE, related_name="persons")
    role = models.CharField(max_length=16, choices=PersonRole.choices, default=PersonRole.SUSPECT)
    relationship = models.CharField(
        max_length=32, choices=Relationship.choices, default=Relationship.UNKNOWN
    )
    sealed = models.BinaryField(default=b"", editable=False)
    name = SealedField("")
    aliases = SealedField([])
    notes = SealedField("")
    # The victim says this person is the same person as, or acting together with, another
    # person of her log (PHA 1997 s.7(3A)): the analysis takes their conduct as one.
    combined_with = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    combined_as = models.CharField(max_length=16, choices=CombinedAs.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name


class PersonIdentifier(SealedFields, models.Model):
    """A way to recognise a person: phone (E.164), e-mail, handle or vehicle registration.

    The value is sealed; ``lookup`` is a keyed hash (HMAC with the vault's index key) of the
    kind and normalised value, so the same identifier written two ways can be matched within
    the vault without decrypting every row, and without revealing the value.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vault = models.ForeignKey(Vault, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=16, choices=IdentifierKind.choices)
    lookup = models.CharField(max_length=64)
    sealed = models.BinaryField(default=b"", editable=False)
    value = SealedField("")
    platform = SealedField("")

    class Meta:
        ordering = ["kind", "lookup"]
        indexes = [models.Index(fields=["vault", "kind", "lookup"], name="identifier_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class Incident(SealedFields, models.Model):
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

    channel = models.CharField(max_length=32, choices=Channel.choices)
    # s.2A(3) codes, stored delimited (",a,e,") so "has act e" is one indexable LIKE on any DB.
    acts = models.CharField(max_length=40, default=",")
    feared_violence = models.BooleanField(default=False)
    reported_to_police = models.BooleanField(default=False)

    # Sealed: the victim's words, the place, the impact (s.4A), witnesses, the police reference.
    sealed = models.BinaryField(default=b"", editable=False)
    when_words = SealedField("")
    location = SealedField("")
    latitude = SealedField(None)  # decimal degrees as a string, or None
    longitude = SealedField(None)
    other_act = SealedField("")
    description = SealedField("")
    impact = SealedField("")
    witnesses = SealedField("")
    police_reference = SealedField("")

    persons = models.ManyToManyField(Person, blank=True, related_name="incidents")

    # Entry time, never a stand-in for when it happened (DESIGN.md invariant 3).
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revision = models.PositiveIntegerField(default=1)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

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


class IncidentRevision(SealedFields, models.Model):
    """An immutable snapshot of an incident's content after each change (sealed)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vault = models.ForeignKey(Vault, on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    sealed = models.BinaryField(default=b"", editable=False)
    content = SealedField({})
    changed_fields = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    erased = models.BooleanField(default=False)

    class Meta:
        ordering = ["incident", "number"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "number"], name="revision_number_unique"),
        ]

    def __str__(self) -> str:
        return f"Revision {self.number}"


class Exhibit(SealedFields, models.Model):
    """A file kept byte for byte; its SHA-256 is its identity (DESIGN.md invariant 1)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vault = models.ForeignKey(Vault, on_delete=models.CASCADE, related_name="exhibits")
    incident = models.ForeignKey(
        Incident, on_delete=models.SET_NULL, null=True, blank=True, related_name="exhibits"
    )
    number = models.PositiveIntegerField(help_text="The n in the reference XX/n.")
    reference = models.CharField(max_length=16)
    media_type = models.CharField(max_length=127, help_text="From the content, not the name.")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    source = models.CharField(max_length=16, choices=ExhibitSource.choices)
    sealed = models.BinaryField(default=b"", editable=False)
    original_name = SealedField("")
    description = SealedField("")
    # A derived copy (a redacted one) names the exhibit it was made from and how: the
    # original is kept unchanged and cannot be deleted while a copy refers to it (ACPO
    # principle 3). ``derivation`` holds where, never what was hidden: {"method":
    # "image-rectangles" | "text-spans", "rectangles" | "spans": [...], "summary": "..."}.
    derived_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="derived_copies"
    )
    derivation = SealedField({})
    captured_at = models.DateTimeField(
        null=True, blank=True, help_text="When the photo or recording was made, if known."
    )
    received_at = models.DateTimeField(
        null=True, blank=True, help_text="When the victim received it, if known."
    )
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["vault", "number"], name="exhibit_number_unique"),
        ]
        indexes = [models.Index(fields=["vault", "sha256"], name="exhibit_sha_idx")]

    def __str__(self) -> str:
        return self.reference
