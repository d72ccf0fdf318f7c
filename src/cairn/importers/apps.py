from django.apps import AppConfig


class ImportersConfig(AppConfig):
    name = "cairn.importers"
    label = "importers"
    verbose_name = "Importers"
