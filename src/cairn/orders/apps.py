from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "cairn.orders"
    label = "orders"
    verbose_name = "Stalking Protection Orders"

    def ready(self) -> None:
        from cairn.cases.closure_hooks import register_blocker

        register_blocker("cairn.orders.closure_checks.order_blockers")
