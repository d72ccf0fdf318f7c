"""What the operator of an instance does from its shell (``cairn``), as services.

The CLI is the operator of its data directory: it makes local accounts (a vault's owner, an
organisation's first administrator, the ``operator`` account it acts as), sets their passwords
and rotates the key-encryption key. Each of these takes ``actor=``, runs in a transaction and
writes its audit record, like every other change (docs/design.md).

A local account made for the person at the keyboard (``cairn vault create`` for her own
vault, the operator's own first account) has nobody else to be made by: ``actor=None`` says
so, and the new account is its own actor, as it is when someone signs up on the web pages.
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cairn.accounts.models import User
from cairn.audit import services as audit
from cairn.store import keys


def create_local_account(*, actor: User | None, username: str, operator: bool = False) -> User:
    """A local account called ``username`` with no usable password (it signs in once a
    password is set). ``actor`` is the operator making it for someone else, or None when the
    person at the keyboard makes their own; ``operator=True`` makes the CLI's own superuser,
    which only a new account made for itself may be."""
    if actor is not None and not getattr(actor, "is_superuser", False):
        raise PermissionDenied("Only the instance's operator can make local accounts")
    if operator and actor is not None:
        raise PermissionDenied("The operator account is made only for itself")
    with transaction.atomic():
        user = User(username=username)
        user.set_unusable_password()
        if operator:
            user.is_superuser, user.display_name = True, "Operator"
        user.full_clean()
        user.save()
        audit.record(
            actor=actor or user,
            action="account.created",
            object_type="user",
            object_id=user.pk,
            detail={"by": "cli", "operator": operator},
        )
    return user


def set_local_password(*, actor: User, user: User, password: str) -> None:
    """Set the password ``user`` signs in with, from the shell (``cairn user set-password``).
    A password Django's validators refuse raises ``ValidationError`` on ``password``."""
    if actor is None or (actor.pk != user.pk and not actor.is_superuser):
        raise PermissionDenied("Only the account's holder or the operator can set its password")
    if not password:
        raise ValidationError({"password": ["the password is empty"]})
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit.record(
            actor=actor,
            action="password.set",
            object_type="user",
            object_id=user.pk,
            detail={"by": "cli"},
        )


def rotate_kek(*, actor: User, new_kek: bytes | None = None) -> tuple[int, str]:
    """Re-wrap every vault, case and credential key under a new key-encryption key, audited.

    ``new_kek`` is the new key for a configured KEK or a passphrase's; None with the local KEK
    file, which is replaced by a new random one once the transaction commits (crash-safe,
    ``keys.rotate_local``). Returns the count of vault keys re-wrapped and the new KEK's id.
    """
    if actor is None or not getattr(actor, "is_superuser", False):
        raise PermissionDenied("Only the instance's operator can rotate the KEK")

    def record(count: int, new_id: str) -> None:
        audit.record(
            actor=actor,
            action="kek.rotated",
            object_type="kek",
            object_id=new_id,
            detail={"vault_keys": count, "source": keys.kek_source()},
        )

    if new_kek is None:
        return keys.rotate_local(record=record)
    return keys.rotate(new_kek, record=record), keys.kek_id(new_kek)
