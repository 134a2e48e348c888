from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "bestaanszekerheid.web.audit"
    default_auto_field = "django.db.models.BigAutoField"
