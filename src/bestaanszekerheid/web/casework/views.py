"""The consultant's pages. Every lookup goes through ``for_user``; every read and write of
personal data goes through :func:`bestaanszekerheid.web.audit.service.record`."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bestaanszekerheid.web.accounts.access import CASEWORK_ROLES, role_required
from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditAction
from bestaanszekerheid.web.audit.service import record
from bestaanszekerheid.web.casework import forms
from bestaanszekerheid.web.casework.spider import spider_svg
from bestaanszekerheid.web.casework.traffic_light import traffic_light, with_facts
from bestaanszekerheid.web.conversations.models import Conversation, Dimension, PositiveHealthScore
from bestaanszekerheid.web.plans.models import FollowUp, Goal, GoalStatus
from bestaanszekerheid.web.referrals.models import Referral, ReferralStatus
from bestaanszekerheid.web.referrals.workflow import (
    TransitionNotAllowedError,
    next_statuses,
    transition,
)
from bestaanszekerheid.web.residents.models import Consent, Resident
from bestaanszekerheid.web.trajectories.models import (
    CloseReason,
    Trajectory,
    TrajectoryRoute,
    TrajectoryStatus,
)

casework_only = role_required(*CASEWORK_ROLES)
consultant_only = role_required(Role.CONSULTANT)


def today() -> date:
    """Today's date in the app's time zone."""
    return timezone.localdate()


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its own start page."""
    role = request.user.role
    if role == Role.CONSULTANT:
        return redirect("casework:caseload")
    if role == Role.TEAM_LEAD:
        return redirect("casework:dashboard")
    if role == Role.PRIVACY_OFFICER:
        return redirect("privacy:index")
    if role == Role.FUNCTIONAL_ADMIN:
        return redirect("casework:admin")
    if role == Role.ANALYST:
        return redirect("casework:analyst")
    return render(request, "casework/no_case_access.html")


@casework_only
def caseload(request: HttpRequest) -> HttpResponse:
    """The caseload at a glance: open trajectories with their traffic light, red first."""
    trajectories = with_facts(
        Trajectory.objects.for_user(request.user)
        .filter(status=TrajectoryStatus.OPEN)
        .select_related("resident")
        .prefetch_related("routes")
    )  # the traffic light's facts as columns: no follow-ups, goals or conversations loaded
    now = today()
    rows = [(t, traffic_light(t, now)) for t in trajectories]
    order = {"red": 0, "orange": 1, "green": 2, "grey": 3}
    rows.sort(key=lambda row: (order[row[1].colour], row[0].resident.name))
    counts = {colour: sum(light.colour == colour for _t, light in rows) for colour in order}
    # Filtering a caseload of about 50 in Python keeps the one query above as it is.
    query = request.GET.get("zoek", "").strip()
    colour = request.GET.get("stoplicht", "")
    if colour in order:
        rows = [row for row in rows if row[1].colour == colour]
    if query:
        rows = [row for row in rows if query.casefold() in row[0].resident.name.casefold()]
    record(
        request.user,
        AuditAction.READ,
        "caseload",
        details={"residents": [t.resident_id for t, _light in rows]},
    )
    context = {
        "rows": rows,
        "counts": counts,
        "total": sum(counts.values()),
        "query": query,
        "colour": colour if colour in order else "",
        "filtered": bool(query) or colour in order,
    }
    return render(request, "casework/caseload.html", context)


@consultant_only
def resident_create(request: HttpRequest) -> HttpResponse:
    """Register a resident with consent; the consultant becomes the fixed contact person."""
    form = forms.ResidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            resident = form.save()
            consent = Consent.objects.create(
                resident=resident,
                given_on=form.cleaned_data["consent_given_on"],
                method=form.cleaned_data["consent_method"],
            )
            trajectory = Trajectory.objects.create(
                resident=resident, consultant=request.user, opened_on=today()
            )
            for obj in (resident, consent, trajectory):
                record(request.user, AuditAction.CREATE, obj, resident_id=resident.pk)
        messages.success(request, _("Inwoner geregistreerd."))
        return redirect("casework:resident", pk=resident.pk)
    return render(request, "casework/resident_form.html", {"form": form})


def _score_history(trajectory: Trajectory) -> tuple[list[str], list[tuple[str, list[int]]]]:
    labels = [str(label) for label in Dimension.labels]
    by_conversation: dict[int, dict[str, int]] = {}
    dates: dict[int, date] = {}
    scores = PositiveHealthScore.objects.filter(conversation__trajectory=trajectory).select_related(
        "conversation"
    )
    for score in scores.order_by("conversation__held_on", "conversation_id"):
        by_conversation.setdefault(score.conversation_id, {})[score.dimension] = score.score
        dates[score.conversation_id] = score.conversation.held_on
    series = [
        (dates[cid].isoformat(), [values.get(code, 0) for code in Dimension.values])
        for cid, values in by_conversation.items()
    ]
    return labels, series


@casework_only
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything about one resident the user may see, with the purpose of processing."""
    resident = get_object_or_404(Resident.objects.for_user(request.user), pk=pk)
    trajectory = (
        Trajectory.objects.for_user(request.user)
        .filter(resident=resident)
        .prefetch_related("follow_ups", "goals__actions", "conversations__scores", "routes")
        .order_by("-opened_on", "-id")
        .first()
    )
    assert trajectory is not None  # for_user on Resident implies a visible trajectory
    record(request.user, AuditAction.READ, resident, resident_id=resident.pk)
    labels, series = _score_history(trajectory)
    context: dict[str, Any] = {
        "resident": resident,
        "purpose": settings.BSZ_PURPOSE,
        "consent": resident.consents.first(),
        "trajectory": trajectory,
        "light": traffic_light(trajectory, today()),
        "labels": labels,
        "series": series,
        "spider": spider_svg(labels, series[-3:], _("Positieve Gezondheid per gesprek"))
        if series
        else "",
        "referrals": [
            (r, [(s, ReferralStatus(s).label) for s in next_statuses(r)])
            for r in Referral.objects.for_user(request.user)
            .filter(trajectory=trajectory)
            .select_related("partner")
            .prefetch_related("history__by")
        ],
        "routes_form": forms.RoutesForm(
            prefix="routes", initial={"routes": [r.route for r in trajectory.routes.all()]}
        ),
        "goal_form": forms.GoalForm(prefix="goal"),
        "follow_up_form": forms.FollowUpForm(prefix="followup"),
        "referral_form": forms.ReferralForm(prefix="referral"),
        "close_form": forms.CloseForm(prefix="close"),
        "goal_status_choices": GoalStatus.choices,
        "goal_rows": [
            (g, forms.ActionForm(prefix=f"action{g.pk}")) for g in trajectory.goals.all()
        ],
    }
    return render(request, "casework/resident_detail.html", context)


def _open_trajectory(request: HttpRequest, pk: int) -> Trajectory:
    return get_object_or_404(
        Trajectory.objects.for_user(request.user)
        .filter(status=TrajectoryStatus.OPEN)
        .select_related("resident"),  # the conversation form names the resident
        pk=pk,
    )


@casework_only
def conversation_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a conversation with its themes, notes and (optionally) the six scores."""
    trajectory = _open_trajectory(request, pk)
    form = forms.ConversationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            conversation = form.save(commit=False)
            conversation.trajectory = trajectory
            conversation.recorded_by = request.user
            conversation.save()
            form.save_scores(conversation)
            record(
                request.user,
                AuditAction.CREATE,
                conversation,
                resident_id=trajectory.resident_id,
                details={"scores": bool(form.scores())},
            )
        messages.success(request, _("Gesprek vastgelegd."))
        return redirect("casework:resident", pk=trajectory.resident_id)
    return render(
        request, "casework/conversation_form.html", {"form": form, "trajectory": trajectory}
    )


@require_POST
@casework_only
def routes_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Set the chosen routes (one or more) for an open trajectory."""
    trajectory = _open_trajectory(request, pk)
    form = forms.RoutesForm(request.POST, prefix="routes")
    if form.is_valid():
        chosen = set(form.cleaned_data["routes"])
        with transaction.atomic():
            trajectory.routes.exclude(route__in=chosen).delete()
            existing = set(trajectory.routes.values_list("route", flat=True))
            for route in sorted(chosen - existing):
                TrajectoryRoute.objects.create(
                    trajectory=trajectory, route=route, chosen_on=today()
                )
            record(
                request.user,
                AuditAction.UPDATE,
                trajectory,
                resident_id=trajectory.resident_id,
                details={"routes": sorted(chosen)},
            )
        messages.success(request, _("Routes opgeslagen."))
    return redirect("casework:resident", pk=trajectory.resident_id)


@require_POST
@casework_only
def goal_create(request: HttpRequest, pk: int) -> HttpResponse:
    trajectory = _open_trajectory(request, pk)
    form = forms.GoalForm(request.POST, prefix="goal")
    if form.is_valid():
        goal = form.save(commit=False)
        goal.trajectory = trajectory
        goal.created_on = goal.last_progress_on = today()
        goal.save()
        record(request.user, AuditAction.CREATE, goal, resident_id=trajectory.resident_id)
        messages.success(request, _("Doel toegevoegd."))
    return redirect("casework:resident", pk=trajectory.resident_id)


@require_POST
@casework_only
def goal_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a goal's status; any change counts as progress for the traffic light."""
    goal = get_object_or_404(
        Goal.objects.for_user(request.user).filter(trajectory__status=TrajectoryStatus.OPEN), pk=pk
    )
    form = forms.GoalStatusForm(request.POST)
    if form.is_valid():
        goal.status = form.cleaned_data["status"]
        goal.last_progress_on = today()
        goal.save(update_fields=["status", "last_progress_on"])
        record(
            request.user,
            AuditAction.UPDATE,
            goal,
            resident_id=goal.trajectory.resident_id,
            details={"status": goal.status},
        )
    return redirect("casework:resident", pk=goal.trajectory.resident_id)


@require_POST
@casework_only
def follow_up_create(request: HttpRequest, pk: int) -> HttpResponse:
    trajectory = _open_trajectory(request, pk)
    form = forms.FollowUpForm(request.POST, prefix="followup")
    if form.is_valid():
        follow_up = form.save(commit=False)
        follow_up.trajectory = trajectory
        follow_up.save()
        record(request.user, AuditAction.CREATE, follow_up, resident_id=trajectory.resident_id)
        messages.success(request, _("Vervolgafspraak toegevoegd."))
    else:
        messages.error(request, _("Vervolgafspraak niet opgeslagen: vul omschrijving en datum in."))
    return redirect("casework:resident", pk=trajectory.resident_id)


@require_POST
@casework_only
def follow_up_done(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_object_or_404(FollowUp.objects.for_user(request.user), pk=pk)
    follow_up.done_on = today()
    follow_up.save(update_fields=["done_on"])
    resident_id = follow_up.trajectory.resident_id
    record(request.user, AuditAction.UPDATE, follow_up, resident_id=resident_id)
    return redirect("casework:resident", pk=resident_id)


@require_POST
@casework_only
def referral_create(request: HttpRequest, pk: int) -> HttpResponse:
    trajectory = _open_trajectory(request, pk)
    form = forms.ReferralForm(request.POST, prefix="referral")
    if form.is_valid():
        referral = form.save(commit=False)
        referral.trajectory = trajectory
        referral.save()
        record(request.user, AuditAction.CREATE, referral, resident_id=trajectory.resident_id)
        messages.success(request, _("Verwijzing voorgesteld."))
    return redirect("casework:resident", pk=trajectory.resident_id)


@require_POST
@casework_only
def referral_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a referral along the state machine; refused steps give a message, not a change."""
    referral = get_object_or_404(
        Referral.objects.for_user(request.user).select_related("trajectory"), pk=pk
    )
    try:
        transition(referral, request.POST.get("to", ""), request.user)
    except TransitionNotAllowedError as exc:
        messages.error(request, str(exc))
        return redirect("casework:resident", pk=referral.trajectory.resident_id)
    messages.success(request, _("Status van de verwijzing bijgewerkt."))
    return redirect("casework:resident", pk=referral.trajectory.resident_id)


@require_POST
@casework_only
def signal_resolved(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a conversation's acute signal as picked up (it then no longer turns the light red)."""
    conversation = get_object_or_404(
        Conversation.objects.for_user(request.user).filter(
            acute_signal=True, acute_signal_resolved_on__isnull=True
        ),
        pk=pk,
    )
    conversation.acute_signal_resolved_on = today()
    conversation.save(update_fields=["acute_signal_resolved_on"])
    resident_id = conversation.trajectory.resident_id
    record(request.user, AuditAction.UPDATE, conversation, resident_id=resident_id)
    messages.success(request, _("Acuut signaal gemarkeerd als opgepakt."))
    return redirect("casework:resident", pk=resident_id)


@require_POST
@casework_only
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a concrete step with a due date to a goal; adding one counts as progress."""
    goal = get_object_or_404(
        Goal.objects.for_user(request.user).filter(trajectory__status=TrajectoryStatus.OPEN), pk=pk
    )
    form = forms.ActionForm(request.POST, prefix=f"action{goal.pk}")
    if form.is_valid():
        with transaction.atomic():
            action = form.save(commit=False)
            action.goal = goal
            action.save()
            goal.last_progress_on = today()
            goal.save(update_fields=["last_progress_on"])
            record(
                request.user, AuditAction.CREATE, action, resident_id=goal.trajectory.resident_id
            )
        messages.success(request, _("Actie toegevoegd."))
    else:
        messages.error(request, _("Actie niet opgeslagen: vul omschrijving en datum in."))
    return redirect("casework:resident", pk=goal.trajectory.resident_id)


@require_POST
@casework_only
def consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The resident stops: record the withdrawal and close the trajectory (no sanctions)."""
    trajectory = _open_trajectory(request, pk)
    with transaction.atomic():
        consent = trajectory.resident.consents.filter(withdrawn_on__isnull=True).first()
        if consent is not None:
            consent.withdrawn_on = today()
            consent.save(update_fields=["withdrawn_on"])
            record(request.user, AuditAction.UPDATE, consent, resident_id=trajectory.resident_id)
        trajectory.status = TrajectoryStatus.CLOSED
        trajectory.closed_on = today()
        trajectory.close_reason = CloseReason.RESIDENT_STOPPED
        trajectory.save(update_fields=["status", "closed_on", "close_reason"])
        record(
            request.user,
            AuditAction.UPDATE,
            trajectory,
            resident_id=trajectory.resident_id,
            details={"closed": trajectory.close_reason, "consent_withdrawn": True},
        )
    messages.success(request, _("Toestemming ingetrokken en traject afgesloten."))
    return redirect("casework:resident", pk=trajectory.resident_id)


@require_POST
@casework_only
def trajectory_close(request: HttpRequest, pk: int) -> HttpResponse:
    trajectory = _open_trajectory(request, pk)
    form = forms.CloseForm(request.POST, prefix="close")
    if form.is_valid():
        trajectory.status = TrajectoryStatus.CLOSED
        trajectory.closed_on = today()
        trajectory.close_reason = form.cleaned_data["reason"]
        trajectory.save(update_fields=["status", "closed_on", "close_reason"])
        record(
            request.user,
            AuditAction.UPDATE,
            trajectory,
            resident_id=trajectory.resident_id,
            details={"closed": trajectory.close_reason},
        )
        messages.success(request, _("Traject afgesloten."))
    return redirect("casework:caseload")
