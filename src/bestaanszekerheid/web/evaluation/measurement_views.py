"""The measurement pages and the measurement section of the resident page.

Recording, correcting and removing a measurement: consultants and team leads, on an open
trajectory they may see (``Trajectory.objects.for_user``; anything else is a 404). The
team's schedule: team leads. Writes go through :mod:`.measurement_services`; showing stored
scores (the resident page's section, the correction form) is an audited read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Count, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bestaanszekerheid.web.accounts.access import (
    CASEWORK_ROLES,
    AuthenticatedHttpRequest,
    role_required,
)
from bestaanszekerheid.web.accounts.models import Role, Team
from bestaanszekerheid.web.audit.models import AuditAction
from bestaanszekerheid.web.audit.service import record
from bestaanszekerheid.web.casework.dates import today
from bestaanszekerheid.web.evaluation import measurement_services as services
from bestaanszekerheid.web.evaluation.instruments import (
    INSTRUMENT_LABELS,
    MEASURES,
    PILOT_SCALES,
    ZRM,
    Measure,
)
from bestaanszekerheid.web.evaluation.measurement_chart import ChartRow, zrm_chart_svg
from bestaanszekerheid.web.evaluation.measurement_forms import (
    MeasurementForm,
    RemovalForm,
    ScheduleForm,
)
from bestaanszekerheid.web.evaluation.models import Measurement, Moment
from bestaanszekerheid.web.evaluation.outcomes import MeasureHistory, histories
from bestaanszekerheid.web.evaluation.schedule import next_due, schedule_for, schedule_for_team
from bestaanszekerheid.web.trajectories.models import Trajectory, TrajectoryStatus

# Not ``casework.views.casework_only``: the casework views import this module (resident page).
casework_only = role_required(*CASEWORK_ROLES)
team_lead_only = role_required(Role.TEAM_LEAD)


def _back(trajectory: Trajectory) -> HttpResponse:
    return redirect(f"{reverse('casework:resident', args=[trajectory.resident_id])}#metingen")


def _form_page(
    request: AuthenticatedHttpRequest,
    form: MeasurementForm,
    trajectory: Trajectory,
    editing: Measurement | None = None,
) -> HttpResponse:
    if request.method == "POST":
        messages.error(request, _("Meting niet opgeslagen: zie de meldingen bij de onderdelen."))
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "trajectory": trajectory, "editing": editing}
    return render(request, "evaluation/measurement_form.html", context, status=status)


@casework_only
def measurement_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record a measurement of an open trajectory (ZRM domains and pilot scales)."""
    trajectory = get_object_or_404(
        Trajectory.objects.for_user(request.user)
        .filter(status=TrajectoryStatus.OPEN)
        .select_related("resident"),
        pk=pk,
    )
    initial = {}
    if request.GET.get("moment") in Moment.values:
        initial["moment"] = request.GET["moment"]
    form = MeasurementForm(request.POST or None, trajectory=trajectory, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.create_measurement(
            request.user,
            trajectory,
            taken_on=form.cleaned_data["taken_on"],
            moment=form.cleaned_data["moment"],
            scores=form.scores(),
        )
        messages.success(request, _("Meting vastgelegd."))
        return _back(trajectory)
    return _form_page(request, form, trajectory)


def _correctable(request: AuthenticatedHttpRequest) -> QuerySet[Measurement]:
    """The measurements the user may correct or remove: of an open trajectory they may see."""
    return (
        Measurement.objects.for_user(request.user)
        .filter(trajectory__status=TrajectoryStatus.OPEN)
        .select_related("trajectory__resident")
    )


@casework_only
def measurement_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Correct a measurement while its trajectory is open; opening it is an audited read."""
    measurement = get_object_or_404(_correctable(request).prefetch_related("scores"), pk=pk)
    trajectory = measurement.trajectory
    form = MeasurementForm(request.POST or None, trajectory=trajectory, instance=measurement)
    if request.method == "POST" and form.is_valid():
        changed = services.update_measurement(
            request.user,
            measurement,
            taken_on=form.cleaned_data["taken_on"],
            moment=form.cleaned_data["moment"],
            scores=form.scores(),
        )
        if changed:
            messages.success(request, _("Meting bijgewerkt."))
        else:
            messages.info(request, _("Niets gewijzigd."))
        return _back(trajectory)
    record(request.user, AuditAction.READ, measurement, resident_id=trajectory.resident_id)
    return _form_page(request, form, trajectory, editing=measurement)


@casework_only
def measurement_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Remove a wrongly entered measurement (who may correct it may remove it), after a
    confirmation page with a reason; the scores are deleted, the audit log keeps the fact."""
    measurement = get_object_or_404(
        _correctable(request).annotate(n_items=Count("scores")),
        pk=pk,
    )
    trajectory = measurement.trajectory
    form = RemovalForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            when = date_format(measurement.taken_on, "j F Y")
            if services.remove_measurement(request.user, measurement, form.cleaned_data["reason"]):
                messages.success(request, _("Meting van %(date)s verwijderd.") % {"date": when})
            else:
                messages.info(request, _("Deze meting was al verwijderd."))
            return _back(trajectory)
        messages.error(request, _("Meting niet verwijderd: zie de meldingen bij de velden."))
    else:  # the page names the resident and the measurement: an audited read (no scores)
        record(
            request.user,
            AuditAction.READ,
            measurement,
            resident_id=trajectory.resident_id,
            details={"page": "verwijderen"},
        )
    context = {"form": form, "trajectory": trajectory, "measurement": measurement}
    return render(
        request,
        "evaluation/measurement_remove.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@team_lead_only
def schedule(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The team lead sets when the team measures (interval, and at closing or not)."""
    team: Team | None = request.user.team
    current = schedule_for_team(team.pk if team else None)
    initial = {"interval_weeks": current.interval_weeks, "at_closing": current.at_closing}
    form = ScheduleForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if team is None:
            messages.error(request, _("Je bent niet aan een team gekoppeld."))
            status = 400
        elif form.is_valid():
            changed = services.set_schedule(
                request.user,
                team,
                interval_weeks=form.cleaned_data["interval_weeks"],
                at_closing=form.cleaned_data["at_closing"],
            )
            if changed:
                messages.success(request, _("Meetschema opgeslagen."))
            else:
                messages.info(request, _("Niets gewijzigd."))
            return redirect("evaluation:schedule")
        else:
            messages.error(request, _("Meetschema niet opgeslagen: zie de melding bij het veld."))
            status = 400
    context = {"form": form, "team": team, "current": current}
    return render(request, "evaluation/schedule.html", context, status=status)


# --- the resident page ------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeRow:
    """One measure's first and latest score, and how to read the change."""

    measure: Measure
    history: MeasureHistory

    @property
    def direction(self) -> str:
        """``better``, ``worse``, ``same``, or ``single`` (one measurement only)."""
        change = self.history.change
        if change is None:
            return "single"
        if change == 0:
            return "same"
        return "better" if (change > 0) == self.measure.higher_is_better else "worse"

    @property
    def arrow(self) -> str:
        change = self.history.change
        if not change:
            return ""
        return "↑" if change > 0 else "↓"


def _rows(by_measure: dict[str, MeasureHistory], instrument: str) -> list[ChangeRow]:
    return [
        ChangeRow(m, by_measure[m.code])
        for m in MEASURES
        if m.instrument == instrument and m.code in by_measure
    ]


def _chart(rows: list[ChangeRow]) -> str:
    # Only once a domain was measured twice: a single measurement has no "first vs latest".
    if not any(r.history.change is not None for r in rows):
        return ""
    return zrm_chart_svg(
        [
            ChartRow(str(r.measure.label), r.history.first.score, r.history.latest.score)
            for r in rows
        ],
        _("ZRM-domeinen: eerste en laatste meting"),
    )


def measurement_context(user: Any, trajectory: Trajectory) -> dict[str, Any]:
    """Context for ``evaluation/_resident_measurements.html`` on the resident page.

    Showing measurements is an audited read of its own (the page already records one of
    the resident), so the log says that scores were seen; without measurements, none.
    """
    measurements = list(
        Measurement.objects.filter(trajectory=trajectory)
        .prefetch_related("scores")
        .order_by("taken_on", "id")
    )
    team_schedule = schedule_for(trajectory)
    due = None
    if trajectory.status == TrajectoryStatus.OPEN:
        latest = max((m.taken_on for m in measurements), default=None)
        due = next_due(trajectory.opened_on, latest, team_schedule.interval_weeks)
    context: dict[str, Any] = {
        "measurements": measurements,
        "measurement_schedule": team_schedule,
        "measurement_due": due,
        "measurement_due_now": due is not None and due.is_due(today()),
        "measurement_tables": [],
        "measurement_chart": "",
    }
    if not measurements:
        return context
    record(
        user,
        AuditAction.READ,
        trajectory,
        resident_id=trajectory.resident_id,
        details={"section": "metingen", "measurements": len(measurements)},
    )
    by_measure = histories([trajectory.pk]).get(trajectory.pk, {})
    zrm_rows = _rows(by_measure, ZRM)
    tables = [
        (INSTRUMENT_LABELS[ZRM], zrm_rows),
        (INSTRUMENT_LABELS[PILOT_SCALES], _rows(by_measure, PILOT_SCALES)),
    ]
    context["measurement_tables"] = [(label, rows) for label, rows in tables if rows]
    context["measurement_chart"] = _chart(zrm_rows)
    return context
