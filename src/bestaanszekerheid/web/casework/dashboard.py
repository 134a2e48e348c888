"""The team lead's operational figures: reach this year and the caseload per consultant.

Both are counts the team lead works with daily (who takes on whom; the team lead hands
trajectories over), not outcomes of residents. Outcomes (goals reached, routes, change in
scores) are on the programme monitor only (:mod:`bestaanszekerheid.web.evaluation.
monitor_figures`), through the project's disclosure control: here they were exact counts and a
mean over 5, and two views a day apart gave one resident's goal or score change away
(attacker review, issue 16).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Count, Q

from bestaanszekerheid.web.accounts.models import Role, User
from bestaanszekerheid.web.trajectories.models import (
    Trajectory,
    TrajectoryStatus,
)


@dataclass(frozen=True)
class Dashboard:
    """The figures on the team-lead page and in its XLSX export (operational counts)."""

    year: int
    reach: int
    reach_target: int
    caseload_norm: int
    caseloads: list[tuple[str, int]]


def team_trajectories(user: Any) -> Any:
    """The team's trajectories, for counting only; callers must not render rows from it."""
    if user.role != Role.TEAM_LEAD or user.team_id is None:
        return Trajectory.objects.none()
    return Trajectory.objects.filter(consultant__team_id=user.team_id)


def build_dashboard(user: Any, today: date) -> Dashboard:
    """Compute the team lead's figures for the current calendar year."""
    year = today.year
    scope = team_trajectories(user)
    reach = scope.filter(opened_on__year=year).values("resident_id").distinct().count()
    members = (
        User.objects.filter(team_id=user.team_id, role=Role.CONSULTANT, is_active=True)
        .annotate(n=Count("caseload", filter=Q(caseload__status=TrajectoryStatus.OPEN)))
        .order_by("last_name", "username")
    )
    caseloads = [(m.get_full_name() or m.username, m.n) for m in members]
    return Dashboard(
        year=year,
        reach=reach,
        reach_target=settings.BSZ_REACH_TARGET,
        caseload_norm=settings.BSZ_CASELOAD_NORM,
        caseloads=caseloads,
    )


def dashboard_xlsx(board: Dashboard) -> bytes:
    """The same figures as an XLSX workbook (one sheet per table)."""
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Overzicht"
    sheet.append(["Jaar", board.year])
    sheet.append(["Bereik dit jaar", board.reach])
    sheet.append(["Doel bereik", board.reach_target])
    caseload = book.create_sheet("Caseload")
    caseload.append(["Consulent", "Lopende trajecten", "Norm"])
    for name, n in board.caseloads:
        caseload.append([name, n, board.caseload_norm])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
