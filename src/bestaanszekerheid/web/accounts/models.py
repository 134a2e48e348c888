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


class CredentialKind(models.TextChoices):
    """What a functional administrator can reset (or issue) for a staff member (ADR 0054)."""

    PASSWORD = "password", _("wachtwoord")
    TOTP = "totp", _("tweestapsverificatie")
    # The first set-password link of a new account: the same four eyes, or an administrator
    # could create a second account of their own to approve their own resets with.
    ACCOUNT = "account", _("nieuw account")


class CredentialReset(models.Model):
    """A request to reset someone's password or second factor: four eyes (ADR 0054).

    A functional administrator asks; a privacy officer or another functional administrator
    (never the requester, never the staff member concerned) approves or rejects. A TOTP
    reset is carried out on approval; a password reset when the requester, after approval,
    takes the one-time link. Pending requests expire (:data:`RESET_REQUEST_HOURS`).
    """

    target = models.ForeignKey(
        User, verbose_name=_("medewerker"), on_delete=models.PROTECT, related_name="resets"
    )
    kind = models.CharField(_("soort"), max_length=16, choices=CredentialKind.choices)
    requested_by = models.ForeignKey(
        User, verbose_name=_("aangevraagd door"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("aangevraagd op"))
    approved_by = models.ForeignKey(
        User,
        verbose_name=_("goedgekeurd door"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    approved_at = models.DateTimeField(_("goedgekeurd op"), null=True, blank=True)
    executed_at = models.DateTimeField(_("uitgevoerd op"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        User,
        verbose_name=_("afgewezen of ingetrokken door"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    cancelled_at = models.DateTimeField(_("afgewezen of ingetrokken op"), null=True, blank=True)
    notified_at = models.DateTimeField(_("gemeld aan de medewerker op"), null=True, blank=True)

    class Meta:
        verbose_name = _("herstelverzoek")
        verbose_name_plural = _("herstelverzoeken")
        ordering = ("-requested_at", "-id")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.target_id} ({self.pk})"
