from django.apps import AppConfig


class ExternalConfig(AppConfig):
    name = "app.external"
    label = "external"
