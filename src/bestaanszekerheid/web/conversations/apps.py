from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "bestaanszekerheid.web.conversations"
    default_auto_field = "django.db.models.BigAutoField"
