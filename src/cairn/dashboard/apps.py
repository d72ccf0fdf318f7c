from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "cairn.dashboard"
    label = "dashboard"
    verbose_name = "Force dashboard"
