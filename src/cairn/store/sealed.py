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
from datetime import date
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
    return _seal_with(keys.data_key(vault_id), context, values)


def unseal(vault_id: object, context: bytes, blob: bytes) -> dict[str, Any]:
    return _unseal_with(keys.data_key(vault_id), context, blob)


def _seal_with(key: bytes, context: bytes, values: dict[str, Any]) -> bytes:
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return crypto.encrypt_field(key, text, context=context)


def _unseal_with(key: bytes, context: bytes, blob: bytes) -> dict[str, Any]:
    values: dict[str, Any] = json.loads(crypto.decrypt_field(key, blob, context=context))
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


class SealedDateField(SealedField):
    """A sealed date, kept as its ISO form (``None`` when not given)."""

    def __init__(self) -> None:
        super().__init__(None)

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance._sealed_values().get(self.name)
        return date.fromisoformat(value) if value else None

    def __set__(self, instance: Any, value: Any) -> None:
        super().__set__(instance, value.isoformat() if value else None)


class SealedFloatField(SealedField):
    """A sealed number kept as a float (a latitude, a longitude), ``None`` when not given."""

    def __init__(self) -> None:
        super().__init__(None)

    def __set__(self, instance: Any, value: Any) -> None:
        super().__set__(instance, None if value is None else float(value))


class SealedFields:
    """Mixin for models with a ``sealed`` BinaryField and a way to name their vault.

    Subclasses declare ``SealedField`` attributes and ``sealed_vault_attr`` (the attribute
    holding the vault id, e.g. ``"vault_id"``).
    """

    sealed_vault_attr: ClassVar[str] = "vault_id"

    def _sealed_vault_id(self) -> object:
        return getattr(self, self.sealed_vault_attr)

    def _sealed_key(self) -> bytes:
        """The key the row's values are sealed under (the vault's data key here)."""
        return keys.data_key(self._sealed_vault_id())

    def _sealed_values(self) -> dict[str, Any]:
        cache = self.__dict__.get("_sealed_cache")
        if cache is None:
            blob = bytes(getattr(self, "sealed", b"") or b"")
            cache = _unseal_with(self._sealed_key(), _context(self), blob) if blob else {}
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
        values = self._sealed_values()
        self.sealed = _seal_with(
            self._sealed_key(),  # type: ignore[attr-defined]
            _context(self),
            values,
        )
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


class CaseSealedFields(SealedFields):
    """Mixin for the police side of a case: values sealed under the case's key, or, when the
    row quotes a victim's log, under ``keys.quote_key`` of the case and each log it quotes
    (ADR 0044), so that destroying her vault key makes them unreadable in every case.

    Subclasses have a ``sealed`` BinaryField, a ``quoted_vaults`` JSONField (the ids of the
    logs the row quotes: clear, so shredding can find them) and a path to their case
    (``sealed_case_path``). They may
    override ``quoted_vault_ids`` (which logs the current values quote, read when sealing)
    and ``forget_vault`` (what to drop when a quoted log is destroyed). Sealed values may be
    given to the constructor like ordinary fields; ``bulk_create`` seals nothing (rows made
    that way hold no sealed values).
    """

    # The lookup path from the row to its case ("case", "assessment__case").
    sealed_case_path: ClassVar[str] = "case"

    def _sealed_case_id(self) -> object:
        *through, last = self.sealed_case_path.split("__")
        obj: Any = self
        for name in through:
            obj = getattr(obj, name)
        return getattr(obj, f"{last}_id")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        given = {
            name: kwargs.pop(name)
            for name in list(kwargs)
            if isinstance(getattr(type(self), name, None), SealedField)
        }
        super().__init__(*args, **kwargs)
        for name, value in given.items():
            setattr(self, name, value)

    def _sealed_key(self) -> bytes:
        return keys.quote_key(self._sealed_case_id(), getattr(self, "quoted_vaults", None) or [])

    def quoted_vault_ids(self) -> list[str]:
        """The logs the current values quote (by default, those recorded)."""
        return [str(v) for v in getattr(self, "quoted_vaults", None) or []]

    def reseal(self) -> None:
        values = self._sealed_values()  # read under the key the row was sealed with
        self.quoted_vaults = sorted({str(v) for v in self.quoted_vault_ids()})
        self.__dict__["_sealed_cache"] = values
        super().reseal()

    def forget_vault(self, vault_id: object) -> None:
        """Drop what quotes ``vault_id`` (here: every sealed value); saved by the caller."""
        self.erase_sealed()
        self.quoted_vaults = [v for v in self.quoted_vault_ids() if v != str(vault_id)]

    def save(self, *args: Any, **kwargs: Any) -> None:
        """As ``SealedFields.save``; sealed names in ``update_fields`` stand for ``sealed``
        (and ``quoted_vaults``), so callers may name the fields they changed."""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            fields = [
                name
                for name in update_fields
                if not isinstance(getattr(type(self), name, None), SealedField)
            ]
            if len(fields) < len(list(update_fields)) or self.__dict__.get("_sealed_dirty"):
                fields += ["sealed", "quoted_vaults"]
            kwargs["update_fields"] = list(dict.fromkeys(fields))
        if self.pk is None:  # a numbered row: its number is part of the associated data
            values = self._sealed_values()
            self.sealed = b""
            self.__dict__["_sealed_dirty"] = False
            super(SealedFields, self).save(*args, **kwargs)  # type: ignore[misc]
            self.__dict__["_sealed_cache"] = values
            self.reseal()
            super(SealedFields, self).save(  # type: ignore[misc]
                update_fields=["sealed", "quoted_vaults"], using=kwargs.get("using")
            )
            return
        super().save(*args, **kwargs)


def forget_quotes(vault_id: object) -> int:
    """Before a vault's key is destroyed: re-seal every police-side row that quotes it
    without what it quoted (``CaseSealedFields.forget_vault``), in every case the vault was
    ever shared with. Returns the count of rows changed."""
    from django.apps import apps

    count = 0
    for model in apps.get_models():
        if not issubclass(model, CaseSealedFields):
            continue
        rows = model.objects.filter(  # type: ignore[attr-defined]
            **{f"{model.sealed_case_path}__shares__vault_id": vault_id}
        ).distinct()
        for row in rows:
            if str(vault_id) in row.quoted_vault_ids():
                row.forget_vault(vault_id)
                row.save()
                count += 1
    return count


def seal_case_row(
    model: Any, pk: object, case_id: object, vault_ids: list[str], values: dict[str, Any]
) -> bytes:
    """The ``sealed`` value of a police-side row, for migrations that seal existing rows
    (``model`` may be a historical model: only its table name is used)."""
    return _seal_with(keys.quote_key(case_id, vault_ids), row_context(model, pk), values)
