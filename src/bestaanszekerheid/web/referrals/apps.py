from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "bestaanszekerheid.web.referrals"
    default_auto_field = "django.db.models.BigAutoField"
