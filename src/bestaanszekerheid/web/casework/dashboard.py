"""Team-lead figures: aggregates over the team's trajectories, never a resident's data.

Averages over fewer than :data:`MIN_GROUP` trajectories are suppressed, so that a figure
cannot point at one resident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Count, Q

from bestaanszekerheid.web.accounts.models import Role, User
from bestaanszekerheid.web.conversations.models import Dimension, PositiveHealthScore
from bestaanszekerheid.web.plans.models import Goal, GoalStatus
from bestaanszekerheid.web.trajectories.models import (
    Route,
    Trajectory,
    TrajectoryRoute,
    TrajectoryStatus,
)

MIN_GROUP = 5


@dataclass(frozen=True)
class Dashboard:
    """The figures on the team-lead page and in its XLSX export."""

    year: int
    reach: int
    reach_target: int
    caseload_norm: int
    caseloads: list[tuple[str, int]]
    routes: list[tuple[str, int]]
    goals_total: int
    goals_achieved: int
    pg_change: list[tuple[str, float | None]] = field(default_factory=list)
    pg_change_n: int = 0

    @property
    def goals_achieved_share(self) -> float | None:
        return self.goals_achieved / self.goals_total if self.goals_total else None


def team_trajectories(user: Any) -> Any:
    """The team's trajectories, for counting only; callers must not render rows from it."""
    if user.role != Role.TEAM_LEAD or user.team_id is None:
        return Trajectory.objects.none()
    return Trajectory.objects.filter(consultant__team_id=user.team_id)


def _pg_change(trajectory_ids: list[int]) -> tuple[list[tuple[str, float | None]], int]:
    """Average change per dimension between the first and latest scored conversation."""
    firsts: dict[tuple[int, str], int] = {}
    lasts: dict[tuple[int, str], int] = {}
    rows = (
        PositiveHealthScore.objects.filter(conversation__trajectory_id__in=trajectory_ids)
        .order_by("conversation__held_on", "conversation_id")
        .values_list("conversation__trajectory_id", "conversation_id", "dimension", "score")
    )
    conversations: dict[int, set[int]] = {}
    for tid, cid, dim, score in rows:
        firsts.setdefault((tid, dim), score)
        lasts[(tid, dim)] = score
        conversations.setdefault(tid, set()).add(cid)
    eligible = [tid for tid, cids in conversations.items() if len(cids) >= 2]
    if len(eligible) < MIN_GROUP:
        return [(str(label), None) for label in Dimension.labels], len(eligible)
    result = []
    for code, label in Dimension.choices:
        diffs = [lasts[(t, code)] - firsts[(t, code)] for t in eligible if (t, code) in firsts]
        result.append((str(label), sum(diffs) / len(diffs) if diffs else None))
    return result, len(eligible)


def build_dashboard(user: Any, today: date) -> Dashboard:
    """Compute the team lead's figures for the current calendar year."""
    year = today.year
    scope = team_trajectories(user)
    this_year = scope.filter(Q(opened_on__year=year) | Q(status=TrajectoryStatus.OPEN))
    reach = scope.filter(opened_on__year=year).values("resident_id").distinct().count()
    members = (
        User.objects.filter(team_id=user.team_id, role=Role.CONSULTANT, is_active=True)
        .annotate(n=Count("caseload", filter=Q(caseload__status=TrajectoryStatus.OPEN)))
        .order_by("last_name", "username")
    )
    caseloads = [(m.get_full_name() or m.username, m.n) for m in members]
    route_counts = dict(
        TrajectoryRoute.objects.filter(trajectory__in=this_year)
        .values_list("route")
        .annotate(n=Count("id"))
        .values_list("route", "n")
    )
    routes = [(str(label), route_counts.get(code, 0)) for code, label in Route.choices]
    goals = Goal.objects.filter(trajectory__in=this_year)
    pg_change, pg_n = _pg_change(list(this_year.values_list("id", flat=True)))
    return Dashboard(
        year=year,
        reach=reach,
        reach_target=settings.BSZ_REACH_TARGET,
        caseload_norm=settings.BSZ_CASELOAD_NORM,
        caseloads=caseloads,
        routes=routes,
        goals_total=goals.count(),
        goals_achieved=goals.filter(status=GoalStatus.ACHIEVED).count(),
        pg_change=pg_change,
        pg_change_n=pg_n,
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
    sheet.append(["Doelen totaal", board.goals_total])
    sheet.append(["Doelen bereikt", board.goals_achieved])
    caseload = book.create_sheet("Caseload")
    caseload.append(["Consulent", "Lopende trajecten", "Norm"])
    for name, n in board.caseloads:
        caseload.append([name, n, board.caseload_norm])
    routes = book.create_sheet("Routes")
    routes.append(["Route", "Aantal trajecten"])
    for label, n in board.routes:
        routes.append([label, n])
    pg = book.create_sheet("Positieve Gezondheid")
    pg.append(["Dimensie", "Gemiddelde verandering eerste -> laatste", "Aantal trajecten"])
    for label, change in board.pg_change:
        pg.append([label, None if change is None else round(change, 2), board.pg_change_n])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
