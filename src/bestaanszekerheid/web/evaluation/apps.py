from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    """Outcome measurements, pilots with arms and the evaluation export (issue 16)."""

    name = "bestaanszekerheid.web.evaluation"
    default_auto_field = "django.db.models.BigAutoField"
