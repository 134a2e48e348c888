"""The retention policy the privacy officer sets in the app (one row)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class RetentionMode(models.TextChoices):
    DELETE = "delete", _("verwijderen")
    ANONYMISE = "anonymise", _("anonimiseren")


class RetentionPolicy(models.Model):
    """How long closed trajectories are kept, and what happens after. A single row (pk 1);
    until the privacy officer saves one, ``BSZ_RETENTION_DAYS`` and deletion apply."""

    days = models.PositiveIntegerField(
        _("bewaartermijn in dagen na afsluiten"),
        # At least a month (a mistaken "1" would empty the app overnight), at most ten years.
        validators=[MinValueValidator(30), MaxValueValidator(3650)],
    )
    mode = models.CharField(
        _("daarna"), max_length=10, choices=RetentionMode.choices, default=RetentionMode.DELETE
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("bewaarbeleid")
        constraints = (
            models.CheckConstraint(condition=models.Q(pk=1), name="retention_policy_single_row"),
        )

    @classmethod
    def current(cls) -> RetentionPolicy:
        """The saved policy, or the default from the settings (not saved)."""
        return cls.objects.filter(pk=1).first() or cls(
            pk=1, days=settings.BSZ_RETENTION_DAYS, mode=RetentionMode.DELETE
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1
        super().save(*args, **kwargs)
