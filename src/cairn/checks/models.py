"""What the checks keep: the indicator data in use, her own devices and places, and a file
waiting for her to decide whether to save what it showed."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models

from cairn.store.sealed import SealedField, SealedFields
from cairn.vault.models import Vault


class IndicatorSet(models.Model):
    """The stalkerware indicators in use after a load of Echap's files. Files add up: a load
    makes a new set holding the previous set's files plus the ones loaded (a file of the same
    name replaces the older copy), so ``ioc.yaml`` then ``watchware.yaml`` is one set of both.
    The newest set is the one in use; older ones stay, so a saved finding can always say
    which data it was matched against."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source = models.CharField(
        max_length=300,
        help_text="Where the data loaded last came from: a URL or the file names given.",
    )
    version = models.CharField(
        max_length=400,
        help_text="Every file in the set with its "
        "version: the upstream commit, or the "
        "file's SHA-256 when that is not known.",
    )
    data_date = models.DateField(
        null=True, blank=True, help_text="The date of the data: the oldest of its files'."
    )
    sha256 = models.CharField(
        max_length=64, help_text="SHA-256 over the files' SHA-256s, in the order of their names."
    )
    app_count = models.PositiveIntegerField()
    apps = models.JSONField(
        help_text="The apps, as StalkerwareApp.as_plain() lists, each with the file it came from."
    )
    files = models.JSONField(
        default=list,
        help_text="The files in the set: name, version, date, SHA-256, source, app count.",
    )
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-loaded_at"]
        get_latest_by = "loaded_at"

    def __str__(self) -> str:
        return f"Stalkerware indicators {self.version}"


class MarkKind(models.TextChoices):
    DEVICE = "device", "My device"
    PLACE = "place", "A usual place"


class OwnMark(SealedFields, models.Model):
    """A device the victim says is hers, or a place she is usually at, for the account review.

    The value is sealed; ``lookup`` is its keyed hash (the vault's blind index) so a mark is
    not made twice.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vault = models.ForeignKey(Vault, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=MarkKind.choices)
    lookup = models.CharField(max_length=64)
    sealed = models.BinaryField(default=b"", editable=False)
    value = SealedField("")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["vault", "kind", "lookup"], name="checks_own_mark_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}"


class CheckKind(models.TextChoices):
    APPS = "apps", "Phone apps"
    ACCOUNTS = "accounts", "Account activity"


class PendingCheck(SealedFields, models.Model):
    """A checked file kept (encrypted, in the vault's store) until she saves what it showed as
    an incident or puts it aside. Not evidence: saving makes the exhibit; putting it aside
    deletes the file. An app list that matched nothing is never kept."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vault = models.ForeignKey(Vault, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=CheckKind.choices)
    format = models.CharField(max_length=24)
    staged_sha256 = models.CharField(max_length=64)
    staged_created = models.BooleanField(default=False)
    size = models.PositiveBigIntegerField()
    indicator_set = models.ForeignKey(
        IndicatorSet, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sealed = models.BinaryField(default=b"", editable=False)
    source_name = SealedField("")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Pending {self.kind} check"

    def as_detail(self) -> dict[str, Any]:
        return {"kind": self.kind, "format": self.format, "size": self.size}
