"""Outcome measurements, pilots with arms, participation, and approved evaluation exports.

Issue 16, docs/decisions/0055. What is stored follows the purpose of evaluating support:

* a :class:`Measurement` is one moment (intake, follow-up, closing) with item scores 1-5
  (:mod:`.instruments`); no free text;
* a :class:`Pilot` has arms (the codes of ``bsz loting``), outcome measures by code and an
  analysis plan in a few lines; its allocation comes from an imported ``bsz loting`` log,
  verified against the control code kept outside the app (``allocation_head``);
* a :class:`PilotParticipant` links a trajectory to a pilot with a random participant code
  (the ``deelnemer`` of the loting), and records participation and consent to use the data
  for evaluation separately, each with its own withdrawal;
* an :class:`EvaluationExport` is a request (purpose, requester) that a privacy officer,
  never the requester, approves before the pseudonymised file can be downloaded.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bestaanszekerheid.web.accounts.models import Team
from bestaanszekerheid.web.evaluation.instruments import ITEM_CHOICES, SCORE_MAX, SCORE_MIN
from bestaanszekerheid.web.trajectories.models import Trajectory


class Moment(models.TextChoices):
    INTAKE = "intake", _("intake")
    FOLLOW_UP = "vervolg", _("vervolgmeting")
    CLOSING = "afsluiting", _("bij afsluiten")


class RemovalReason(models.TextChoices):
    """Why a wrongly entered measurement is removed: the audit log keeps the code (no free
    text about the resident), the measurement itself is deleted."""

    WRONG_RESIDENT = "verkeerde_inwoner", _("verkeerde inwoner")
    DUPLICATE = "dubbel", _("dubbel ingevoerd")
    WRONG_DATA = "verkeerde_gegevens", _("verkeerde datum of scores")
    OTHER = "anders", _("anders")


class MeasurementQuerySet(models.QuerySet["Measurement"]):
    def for_user(self, user: Any) -> MeasurementQuerySet:
        return self.filter(trajectory__in=Trajectory.objects.for_user(user))


class Measurement(models.Model):
    """One outcome measurement of a trajectory at one moment (its scores in ``scores``)."""

    trajectory = models.ForeignKey(
        Trajectory,
        verbose_name=_("traject"),
        on_delete=models.CASCADE,
        related_name="measurements",
    )
    taken_on = models.DateField(_("datum van de meting"))
    moment = models.CharField(_("moment"), max_length=12, choices=Moment.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vastgelegd door"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        verbose_name = _("meting")
        verbose_name_plural = _("metingen")
        ordering = ("taken_on", "id")


class MeasurementScore(models.Model):
    """The score 1-5 of one item (a ZRM domain or a scale statement) in one measurement."""

    measurement = models.ForeignKey(
        Measurement, verbose_name=_("meting"), on_delete=models.CASCADE, related_name="scores"
    )
    item = models.CharField(_("onderdeel"), max_length=40, choices=ITEM_CHOICES)
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
    )

    class Meta:
        verbose_name = _("score van een meting")
        verbose_name_plural = _("scores van metingen")
        constraints = (
            models.UniqueConstraint(fields=["measurement", "item"], name="one_item_score_each"),
            models.CheckConstraint(
                condition=Q(score__gte=SCORE_MIN) & Q(score__lte=SCORE_MAX),
                name="item_score_1_to_5",
            ),
        )


class MeasurementSchedule(models.Model):
    """When a team measures: at intake, every ``interval_weeks`` and (optionally) at closing.

    Without a row for the team, :data:`DEFAULT_INTERVAL_WEEKS` and closing apply.
    """

    team = models.OneToOneField(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="measurement_schedule"
    )
    interval_weeks = models.PositiveSmallIntegerField(
        _("vervolgmeting elke zoveel weken"),
        default=13,
        validators=[MinValueValidator(2), MaxValueValidator(52)],
    )
    at_closing = models.BooleanField(_("ook een meting bij afsluiten"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("meetschema")
        verbose_name_plural = _("meetschema's")


DEFAULT_INTERVAL_WEEKS = 13


class PilotStatus(models.TextChoices):
    PREPARING = "voorbereiding", _("in voorbereiding (deelnemers aanmelden)")
    RUNNING = "lopend", _("lopend (loting ingelezen)")
    ENDED = "afgerond", _("afgerond")


class Pilot(models.Model):
    """A pilot with arms, run by one team (or programme-wide when ``team`` is empty)."""

    name = models.CharField(_("naam"), max_length=120, unique=True)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pilots",
    )
    starts_on = models.DateField(_("start"))
    outcome_measures = models.JSONField(
        _("uitkomstmaten"), default=list, help_text=_("Codes uit de instrumenten, zie metingen.")
    )
    analysis_plan = models.TextField(_("analyseplan in een paar regels"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=16, choices=PilotStatus.choices, default=PilotStatus.PREPARING
    )
    synthetic = models.BooleanField(_("synthetisch (demo)"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Filled in when the ``bsz loting`` log is imported (verified against the control code).
    allocation_head = models.CharField(_("controlecode van de loting"), max_length=64, blank=True)
    allocation_seed = models.BigIntegerField(_("seed van de loting"), null=True, blank=True)
    allocation_design = models.JSONField(_("ontwerp van de loting"), default=dict, blank=True)
    allocation_imported_at = models.DateTimeField(_("loting ingelezen op"), null=True, blank=True)
    allocation_imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Filled in when the team lead ends the running pilot (docs/web/pilots.md).
    ended_on = models.DateField(_("afgerond op"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("pilot")
        verbose_name_plural = _("pilots")
        ordering = ("-starts_on", "name")

    def __str__(self) -> str:
        return self.name


class PilotArm(models.Model):
    """An arm of a pilot; ``code`` is the arm's name in the ``bsz loting`` log."""

    pilot = models.ForeignKey(
        Pilot, verbose_name=_("pilot"), on_delete=models.CASCADE, related_name="arms"
    )
    code = models.SlugField(_("code (zoals in de loting)"), max_length=40, allow_unicode=False)
    label = models.CharField(_("naam"), max_length=120)
    is_control = models.BooleanField(_("controlearm"), default=False)
    description = models.CharField(_("wat deze arm krijgt"), max_length=300, blank=True)
    planned_contacts_per_month = models.DecimalField(
        _("geplande contacten per maand"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(31)],
    )

    class Meta:
        verbose_name = _("arm")
        verbose_name_plural = _("armen")
        ordering = ("-is_control", "code")
        constraints = (
            models.UniqueConstraint(fields=["pilot", "code"], name="arm_code_once_per_pilot"),
        )

    def __str__(self) -> str:
        return self.label


class ResumeReason(models.TextChoices):
    """Why a stopped participation is resumed (optional; only the audit log keeps it)."""

    MISTAKE = "vergissing", _("per vergissing gestopt")
    RESIDENT_RETURNS = "doet_weer_mee", _("de inwoner wil toch weer meedoen")
    OTHER = "anders", _("anders")


class PilotParticipantQuerySet(models.QuerySet["PilotParticipant"]):
    def for_user(self, user: Any) -> PilotParticipantQuerySet:
        """Participants whose trajectory the user may see (consultant, sharing)."""
        return self.filter(trajectory__in=Trajectory.objects.for_user(user))


class PilotParticipant(models.Model):
    """A trajectory taking part in a pilot.

    ``code``: a random participant number (no meaning, no link to the BSN), the unit of the
    ``bsz loting`` participant list. Participation and consent to use the data for the
    evaluation are separate, voluntary, and each can be withdrawn: a withdrawn participation
    ends the pilot's offer for the resident; a withdrawn evaluation consent keeps the resident
    out of every later export.
    """

    pilot = models.ForeignKey(
        Pilot, verbose_name=_("pilot"), on_delete=models.CASCADE, related_name="participants"
    )
    trajectory = models.ForeignKey(
        Trajectory,
        verbose_name=_("traject"),
        on_delete=models.CASCADE,
        related_name="pilot_participations",
    )
    code = models.CharField(_("deelnemernummer"), max_length=16)
    enrolled_on = models.DateField(_("aangemeld op"))
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    participation_withdrawn_on = models.DateField(_("deelname gestopt op"), null=True, blank=True)
    evaluation_consent_on = models.DateField(
        _("toestemming voor evaluatie op"), null=True, blank=True
    )
    evaluation_consent_withdrawn_on = models.DateField(
        _("toestemming voor evaluatie ingetrokken op"), null=True, blank=True
    )
    arm = models.ForeignKey(
        PilotArm,
        verbose_name=_("arm"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participants",
    )
    stratum = models.CharField(_("stratum"), max_length=200, blank=True)

    objects = PilotParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("deelnemer aan een pilot")
        verbose_name_plural = _("deelnemers aan pilots")
        ordering = ("pilot", "code")
        constraints = (
            models.UniqueConstraint(
                fields=["pilot", "trajectory"], name="trajectory_once_per_pilot"
            ),
            models.UniqueConstraint(fields=["pilot", "code"], name="participant_code_once"),
        )

    @property
    def consents_to_evaluation(self) -> bool:
        return (
            self.evaluation_consent_on is not None and self.evaluation_consent_withdrawn_on is None
        )


class EvaluationExport(models.Model):
    """A request for a pilot's pseudonymised evaluation file, approved by a privacy officer.

    The file is built when it is downloaded (after approval, once), from the data as they are
    then: a consent withdrawn in between is respected. ``n_rows`` and ``sha256`` record what
    was handed out.
    """

    pilot = models.ForeignKey(
        Pilot, verbose_name=_("pilot"), on_delete=models.PROTECT, related_name="exports"
    )
    purpose = models.CharField(_("doel van de export"), max_length=300)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("aangevraagd door"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("aangevraagd op"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("goedgekeurd door"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("goedgekeurd op"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("afgewezen door"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rejected_at = models.DateTimeField(_("afgewezen op"), null=True, blank=True)
    downloaded_at = models.DateTimeField(_("gedownload op"), null=True, blank=True)
    n_rows = models.PositiveIntegerField(_("aantal regels"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256 van het bestand"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("evaluatie-export")
        verbose_name_plural = _("evaluatie-exports")
        ordering = ("-requested_at", "-id")
        constraints = (
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True) | Q(rejected_at__isnull=True),
                name="export_not_approved_and_rejected",
            ),
            models.CheckConstraint(
                condition=Q(downloaded_at__isnull=True) | Q(approved_at__isnull=False),
                name="export_downloaded_only_when_approved",
            ),
        )

    def __str__(self) -> str:
        return f"{self.pilot} ({self.pk})"
