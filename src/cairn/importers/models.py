"""What an import leaves in a vault: the batch, its items, unknown senders, proposals.

Rows are written only by ``cairn.importers.services``; reads go through
``cairn.importers.access``. As in ``cairn.vault.models``, message text, names, identifiers
and zip member names are sealed (encrypted with the vault's data key); clear columns hold
only what the database filters and orders on: times, channel, kinds, counts, positions in
the original file, and keyed hashes (``fingerprint``, ``key``) that reveal nothing without
the vault's key.

- ``ImportBatch``: one committed import of one file; the file itself is ``source_exhibit``,
  kept byte for byte. Records the zone assumed for times the file gave without one, and, for
  e-mail, the DKIM keys looked up in DNS at import (sealed: they name the senders' domains).
- ``ImportedItem``: a message, photo/video or diary row taken from that file, pointing back
  to where it is in the original (``origin``: line, byte range or entry) and carrying a
  ``fingerprint`` so that importing it again adds nothing.
- ``CandidatePerson``: a sender no identifier or name in the vault matched, for the victim
  to confirm (a new Person) or dismiss.
- ``ProposedIncident``: what the rules in ``cairn.importers.rules`` suggest logging. Nothing
  becomes an incident until the victim accepts it.
- ``ImportJob``: a web upload waiting for, or being run by, the background task; it holds
  progress and, on failure, the message. It is not evidence: the staged file is deleted
  once the job ends, and a failed job leaves no batch, item or exhibit.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from cairn.store.sealed import SealedField, SealedFields
from cairn.vault.choices import Channel
from cairn.vault.models import Exhibit, Incident, Person, Vault


class ImportFormat(models.TextChoices):
    AUTO = "auto", "Work it out from the file"
    WHATSAPP = "whatsapp", "WhatsApp chat export"
    SMS = "sms", "SMS Backup & Restore (Android)"
    EMAIL = "email", "E-mail (.eml or .mbox)"
    FACEBOOK = "facebook", "Facebook Messenger (Download your information)"
    INSTAGRAM = "instagram", "Instagram messages (Download your information)"
    TELEGRAM = "telegram", "Telegram Desktop export"
    TWITTER = "twitter", "X (Twitter) archive"
    MEDIA = "media", "Photos and videos (a zip, or one file)"
    CSV = "csv", "A diary kept in a spreadsheet (CSV)"


class DateOrder(models.TextChoices):
    """The orders of ``cairn.importers.dates.ORDERS``, each with 31 December 2024 in it."""

    DAY_FIRST = "day-first", "Day, month, year (31/12/2024)"
    MONTH_FIRST = "month-first", "Month, day, year (12/31/2024)"
    YEAR_FIRST = "year-first", "Year, month, day (2024/12/31)"
    YEAR_DAY_MONTH = "year-day-month", "Year, day, month (2024/31/12)"
    DAY_YEAR_MONTH = "day-year-month", "Day, year, month (31/2024/12)"
    MONTH_YEAR_DAY = "month-year-day", "Month, year, day (12/2024/31)"


class ItemKind(models.TextChoices):
    MESSAGE = "message", "Message"
    MEDIA = "media", "Photo or video"
    DIARY = "diary", "Diary entry"


class CandidateStatus(models.TextChoices):
    PENDING = "pending", "Waiting for you to confirm"
    CONFIRMED = "confirmed", "Confirmed"
    DISMISSED = "dismissed", "Dismissed"
    OWNER = "owner", "This is me"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", "Waiting for review"
    ACCEPTED = "accepted", "Added to your log"
    DISMISSED = "dismissed", "Dismissed"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Reading the file"
    SAVING = "saving", "Saving to your log"
    ASKING = "asking", "Waiting for you to say how dates are written"
    DONE = "done", "Finished"
    FAILED = "failed", "Could not be imported"


class ImportBatch(SealedFields, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vault = models.ForeignKey(Vault, on_delete=models.CASCADE, related_name="import_batches")
    number = models.PositiveIntegerField(help_text="Per vault: import 1, 2, 3...")
    format = models.CharField(max_length=16, choices=ImportFormat.choices)
    source_exhibit = models.ForeignKey(Exhibit, on_delete=models.PROTECT, related_name="+")
    assumed_time_zone = models.CharField(
        max_length=64, help_text="The zone times without one in the file were read in."
    )
    date_order = models.CharField(max_length=16, blank=True, choices=DateOrder.choices)
    # What the import found, for the summary (never content).
    item_count = models.PositiveIntegerField(default=0)
    new_count = models.PositiveIntegerField(default=0)
    duplicate_count = models.PositiveIntegerField(default=0)
    linked_person_count = models.PositiveIntegerField(default=0)
    candidate_count = models.PositiveIntegerField(default=0)
    proposal_count = models.PositiveIntegerField(default=0)
    # SHA-256 of the RFC 8785 canonical list of the new items, as the ledger entry recorded.
    items_sha256 = models.CharField(max_length=64)
    sealed = models.BinaryField(default=b"", editable=False)
    notes = SealedField([])  # the parser's notes, e.g. how the date order was settled
    # DKIM keys looked up in DNS during this import, kept because domains rotate them:
    # "selector._domainkey.domain" -> {"record": TXT text, "fetched_at": ISO time, "source"}.
    dkim_keys = SealedField({})
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["vault", "number"], name="import_batch_number_unique"),
        ]

    def __str__(self) -> str:
        return f"Import {self.number}"


class CandidatePerson(SealedFields, models.Model):
    """A sender the vault does not know yet. ``key`` is a keyed hash of who they are in the
    export (their identifier, else their name), so a later import finds the same candidate."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vault = models.ForeignKey(Vault, on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.CASCADE,
        related_name="candidates",
        help_text="The import that first found them.",
    )
    key = models.CharField(max_length=64)
    status = models.CharField(
        max_length=16, choices=CandidateStatus.choices, default=CandidateStatus.PENDING
    )
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sealed = models.BinaryField(default=b"", editable=False)
    display_name = SealedField("")
    identifiers = SealedField([])  # [{"kind", "value", "platform"}], values normalised
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["batch", "id"]
        constraints = [
            models.UniqueConstraint(fields=["vault", "key"], name="candidate_key_unique"),
        ]

    def __str__(self) -> str:
        return "Candidate person"


class ImportedItem(SealedFields, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="items")
    vault = models.ForeignKey(Vault, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(help_text="Order within the batch (0-based).")
    kind = models.CharField(max_length=16, choices=ItemKind.choices)
    # Times kept apart (DESIGN.md invariant 3): sent, received, captured. None when unknown.
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    captured_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(
        max_length=32,
        choices=Channel.choices,
        blank=True,
        help_text="How a message came; empty for photos and videos.",
    )
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    candidate = models.ForeignKey(
        CandidatePerson, on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )
    is_owner = models.BooleanField(default=False, help_text="The victim's own message.")
    is_system = models.BooleanField(default=False)
    # Positions only (line, byte range, entry); the zip member's name is sealed below.
    origin = models.JSONField(default=dict)
    attachments = models.ManyToManyField(Exhibit, blank=True, related_name="+")
    fingerprint = models.CharField(max_length=64)
    sealed = models.BinaryField(default=b"", editable=False)
    text = SealedField("")
    sender_name = SealedField("")
    member = SealedField(None)  # the zip member the item came from, if any
    details = SealedField({})  # the rest: attachment names, GPS, camera, DKIM result...

    class Meta:
        ordering = ["batch", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["vault", "fingerprint"], name="imported_item_fingerprint_unique"
            ),
        ]
        indexes = [models.Index(fields=["vault", "sent_at"], name="imported_item_time_idx")]

    def __str__(self) -> str:
        return f"Item {self.position + 1}"


class ProposedIncident(SealedFields, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="proposals")
    vault = models.ForeignKey(Vault, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField(help_text="Per batch: proposal 1, 2, 3...")
    rule = models.CharField(max_length=32, help_text="The rule in docs/import-rules.md.")
    day = models.DateField(help_text="The local day, in the vault's zone.")
    start = models.DateTimeField()
    end = models.DateTimeField(null=True, blank=True)
    precision = models.CharField(max_length=16)
    channel = models.CharField(max_length=32, choices=Channel.choices)
    acts = models.CharField(max_length=40, default=",")  # suggested s.2A(3) codes, ",b,"
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    candidate = models.ForeignKey(
        CandidatePerson, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals"
    )
    items = models.ManyToManyField(ImportedItem, related_name="proposals")
    status = models.CharField(
        max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    incident = models.ForeignKey(
        Incident, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sealed = models.BinaryField(default=b"", editable=False)
    description = SealedField("")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["batch", "number"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="proposal_number_unique"),
        ]

    def __str__(self) -> str:
        return f"Proposal {self.number}"

    @property
    def act_codes(self) -> list[str]:
        return [code for code in self.acts.split(",") if code]


class ImportJob(SealedFields, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vault = models.ForeignKey(Vault, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    format = models.CharField(
        max_length=16, choices=ImportFormat.choices, default=ImportFormat.AUTO
    )
    time_zone = models.CharField(max_length=64)
    date_order = models.CharField(max_length=16, blank=True, choices=DateOrder.choices)
    # The uploaded file waits in the vault's encrypted store under its SHA-256.
    staged_sha256 = models.CharField(max_length=64, blank=True)
    staged_created = models.BooleanField(
        default=False, help_text="False when the store already held the file."
    )
    size = models.PositiveBigIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    batch = models.ForeignKey(
        ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sealed = models.BinaryField(default=b"", editable=False)
    source_name = SealedField("")
    owner_name = SealedField("")  # the victim's own name in the chat, if given
    error = SealedField("")
    column_mapping = SealedField(None)  # a CSV diary's confirmed columns: field -> 0-based
    # When the file left the order of day, month and year open (status "asking"): the line,
    # its date as written, and what it would be in each order left ({"line", "written",
    # "readings": {order: ISO date}}).
    date_question = SealedField(None)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return "Import job"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
