"""The pilot pages and the pilot section of the resident page.

Team lead pages (list, new pilot, detail with the participant list, the loting import and
the dose per arm): only a team lead, only the pilots of the team lead's own team; anyone
else gets 403, a pilot of another team 404. The resident page section: whoever may see the
trajectory (``for_user``) sees its participations and can enrol the resident in a pilot of
their own team that is in preparation. Every write goes through :mod:`.pilot_services`.
Editing, ending and resuming: :mod:`.pilot_lifecycle_views` (with the helpers shared here).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from bestaanszekerheid.web.accounts.access import (
    CASEWORK_ROLES,
    AuthenticatedHttpRequest,
    role_required,
)
from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditAction
from bestaanszekerheid.web.audit.service import record
from bestaanszekerheid.web.casework.published import settle
from bestaanszekerheid.web.casework.services import today
from bestaanszekerheid.web.evaluation import pilot_services as services
from bestaanszekerheid.web.evaluation.allocation_import import AllocationImportError
from bestaanszekerheid.web.evaluation.instruments import MEASURES_BY_CODE
from bestaanszekerheid.web.evaluation.models import Pilot, PilotParticipant, PilotStatus
from bestaanszekerheid.web.evaluation.pilot_figures import build_dose_figures, load_dose
from bestaanszekerheid.web.evaluation.pilot_forms import (
    AllocationImportForm,
    ConfirmForm,
    EnrolForm,
    PilotForm,
    arm_formset,
)
from bestaanszekerheid.web.trajectories.models import Route, Trajectory, TrajectoryStatus

team_lead_only = role_required(Role.TEAM_LEAD)
casework_only = role_required(*CASEWORK_ROLES)

# ----------------------------------------------------------------------------- team lead


def team_pilots(user: Any) -> QuerySet[Pilot]:
    """The pilots of the user's team (none without a team)."""
    if getattr(user, "team_id", None) is None:
        return Pilot.objects.none()
    return Pilot.objects.filter(team_id=user.team_id)


def _counts(pilot: Pilot) -> dict[str, int]:
    """How many participants are where (plain counts of the team's own pilot, no arms)."""
    stands = Q(participation_withdrawn_on__isnull=True)
    consent = Q(evaluation_consent_on__isnull=False, evaluation_consent_withdrawn_on__isnull=True)
    return PilotParticipant.objects.filter(pilot=pilot).aggregate(
        enrolled=Count("id"),
        standing=Count("id", filter=stands),
        stopped=Count("id", filter=~stands),
        consent=Count("id", filter=consent),
        allocated=Count("id", filter=Q(arm__isnull=False)),
        unallocated=Count("id", filter=Q(arm__isnull=True)),
    )


@team_lead_only
def pilots(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The team's pilots with their status and number of participants."""
    rows = team_pilots(request.user).annotate(
        n_participants=Count(
            "participants", filter=Q(participants__participation_withdrawn_on__isnull=True)
        )
    )
    return render(
        request,
        "evaluation/pilots.html",
        {"pilots": rows, "has_team": request.user.team_id is not None},
    )


@team_lead_only
def pilot_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Register a pilot of the team lead's team, with its arms."""
    if request.user.team_id is None:
        messages.error(request, _("Je hoort bij geen team; een pilot hoort bij een team."))
        return redirect("evaluation:pilots")
    form = PilotForm(request.POST or None)
    arms = arm_formset(request.POST or None)
    if request.method == "POST":
        if form.is_valid() and arms.is_valid():
            pilot = services.create_pilot(request.user, form.save(commit=False), arms.filled())
            messages.success(request, _("Pilot vastgelegd. Meld nu de deelnemers aan."))
            return redirect("evaluation:pilot", pk=pilot.pk)
        messages.error(request, _("Pilot niet opgeslagen: zie de meldingen bij de velden."))
    return render(
        request,
        "evaluation/pilot_form.html",
        # Rows 3-6 fold away unless something was typed there.
        {
            "form": form,
            "arms": arms,
            "more_arms_open": any(f.has_changed() for f in arms.forms[2:]),
        },
        status=400 if request.method == "POST" else 200,
    )


def _detail(
    request: AuthenticatedHttpRequest,
    pilot: Pilot,
    *,
    import_form: AllocationImportForm | None = None,
    problems: tuple[str, ...] = (),
    status: int = 200,
) -> HttpResponse:
    """The pilot page (an audited read: it shows counts and, once running, the dose)."""
    figures = None
    if pilot.status != PilotStatus.PREPARING:
        plans, records = load_dose(pilot, today())
        routes = {code: str(name).split(":")[0] for code, name in Route.choices}
        figures = build_dose_figures(plans, records, routes)
        # Kept until enough has happened, like the monitor (differencing over time, ADR 0075).
        figures.figures, _log = settle(
            f"pilot:{pilot.pk}",
            figures.figures,
            min_count=figures.rules.min_count,
            now=timezone.now(),
        )
    record(
        request.user,
        AuditAction.READ,
        pilot,
        purpose=services.PURPOSE_EVALUATION,
        details={"tables": [f.slug for f in figures.figures if f.rows] if figures else []},
    )
    arms = list(pilot.arms.all())  # the control arm first, as bsz loting wants it
    context = {
        "pilot": pilot,
        "arms": arms,
        "arm_codes": ",".join(a.code for a in arms),
        "measures": [
            MEASURES_BY_CODE[c].label if c in MEASURES_BY_CODE else c
            for c in pilot.outcome_measures
        ],
        "counts": _counts(pilot),
        "import_form": import_form or AllocationImportForm(),
        "problems": problems,
        "figures": figures,
        "preparing": pilot.status == PilotStatus.PREPARING,
        "running": pilot.status == PilotStatus.RUNNING,
    }
    return render(request, "evaluation/pilot_detail.html", context, status=status)


@team_lead_only
def pilot_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Design, status, participant counts, the loting steps and the dose per arm."""
    pilot = get_object_or_404(
        team_pilots(request.user).select_related("allocation_imported_by", "ended_by"), pk=pk
    )
    return _detail(request, pilot)


@team_lead_only
def participants_csv(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The participant list for ``bsz loting`` (codes only; an audited export)."""
    pilot = get_object_or_404(team_pilots(request.user), pk=pk)
    try:
        rows = services.export_participant_list(request.user, pilot)
    except services.PilotStateError as exc:
        messages.error(request, str(exc))
        return redirect("evaluation:pilot", pk=pilot.pk)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(["deelnemer", "consulent"])
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="deelnemers.csv"'
    return response


@require_POST
@team_lead_only
def allocation_import(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Import the ``bsz loting`` log, verified against the control code typed in."""
    pilot = get_object_or_404(
        team_pilots(request.user).select_related("allocation_imported_by"), pk=pk
    )
    form = AllocationImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Loting niet ingelezen: zie de meldingen bij de velden."))
        return _detail(request, pilot, import_form=form, status=400)
    try:
        result = services.import_allocation(
            request.user, pilot, form.cleaned_data["logboek"], form.cleaned_data["controlecode"]
        )
    except AllocationImportError as exc:
        services.record_refused_import(request.user, pilot, len(exc.problems))
        # Name the first cause: a wrong control code is not "another pilot's log".
        cause = exc.problems[0].rstrip(":.") + "."
        messages.error(request, _("Loting niet ingelezen: %(cause)s") % {"cause": cause})
        return _detail(request, pilot, import_form=form, problems=exc.problems, status=400)
    except services.PilotStateError as exc:
        messages.error(request, str(exc))
        return _detail(request, pilot, import_form=form, status=400)
    messages.success(
        request,
        _("Loting ingelezen: %(n)d deelnemers hebben nu een arm.") % {"n": len(result.assignments)},
    )
    return redirect("evaluation:pilot", pk=pilot.pk)


# ----------------------------------------------------------------------------- resident page


@dataclass(frozen=True)
class ParticipationRow:
    """One participation on the resident page with its two forms."""

    participant: PilotParticipant
    stop_form: ConfirmForm
    consent_form: ConfirmForm


def _rows(
    trajectory: Trajectory, bound: dict[tuple[int, str], ConfirmForm] | None = None
) -> list[ParticipationRow]:
    bound = bound or {}
    participations = PilotParticipant.objects.filter(trajectory=trajectory).select_related(
        "pilot", "arm"
    )
    return [
        ParticipationRow(
            p,
            bound.get((p.pk, "stop")) or ConfirmForm(prefix=f"stop{p.pk}"),
            bound.get((p.pk, "consent")) or ConfirmForm(prefix=f"consent{p.pk}"),
        )
        for p in participations
    ]


def _open_pilots(user: Any, trajectory: Trajectory) -> QuerySet[Pilot]:
    """The pilots of the user's team in preparation that the trajectory has not joined."""
    return (
        team_pilots(user)
        .filter(status=PilotStatus.PREPARING)
        .exclude(participants__trajectory=trajectory)
        .order_by("name")
    )


def _closed_pilots(user: Any, trajectory: Trajectory) -> QuerySet[Pilot]:
    """The pilots of the user's team that no longer take participants (for the message)."""
    return (
        team_pilots(user)
        .exclude(status=PilotStatus.PREPARING)
        .exclude(participants__trajectory=trajectory)
    )


def _enrol_form(user: Any, trajectory: Trajectory, data: Any = None) -> EnrolForm:
    return EnrolForm(
        data,
        pilots=_open_pilots(user, trajectory),
        closed=_closed_pilots(user, trajectory),
        prefix="pilot",
    )


def running_elsewhere(user: Any, trajectory: Trajectory) -> tuple[int, list[str]]:
    """For the warning on the enrolment: how many running pilots the resident takes part
    in, and their names as the warning lists them.

    Named when the user may see the trajectory of that participation; a participation
    through a trajectory the user may not see is told without its pilot's name.
    """
    visible = set(
        PilotParticipant.objects.for_user(user)
        .filter(trajectory__resident_id=trajectory.resident_id)
        .values_list("pilot_id", flat=True)
    )
    pilots = list(services.other_running_pilots(trajectory))
    names = [p.name for p in pilots if p.pk in visible]
    hidden = len(pilots) - len(names)
    if hidden:
        names.append(
            ngettext(
                "%(n)d pilot via een ander traject",
                "%(n)d pilots via een ander traject",
                hidden,
            )
            % {"n": hidden}
        )
    return len(pilots), names


def pilot_context(user: Any, trajectory: Trajectory) -> dict[str, Any]:
    """Context for ``evaluation/_resident_pilots.html`` on the resident page."""
    rows = _rows(trajectory)
    pilots_open = (
        _open_pilots(user, trajectory)
        if trajectory.status == TrajectoryStatus.OPEN
        else Pilot.objects.none()
    )
    offered = pilots_open.exists()
    n_elsewhere, elsewhere = running_elsewhere(user, trajectory) if offered else (0, [])
    if rows:
        record(
            user,
            AuditAction.READ,
            "pilotdeelname",
            resident_id=trajectory.resident_id,
            details={"participants": [r.participant.pk for r in rows]},
        )
    return {
        "pilot_rows": rows,
        "pilot_enrol_form": _enrol_form(user, trajectory) if offered else None,
        "pilot_running_elsewhere": elsewhere,
        "pilot_running_elsewhere_count": n_elsewhere,
    }


def _rejected(
    request: AuthenticatedHttpRequest, trajectory: Trajectory, message: str, **bound: Any
) -> HttpResponse:
    # Imported here: the casework views import this module for the resident page.
    from bestaanszekerheid.web.casework.views import _rejected as resident_page_rejected

    return resident_page_rejected(request, trajectory, message, **bound)


@require_POST
@casework_only
def enrol(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Enrol the resident of open trajectory ``pk`` in a pilot of the user's team."""
    trajectory = get_object_or_404(
        Trajectory.objects.for_user(request.user).filter(status=TrajectoryStatus.OPEN), pk=pk
    )
    form = _enrol_form(request.user, trajectory, request.POST)
    if not form.is_valid():
        return _rejected(
            request,
            trajectory,
            _("Niet aangemeld voor de pilot: zie de melding bij het veld."),
            pilot_enrol_form=form,
        )
    try:
        participant = services.enrol(
            request.user,
            form.cleaned_data["pilot"],
            trajectory,
            evaluation_consent_on=form.consent_date(),
        )
    except services.PilotStateError as exc:
        return _rejected(request, trajectory, str(exc), pilot_enrol_form=form)
    messages.success(
        request,
        _("Aangemeld voor de pilot, deelnemernummer %(code)s.") % {"code": participant.code},
    )
    return redirect("casework:resident", pk=trajectory.resident_id)


def participant_for(request: AuthenticatedHttpRequest, pk: int) -> PilotParticipant:
    return get_object_or_404(
        PilotParticipant.objects.for_user(request.user).select_related(
            "trajectory__resident", "pilot", "arm"
        ),
        pk=pk,
    )


@require_POST
@casework_only
def participation_stop(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The resident stops taking part in the pilot (after a confirmation)."""
    participant = participant_for(request, pk)
    form = ConfirmForm(request.POST, prefix=f"stop{participant.pk}")
    trajectory = participant.trajectory
    if not form.is_valid():
        return _rejected(
            request,
            trajectory,
            _("Deelname niet gestopt: vink aan dat de inwoner wil stoppen."),
            pilot_rows=_rows(trajectory, {(participant.pk, "stop"): form}),
        )
    try:
        services.stop_participation(request.user, participant)
    except services.PilotStateError as exc:
        return _rejected(request, trajectory, str(exc))
    messages.success(request, _("Deelname aan de pilot gestopt. De begeleiding gaat gewoon door."))
    return redirect("casework:resident", pk=trajectory.resident_id)


@require_POST
@casework_only
def evaluation_consent(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Withdraw the evaluation consent, or record it given today (after a confirmation)."""
    participant = participant_for(request, pk)
    form = ConfirmForm(request.POST, prefix=f"consent{participant.pk}")
    trajectory = participant.trajectory
    # The step is named in the form, not read from the state: a second click of "withdraw"
    # must not give the consent again.
    action = request.POST.get("actie", "")
    withdraw = action == "intrekken"
    if action not in ("intrekken", "geven") or not form.is_valid():
        return _rejected(
            request,
            trajectory,
            _("Toestemming niet gewijzigd: vink aan dat dit is wat de inwoner wil."),
            pilot_rows=_rows(trajectory, {(participant.pk, "consent"): form}),
        )
    try:
        if withdraw:
            services.withdraw_evaluation_consent(request.user, participant)
        else:
            services.give_evaluation_consent(request.user, participant)
    except services.PilotStateError as exc:
        return _rejected(request, trajectory, str(exc))
    messages.success(
        request,
        _("Toestemming voor de evaluatie ingetrokken.")
        if withdraw
        else _("Toestemming voor de evaluatie vastgelegd."),
    )
    return redirect("casework:resident", pk=trajectory.resident_id)
