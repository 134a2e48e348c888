from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bestaanszekerheid.web.accounts"
    default_auto_field = "django.db.models.BigAutoField"
