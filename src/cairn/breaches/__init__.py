"""Breaches of an order (docs/adr/0020): the victim's reports from her log, the officer's
record, outcomes, and the breach pack for the CPS. Above ``cairn.orders`` in the layers: a
breach is of an order, and orders never import breaches (ADR 0055). The models (``Breach``,
``BreachOutcome``) are still declared in ``cairn.orders.models``, tables ``orders_breach``
and ``orders_breachoutcome``; moving their state here is left for a migration of its own."""
