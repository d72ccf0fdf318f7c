"""Inserting many rows of one model with ``executemany`` (imports, accepting them, the
ledger's and the audit trail's batches)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models


class RowWriter:
    """Inserts rows of one model with ``executemany``, bypassing model instances.

    Why: building 100,000 model instances and letting ``bulk_create`` prepare every field
    costs most of a large import's time. Values are adapted per column the way the fields
    would (UUIDs, datetimes, dates, JSON) for whichever database is in use; sealed columns
    are sealed by the caller exactly as ``SealedFields.reseal`` would. Every column of the
    table must be given: model defaults are not applied.
    """

    def __init__(self, model: type[models.Model], names: Sequence[str]) -> None:
        fields = [model._meta.get_field(name) for name in names]
        self.adapters = [_adapter(field) for field in fields]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(field.column) for field in fields)  # type: ignore[union-attr]
        # Names come from the model's own metadata, quoted; values are parameters.
        self.sql = (
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        self.rows: list[tuple[Any, ...]] = []

    @property
    def pending(self) -> int:
        return len(self.rows)

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(
            tuple(
                value if adapt is None or value is None else adapt(value)
                for adapt, value in zip(self.adapters, row, strict=True)
            )
        )

    def flush(self) -> None:
        if self.rows:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, self.rows)
            self.rows = []


def _adapter(field: Any) -> Callable[[Any], Any] | None:
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if isinstance(field, models.UUIDField):
        native = connection.features.has_native_uuid_field

        def as_uuid(value: Any) -> Any:
            value = value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
            return value if native else value.hex

        return as_uuid
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value  # type: ignore[no-any-return]
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value  # type: ignore[no-any-return]
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def set_each(model: Any, name: str, values: Sequence[tuple[Any, Any]]) -> None:
    """Set one column of many rows, each to its own value (pairs of primary key and value),
    with one prepared UPDATE run for every row: ``bulk_update``'s CASE expressions cost
    seconds for thousands of rows."""
    if not values:
        return
    field = model._meta.get_field(name)
    key = model._meta.pk
    ops = connection.ops
    # Names come from the model's own metadata, quoted; values are parameters.
    sql = (
        f"UPDATE {ops.quote_name(model._meta.db_table)} "  # noqa: S608
        f"SET {ops.quote_name(field.column)} = %s WHERE {ops.quote_name(key.column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                (field.get_db_prep_value(value, connection), key.get_db_prep_value(pk, connection))
                for pk, value in values
            ],
        )


def insert_instances(model: type[models.Model], instances: Sequence[models.Model]) -> None:
    """Insert unsaved instances of ``model`` with one prepared insert: every concrete column
    as the instance holds it (primary keys, defaults and sealed columns already set; a field
    with ``auto_now_add`` still empty is set to now)."""
    if not instances:
        return
    from django.utils import timezone

    fields = list(model._meta.concrete_fields)
    now = timezone.now()
    stamped = [f for f in fields if getattr(f, "auto_now_add", False)]
    rows = RowWriter(model, [f.name for f in fields])
    for instance in instances:
        for f in stamped:
            if getattr(instance, f.attname) is None:
                setattr(instance, f.attname, now)
        rows.add(tuple(getattr(instance, f.attname) for f in fields))
    rows.flush()
    for instance in instances:
        instance._state.adding = False
        instance._state.db = "default"
