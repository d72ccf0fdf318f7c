"""The breach models moved from ``cairn.orders`` to ``cairn.breaches`` (ADR 0055) without
touching a row: an instance that ran the old migrations keeps every breach, its outcomes and
its sealed account readable, and the content types follow the models."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from cairn.breaches import services as breaches
from cairn.breaches.models import Breach, BreachOutcome
from tests.test_breaches import make_order

BEFORE = [("orders", "0007_seal_applications_terms_breaches"), ("breaches", None)]


def _migrate(targets):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


def _rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_the_move_keeps_every_row_and_sealed_value_and_the_content_types_follow(
    investigator, partly_shared_case
):
    order = make_order(investigator, partly_shared_case)
    breach = breaches.record_breach(
        actor=investigator,
        case=partly_shared_case,
        order=order,
        term=None,
        occurred_at=timezone.now() - timedelta(hours=2),
        account="Seen by PC 123 outside her home.",
        crime_reference="CR/2026/91",
    )
    breaches.record_outcome(
        actor=investigator, breach=breach, outcome="arrested", on=timezone.localdate()
    )
    try:
        _migrate(BEFORE)
        # As an instance from before the move: the rows where they were, the content types
        # naming the old app (Django made them when it last migrated).
        assert (_rows("orders_breach"), _rows("orders_breachoutcome")) == (1, 1)
        ContentType.objects.filter(app_label="breaches").delete()
        for model in ("breach", "breachoutcome"):
            ContentType.objects.get_or_create(app_label="orders", model=model)
    finally:
        _migrate(None)

    again = Breach.objects.get(pk=breach.pk)
    assert again.account == "Seen by PC 123 outside her home."
    assert again.crime_reference == "CR/2026/91"
    assert [o.outcome for o in BreachOutcome.objects.filter(breach=again)] == ["arrested"]
    assert not ContentType.objects.filter(app_label="orders", model__startswith="breach")
    assert ContentType.objects.get_for_model(Breach).app_label == "breaches"
    assert partly_shared_case.breaches.get() == again
