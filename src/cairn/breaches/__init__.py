"""Breaches of an order (docs/adr/0020): the victim's reports from her log, the officer's
record, failures to notify (s.11), outcomes, and the breach pack for the CPS. Above
``cairn.orders`` in the layers: a breach is of an order, and orders never import breaches
(ADR 0055). The models keep the tables they had under orders (``orders_breach``,
``orders_breachoutcome``): sealed values are bound to the table's name."""
