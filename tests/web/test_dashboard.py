"""Team-lead figures are aggregates of the own team, with small groups suppressed."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.casework.dashboard import build_dashboard
from bestaanszekerheid.web.trajectories.models import TrajectoryRoute

from .factories import login, make_case, make_conversation, make_goal, make_team, make_user

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 1)


def _team_with_cases(n: int, with_change: bool) -> tuple[object, object]:
    team = make_team()
    consultant = make_user(Role.CONSULTANT, team)
    for i in range(n):
        trajectory = make_case(consultant, opened_on=TODAY - timedelta(days=60))
        TrajectoryRoute.objects.create(trajectory=trajectory, route="kosten", chosen_on=TODAY)
        make_goal(trajectory, status="bereikt" if i % 2 == 0 else "open")
        make_conversation(trajectory, held_on=TODAY - timedelta(days=50), scores=[4] * 6)
        if with_change:
            make_conversation(trajectory, held_on=TODAY - timedelta(days=10), scores=[6] * 6)
    return team, make_user(Role.TEAM_LEAD, team)


def test_figures_for_own_team_only() -> None:
    _, lead = _team_with_cases(6, with_change=True)
    _team_with_cases(3, with_change=True)  # another team: must not count
    board = build_dashboard(lead, TODAY)
    assert board.reach == 6 and board.reach_target == 250
    assert [n for _, n in board.caseloads] == [6]
    assert dict(board.routes)["kosten: slimme besparingen"] == 6
    assert (board.goals_total, board.goals_achieved) == (6, 3)
    assert board.pg_change_n == 6 and all(change == 2.0 for _, change in board.pg_change)


def test_pg_change_suppressed_below_five() -> None:
    _, lead = _team_with_cases(4, with_change=True)
    board = build_dashboard(lead, TODAY)
    assert board.pg_change_n == 4 and all(change is None for _, change in board.pg_change)


def test_xlsx_export(client: Client) -> None:
    _, lead = _team_with_cases(2, with_change=False)
    login(client, lead)
    response = client.get(reverse("casework:dashboard-export"))
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["Overzicht", "Caseload", "Routes", "Positieve Gezondheid"]
    assert book["Caseload"]["B2"].value == 2
