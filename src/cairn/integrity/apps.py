from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "cairn.integrity"
    label = "integrity"
    verbose_name = "Integrity"
