"""Correcting what was recorded (a conversation with its scores, a follow-up) and ticking
off an action.

Only open trajectories the user may see (``for_user``). The writes go through
:mod:`bestaanszekerheid.web.casework.services`; their audit event names the fields that
changed, not their old or new values: the log must not become a second copy of the case
file.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bestaanszekerheid.web.accounts.access import AuthenticatedHttpRequest
from bestaanszekerheid.web.audit.models import AuditAction
from bestaanszekerheid.web.audit.service import record
from bestaanszekerheid.web.casework import forms, services
from bestaanszekerheid.web.casework.views import casework_only
from bestaanszekerheid.web.conversations.models import Conversation
from bestaanszekerheid.web.plans.models import Action, FollowUp, Goal
from bestaanszekerheid.web.trajectories.models import Trajectory, TrajectoryStatus


def _saved(
    request: AuthenticatedHttpRequest, changed: list[str], trajectory: Trajectory, done: str
) -> HttpResponse:
    """Say whether anything was saved and go back to the resident."""
    if changed:
        messages.success(request, done)
    else:
        messages.info(request, _("Niets gewijzigd."))
    return redirect("casework:resident", pk=trajectory.resident_id)


def _show_edit(
    request: AuthenticatedHttpRequest,
    obj: Any,
    trajectory: Trajectory,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """The edit form; opening it shows the stored content, so it is an audited read.

    After a rejected POST (the form with its Dutch errors and the text as typed): 400.
    """
    record(request.user, AuditAction.READ, obj, resident_id=trajectory.resident_id)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"trajectory": trajectory, **context}, status=status)


@casework_only
def conversation_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Correct a conversation; the six scores are replaced as a whole (all or none)."""
    conversation = get_object_or_404(
        Conversation.objects.for_user(request.user)
        .filter(trajectory__status=TrajectoryStatus.OPEN)
        .select_related("trajectory__resident")
        .prefetch_related("scores"),
        pk=pk,
    )
    trajectory = conversation.trajectory
    form = forms.ConversationForm(request.POST or None, instance=conversation)
    if request.method == "POST" and form.is_valid():
        changed = services.update_conversation(request.user, form)
        return _saved(request, changed, trajectory, _("Gesprek bijgewerkt."))
    return _show_edit(
        request,
        conversation,
        trajectory,
        "casework/conversation_form.html",
        {"form": form, "editing": conversation},
    )


@casework_only
def follow_up_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Move a follow-up to another date or reword it (not yet done ones only)."""
    follow_up = get_object_or_404(
        FollowUp.objects.for_user(request.user)
        .filter(trajectory__status=TrajectoryStatus.OPEN, done_on__isnull=True)
        .select_related("trajectory__resident"),
        pk=pk,
    )
    form = forms.FollowUpForm(request.POST or None, instance=follow_up)
    if request.method == "POST" and form.is_valid():
        changed = services.update_follow_up(request.user, form)
        return _saved(request, changed, follow_up.trajectory, _("Vervolgafspraak bijgewerkt."))
    return _show_edit(
        request,
        follow_up,
        follow_up.trajectory,
        "casework/edit_form.html",
        {"form": form, "heading": _("Vervolgafspraak wijzigen")},
    )


@casework_only
def goal_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Reword a goal (its status has its own control on the resident page)."""
    goal = get_object_or_404(
        Goal.objects.for_user(request.user)
        .filter(trajectory__status=TrajectoryStatus.OPEN)
        .select_related("trajectory__resident"),
        pk=pk,
    )
    form = forms.GoalForm(request.POST or None, instance=goal)
    if request.method == "POST" and form.is_valid():
        changed = services.update_goal(request.user, form)
        return _saved(request, changed, goal.trajectory, _("Doel bijgewerkt."))
    return _show_edit(
        request,
        goal,
        goal.trajectory,
        "casework/edit_form.html",
        {"form": form, "heading": _("Doel wijzigen")},
    )


@require_POST
@casework_only
def action_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Tick off an action; doing a step counts as progress on its goal."""
    action = get_object_or_404(
        Action.objects.for_user(request.user)
        .filter(goal__trajectory__status=TrajectoryStatus.OPEN, done_on__isnull=True)
        .select_related("goal__trajectory"),
        pk=pk,
    )
    services.complete_action(request.user, action)
    messages.success(request, _("Actie afgevinkt."))
    return redirect("casework:resident", pk=action.goal.trajectory.resident_id)
