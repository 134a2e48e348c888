"""The consultant's pages. Every lookup goes through ``for_user``; every read of personal
data is audited here (:func:`bestaanszekerheid.web.audit.service.record`), every write goes
through :mod:`bestaanszekerheid.web.casework.services` (the change and its audit event in
one transaction)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bestaanszekerheid.web.accounts.access import (
    CASEWORK_ROLES,
    AuthenticatedHttpRequest,
    role_required,
)
from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditAction
from bestaanszekerheid.web.audit.service import record
from bestaanszekerheid.web.casework import forms, services
from bestaanszekerheid.web.casework.services import today
from bestaanszekerheid.web.casework.spider import spider_svg
from bestaanszekerheid.web.casework.traffic_light import traffic_light, with_facts
from bestaanszekerheid.web.conversations.models import Conversation, Dimension, PositiveHealthScore
from bestaanszekerheid.web.evaluation.resident import resident_context
from bestaanszekerheid.web.evaluation.schedule import closing_measurement_missing
from bestaanszekerheid.web.plans.models import FollowUp, Goal, GoalStatus
from bestaanszekerheid.web.referrals.models import Referral, ReferralStatus
from bestaanszekerheid.web.referrals.workflow import (
    TransitionNotAllowedError,
    next_statuses,
    transition,
)
from bestaanszekerheid.web.residents.bsn import bsn_reference
from bestaanszekerheid.web.residents.models import Resident
from bestaanszekerheid.web.trajectories.models import Trajectory, TrajectoryStatus

casework_only = role_required(*CASEWORK_ROLES)
consultant_only = role_required(Role.CONSULTANT)


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
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
def caseload(request: AuthenticatedHttpRequest) -> HttpResponse:
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


def _registration_attempt(form: forms.ResidentForm) -> dict[str, Any]:
    """Audit details of a registration attempt: the outcome and a keyed hash of the BSN
    typed, never the number itself (:func:`bsn_reference`)."""
    raw = (form.data.get("bsn") or "").strip() if form.is_bound else ""
    return {"bsn": bsn_reference(raw) if raw else None}


@consultant_only
def resident_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Register a resident with consent; the consultant becomes the fixed contact person.

    No BSN oracle (issue 15): when the BSN belongs to a resident whose case the consultant
    may not see, the registration goes ahead exactly as for an unknown BSN (same answer,
    same page), without storing the BSN on the new record, and the match goes to the team
    lead (:class:`DuplicateRegistration`). Every attempt is audited.
    """
    form = forms.ResidentForm(request.POST or None, user=request.user)
    if request.method != "POST":
        return render(request, "casework/resident_form.html", {"form": form})
    if not form.is_valid():
        record(
            request.user,
            AuditAction.CREATE,
            "inwonerregistratie",
            details={
                "outcome": "refused",
                "fields": sorted(form.errors),
                **_registration_attempt(form),
            },
        )
        return render(request, "casework/resident_form.html", {"form": form}, status=400)
    resident = form.save(commit=False)
    services.register_resident(
        request.user,
        resident,
        consent_given_on=form.cleaned_data["consent_given_on"],
        consent_method=form.cleaned_data["consent_method"],
        known_elsewhere=form.known_elsewhere,
        attempt=_registration_attempt(form),
    )
    messages.success(request, _("Inwoner geregistreerd."))
    return redirect("casework:resident", pk=resident.pk)


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
def resident_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Everything about one resident the user may see, with the purpose of processing."""
    resident = get_object_or_404(Resident.objects.for_user(request.user), pk=pk)
    trajectory = (
        Trajectory.objects.for_user(request.user)
        .filter(resident=resident)
        .order_by("-opened_on", "-id")
        .first()
    )
    assert trajectory is not None  # for_user on Resident implies a visible trajectory
    return _resident_page(request, trajectory)


def _resident_page(
    request: AuthenticatedHttpRequest,
    trajectory: Trajectory,
    *,
    status: int = 200,
    action_forms: dict[int, forms.ActionForm] | None = None,
    **bound: Any,
) -> HttpResponse:
    """The resident page (an audited read). After an invalid POST, ``bound`` holds the
    rejected form (``goal_form=...``), shown with its errors and the text as typed."""
    trajectory = (
        Trajectory.objects.filter(pk=trajectory.pk)
        .select_related("resident", "consultant")
        .prefetch_related("follow_ups", "goals__actions", "conversations__scores", "routes")
        .get()
    )
    resident = trajectory.resident
    record(request.user, AuditAction.READ, resident, resident_id=resident.pk)
    labels, series = _score_history(trajectory)
    action_forms = action_forms or {}
    context: dict[str, Any] = {
        "resident": resident,
        "purpose": settings.BSZ_PURPOSE,
        "consent": resident.consents.first(),
        "masked_bsn": services.masked_bsn(resident),
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
        "goal_status_choices": GoalStatus.choices,
        "goal_rows": [
            (g, action_forms.get(g.pk) or forms.ActionForm(prefix=f"action{g.pk}"))
            for g in trajectory.goals.all()
        ],
        "reopen_until": services.reopen_until(trajectory),
        **resident_context(request.user, trajectory),
        **bound,
    }
    return render(request, "casework/resident_detail.html", context, status=status)


def _rejected(
    request: AuthenticatedHttpRequest, trajectory: Trajectory, message: str, **bound: Any
) -> HttpResponse:
    """An invalid POST on the resident page: a Dutch message, the form as typed, nothing
    saved. Status 400, or 200 for htmx (which swaps no 4xx response into the page)."""
    messages.error(request, message)
    status = 200 if getattr(request, "htmx", False) else 400
    return _resident_page(request, trajectory, status=status, **bound)


def _open_trajectory(request: AuthenticatedHttpRequest, pk: int) -> Trajectory:
    return get_object_or_404(
        Trajectory.objects.for_user(request.user)
        .filter(status=TrajectoryStatus.OPEN)
        .select_related("resident"),  # the conversation form names the resident
        pk=pk,
    )


@casework_only
def conversation_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record a conversation with its themes, notes and (optionally) the six scores."""
    trajectory = _open_trajectory(request, pk)
    form = forms.ConversationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.record_conversation(
            request.user, trajectory, form.save(commit=False), form.scores()
        )
        messages.success(request, _("Gesprek vastgelegd."))
        return redirect("casework:resident", pk=trajectory.resident_id)
    return render(
        request,
        "casework/conversation_form.html",
        {"form": form, "trajectory": trajectory},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@casework_only
def routes_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Set the chosen routes (one or more) for an open trajectory."""
    trajectory = _open_trajectory(request, pk)
    form = forms.RoutesForm(request.POST, prefix="routes")
    if not form.is_valid():
        return _rejected(
            request, trajectory, _("Routes niet opgeslagen: zie de melding."), routes_form=form
        )
    if services.set_routes(request.user, trajectory, form.cleaned_data["routes"]):
        messages.success(request, _("Routes opgeslagen."))
    else:
        messages.info(request, _("Niets gewijzigd: dit waren de routes al."))
    return redirect("casework:resident", pk=trajectory.resident_id)


@require_POST
@casework_only
def goal_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    trajectory = _open_trajectory(request, pk)
    form = forms.GoalForm(request.POST, prefix="goal")
    if not form.is_valid():
        return _rejected(
            request,
            trajectory,
            _("Doel niet opgeslagen: zie de melding bij het veld."),
            goal_form=form,
        )
    services.add_goal(request.user, trajectory, form.save(commit=False))
    messages.success(request, _("Doel toegevoegd."))
    return redirect("casework:resident", pk=trajectory.resident_id)


@require_POST
@casework_only
def goal_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change a goal's status; any change counts as progress for the traffic light."""
    goal = get_object_or_404(
        Goal.objects.for_user(request.user).filter(trajectory__status=TrajectoryStatus.OPEN), pk=pk
    )
    form = forms.GoalStatusForm(request.POST)
    if not form.is_valid():
        return _rejected(
            request, goal.trajectory, _("Status niet bijgewerkt: kies een status uit de lijst.")
        )
    services.set_goal_status(request.user, goal, form.cleaned_data["status"])
    messages.success(request, _("Status van het doel bijgewerkt."))
    return redirect("casework:resident", pk=goal.trajectory.resident_id)


@require_POST
@casework_only
def follow_up_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    trajectory = _open_trajectory(request, pk)
    form = forms.FollowUpForm(request.POST, prefix="followup")
    if not form.is_valid():
        return _rejected(
            request,
            trajectory,
            _("Vervolgafspraak niet opgeslagen: zie de melding bij het veld."),
            follow_up_form=form,
        )
    services.add_follow_up(request.user, trajectory, form.save(commit=False))
    messages.success(request, _("Vervolgafspraak toegevoegd."))
    return redirect("casework:resident", pk=trajectory.resident_id)


@require_POST
@casework_only
def follow_up_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    follow_up = get_object_or_404(FollowUp.objects.for_user(request.user), pk=pk)
    services.complete_follow_up(request.user, follow_up)
    return redirect("casework:resident", pk=follow_up.trajectory.resident_id)


@require_POST
@casework_only
def referral_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    trajectory = _open_trajectory(request, pk)
    form = forms.ReferralForm(request.POST, prefix="referral")
    if not form.is_valid():
        return _rejected(
            request,
            trajectory,
            _("Verwijzing niet opgeslagen: zie de melding bij het veld."),
            referral_form=form,
        )
    services.propose_referral(request.user, trajectory, form.save(commit=False))
    messages.success(request, _("Verwijzing voorgesteld."))
    return redirect("casework:resident", pk=trajectory.resident_id)


@require_POST
@casework_only
def referral_transition(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
def signal_resolved(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark a conversation's acute signal as picked up (it then no longer turns the light red)."""
    conversation = get_object_or_404(
        Conversation.objects.for_user(request.user).filter(
            acute_signal=True, acute_signal_resolved_on__isnull=True
        ),
        pk=pk,
    )
    services.resolve_signal(request.user, conversation)
    messages.success(request, _("Acuut signaal gemarkeerd als opgepakt."))
    return redirect("casework:resident", pk=conversation.trajectory.resident_id)


@require_POST
@casework_only
def action_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add a concrete step with a due date to a goal; adding one counts as progress."""
    goal = get_object_or_404(
        Goal.objects.for_user(request.user).filter(trajectory__status=TrajectoryStatus.OPEN), pk=pk
    )
    form = forms.ActionForm(request.POST, prefix=f"action{goal.pk}")
    if not form.is_valid():
        return _rejected(
            request,
            goal.trajectory,
            _("Actie niet opgeslagen: zie de melding bij het veld."),
            action_forms={goal.pk: form},
            open_action_form=goal.pk,
        )
    services.add_action(request.user, goal, form.save(commit=False))
    messages.success(request, _("Actie toegevoegd."))
    return redirect("casework:resident", pk=goal.trajectory.resident_id)


def _close_page(
    request: AuthenticatedHttpRequest,
    trajectory: Trajectory,
    close_form: forms.CloseForm,
    withdraw_form: forms.WithdrawForm,
    status: int = 200,
) -> HttpResponse:
    """The confirmation step for closing (it names the resident: an audited read)."""
    record(request.user, AuditAction.READ, trajectory, resident_id=trajectory.resident_id)
    context = {
        "trajectory": trajectory,
        "close_form": close_form,
        "withdraw_form": withdraw_form,
        "reopen_days": services.REOPEN_DAYS,
        "closing_measurement_missing": closing_measurement_missing(trajectory),
    }
    return render(request, "casework/close.html", context, status=status)


@casework_only
def trajectory_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Close an open trajectory after a confirmation with an explicit reason."""
    trajectory = _open_trajectory(request, pk)
    form = forms.CloseForm(request.POST or None, prefix="close")
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, _("Traject niet afgesloten: zie de melding bij het veld."))
            return _close_page(
                request, trajectory, form, forms.WithdrawForm(prefix="withdraw"), status=400
            )
        services.close_trajectory(request.user, trajectory, form.cleaned_data["reason"])
        until = services.reopen_until(trajectory)
        messages.success(
            request,
            _("Traject afgesloten. Heropenen kan tot en met %(date)s.")
            % {"date": date_format(until, "j F Y") if until else "–"},
        )
        return redirect("casework:resident", pk=trajectory.resident_id)
    return _close_page(request, trajectory, form, forms.WithdrawForm(prefix="withdraw"))


@require_POST
@casework_only
def consent_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The resident stops: record the withdrawal and close the trajectory (no sanctions)."""
    trajectory = _open_trajectory(request, pk)
    form = forms.WithdrawForm(request.POST, prefix="withdraw")
    if not form.is_valid():
        messages.error(request, _("Toestemming niet ingetrokken: zie de melding bij het veld."))
        return _close_page(request, trajectory, forms.CloseForm(prefix="close"), form, status=400)
    services.withdraw_consent(request.user, trajectory)
    messages.success(request, _("Toestemming ingetrokken en traject afgesloten."))
    return redirect("casework:resident", pk=trajectory.resident_id)


@require_POST
@casework_only
def trajectory_reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Undo a closing within the reopening period (not after a withdrawal of consent)."""
    trajectory = get_object_or_404(
        Trajectory.objects.for_user(request.user)
        .filter(status=TrajectoryStatus.CLOSED)
        .select_related("resident"),
        pk=pk,
    )
    other_open = Trajectory.objects.filter(
        resident=trajectory.resident, status=TrajectoryStatus.OPEN
    ).exists()
    if services.reopen_until(trajectory) is None or other_open:
        return _rejected(
            request,
            trajectory,
            _(
                "Heropenen kan niet meer: dat kan tot %(days)d dagen na afsluiten, en niet als "
                "de inwoner de toestemming heeft ingetrokken of al een lopend traject heeft."
            )
            % {"days": services.REOPEN_DAYS},
        )
    services.reopen_trajectory(request.user, trajectory)
    messages.success(request, _("Traject heropend."))
    return redirect("casework:resident", pk=trajectory.resident_id)
