"""Breaches of orders (s.8 of the Stalking Protection Act 2019, and the like offences of the
other kinds of order) and failures to notify (s.11), with their outcomes. See docs/adr/0020.

The tables keep the names they had when these models lived in ``cairn.orders``
(``orders_breach``, ``orders_breachoutcome``): each sealed value is bound to its table's name,
so renaming the tables would make every sealed account and crime reference unreadable
(ADR 0055). A breach is of an order, so these models point at ``cairn.orders``; orders never
point back.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from cairn.store.sealed import CaseSealedFields, SealedField


class BreachKind(models.TextChoices):
    BREACH = "breach", "Breach of the order"
    NOTIFICATION_FAILURE = "notification_failure", "Failure to notify (s.11)"


class BreachSource(models.TextChoices):
    VICTIM = "victim", "Reported by the victim"
    OFFICER = "officer", "Recorded by an officer"


class BreachOutcomeKind(models.TextChoices):
    ARRESTED = "arrested", "Arrested"
    VOLUNTARY_INTERVIEW = "voluntary_interview", "Interviewed under caution"
    CHARGED = "charged", "Charged"
    SUMMONSED = "summonsed", "Summonsed"
    CAUTIONED = "cautioned", "Cautioned"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    CONVICTED = "convicted", "Convicted"
    ACQUITTED = "acquitted", "Acquitted"


class Breach(CaseSealedFields, models.Model):
    """A suspected breach of an order (s.8: an offence, every one a crime to record).

    Reported by the victim from her vault (``incident`` is the incident she logged, which she
    shares with the case in the same step) or recorded by an officer (``account``, sealed with
    the crime reference under the case's key, ADR 0044). ``term`` is the term of the order
    said to be breached. Outcomes are ``BreachOutcome`` rows,
    append-only; ``outcome`` keeps the latest so lists need no subquery."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="breaches")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="breaches")
    term = models.ForeignKey(
        "orders.Term", on_delete=models.PROTECT, null=True, blank=True, related_name="breaches"
    )
    # A breach of a term (s.8), or a failure to notify (s.11) recorded and packed the same way.
    kind = models.CharField(max_length=24, choices=BreachKind.choices, default=BreachKind.BREACH)
    notification = models.ForeignKey(
        "orders.NotificationEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="failures",
    )
    source = models.CharField(max_length=8, choices=BreachSource.choices)
    vault = models.ForeignKey(
        "vault.Vault", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    incident = models.ForeignKey(
        "vault.Incident", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField()
    sealed = models.BinaryField(default=b"", editable=False)
    quoted_vaults = models.JSONField(default=list, blank=True, editable=False)
    # An officer's account of what happened (a victim's own words stay sealed in her vault).
    account = SealedField("")
    crime_reference = SealedField("")
    outcome = models.CharField(max_length=24, choices=BreachOutcomeKind.choices, blank=True)
    reported_at = models.DateTimeField(auto_now_add=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        db_table = "orders_breach"  # sealed values are bound to the table's name (ADR 0055)
        ordering = ["-occurred_at", "-reported_at"]
        indexes = [models.Index(fields=["case", "reported_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(source="victim", incident__isnull=False, vault__isnull=False)
                    | models.Q(source="officer")
                ),
                name="spo_breach_victim_has_incident",
            )
        ]

    def __str__(self) -> str:
        return f"Breach {self.occurred_at:%Y-%m-%d} ({self.get_source_display()})"


class BreachOutcome(CaseSealedFields, models.Model):
    """One step of what happened to a breach (append-only). ``reason`` is required for no
    further action, and is shown to the victim who reported it; it is sealed under the
    case's key."""

    sealed_case_path = "breach__case"

    id = models.BigAutoField(primary_key=True)
    breach = models.ForeignKey(Breach, on_delete=models.PROTECT, related_name="outcomes")
    outcome = models.CharField(max_length=24, choices=BreachOutcomeKind.choices)
    on = models.DateField()
    sealed = models.BinaryField(default=b"", editable=False)
    quoted_vaults = models.JSONField(default=list, blank=True, editable=False)
    reason = SealedField("")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        db_table = "orders_breachoutcome"
        ordering = ["on", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} on {self.on:%Y-%m-%d}"
