"""A trajectory: one resident, one fixed consultant, one or more routes, open until closed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.residents.models import Resident


class TrajectoryQuerySet(models.QuerySet["Trajectory"]):
    def for_user(self, user: Any) -> TrajectoryQuerySet:
        """A consultant's own trajectories and those explicitly shared with the user."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.role in (Role.CONSULTANT, Role.TEAM_LEAD):
            # The few trajectories shared with the user are read first (one small query), so
            # the planner sees "own OR these ids": index scans and a right row estimate. An
            # OR across the join (with DISTINCT) or with a subquery made it scan every
            # trajectory and, on the caseload, switch on JIT (benchmarks/results/web_load.md).
            shared = list(
                Trajectory.shared_with.through.objects.filter(user=user).values_list(
                    "trajectory_id", flat=True
                )
            )
            return self.filter(Q(consultant=user) | Q(pk__in=shared))
        return self.none()


class TrajectoryStatus(models.TextChoices):
    OPEN = "open", _("lopend")
    CLOSED = "closed", _("afgesloten")


class CloseReason(models.TextChoices):
    GOALS_ACHIEVED = "doelen_bereikt", _("doelen bereikt")
    RESIDENT_STOPPED = "inwoner_gestopt", _("inwoner wil niet verder (vrijwillig)")
    HANDED_OVER = "overgedragen", _("overgedragen aan partner")
    MOVED = "verhuisd", _("verhuisd")
    NO_CONTACT = "geen_contact", _("geen contact meer")
    OTHER = "anders", _("anders")


class Trajectory(models.Model):
    """The guidance of one resident by one fixed contact person."""

    resident = models.ForeignKey(
        Resident, verbose_name=_("inwoner"), on_delete=models.CASCADE, related_name="trajectories"
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vaste consulent"),
        on_delete=models.PROTECT,
        related_name="caseload",
    )
    shared_with = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gedeeld met"),
        blank=True,
        related_name="shared_trajectories",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=TrajectoryStatus.choices, default=TrajectoryStatus.OPEN
    )
    opened_on = models.DateField(_("gestart op"))
    closed_on = models.DateField(_("afgesloten op"), null=True, blank=True)
    close_reason = models.CharField(
        _("reden van afsluiten"), max_length=20, choices=CloseReason.choices, blank=True
    )

    objects = TrajectoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("traject")
        verbose_name_plural = _("trajecten")
        ordering = ("-opened_on",)
        constraints = (
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True)
                | Q(status="closed", closed_on__isnull=False),
                name="trajectory_closed_has_date",
            ),
        )

    def __str__(self) -> str:
        return f"{self.resident} ({self.get_status_display()})"


class Route(models.TextChoices):
    """The three routes of tailored follow-up."""

    INCOME = "inkomen", _("inkomen: meer uren, beter werk, groei")
    COSTS = "kosten", _("kosten: slimme besparingen")
    BROAD = "brede_verkenning", _("brede verkenning: gezondheid, contacten, meedoen")


class TrajectoryRouteQuerySet(models.QuerySet["TrajectoryRoute"]):
    def for_user(self, user: Any) -> TrajectoryRouteQuerySet:
        return self.filter(trajectory__in=Trajectory.objects.for_user(user))


class TrajectoryRoute(models.Model):
    """A route chosen for a trajectory (a trajectory can follow several)."""

    trajectory = models.ForeignKey(
        Trajectory, verbose_name=_("traject"), on_delete=models.CASCADE, related_name="routes"
    )
    route = models.CharField(_("route"), max_length=20, choices=Route.choices)
    chosen_on = models.DateField(_("gekozen op"))

    objects = TrajectoryRouteQuerySet.as_manager()

    @property
    def short_label(self) -> str:
        """The route's name without its explanation, for narrow columns."""
        return str(self.get_route_display()).split(":")[0]

    class Meta:
        verbose_name = _("route")
        verbose_name_plural = _("routes")
        constraints = (
            models.UniqueConstraint(fields=["trajectory", "route"], name="one_route_once"),
        )
