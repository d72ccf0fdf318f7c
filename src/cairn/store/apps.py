from django.apps import AppConfig


class StoreConfig(AppConfig):
    name = "cairn.store"
    label = "store"
    verbose_name = "Evidence store"
