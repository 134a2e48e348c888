"""Conversations, their Positieve Gezondheid scores and the acute-signal flag.

Only the six dimension scores (0-10) are stored; the licensed item texts of the instrument
are not part of this software (docs/decisions/0050).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bestaanszekerheid.web.trajectories.models import Trajectory


class Channel(models.TextChoices):
    DOOR = "deur", _("aan de deur")
    PHONE = "telefoon", _("telefonisch")
    CONSULTATION_BUREAU = "consultatiebureau", _("consultatiebureau")
    OFFICE = "kantoor", _("op kantoor")
    OTHER = "anders", _("andere plek")


class Theme(models.TextChoices):
    MONEY = "geld", _("geld")
    WORK = "werk", _("werk en dagbesteding")
    HOUSING = "wonen", _("wonen")
    HEALTH = "gezondheid", _("gezondheid")
    SOCIAL = "sociale_contacten", _("sociale contacten")
    CHILDREN = "kinderen", _("kinderen")


class Dimension(models.TextChoices):
    """The six dimensions of Positieve Gezondheid, in the order of the spider web."""

    BODILY = "lichaamsfuncties", _("lichaamsfuncties")
    MENTAL = "mentaal_welbevinden", _("mentaal welbevinden")
    MEANING = "zingeving", _("zingeving")
    QUALITY = "kwaliteit_van_leven", _("kwaliteit van leven")
    PARTICIPATION = "meedoen", _("meedoen")
    DAILY = "dagelijks_functioneren", _("dagelijks functioneren")


class ConversationQuerySet(models.QuerySet["Conversation"]):
    def for_user(self, user: Any) -> ConversationQuerySet:
        return self.filter(trajectory__in=Trajectory.objects.for_user(user))


class Conversation(models.Model):
    """One conversation with the resident."""

    trajectory = models.ForeignKey(
        Trajectory,
        verbose_name=_("traject"),
        on_delete=models.CASCADE,
        related_name="conversations",
    )
    held_on = models.DateField(_("datum"))
    channel = models.CharField(_("kanaal"), max_length=20, choices=Channel.choices)
    themes = models.JSONField(_("besproken thema's"), default=list, blank=True)
    notes = models.TextField(_("aantekeningen"), blank=True)
    acute_signal = models.BooleanField(
        _("acuut signaal"),
        default=False,
        help_text=_("Er is iets dat direct aandacht nodig heeft (bijvoorbeeld geen eten)."),
    )
    acute_signal_resolved_on = models.DateField(_("signaal opgepakt op"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vastgelegd door"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        verbose_name = _("gesprek")
        verbose_name_plural = _("gesprekken")
        ordering = (
            "held_on",
            "id",
        )

    def theme_labels(self) -> list[str]:
        labels = dict(Theme.choices)
        return [str(labels.get(code, code)) for code in self.themes]


class PositiveHealthScoreQuerySet(models.QuerySet["PositiveHealthScore"]):
    def for_user(self, user: Any) -> PositiveHealthScoreQuerySet:
        return self.filter(conversation__in=Conversation.objects.for_user(user))


class PositiveHealthScore(models.Model):
    """The resident's own score on one dimension in one conversation (0-10)."""

    conversation = models.ForeignKey(
        Conversation,
        verbose_name=_("gesprek"),
        on_delete=models.CASCADE,
        related_name="scores",
    )
    dimension = models.CharField(_("dimensie"), max_length=24, choices=Dimension.choices)
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(10)]
    )

    objects = PositiveHealthScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("score Positieve Gezondheid")
        verbose_name_plural = _("scores Positieve Gezondheid")
        constraints = (
            models.UniqueConstraint(fields=["conversation", "dimension"], name="one_score_each"),
            models.CheckConstraint(condition=Q(score__lte=10), name="score_at_most_10"),
        )
