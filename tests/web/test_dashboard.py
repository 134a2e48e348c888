"""The team overview: reach and caseloads of the own team; outcomes only on the monitor."""

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


def test_no_outcomes_outside_disclosure_control(client: Client) -> None:
    """Goals, routes and score changes were exact counts and a mean over 5 here: a view
    before and after one goal was marked reached gave it away. They are on the programme
    monitor only, through disclosure control; the page and the workbook say where."""
    _, lead = _team_with_cases(6, with_change=True)
    login(client, lead)
    page = client.get(reverse("casework:dashboard")).content.decode()
    assert "Doelen bereikt" not in page and "kosten: slimme besparingen" not in page
    assert reverse("evaluation:monitor") in page and "onthullingscontrole" in page
    response = client.get(reverse("casework:dashboard-export"))
    book = load_workbook(BytesIO(response.content))
    cells = [c.value for sheet in book for row in sheet.iter_rows() for c in row]
    assert not any(isinstance(v, str) and ("Doelen" in v or "Route" in v) for v in cells)


def test_xlsx_export(client: Client) -> None:
    _, lead = _team_with_cases(2, with_change=False)
    login(client, lead)
    response = client.get(reverse("casework:dashboard-export"))
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["Overzicht", "Caseload"]
    assert book["Caseload"]["B2"].value == 2
