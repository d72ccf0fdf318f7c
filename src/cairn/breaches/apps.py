from django.apps import AppConfig


class BreachesConfig(AppConfig):
    name = "cairn.breaches"
    label = "breaches"
    verbose_name = "Breaches of orders"

    def ready(self) -> None:
        from cairn.cases.closure_hooks import register_blocker

        register_blocker("cairn.breaches.closure_checks.breach_blockers")
