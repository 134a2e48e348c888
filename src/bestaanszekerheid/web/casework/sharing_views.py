"""Sharing a trajectory with a colleague and handing it over.

One fixed contact person is the principle, so only that consultant shares or hands over
their own trajectory. Sharing gives a colleague in the same team access (covering a
holiday, asking advice) until it is stopped. Handing over makes a colleague the fixed
contact person; the previous one loses access. A team lead can move all open trajectories
of one consultant to another (someone leaves or is ill for long) without seeing whose they
are: the page shows counts only. Every change is audited per trajectory
(:mod:`bestaanszekerheid.web.casework.services`).
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bestaanszekerheid.web.accounts.access import AuthenticatedHttpRequest, role_required
from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.casework import forms, services
from bestaanszekerheid.web.casework.views import consultant_only
from bestaanszekerheid.web.trajectories.models import Trajectory, TrajectoryStatus


def _own_open_trajectory(request: AuthenticatedHttpRequest, pk: int) -> Trajectory:
    # Shared access is not enough: only the fixed contact person decides who else sees it.
    return get_object_or_404(
        Trajectory.objects.select_related("resident").filter(
            consultant=request.user, status=TrajectoryStatus.OPEN
        ),
        pk=pk,
    )


def _render_sharing(
    request: AuthenticatedHttpRequest,
    trajectory: Trajectory,
    share_form: forms.ShareForm | None = None,
    hand_over_form: forms.HandOverForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "trajectory": trajectory,
        "shared": trajectory.shared_with.order_by("first_name", "last_name"),
        "share_form": share_form
        or forms.ShareForm(prefix="share", trajectory=trajectory, user=request.user),
        "hand_over_form": hand_over_form
        or forms.HandOverForm(prefix="handover", user=request.user),
    }
    return render(request, "casework/sharing.html", context, status=status)


@consultant_only
def sharing(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Who shares this trajectory, and the forms to share, stop sharing or hand over."""
    trajectory = _own_open_trajectory(request, pk)
    return _render_sharing(request, trajectory)


@require_POST
@consultant_only
def share(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    trajectory = _own_open_trajectory(request, pk)
    form = forms.ShareForm(request.POST, prefix="share", trajectory=trajectory, user=request.user)
    if not form.is_valid():
        return _render_sharing(request, trajectory, share_form=form, status=400)
    colleague = form.cleaned_data["colleague"]
    services.share(request.user, trajectory, colleague)
    messages.success(
        request,
        _("Gedeeld met %(name)s.") % {"name": colleague.get_full_name() or colleague.username},
    )
    return redirect("casework:sharing", pk=trajectory.pk)


@require_POST
@consultant_only
def unshare(request: AuthenticatedHttpRequest, pk: int, user_pk: int) -> HttpResponse:
    trajectory = _own_open_trajectory(request, pk)
    colleague = get_object_or_404(trajectory.shared_with.all(), pk=user_pk)
    services.unshare(request.user, trajectory, colleague)
    messages.success(request, _("Delen gestopt."))
    return redirect("casework:sharing", pk=trajectory.pk)


@require_POST
@consultant_only
def hand_over(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    trajectory = _own_open_trajectory(request, pk)
    form = forms.HandOverForm(request.POST, prefix="handover", user=request.user)
    if not form.is_valid():
        return _render_sharing(request, trajectory, hand_over_form=form, status=400)
    new = form.cleaned_data["consultant"]
    services.hand_over(request.user, trajectory, new)
    messages.success(
        request,
        _("Overgedragen aan %(name)s. Je hebt geen toegang meer tot dit traject.")
        % {"name": new.get_full_name() or new.username},
    )
    return redirect("casework:caseload")


@role_required(Role.TEAM_LEAD)
def team_hand_over(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Move every open trajectory of one consultant in the team to another; counts only."""
    form = forms.TeamHandOverForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        source, target = form.cleaned_data["from_consultant"], form.cleaned_data["to_consultant"]
        moved = services.hand_over_caseload(request.user, source, target)
        messages.success(
            request,
            _("%(n)d lopende trajecten overgedragen van %(from)s aan %(to)s.")
            % {
                "n": moved,
                "from": source.get_full_name() or source.username,
                "to": target.get_full_name() or target.username,
            },
        )
        return redirect("casework:team-hand-over")
    # The form's "from" choices are the team's consultants, inactive ones included.
    team = form.team.annotate(
        n_open=Count("caseload", filter=Q(caseload__status=TrajectoryStatus.OPEN))
    )
    counts = [(c, c.n_open) for c in team]
    return render(request, "casework/team_hand_over.html", {"form": form, "counts": counts})
