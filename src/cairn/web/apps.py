from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "cairn.web"
    label = "web"
    verbose_name = "Web"
