from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "bestaanszekerheid.web.casework"
    default_auto_field = "django.db.models.BigAutoField"
