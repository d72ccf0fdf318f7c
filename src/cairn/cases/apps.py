from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cairn.cases"
    label = "cases"
    verbose_name = "Cases"
