from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "cairn.analysis"
    label = "analysis"
    verbose_name = "Analysis"
