from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "bestaanszekerheid.web.plans"
    default_auto_field = "django.db.models.BigAutoField"
