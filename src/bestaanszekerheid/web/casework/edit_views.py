"""Correcting what was recorded (a conversation with its scores, a follow-up) and ticking
off an action.

Only open trajectories the user may see (``for_user``). The audit event names the fields
that changed, not their old or new values: the log must not become a second copy of the
case file.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bestaanszekerheid.web.audit.models import AuditAction
from bestaanszekerheid.web.audit.service import record
from bestaanszekerheid.web.casework import forms
from bestaanszekerheid.web.casework.views import casework_only, today
from bestaanszekerheid.web.conversations.models import Conversation, PositiveHealthScore
from bestaanszekerheid.web.plans.models import Action, FollowUp, Goal
from bestaanszekerheid.web.trajectories.models import TrajectoryStatus


@casework_only
def conversation_edit(request: HttpRequest, pk: int) -> HttpResponse:
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
        changed = sorted(form.changed_data)
        if changed:
            with transaction.atomic():
                form.save()
                if any(name.startswith("score_") for name in changed):
                    conversation.scores.all().delete()
                    PositiveHealthScore.objects.bulk_create(
                        PositiveHealthScore(conversation=conversation, dimension=code, score=v)
                        for code, v in form.scores().items()
                    )
                record(
                    request.user,
                    AuditAction.UPDATE,
                    conversation,
                    resident_id=trajectory.resident_id,
                    details={"changed": changed},
                )
            messages.success(request, _("Gesprek bijgewerkt."))
        else:
            messages.info(request, _("Niets gewijzigd."))
        return redirect("casework:resident", pk=trajectory.resident_id)
    record(request.user, AuditAction.READ, conversation, resident_id=trajectory.resident_id)
    return render(
        request,
        "casework/conversation_form.html",
        {"form": form, "trajectory": trajectory, "editing": conversation},
    )


@casework_only
def follow_up_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a follow-up to another date or reword it (not yet done ones only)."""
    follow_up = get_object_or_404(
        FollowUp.objects.for_user(request.user)
        .filter(trajectory__status=TrajectoryStatus.OPEN, done_on__isnull=True)
        .select_related("trajectory__resident"),
        pk=pk,
    )
    trajectory = follow_up.trajectory
    form = forms.FollowUpForm(request.POST or None, instance=follow_up)
    if request.method == "POST" and form.is_valid():
        changed = sorted(form.changed_data)
        if changed:
            with transaction.atomic():
                form.save()
                record(
                    request.user,
                    AuditAction.UPDATE,
                    follow_up,
                    resident_id=trajectory.resident_id,
                    details={"changed": changed},
                )
            messages.success(request, _("Vervolgafspraak bijgewerkt."))
        else:
            messages.info(request, _("Niets gewijzigd."))
        return redirect("casework:resident", pk=trajectory.resident_id)
    record(request.user, AuditAction.READ, follow_up, resident_id=trajectory.resident_id)
    return render(
        request,
        "casework/edit_form.html",
        {"form": form, "trajectory": trajectory, "heading": _("Vervolgafspraak wijzigen")},
    )


@casework_only
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Reword a goal (its status has its own control on the resident page)."""
    goal = get_object_or_404(
        Goal.objects.for_user(request.user)
        .filter(trajectory__status=TrajectoryStatus.OPEN)
        .select_related("trajectory__resident"),
        pk=pk,
    )
    trajectory = goal.trajectory
    form = forms.GoalForm(request.POST or None, instance=goal)
    if request.method == "POST" and form.is_valid():
        if form.changed_data:
            with transaction.atomic():
                form.save()
                record(
                    request.user,
                    AuditAction.UPDATE,
                    goal,
                    resident_id=trajectory.resident_id,
                    details={"changed": sorted(form.changed_data)},
                )
            messages.success(request, _("Doel bijgewerkt."))
        else:
            messages.info(request, _("Niets gewijzigd."))
        return redirect("casework:resident", pk=trajectory.resident_id)
    record(request.user, AuditAction.READ, goal, resident_id=trajectory.resident_id)
    return render(
        request,
        "casework/edit_form.html",
        {
            "form": form,
            "trajectory": trajectory,
            "heading": _("Doel wijzigen"),
        },
    )


@require_POST
@casework_only
def action_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Tick off an action; doing a step counts as progress on its goal."""
    action = get_object_or_404(
        Action.objects.for_user(request.user)
        .filter(goal__trajectory__status=TrajectoryStatus.OPEN, done_on__isnull=True)
        .select_related("goal__trajectory"),
        pk=pk,
    )
    goal = action.goal
    with transaction.atomic():
        action.done_on = today()
        action.save(update_fields=["done_on"])
        goal.last_progress_on = today()
        goal.save(update_fields=["last_progress_on"])
        record(
            request.user,
            AuditAction.UPDATE,
            action,
            resident_id=goal.trajectory.resident_id,
            details={"changed": ["done_on"]},
        )
    messages.success(request, _("Actie afgevinkt."))
    return redirect("casework:resident", pk=goal.trajectory.resident_id)
