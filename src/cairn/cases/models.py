"""Cases, the victim's consent to share (``Share``), and risk assessments.

Rows that record history are append-only: a case's status changes, its actions and notes,
risk assessments (each version a row) and their reviews. A ``Share`` is the one row that
changes (its scope, its withdrawal), and every change to it is a ledger entry in the
victim's vault, so she can prove what she consented to and when.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from cairn.store.sealed import CaseSealedFields, SealedDateField, SealedField


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    INVESTIGATING = "investigating", "Under investigation"
    AWAITING_REVIEW = "awaiting_review", "Awaiting review"
    CLOSED = "closed", "Closed"


class Case(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="cases"
    )
    unit = models.ForeignKey("accounts.Unit", on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(max_length=64, help_text="The force's own case reference.")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cases_in_charge",
        help_text="Officer in charge.",
    )
    # The latest CaseStatusChange, kept here so case lists need no subquery.
    status = models.CharField(max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    next_review = models.DateField(null=True, blank=True)
    # When the victim first reported the stalking to the police (the start of the "time from
    # first report to application" on the force dashboard); the day the case was opened when
    # nobody gave an earlier one.
    first_reported_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="case_reference_unique"
            )
        ]
        indexes = [
            models.Index(fields=["unit", "status", "-created_at"], name="case_unit_list_idx"),
            # The force dashboard: a force's cases opened in a period (ADR 0021).
            models.Index(fields=["organisation", "created_at"], name="case_org_created_idx"),
        ]

    def __str__(self) -> str:
        return self.reference


class CaseStatusChange(CaseSealedFields, models.Model):
    """One status of a case (append-only); the note is sealed under the case's key."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="status_changes")
    status = models.CharField(max_length=16, choices=CaseStatus.choices)
    sealed = models.BinaryField(default=b"", editable=False)
    quoted_vaults = models.JSONField(default=list, blank=True, editable=False)
    note = SealedField("")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} at {self.at:%Y-%m-%d}"


class CaseSuspect(CaseSealedFields, models.Model):
    """A suspect as the police record them; identifiers are normalised like a vault's.

    Name, date of birth and identifiers are sealed under the case's key (ADR 0044); the
    keyed hashes of ``SuspectKey`` match them across cases."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="suspects")
    sealed = models.BinaryField(default=b"", editable=False)
    quoted_vaults = models.JSONField(default=list, blank=True, editable=False)
    name = SealedField("")
    date_of_birth = SealedDateField()
    identifiers = SealedField([])  # [{"kind", "value"}]
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return "Suspect"


class EntryKind(models.TextChoices):
    ACTION = "action", "Action"
    NOTE = "note", "Note"


class CaseEntry(CaseSealedFields, models.Model):
    """A police action or note on the case timeline (append-only). The text is sealed under
    the case's key (ADR 0044)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=8, choices=EntryKind.choices)
    happened_at = models.DateTimeField()
    sealed = models.BinaryField(default=b"", editable=False)
    quoted_vaults = models.JSONField(default=list, blank=True, editable=False)
    text = SealedField("")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["happened_at", "created_at"]

    def __str__(self) -> str:
        return self.get_kind_display()


class ShareCode(models.Model):
    """A short code an officer (for a case) or an advocate (for herself) gives the victim, so
    she can link her vault to them. Only its keyed hash is stored; it works once, until it
    expires."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="share_codes"
    )
    advocate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    code_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return "Share code"


class ShareScope(models.TextChoices):
    ALL = "all", "Everything in my log, including what I add later"
    CHOSEN = "chosen", "Only the incidents and exhibits I choose"


class Share(models.Model):
    """The victim's consent: her vault, seen by a case or by an advocate, within a scope."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vault = models.ForeignKey("vault.Vault", on_delete=models.PROTECT, related_name="shares")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="shares"
    )
    advocate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shares_received",
    )
    scope = models.CharField(max_length=8, choices=ShareScope.choices)
    incidents = models.ManyToManyField("vault.Incident", blank=True, related_name="+")
    exhibits = models.ManyToManyField("vault.Exhibit", blank=True, related_name="+")
    # For a case: the person in this log the case is about (the respondent of an SPO
    # application), chosen by an officer when the log names more than one (DESIGN.md
    # invariant 8). The SPO grounds and the closure guard read only this person's analysis.
    defendant = models.ForeignKey(
        "vault.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(case__isnull=False, advocate__isnull=True)
                    | models.Q(case__isnull=True, advocate__isnull=False)
                ),
                name="share_has_one_recipient",
            ),
            models.UniqueConstraint(
                fields=["vault", "case"],
                condition=models.Q(withdrawn_at__isnull=True, case__isnull=False),
                name="one_live_share_per_case",
            ),
        ]

    def __str__(self) -> str:
        return "Share (withdrawn)" if self.withdrawn_at else "Share"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


class Purpose(models.TextChoices):
    """Why someone other than the owner reads vault content; recorded with every read."""

    INVESTIGATION = "investigation", "Investigation"
    RISK_ASSESSMENT = "risk_assessment", "Risk assessment"
    SPO_APPLICATION = "spo_application", "SPO application"
    COURT = "court", "Court"
    SUPERVISION = "supervision", "Supervision"


class RiskAssessment(CaseSealedFields, models.Model):
    """One version of a case's risk assessment (a new assessment or a revision is a new row).

    It is the police's record, not the victim's: kept with the case, never copied into her
    vault. ``prefilled`` names the questions the vault's analysis answered, so the reviewer
    sees which answers came from the evidence and which from the officer.

    Answers and summary are sealed (ADR 0044): under the case's key, and, when answers came
    from the evidence, under a key of the logs shared with the case then too;
    ``forget_vault`` drops the answers that came from the evidence."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="risk_assessments")
    version = models.PositiveIntegerField()
    form_id = models.CharField(max_length=64)
    form_version = models.PositiveIntegerField()
    prefilled = models.JSONField(default=list, blank=True)  # question ids the analysis answered
    # The form's band for the score: a label of any length (Cairn's are sentences).
    level = models.TextField(blank=True)
    sealed = models.BinaryField(default=b"", editable=False)
    quoted_vaults = models.JSONField(default=list, blank=True, editable=False)
    answers = SealedField({})
    summary = SealedField("")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["case", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "version"], name="risk_assessment_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Risk assessment v{self.version}"

    def forget_vault(self, vault_id: object) -> None:
        answers = self.answers
        self.answers = {
            qid: value for qid, value in answers.items() if qid not in set(self.prefilled or [])
        }
        self.quoted_vaults = [v for v in self.quoted_vault_ids() if v != str(vault_id)]


class ReviewDecision(models.TextChoices):
    AGREED = "agreed", "Agreed"
    CHANGES = "changes", "Changes needed"


class RiskReview(CaseSealedFields, models.Model):
    """A supervisor's review of a risk assessment; the note is sealed under the case's key."""

    sealed_case_path = "assessment__case"

    id = models.BigAutoField(primary_key=True)
    assessment = models.ForeignKey(RiskAssessment, on_delete=models.PROTECT, related_name="reviews")
    decision = models.CharField(max_length=8, choices=ReviewDecision.choices)
    sealed = models.BinaryField(default=b"", editable=False)
    quoted_vaults = models.JSONField(default=list, blank=True, editable=False)
    note = SealedField("")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.get_decision_display()


class ClosureSignOff(CaseSealedFields, models.Model):
    """A supervisor's written agreement to close a case although the analysis of a linked log
    warns that the stalking may start again (append-only; issue 8, point 5).

    ``warning`` is a summary without vault content: per linked log, the numbers of days and
    the dates the warning rests on (``cairn.cases.closure.warning_summary``). ``after_change``
    is the case's latest status row when it was signed: a sign-off counts for a closing only
    when no closing came after it (so a reopened case needs a new one). ``reason`` is sealed
    under the case's key."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="closure_sign_offs")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    warning = models.JSONField(default=list, blank=True)
    sealed = models.BinaryField(default=b"", editable=False)
    quoted_vaults = models.JSONField(default=list, blank=True, editable=False)
    reason = SealedField("")
    after_change = models.ForeignKey(CaseStatusChange, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Closure sign-off at {self.at:%Y-%m-%d}"


class ReopenRequest(models.Model):
    """The victim's one-step request, from her sharing page, to reopen a closed case. It
    reopens the case at once: ``status_change`` is the "open" row it added, written by her
    (``CaseStatusChange.by`` is the victim) with a note saying so."""

    id = models.BigAutoField(primary_key=True)
    victim = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reopen_requests")
    status_change = models.OneToOneField(
        CaseStatusChange, on_delete=models.PROTECT, related_name="reopen_request"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Reopen request at {self.at:%Y-%m-%d}"


class SuspectKeyKind(models.TextChoices):
    PHONE = "phone", "phone number"
    EMAIL = "email", "e-mail address"
    HANDLE = "handle", "social media handle"
    VEHICLE = "vehicle", "vehicle registration"
    NAME_DOB = "name_dob", "name and date of birth"


class SuspectKey(models.Model):
    """One suspect identifier as a keyed hash, for cross-case links within an organisation
    (``cairn.cases.links``): equal identifiers give equal hashes, and nothing of the
    identifier can be learnt from the hash without the organisation's key."""

    id = models.BigAutoField(primary_key=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="suspect_keys")
    suspect = models.ForeignKey(CaseSuspect, on_delete=models.PROTECT, related_name="keys")
    kind = models.CharField(max_length=16, choices=SuspectKeyKind.choices)
    key_hash = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["organisation", "key_hash"], name="suspect_key_lookup_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["suspect", "kind", "key_hash"], name="suspect_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Suspect key ({self.kind})"


class RightToKnowDecision(models.TextChoices):
    TELL = "tell", "Tell the victim who the stalker is"
    NOT_YET = "not_yet", "Not yet: decide again later"
    NOT_TELL = "not_tell", "Do not tell the victim"


class RightToKnow(CaseSealedFields, models.Model):
    """The "right to know" (issue 15, point 6; docs/adr/0042): a victim of an anonymous or
    online stalker is told who the stalker is at the earliest opportunity, unless that would
    be unsafe. One row per decision, append-only: when the stalker was identified and how,
    the decision and its reasons, and the day the victim was told (or why she was not). How
    he was identified and the reasons are sealed under the case's key (ADR 0044)."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="right_to_know")
    suspect = models.ForeignKey(
        CaseSuspect, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    identified_on = models.DateField()
    decision = models.CharField(max_length=8, choices=RightToKnowDecision.choices)
    sealed = models.BinaryField(default=b"", editable=False)
    quoted_vaults = models.JSONField(default=list, blank=True, editable=False)
    how_identified = SealedField("")
    reasons = SealedField("")
    decided_on = models.DateField()
    told_on = models.DateField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["decided_on", "at", "id"]

    def __str__(self) -> str:
        return f"Right to know: {self.get_decision_display()}"


class ReferralKind(models.TextChoices):
    ADVOCATE = "advocate", "Stalking advocate (ISAC)"
    MARAC = "marac", "MARAC (multi-agency risk assessment conference)"
    MASIP = "masip", "MASIP (multi-agency stalking intervention programme)"


class ReferralOutcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    HEARD = "heard", "Heard at the meeting"
    SUPPORT_ENDED = "support_ended", "Support or intervention ended"


class Referral(CaseSealedFields, models.Model):
    """A referral to another agency (issue 15, point 6): the stalking advocate, MARAC or a
    MASIP, with the day it was made, the meeting it is listed for (MARAC), and its outcome
    with the day. The outcome is recorded once. The agency named and the note are sealed
    under the case's key (ADR 0044)."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    kind = models.CharField(max_length=8, choices=ReferralKind.choices)
    referred_on = models.DateField()
    meeting_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=ReferralOutcome.choices, blank=True)
    outcome_on = models.DateField(null=True, blank=True)
    sealed = models.BinaryField(default=b"", editable=False)
    quoted_vaults = models.JSONField(default=list, blank=True, editable=False)
    agency = SealedField("")
    note = SealedField("")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["referred_on", "at", "id"]
        indexes = [models.Index(fields=["case", "referred_on"])]

    def __str__(self) -> str:
        return f"Referral ({self.get_kind_display()})"
