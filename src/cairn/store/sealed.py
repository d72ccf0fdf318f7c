"""Free-text fields encrypted with the vault's data key ("sealed"), read through properties.

What: a model that mixes in ``SealedFields`` keeps its sensitive free text (descriptions,
places, names, identifiers, file names...) as one AES-256-GCM ciphertext in the binary
column ``sealed``: the JSON object of those fields, with ``cairn:<table>:<pk>`` as associated
data so a ciphertext cannot be moved to another row. Each field is readable and writable as
an ordinary attribute (``incident.description``); writing marks the row for re-sealing on
``save``.

Why: a copy of the database without the key-encryption key must reveal none of the content
(docs/security.md, adversary B). Filtering and search happen after decryption, in memory: a
vault holds thousands of items, not millions (DESIGN.md "Protection at rest").

Failures: reading a field of a vault whose key was destroyed raises
``cairn.store.keys.KeyUnavailable``; a ciphertext that was altered or moved raises
``cairn.store.crypto.FieldDecryptionError``.
"""

from __future__ import annotations

import copy
import json
from typing import Any, ClassVar

from cairn.store import crypto, keys


def _context(instance: Any) -> bytes:
    return row_context(type(instance), instance.pk)


def row_context(model: type, pk: object) -> bytes:
    """The associated data that binds a row's sealed values to its table and primary key."""
    return f"cairn:{model._meta.db_table}:{pk}".encode()  # type: ignore[attr-defined]


def unseal_row(model: type, pk: object, vault_id: object, blob: bytes) -> dict[str, Any]:
    """The sealed values of one row read with ``values_list`` (no model instance): for bulk
    reads such as a listing of thousands of incidents."""
    return unseal(vault_id, row_context(model, pk), bytes(blob)) if blob else {}


def seal(vault_id: object, context: bytes, values: dict[str, Any]) -> bytes:
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return crypto.encrypt_field(keys.data_key(vault_id), text, context=context)


def unseal(vault_id: object, context: bytes, blob: bytes) -> dict[str, Any]:
    values: dict[str, Any] = json.loads(
        crypto.decrypt_field(keys.data_key(vault_id), blob, context=context))
    return values


class SealedField:
    """A descriptor for one sealed field, with its default when nothing is stored."""

    def __init__(self, default: Any = "") -> None:
        self.default = default
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        values = instance._sealed_values()
        value = values.get(self.name, self.default)
        # Callers get their own copy of a list or dict, never the cached or default object.
        return copy.deepcopy(value) if isinstance(value, list | dict) else value

    def __set__(self, instance: Any, value: Any) -> None:
        values = instance._sealed_values()
        values[self.name] = value
        instance._sealed_dirty = True


class SealedFields:
    """Mixin for models with a ``sealed`` BinaryField and a way to name their vault.

    Subclasses declare ``SealedField`` attributes and ``sealed_vault_attr`` (the attribute
    holding the vault id, e.g. ``"vault_id"``).
    """

    sealed_vault_attr: ClassVar[str] = "vault_id"

    def _sealed_vault_id(self) -> object:
        return getattr(self, self.sealed_vault_attr)

    def _sealed_values(self) -> dict[str, Any]:
        cache = self.__dict__.get("_sealed_cache")
        if cache is None:
            blob = bytes(getattr(self, "sealed", b"") or b"")
            cache = unseal(self._sealed_vault_id(), _context(self), blob) if blob else {}
            self.__dict__["_sealed_cache"] = cache
        return cache  # type: ignore[no-any-return]

    def sealed_value(self, name: str, default: Any = None) -> Any:
        """A sealed value without the defensive copy attribute access makes: read-only use."""
        return self._sealed_values().get(name, default)

    def sealed_values(self) -> dict[str, Any]:
        """A copy of every sealed value stored (missing names take their field's default)."""
        return copy.deepcopy(self._sealed_values())

    def reseal(self) -> None:
        """Encrypt the current field values into ``sealed`` (called by ``save``)."""
        self.sealed = seal(self._sealed_vault_id(), _context(self),  # type: ignore[attr-defined]
                           self._sealed_values())
        self.__dict__["_sealed_dirty"] = False

    def erase_sealed(self) -> None:
        """Forget every sealed value (a tombstone keeps none of its words)."""
        self.__dict__["_sealed_cache"] = {}
        self.__dict__["_sealed_dirty"] = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.__dict__.get("_sealed_dirty") or not getattr(self, "sealed", None):
            self.reseal()
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "sealed" not in update_fields:
                kwargs["update_fields"] = [*update_fields, "sealed"]
        super().save(*args, **kwargs)  # type: ignore[misc]

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        self.__dict__.pop("_sealed_cache", None)
        self.__dict__["_sealed_dirty"] = False
        super().refresh_from_db(*args, **kwargs)  # type: ignore[misc]
