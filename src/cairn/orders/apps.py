from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "cairn.orders"
    label = "orders"
    verbose_name = "Stalking Protection Orders"

    def ready(self) -> None:
        from cairn.cases.closure import register_closure_check
        from cairn.orders.closure_checks import order_blockers

        register_closure_check(order_blockers)
