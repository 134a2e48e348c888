"""Partner organisations and referrals to them, with every status change logged."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bestaanszekerheid.web.trajectories.models import Trajectory


class PartnerOrganisation(models.Model):
    """Maintained by the functional administrator."""

    name = models.CharField(_("naam"), max_length=200, unique=True)
    description = models.CharField(_("omschrijving"), max_length=300, blank=True)
    kind = models.CharField(_("soort"), max_length=100, blank=True)
    # CBS wijk codes, space separated (empty: the whole municipality): the outreach plan of
    # bsz wijken lists partners per wijk from the partner file exported on the Beheer page.
    wijken = models.CharField(_("werkgebied (wijkcodes)"), max_length=2000, blank=True)
    active = models.BooleanField(_("actief"), default=True)

    class Meta:
        verbose_name = _("partnerorganisatie")
        verbose_name_plural = _("partnerorganisaties")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class ReferralStatus(models.TextChoices):
    PROPOSED = "voorgesteld", _("voorgesteld")
    SENT = "verstuurd", _("verstuurd")
    ACCEPTED = "geaccepteerd", _("geaccepteerd")
    COMPLETED = "afgerond", _("afgerond")
    DECLINED = "afgewezen", _("afgewezen")


class ReferralQuerySet(models.QuerySet["Referral"]):
    def for_user(self, user: Any) -> ReferralQuerySet:
        return self.filter(trajectory__in=Trajectory.objects.for_user(user))


class Referral(models.Model):
    """A referral; change ``status`` only through :func:`workflow.transition`."""

    trajectory = models.ForeignKey(
        Trajectory, verbose_name=_("traject"), on_delete=models.CASCADE, related_name="referrals"
    )
    partner = models.ForeignKey(
        PartnerOrganisation, verbose_name=_("partner"), on_delete=models.PROTECT
    )
    reason = models.CharField(_("waarvoor"), max_length=300)
    status = models.CharField(
        _("status"), max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.PROPOSED
    )
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("verwijzing")
        verbose_name_plural = _("verwijzingen")
        ordering = (
            "created_at",
            "id",
        )


class ReferralTransition(models.Model):
    """Who moved a referral from which status to which, and when."""

    referral = models.ForeignKey(
        Referral, verbose_name=_("verwijzing"), on_delete=models.CASCADE, related_name="history"
    )
    from_status = models.CharField(_("van"), max_length=16, choices=ReferralStatus.choices)
    to_status = models.CharField(_("naar"), max_length=16, choices=ReferralStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("door"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("op"), auto_now_add=True)

    class Meta:
        verbose_name = _("statuswijziging")
        verbose_name_plural = _("statuswijzigingen")
        ordering = (
            "at",
            "id",
        )
