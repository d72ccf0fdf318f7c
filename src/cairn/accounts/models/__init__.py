"""The accounts app's models: people and organisations (``organisations``), and a victim's
own account (``own``: sign-up invitations, recovery, passkeys, sessions), and authenticator
apps with sealed secrets (``two_factor``)."""

from cairn.accounts.models.organisations import (
    Invitation,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    Unit,
    User,
)
from cairn.accounts.models.own import (
    AddressThrottle,
    EndReason,
    KnownDevice,
    Passkey,
    RecoveryAddress,
    RecoveryCode,
    RecoveryCodes,
    ResetLink,
    SessionRecord,
    SignUpInvitation,
)
from cairn.accounts.models.two_factor import AuthenticatorApp

__all__ = [
    "AddressThrottle",
    "AuthenticatorApp",
    "EndReason",
    "Invitation",
    "KnownDevice",
    "Membership",
    "Organisation",
    "OrganisationKind",
    "Passkey",
    "RecoveryAddress",
    "RecoveryCode",
    "RecoveryCodes",
    "ResetLink",
    "Role",
    "SessionRecord",
    "SignUpInvitation",
    "Unit",
    "User",
]
