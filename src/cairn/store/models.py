from __future__ import annotations

from django.db import models


class VaultKey(models.Model):
    """A vault's data key, wrapped by the deployment's key-encryption key (KEK).

    ``wrapped`` is empty once the key has been destroyed (crypto-shredding): from then on
    nothing encrypted with it can be read by anyone.
    """

    vault = models.OneToOneField(
        "vault.Vault", on_delete=models.PROTECT, primary_key=True, related_name="key"
    )
    wrapped = models.BinaryField()
    kek_id = models.CharField(max_length=16, help_text="Which KEK wrapped it (a public name).")
    created_at = models.DateTimeField(auto_now_add=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return "destroyed key" if self.destroyed_at else "vault key"


class CredentialKey(models.Model):
    """The instance's credential key, wrapped by the KEK: one row, made on first use.

    It belongs to no vault. Keys derived from it keep the secrets of accounts useless in a
    copy of the database: the keyed hash each session is stored under, the keyed hash of each
    API token, and the sealed secret of each authenticator app (``cairn.store.keys``).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    wrapped = models.BinaryField()
    kek_id = models.CharField(max_length=16, help_text="Which KEK wrapped it (a public name).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="credential_key_single_row")
        ]

    def __str__(self) -> str:
        return "credential key"


class CaseKey(models.Model):
    """A case's data key, wrapped by the KEK: made on first use (``keys.case_key``).

    It seals the police side of a case (suspects, timeline entries, applications, breaches).
    What quotes a victim's log is sealed under a key derived from this one and her vault's
    data key (``keys.quote_key``), so destroying her vault key makes it unreadable too
    (ADR 0044).
    """

    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, primary_key=True, related_name="key"
    )
    wrapped = models.BinaryField()
    kek_id = models.CharField(max_length=16, help_text="Which KEK wrapped it (a public name).")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return "case key"
