"""Small, achievable goals with actions, and follow-up appointments."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from bestaanszekerheid.web.trajectories.models import Trajectory


class GoalStatus(models.TextChoices):
    OPEN = "open", _("open")
    IN_PROGRESS = "bezig", _("bezig")
    ACHIEVED = "bereikt", _("bereikt")
    STOPPED = "gestopt", _("gestopt")


class GoalQuerySet(models.QuerySet["Goal"]):
    def for_user(self, user: Any) -> GoalQuerySet:
        return self.filter(trajectory__in=Trajectory.objects.for_user(user))


class Goal(models.Model):
    """A small goal the resident chose; ``last_progress_on`` feeds the traffic light."""

    trajectory = models.ForeignKey(
        Trajectory, verbose_name=_("traject"), on_delete=models.CASCADE, related_name="goals"
    )
    description = models.CharField(_("doel"), max_length=300)
    status = models.CharField(
        _("status"), max_length=8, choices=GoalStatus.choices, default=GoalStatus.OPEN
    )
    created_on = models.DateField(_("gesteld op"))
    last_progress_on = models.DateField(_("laatste voortgang"))

    objects = GoalQuerySet.as_manager()

    class Meta:
        verbose_name = _("doel")
        verbose_name_plural = _("doelen")
        ordering = (
            "created_on",
            "id",
        )

    @property
    def is_active(self) -> bool:
        return self.status in (GoalStatus.OPEN, GoalStatus.IN_PROGRESS)


class ActionQuerySet(models.QuerySet["Action"]):
    def for_user(self, user: Any) -> ActionQuerySet:
        return self.filter(goal__trajectory__in=Trajectory.objects.for_user(user))


class Action(models.Model):
    """A concrete step towards a goal, with a due date."""

    goal = models.ForeignKey(
        Goal, verbose_name=_("doel"), on_delete=models.CASCADE, related_name="actions"
    )
    description = models.CharField(_("actie"), max_length=300)
    due_on = models.DateField(_("uiterlijk op"))
    done_on = models.DateField(_("gedaan op"), null=True, blank=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("actie")
        verbose_name_plural = _("acties")
        ordering = (
            "due_on",
            "id",
        )


class FollowUpQuerySet(models.QuerySet["FollowUp"]):
    def for_user(self, user: Any) -> FollowUpQuerySet:
        return self.filter(trajectory__in=Trajectory.objects.for_user(user))


class FollowUp(models.Model):
    """An agreed next contact; overdue follow-ups turn the traffic light red."""

    trajectory = models.ForeignKey(
        Trajectory, verbose_name=_("traject"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    description = models.CharField(_("afspraak"), max_length=300)
    due_on = models.DateField(_("uiterlijk op"))
    done_on = models.DateField(_("gedaan op"), null=True, blank=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("vervolgafspraak")
        verbose_name_plural = _("vervolgafspraken")
        ordering = (
            "due_on",
            "id",
        )
