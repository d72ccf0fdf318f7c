from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "cairn.orders"
    label = "orders"
    verbose_name = "Stalking Protection Orders"
