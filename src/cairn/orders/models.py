"""Stalking Protection Order applications, their terms, their lifecycle and the orders made.

An ``Application`` is the chief officer's application under the Stalking Protection Act 2019
s.1; its ``Term`` rows are the prohibitions and requirements asked for (each with its own
necessity reason, s.2(2)). Its lifecycle is ``ApplicationStatusChange`` rows, append-only
(``Application.status`` keeps the latest so lists need no subquery). An ``Order`` is what the
court made, interim (s.5) or full: its terms are copied into rows of its own, so the order as
made may differ from the order asked for and both are kept. See docs/adr/0017.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from cairn.store.sealed import CaseSealedFields, SealedField, SealedFloatField


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted to the court"
    INTERIM_GRANTED = "interim_granted", "Interim order granted"
    INTERIM_REFUSED = "interim_refused", "Interim order refused"
    HEARING_LISTED = "hearing_listed", "Hearing listed"
    GRANTED = "granted", "Order granted"
    REFUSED = "refused", "Order refused"
    WITHDRAWN = "withdrawn", "Withdrawn"
    VARIED = "varied", "Order varied"
    RENEWED = "renewed", "Order renewed"
    DISCHARGED = "discharged", "Order discharged"
    EXPIRED = "expired", "Order expired"
    APPEALED_BY_APPLICANT = "appealed_by_applicant", "Refusal appealed by the police"
    APPEALED_BY_RESPONDENT = "appealed_by_respondent", "Order appealed by the defendant"


class TermKind(models.TextChoices):
    """The catalogue of terms (docs/law.md, "Typical terms"): prohibitions, then
    requirements. The value's prefix says which (``no_``/``not_`` prohibits)."""

    NO_CONTACT = "no_contact", "Prohibition: no contact with the person by any means"
    NO_THIRD_PARTY_CONTACT = ("no_third_party_contact",
                              "Prohibition: no contact through third parties")
    NO_ENTRY_PLACES = "no_entry_places", "Prohibition: not to enter named places"
    EXCLUSION_ZONE = "exclusion_zone", "Prohibition: not to enter a mapped exclusion zone"
    NOT_WITHIN_DISTANCE = ("not_within_distance",
                           "Prohibition: not to come within a distance of the person")
    NO_SOCIAL_MEDIA_REFERENCE = ("no_social_media_reference",
                                 "Prohibition: not to refer to the person on social media")
    NO_IMAGES = "no_images", "Prohibition: not to record or publish images of the person"
    NO_SURVEILLANCE = ("no_surveillance",
                       "Prohibition: no surveillance of the person or their devices")
    NO_UNLOGGED_DEVICES = ("no_unlogged_devices",
                           "Prohibition: not to use internet devices that cannot keep their "
                           "history")
    ATTEND_ASSESSMENT = ("attend_assessment",
                         "Requirement: attend a mental-health or treatment assessment")
    ATTEND_PROGRAMME = ("attend_programme",
                        "Requirement: attend a perpetrator, drug or alcohol programme")
    SURRENDER_DEVICES = "surrender_devices", "Requirement: surrender devices"
    ACCOUNT_ACCESS = ("account_access",
                      "Requirement: give the police access to accounts and devices")
    REPORT_TO_STATION = "report_to_station", "Requirement: report to a police station"


PROHIBITIONS = frozenset({
    TermKind.NO_CONTACT, TermKind.NO_THIRD_PARTY_CONTACT, TermKind.NO_ENTRY_PLACES,
    TermKind.EXCLUSION_ZONE, TermKind.NOT_WITHIN_DISTANCE, TermKind.NO_SOCIAL_MEDIA_REFERENCE,
    TermKind.NO_IMAGES, TermKind.NO_SURVEILLANCE, TermKind.NO_UNLOGGED_DEVICES})
REQUIREMENTS = frozenset(set(TermKind) - PROHIBITIONS)


class Application(CaseSealedFields, models.Model):
    """An SPO application. Its grounds and interim reasoning are sealed (ADR 0044): under a
    key of the case and of every log the grounds cite as evidence (prefilled grounds quote
    it), so destroying her vault makes them unreadable; ``forget_vault`` empties the grounds
    that cite it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT,
                             related_name="spo_applications")
    # The latest ApplicationStatusChange, kept here so lists need no subquery.
    status = models.CharField(max_length=24, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.DRAFT)
    # s.3: a fixed period of at least 2 years, or until further order.
    duration_months = models.PositiveIntegerField(null=True, blank=True)
    until_further_order = models.BooleanField(default=False)
    # s.5: an interim order, with its own reasons why one is "appropriate".
    interim_requested = models.BooleanField(default=False)
    sealed = models.BinaryField(default=b"", editable=False)
    quoted_vaults = models.JSONField(default=list, blank=True, editable=False)
    interim_reasoning = SealedField("")
    # s.1(1)(a)-(c): {limb: {"title", "text", "evidence": [{"vault", "incidents": [numbers]}]}}
    grounds = SealedField({})
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(
            condition=(models.Q(until_further_order=True, duration_months__isnull=True)
                       | models.Q(until_further_order=False, duration_months__gte=24)),
            name="spo_application_duration_s3")]

    def __str__(self) -> str:
        return f"SPO application ({self.get_status_display()})"

    def quoted_vault_ids(self) -> list[str]:
        return sorted({str(item["vault"]) for ground in (self.sealed_value("grounds") or {})
                       .values() if isinstance(ground, dict)
                       for item in ground.get("evidence") or [] if item.get("vault")})

    def forget_vault(self, vault_id: object) -> None:
        """Empty each ground that cites ``vault_id`` (its text may quote her log)."""
        grounds = self.grounds
        for key, ground in grounds.items():
            if isinstance(ground, dict) and any(str(item.get("vault")) == str(vault_id)
                                                for item in ground.get("evidence") or []):
                grounds[key] = {**ground, "text": "", "evidence": []}
        self.grounds = grounds


class ApplicationStatusChange(CaseSealedFields, models.Model):
    """One step of an application's lifecycle (append-only); the note is sealed under the
    case's key."""

    sealed_case_path = "application__case"

    id = models.BigAutoField(primary_key=True)
    application = models.ForeignKey(Application, on_delete=models.PROTECT,
                                    related_name="status_changes")
    status = models.CharField(max_length=24, choices=ApplicationStatus.choices)
    hearing_on = models.DateField(null=True, blank=True)  # for "hearing listed"
    sealed = models.BinaryField(default=b"", editable=False)
    quoted_vaults = models.JSONField(default=list, blank=True, editable=False)
    note = SealedField("")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} at {self.at:%Y-%m-%d}"


class OrderKind(models.TextChoices):
    INTERIM = "interim", "Interim order (s.5)"
    FULL = "full", "Stalking Protection Order"


class Order(models.Model):
    """An order as the court made it. ``expires_on`` is the first day it no longer has
    effect (None: until further order); ``notification_due`` the last day for the s.9
    notification (None until served, or when s.9 does not apply)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(Application, on_delete=models.PROTECT,
                                    related_name="orders")
    kind = models.CharField(max_length=8, choices=OrderKind.choices)
    made_on = models.DateField()
    duration_months = models.PositiveIntegerField(null=True, blank=True)
    until_further_order = models.BooleanField(default=False)
    expires_on = models.DateField(null=True, blank=True)
    served_on = models.DateField(null=True, blank=True)
    notification_required = models.BooleanField(default=True)
    notification_due = models.DateField(null=True, blank=True)
    notified_on = models.DateField(null=True, blank=True)
    renewal_review_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["made_on", "created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} made {self.made_on:%Y-%m-%d}"


class Term(CaseSealedFields, models.Model):
    """A prohibition or requirement: asked for (``application``) or as made (``order``).

    Its words, places and coordinates (her home, her work) are sealed under the case's key
    (ADR 0044); the kind and a distance stay clear."""

    sealed_case_path = "application__case"  # for shredding: a term never quotes her log

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(Application, on_delete=models.PROTECT, null=True,
                                    blank=True, related_name="terms")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="terms")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=32, choices=TermKind.choices)
    sealed = models.BinaryField(default=b"", editable=False)
    quoted_vaults = models.JSONField(default=list, blank=True, editable=False)
    details = SealedField("")
    # Why this term is necessary to protect the person (s.2(2)).
    necessity = SealedField("")
    # A named place (to keep out of, or to attend) and where it is, when the term has one.
    place = SealedField("")
    place_lat = SealedFloatField()
    place_lon = SealedFloatField()
    # A contact term's exception (for example "through solicitors about the children").
    exception = SealedField("")
    # An exclusion zone: an area (a GeoJSON Polygon) or a centre and radius; a distance term
    # uses radius_m alone.
    area = SealedField(None)
    centre_lat = SealedFloatField()
    centre_lon = SealedFloatField()
    radius_m = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.CheckConstraint(
            condition=(models.Q(application__isnull=False, order__isnull=True)
                       | models.Q(application__isnull=True, order__isnull=False)),
            name="spo_term_belongs_to_one")]

    def __str__(self) -> str:
        return self.get_kind_display()

    def _sealed_case_id(self) -> object:
        application = self.application if self.application_id else self.order.application
        return application.case_id


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
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="breaches")
    term = models.ForeignKey(Term, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="breaches")
    source = models.CharField(max_length=8, choices=BreachSource.choices)
    vault = models.ForeignKey("vault.Vault", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    incident = models.ForeignKey("vault.Incident", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="+")
    occurred_at = models.DateTimeField()
    sealed = models.BinaryField(default=b"", editable=False)
    quoted_vaults = models.JSONField(default=list, blank=True, editable=False)
    # An officer's account of what happened (a victim's own words stay sealed in her vault).
    account = SealedField("")
    crime_reference = SealedField("")
    outcome = models.CharField(max_length=24, choices=BreachOutcomeKind.choices, blank=True)
    reported_at = models.DateTimeField(auto_now_add=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        ordering = ["-occurred_at", "-reported_at"]
        indexes = [models.Index(fields=["case", "reported_at"])]
        constraints = [models.CheckConstraint(
            condition=(models.Q(source="victim", incident__isnull=False, vault__isnull=False)
                       | models.Q(source="officer")),
            name="spo_breach_victim_has_incident")]

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
        ordering = ["on", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} on {self.on:%Y-%m-%d}"
