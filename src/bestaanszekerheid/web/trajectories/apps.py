from django.apps import AppConfig


class TrajectoriesConfig(AppConfig):
    name = "bestaanszekerheid.web.trajectories"
    default_auto_field = "django.db.models.BigAutoField"
