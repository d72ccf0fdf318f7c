from django.apps import AppConfig


class BreachesConfig(AppConfig):
    name = "cairn.breaches"
    label = "breaches"
    verbose_name = "Breaches of orders"
