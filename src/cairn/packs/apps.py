from django.apps import AppConfig


class PacksConfig(AppConfig):
    name = "cairn.packs"
    label = "packs"
    verbose_name = "Evidence packs"
