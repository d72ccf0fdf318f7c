from django.apps import AppConfig


class ChecksConfig(AppConfig):
    name = "cairn.checks"
    label = "checks"
    verbose_name = "Phone and account checks"
