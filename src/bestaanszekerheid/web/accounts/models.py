"""Staff users with one role each, and teams."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a staff member does; access follows from the role (least privilege)."""

    CONSULTANT = "consultant", _("consulent")
    TEAM_LEAD = "teamleider", _("teamleider")
    FUNCTIONAL_ADMIN = "functioneel_beheerder", _("functioneel beheerder")
    PRIVACY_OFFICER = "privacyfunctionaris", _("privacyfunctionaris")
    ANALYST = "analist", _("analist")


class Team(models.Model):
    """A team of consultants with one or more team leads."""

    name = models.CharField(_("naam"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A staff member. Residents never log in."""

    role = models.CharField(_("rol"), max_length=32, choices=Role.choices)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )

    class Meta:
        verbose_name = _("medewerker")
        verbose_name_plural = _("medewerkers")
