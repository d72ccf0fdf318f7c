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
    """The steps of both tracks (``rules.TRANSITIONS``, ``rules.INTERIM_TRANSITIONS``): the
    main application and its order, and the interim order (values starting ``interim_``)."""

    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted to the court"
    HEARING_LISTED = "hearing_listed", "Hearing listed"
    GRANTED = "granted", "Order granted"
    REFUSED = "refused", "Order refused"
    WITHDRAWN = "withdrawn", "Withdrawn"
    VARIED = "varied", "Order varied"
    RENEWED = "renewed", "Order renewed"
    DISCHARGED = "discharged", "Order discharged"
    EXPIRED = "expired", "Order expired"
    CHANGE_REFUSED = ("change_refused",
                      "Application to vary, renew or discharge the order refused")
    APPEALED_BY_APPLICANT = "appealed_by_applicant", "Appealed by the police"
    APPEALED_BY_RESPONDENT = "appealed_by_respondent", "Appealed by the defendant"
    INTERIM_APPLIED = "interim_applied", "Interim order applied for"
    INTERIM_GRANTED = "interim_granted", "Interim order granted"
    INTERIM_REFUSED = "interim_refused", "Interim order refused"
    INTERIM_WITHDRAWN = "interim_withdrawn", "Interim application withdrawn"
    INTERIM_VARIED = "interim_varied", "Interim order varied"
    INTERIM_RENEWED = "interim_renewed", "Interim order renewed (extended)"
    INTERIM_DISCHARGED = "interim_discharged", "Interim order discharged"
    INTERIM_CHANGE_REFUSED = ("interim_change_refused",
                              "Application to vary, renew or discharge the interim order "
                              "refused")
    INTERIM_LAPSED = "interim_lapsed", "Interim order ended on its last day"
    INTERIM_ENDED = "interim_ended", "Interim order ended: the main application was decided"
    INTERIM_APPEALED_BY_APPLICANT = ("interim_appealed_by_applicant",
                                     "Interim refusal appealed by the police")
    INTERIM_APPEALED_BY_RESPONDENT = ("interim_appealed_by_respondent",
                                      "Interim order appealed by the defendant")


class Applicant(models.TextChoices):
    """Who applied for a variation, renewal or discharge (s.4(2); s.5(7))."""

    CHIEF_OFFICER = "chief_officer", "The police (the chief officer who applied for the order)"
    DEFENDANT = "defendant", "The defendant"
    OTHER_CHIEF_OFFICER = ("other_chief_officer",
                           "Another force (where the defendant lives or is going)")


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


class DefendantArea(models.TextChoices):
    """Why the chief officer may apply (s.1(3)): the defendant's link to the force's area."""

    RESIDES = "resides", "The defendant lives in the force's area"
    IN_AREA = "in_area", "The chief officer believes the defendant is in the force's area"
    COMING = "coming", ("The chief officer believes the defendant is intending to come to the "
                        "force's area")


class OrderType(models.TextChoices):
    """Kinds of order sharing one lifecycle (``rules.ORDER_TYPES`` says where they differ)."""

    SPO = "spo", "Stalking Protection Order"
    RESTRAINING_ORDER = "restraining_order", "Restraining order"
    BAIL = "bail", "Bail conditions"
    NON_MOLESTATION = "non_molestation", "Non-molestation order"
    DAPO = "dapo", "Domestic Abuse Protection Order"


class Application(CaseSealedFields, models.Model):
    """The proceedings in which an order is made: a police application for an SPO (s.1), or
    the record of an order a court made without one (``basis``: on conviction or acquittal,
    bail, the family court...), which starts at "granted" with no grounds.

    Its free text (court, grounds, interim reasoning, the s.1(3) and s.2(3) reasons) is sealed
    (ADR 0044): under a key of the case and of every log the grounds cite as evidence
    (prefilled grounds quote it), so destroying her vault makes them unreadable;
    ``forget_vault`` empties the grounds that cite it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT,
                             related_name="spo_applications")
    order_type = models.CharField(max_length=24, choices=OrderType.choices,
                                  default=OrderType.SPO)
    # How it was made: "application" for a police application; otherwise the court's own
    # basis (rules.ORDER_TYPES[order_type].bases).
    basis = models.CharField(max_length=24, default="application")
    # The suspect the order is sought against: the s.2(6)-(7) check runs against every order
    # on the same person, found by the suspects' keyed hashes (cases.links).
    defendant = models.ForeignKey("cases.CaseSuspect", on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="spo_applications")
    # s.1(3): the defendant lives in the area, or is believed to be in it or coming to it.
    defendant_area = models.CharField(max_length=16, choices=DefendantArea.choices,
                                      blank=True)
    # s.9(5)-(7): no notification duty while the defendant is subject to the notification
    # requirements of Part 2 of the Sexual Offences Act 2003; from the "final day" on.
    sex_offender_notification = models.BooleanField(default=False)
    sex_offender_notification_ended_on = models.DateField(null=True, blank=True)
    # The latest ApplicationStatusChange, kept here so lists need no subquery.
    status = models.CharField(max_length=40, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.DRAFT)
    # The interim track's latest step ("" before any interim order is applied for, s.5).
    interim_status = models.CharField(max_length=40, choices=ApplicationStatus.choices,
                                      blank=True, default="")
    # s.3: a fixed period of at least 2 years, or until further order.
    duration_months = models.PositiveIntegerField(null=True, blank=True)
    until_further_order = models.BooleanField(default=False)
    # s.5: an interim order, with its own reasons why one is "appropriate".
    interim_requested = models.BooleanField(default=False)
    sealed = models.BinaryField(default=b"", editable=False)
    quoted_vaults = models.JSONField(default=list, blank=True, editable=False)
    interim_reasoning = SealedField("")
    # The court that made the order (a court-made order names it).
    court = SealedField("")
    # s.1(3): why the defendant is linked to the area (with ``defendant_area``).
    defendant_area_reasons = SealedField("")
    # s.2(3): how the terms avoid conflict with his religious beliefs, work or education.
    conflicts_considered = SealedField("")
    # s.1(1)(a)-(c): {limb: {"title", "text", "evidence": [{"vault", "incidents": [numbers]}]}}
    grounds = SealedField({})
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(
            condition=(~models.Q(order_type="spo", basis="application")
                       | models.Q(until_further_order=True, duration_months__isnull=True)
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
    """One step of an application's lifecycle, on either track (append-only).

    A decision of the court records the day it was made (``decided_on``); a variation,
    renewal or discharge (s.4, s.5(7)) records who applied for it and, for a discharge within
    two years, the consents the Act requires; ``order`` is the order the step made or acted
    on. Whether the victim was told is a ``VictimInformed`` row of its own. The note is
    sealed under the case's key (ADR 0044)."""

    sealed_case_path = "application__case"

    id = models.BigAutoField(primary_key=True)
    application = models.ForeignKey(Application, on_delete=models.PROTECT,
                                    related_name="status_changes")
    status = models.CharField(max_length=40, choices=ApplicationStatus.choices)
    hearing_on = models.DateField(null=True, blank=True)  # the hearing listed, or the first
    decided_on = models.DateField(null=True, blank=True)
    applicant = models.CharField(max_length=24, choices=Applicant.choices, blank=True)
    consent_defendant = models.BooleanField(null=True, blank=True)
    consent_chief_officer = models.BooleanField(null=True, blank=True)
    order = models.ForeignKey("Order", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    sealed = models.BinaryField(default=b"", editable=False)
    quoted_vaults = models.JSONField(default=list, blank=True, editable=False)
    note = SealedField("")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} at {self.at:%Y-%m-%d}"


class VictimInformed(models.Model):
    """The day the victim was told of a step (a variation, renewal, discharge, an order
    ending): recorded once, never changed."""

    id = models.BigAutoField(primary_key=True)
    change = models.OneToOneField(ApplicationStatusChange, on_delete=models.PROTECT,
                                  related_name="victim_informed")
    on = models.DateField()
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"Victim told on {self.on:%Y-%m-%d}"


class OrderKind(models.TextChoices):
    INTERIM = "interim", "Interim order (s.5)"
    FULL = "full", "Stalking Protection Order"


class Order(models.Model):
    """An order as the court made it. ``expires_on`` is the last day it has effect: it runs
    "until the end of" that day (None: until further order). ``replaces`` is the order a
    variation or renewal took the place of. ``notification_due`` is the last day for the s.9
    notification (None until served, or when s.9 does not apply)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(Application, on_delete=models.PROTECT,
                                    related_name="orders")
    kind = models.CharField(max_length=8, choices=OrderKind.choices)
    replaces = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="replaced_by")
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


class NotificationKind(models.TextChoices):
    INITIAL = "initial", "Names and home address, after service (s.9(1))"
    NEW_NAME = "new_name", "A name not notified before (s.9(3))"
    NEW_ADDRESS = "new_address", "A new home address (s.9(4))"
    AFTER_REGISTER = ("after_register",
                      "Names and home address, once sex offender notification ended (s.9(7))")


class NotificationEvent(CaseSealedFields, models.Model):
    """One notification the defendant owes under s.9, and how he gave it (s.10): the day that
    started the 3 days (service, a new name used, a move, the end of sex offender
    notification), the last day, and the day he attended a police station, with the written
    acknowledgement and whether fingerprints or photographs were taken. ``notified_on`` empty:
    not given (yet); past ``due_on``, a failure to notify (s.11) is recorded as a ``Breach`` of
    kind "notification failure". The station is sealed under the case's key (ADR 0044)."""

    sealed_case_path = "application__case"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(Application, on_delete=models.PROTECT,
                                    related_name="notifications")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="notifications")
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    started_on = models.DateField()
    due_on = models.DateField()
    notified_on = models.DateField(null=True, blank=True)
    sealed = models.BinaryField(default=b"", editable=False)
    quoted_vaults = models.JSONField(default=list, blank=True, editable=False)
    station = SealedField("")
    acknowledged_in_writing = models.BooleanField(default=False)
    fingerprints_taken = models.BooleanField(default=False)
    photographs_taken = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["started_on", "created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {self.due_on:%Y-%m-%d}"
