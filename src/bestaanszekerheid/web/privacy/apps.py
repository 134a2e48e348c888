from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "bestaanszekerheid.web.privacy"
    default_auto_field = "django.db.models.BigAutoField"
