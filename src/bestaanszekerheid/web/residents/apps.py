from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    name = "bestaanszekerheid.web.residents"
    default_auto_field = "django.db.models.BigAutoField"
