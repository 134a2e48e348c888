"""Residents (minimal data) and their voluntary consent."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.residents.bsn import mask_bsn, validate_bsn


class ResidentQuerySet(models.QuerySet["Resident"]):
    def for_user(self, user: Any) -> ResidentQuerySet:
        """Residents whose case content ``user`` may see (see docs/decisions/0050)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.role in (Role.CONSULTANT, Role.TEAM_LEAD):
            return self.filter(
                Q(trajectories__consultant=user) | Q(trajectories__shared_with=user)
            ).distinct()
        return self.none()


class Resident(models.Model):
    """A resident in guidance: only what the conversation needs."""

    name = models.CharField(_("naam"), max_length=200)
    phone = models.CharField(_("telefoonnummer"), max_length=30, blank=True)
    bsn = models.CharField(
        _("BSN"),
        max_length=9,
        blank=True,
        null=True,
        unique=True,
        validators=[validate_bsn],
        help_text=_("Niet verplicht. Wordt nooit volledig getoond."),
    )
    synthetic = models.BooleanField(_("synthetisch (demo)"), default=False)
    created_at = models.DateTimeField(_("geregistreerd op"), auto_now_add=True)

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("inwoner")
        verbose_name_plural = _("inwoners")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    @property
    def masked_bsn(self) -> str:
        return mask_bsn(self.bsn)


class ConsentMethod(models.TextChoices):
    VERBAL = "mondeling", _("mondeling")
    WRITTEN = "schriftelijk", _("schriftelijk")
    DIGITAL = "digitaal", _("digitaal")


class ConsentQuerySet(models.QuerySet["Consent"]):
    def for_user(self, user: Any) -> ConsentQuerySet:
        return self.filter(resident__in=Resident.objects.for_user(user))


class Consent(models.Model):
    """Participation is voluntary: when and how the resident agreed, and any withdrawal."""

    resident = models.ForeignKey(
        Resident, verbose_name=_("inwoner"), on_delete=models.CASCADE, related_name="consents"
    )
    given_on = models.DateField(_("toestemming gegeven op"))
    method = models.CharField(_("hoe gegeven"), max_length=16, choices=ConsentMethod.choices)
    withdrawn_on = models.DateField(_("ingetrokken op"), null=True, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("toestemming")
        verbose_name_plural = _("toestemmingen")
        ordering = ("-given_on",)


class DuplicateRegistration(models.Model):
    """A registration whose BSN already belongs to a resident the consultant may not see.

    The consultant is not told (issue 15: no BSN oracle). The new resident is registered
    without the BSN, and this record routes the match to the consultant's team lead, who
    sorts it out with the consultants involved (hand-over or sharing) and marks it handled.
    It holds references only: which two residents, who registered, when.
    """

    resident = models.ForeignKey(
        Resident,
        verbose_name=_("nieuwe registratie"),
        on_delete=models.CASCADE,
        related_name="duplicate_registrations",
    )
    existing = models.ForeignKey(
        Resident,
        verbose_name=_("bestaande inwoner met dit BSN"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), on_delete=models.PROTECT, null=True
    )
    registered_by = models.ForeignKey(
        "accounts.User", verbose_name=_("geregistreerd door"), on_delete=models.PROTECT
    )
    registered_at = models.DateTimeField(_("geregistreerd op"))
    handled_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("afgehandeld door"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("afgehandeld op"), null=True, blank=True)

    class Meta:
        verbose_name = _("dubbele registratie")
        verbose_name_plural = _("dubbele registraties")
        ordering = ("registered_at", "id")
