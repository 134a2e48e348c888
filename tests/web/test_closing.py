"""Closing a trajectory takes a confirmation with an explicit reason, and can be undone
for 30 days (issue 15, finding 5); both audited."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditEvent
from bestaanszekerheid.web.casework import services
from bestaanszekerheid.web.trajectories.models import Trajectory

from .factories import login, make_case, make_team, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture()
def case() -> dict[str, Any]:
    team = make_team()
    user = make_user(Role.CONSULTANT, team)
    return {"team": team, "user": user, "trajectory": make_case(user, name="Sluit Sanne")}


def _close_url(t: Trajectory) -> str:
    return reverse("casework:close", args=[t.pk])


def test_resident_page_links_to_a_confirmation_without_a_preselected_reason(
    case: dict[str, Any],
) -> None:
    client = login(Client(), case["user"])
    t = case["trajectory"]
    page = client.get(reverse("casework:resident", args=[t.resident_id])).content.decode()
    assert _close_url(t) in page and 'name="close-reason"' not in page
    confirm = client.get(_close_url(t))
    body = confirm.content.decode()
    assert confirm.status_code == 200 and "Sluit Sanne" in body
    assert '<option value="" selected>Kies een reden</option>' in body
    assert "selected>doelen bereikt" not in body
    assert AuditEvent.objects.filter(
        actor=case["user"], action="read", object_type="trajectories.Trajectory"
    ).exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"close-reason": "anders"},
        {"close-confirm": "on"},
        {"close-reason": "x", "close-confirm": "on"},
    ],
)
def test_closing_without_reason_or_confirmation_is_refused(
    case: dict[str, Any], data: dict[str, str]
) -> None:
    client = login(Client(), case["user"])
    t = case["trajectory"]
    response = client.post(_close_url(t), data)
    assert response.status_code == 400
    assert "Traject niet afgesloten" in response.content.decode()
    t.refresh_from_db()
    assert t.status == "open"


def test_close_then_reopen_within_the_period(case: dict[str, Any]) -> None:
    client = login(Client(), case["user"])
    t = case["trajectory"]
    response = client.post(_close_url(t), {"close-reason": "verhuisd", "close-confirm": "on"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Traject afgesloten. Heropenen kan tot en met" in page
    assert reverse("casework:reopen", args=[t.pk]) in page
    t.refresh_from_db()
    assert (t.status, t.close_reason) == ("closed", "verhuisd")
    response = client.post(reverse("casework:reopen", args=[t.pk]))
    assert response.status_code == 302
    t.refresh_from_db()
    assert (t.status, t.closed_on, t.close_reason) == ("open", None, "")
    event = AuditEvent.objects.filter(details__reopened=True).get()
    assert event.details["close_reason"] == "verhuisd" and event.actor == case["user"]


def test_no_reopening_after_the_period_or_a_withdrawal(case: dict[str, Any]) -> None:
    client = login(Client(), case["user"])
    t = case["trajectory"]
    Trajectory.objects.filter(pk=t.pk).update(
        status="closed",
        closed_on=date.today() - timedelta(days=services.REOPEN_DAYS + 1),
        close_reason="anders",
    )
    page = client.get(reverse("casework:resident", args=[t.resident_id])).content.decode()
    assert reverse("casework:reopen", args=[t.pk]) not in page
    response = client.post(reverse("casework:reopen", args=[t.pk]))
    assert response.status_code == 400 and "Heropenen kan niet meer" in response.content.decode()
    t.refresh_from_db()
    assert t.status == "closed"
    # On the last day it still can.
    Trajectory.objects.filter(pk=t.pk).update(
        closed_on=date.today() - timedelta(days=services.REOPEN_DAYS)
    )
    assert client.post(reverse("casework:reopen", args=[t.pk])).status_code == 302
    # After a withdrawal of consent it cannot.
    client.post(reverse("casework:consent-withdraw", args=[t.pk]), {"withdraw-confirm": "on"})
    t.refresh_from_db()
    assert t.status == "closed"
    assert client.post(reverse("casework:reopen", args=[t.pk])).status_code == 400
    t.refresh_from_db()
    assert t.status == "closed"


def test_withdrawal_needs_its_confirmation(case: dict[str, Any]) -> None:
    client = login(Client(), case["user"])
    t = case["trajectory"]
    response = client.post(reverse("casework:consent-withdraw", args=[t.pk]), {})
    assert response.status_code == 400
    assert "Vink aan dat de inwoner niet meer mee wil doen" in response.content.decode()
    t.refresh_from_db()
    assert t.status == "open"


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.TEAM_LEAD, Role.FUNCTIONAL_ADMIN])
def test_wrong_users_cannot_close_or_reopen(case: dict[str, Any], role: str) -> None:
    t = case["trajectory"]
    client = login(Client(), make_user(role, case["team"]))
    assert client.get(_close_url(t)).status_code in (403, 404)
    data = {"close-reason": "anders", "close-confirm": "on"}
    assert client.post(_close_url(t), data).status_code in (403, 404)
    services.close_trajectory(case["user"], t, "anders")
    assert client.post(reverse("casework:reopen", args=[t.pk])).status_code in (403, 404)
    t.refresh_from_db()
    assert t.status == "closed"
