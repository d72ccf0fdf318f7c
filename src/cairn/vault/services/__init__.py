"""The only write path for a vault (DESIGN.md "Shape").

Every function here takes the acting user as ``actor``, checks that they may make the change,
validates, runs in one transaction, stores the change and records it through
``record_change``: the single place where the audit record and the tamper-evident ledger
entry are written. Bad input raises ``django.core.exceptions.ValidationError`` with a message
per field and changes nothing.

The package's modules, by what they change: ``vaults``, ``incidents``, ``exhibits``,
``persons``; ``common`` holds ``record_change``, ``Changes`` and ``require_owner``. Callers
import the names from here.
"""

from __future__ import annotations

from cairn.vault.services.common import (
    Changes,
    lock_vault,
    record_change,
    require_owner,
)
from cairn.vault.services.exhibits import (
    add_exhibit,
    attach_exhibit,
    exhibit_content,
    keep_exhibit,
)
from cairn.vault.services.incidents import (
    INCIDENT_FIELDS,
    IncidentInput,
    build_incident_content,
    build_tombstone_content,
    delete_incident,
    incident_content,
    log_incident,
    log_incidents,
    revise_incident,
    tombstone_content,
)
from cairn.vault.services.persons import (
    IdentifierInput,
    combine_persons,
    create_person,
    identifier_lookup,
    normalise_identifier,
    person_content,
    separate_person,
    update_person,
)
from cairn.vault.services.vaults import (
    create_vault,
    destroy_vault,
)

__all__ = [
    "INCIDENT_FIELDS",
    "Changes",
    "IdentifierInput",
    "IncidentInput",
    "add_exhibit",
    "attach_exhibit",
    "build_incident_content",
    "build_tombstone_content",
    "combine_persons",
    "create_person",
    "create_vault",
    "delete_incident",
    "destroy_vault",
    "exhibit_content",
    "identifier_lookup",
    "incident_content",
    "keep_exhibit",
    "lock_vault",
    "log_incident",
    "log_incidents",
    "normalise_identifier",
    "person_content",
    "record_change",
    "require_owner",
    "revise_incident",
    "separate_person",
    "tombstone_content",
    "update_person",
]
