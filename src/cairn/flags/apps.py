from django.apps import AppConfig


class FlagsConfig(AppConfig):
    name = "cairn.flags"
    label = "flags"
    verbose_name = "Threat flags and account leads"
