"""The team lead's programme monitor page (figures: :mod:`.monitor_figures`)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from bestaanszekerheid.web.accounts.access import AuthenticatedHttpRequest, role_required
from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditAction
from bestaanszekerheid.web.audit.service import record
from bestaanszekerheid.web.casework.analyst_views import PURPOSE_POLICY
from bestaanszekerheid.web.casework.published import settle
from bestaanszekerheid.web.casework.services import today
from bestaanszekerheid.web.evaluation.monitor_figures import build_monitor, load_monitor_rows


@role_required(Role.TEAM_LEAD)
def monitor(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Aggregates of the team lead's own team, every table through disclosure control."""
    board = build_monitor(
        load_monitor_rows(request.user, today()),
        reach_target=settings.BSZ_REACH_TARGET,
        caseload_norm=settings.BSZ_CASELOAD_NORM,
    )
    # The page is published as a whole and kept until enough has changed (differencing
    # between two views over time, ADR 0075): the team's page, whoever of its leads looks.
    n = len(board.figures)
    shown, _log = settle(
        f"programmamonitor:team-{request.user.team_id}",
        [*board.figures, *board.pilot_figures],
        min_count=board.rules.min_count,
        now=timezone.now(),
    )
    board.figures, board.pilot_figures = shown[:n], shown[n:]
    record(
        request.user,
        AuditAction.READ,
        "programmamonitor",
        purpose=PURPOSE_POLICY,
        details={
            "team": request.user.team_id,
            "tabellen": [f.slug for f in shown if f.rows],
            "bewaard": [f.slug for f in shown if f.kept],
        },
    )
    context = {"monitor": board, "min_count": board.rules.min_count}
    return render(request, "evaluation/monitor.html", context)
