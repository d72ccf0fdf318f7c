"""The tamper-evident log: one append-only RFC 9162 Merkle tree per vault.

Rows here are written only by ``cairn.ledger.log`` (called from the services' single
``record_change``) and read by verification, proofs and checkpoints.
"""

from __future__ import annotations

from django.db import models


class LedgerEntry(models.Model):
    """One leaf: the RFC 8785 canonical JSON of what changed, and its RFC 9162 leaf hash.

    The entry names the vault, its sequence number (the leaf index), the time, the actor,
    the kind of change, the object and the SHA-256 of the object's canonical content. It
    never holds the content itself.
    """

    vault = models.ForeignKey("vault.Vault", on_delete=models.PROTECT, related_name="+")
    seq = models.PositiveBigIntegerField()
    entry = models.BinaryField()
    leaf_hash = models.BinaryField(max_length=32)

    class Meta:
        ordering = ["vault", "seq"]
        constraints = [models.UniqueConstraint(fields=["vault", "seq"], name="ledger_seq_unique")]
        verbose_name_plural = "ledger entries"

    def __str__(self) -> str:
        return f"entry {self.seq}"


class LedgerState(models.Model):
    """The right edge of a vault's tree, so an append costs O(log n), not a rebuild.

    ``frontier`` is the concatenation of the 32-byte roots of the complete subtrees that
    make up the first ``size`` leaves, largest first (one per set bit of ``size``). It is a
    cache: verification rebuilds the tree from the entries and compares.
    """

    vault = models.OneToOneField(
        "vault.Vault", on_delete=models.PROTECT, primary_key=True, related_name="ledger_state"
    )
    size = models.PositiveBigIntegerField(default=0)
    frontier = models.BinaryField(default=b"")

    def __str__(self) -> str:
        return f"ledger of {self.size}"


class TreeHead(models.Model):
    """A signed statement: "this vault's log had ``size`` entries with this root at this time".

    The signature (Ed25519, by the instance key named by ``key_fingerprint``) covers the
    RFC 8785 bytes of {v, vault, size, root, timestamp, key}, so changing any field breaks
    it. ``timestamp_token`` is an optional RFC 3161 token over the same bytes.
    """

    vault = models.ForeignKey("vault.Vault", on_delete=models.PROTECT, related_name="+")
    size = models.PositiveBigIntegerField()
    root_hash = models.BinaryField(max_length=32)
    timestamp = models.CharField(max_length=40, help_text="RFC 3339 UTC, as signed.")
    key_fingerprint = models.CharField(max_length=64)
    signature = models.BinaryField(max_length=64)
    timestamp_token = models.BinaryField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["vault", "size"]
        constraints = [models.UniqueConstraint(fields=["vault", "size"], name="tree_head_unique")]

    def __str__(self) -> str:
        return f"tree head {self.size}"


class Verification(models.Model):
    """The outcome of a run of ``cairn verify`` (no vault content: entry numbers and exhibit
    references only)."""

    vault = models.ForeignKey("vault.Vault", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    ok = models.BooleanField()
    entries = models.PositiveBigIntegerField()
    files = models.PositiveIntegerField()
    failures = models.JSONField(default=list)

    class Meta:
        ordering = ["vault", "-at"]

    def __str__(self) -> str:
        return "verified" if self.ok else "failed"
