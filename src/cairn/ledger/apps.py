from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "cairn.ledger"
    label = "ledger"
    verbose_name = "Ledger"
