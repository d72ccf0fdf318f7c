from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "cairn.jobs"
    label = "jobs"
    verbose_name = "Background workers"
