from django.apps import AppConfig


class BreachesConfig(AppConfig):
    name = "cairn.breaches"
    label = "breaches"
    verbose_name = "Breaches of orders"

    def ready(self) -> None:
        from cairn.breaches.closure_checks import breach_blockers
        from cairn.cases.closure import register_closure_check

        register_closure_check(breach_blockers)
