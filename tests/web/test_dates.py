"""Plausible dates (issue 15, finding 4): one window per field (casework/dates.py), checked
in every form, with a Dutch message naming the window; the edges are allowed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.casework import dates
from bestaanszekerheid.web.conversations.models import Conversation
from bestaanszekerheid.web.plans.models import Action, FollowUp
from bestaanszekerheid.web.residents.models import Resident

from .factories import login, make_case, make_follow_up, make_goal, make_user

pytestmark = pytest.mark.django_db

TODAY = date.today()
ABSURD = ["1800-01-01", "0001-01-01", "2999-12-31"]


def _edges(window: dates.DateWindow) -> tuple[list[str], list[str]]:
    """(inside: the two edges, outside: one day beyond each edge and the absurd dates)."""
    earliest, latest = window.bounds(TODAY)
    inside = [earliest.isoformat(), latest.isoformat()]
    outside = [(earliest - timedelta(days=1)).isoformat(), (latest + timedelta(days=1)).isoformat()]
    return inside, outside + ABSURD


@pytest.fixture()
def case() -> dict[str, Any]:
    user = make_user(Role.CONSULTANT)
    trajectory = make_case(user)
    goal = make_goal(trajectory)
    return {"user": user, "trajectory": trajectory, "goal": goal}


def _consent(client: Client, case: dict[str, Any], value: str) -> Any:
    return client.post(
        reverse("casework:resident-create"),
        {
            "name": f"Datum {value}",
            "consent_given_on": value,
            "consent_method": "mondeling",
            "consent_confirmed": "on",
        },
    )


def _conversation(client: Client, case: dict[str, Any], value: str) -> Any:
    url = reverse("casework:conversation-create", args=[case["trajectory"].pk])
    return client.post(url, {"held_on": value, "channel": "deur", "notes": f"op {value}"})


def _follow_up(client: Client, case: dict[str, Any], value: str) -> Any:
    url = reverse("casework:follow-up-create", args=[case["trajectory"].pk])
    return client.post(url, {"followup-description": f"op {value}", "followup-due_on": value})


def _action(client: Client, case: dict[str, Any], value: str) -> Any:
    goal = case["goal"]
    url = reverse("casework:action-create", args=[goal.pk])
    p = f"action{goal.pk}"
    return client.post(url, {f"{p}-description": f"op {value}", f"{p}-due_on": value})


def _saved(kind: str, value: str) -> bool:
    if kind == "consent":
        return Resident.objects.filter(name=f"Datum {value}").exists()
    if kind == "conversation":
        return Conversation.objects.filter(notes=f"op {value}").exists()
    if kind == "follow_up":
        return FollowUp.objects.filter(description=f"op {value}").exists()
    return Action.objects.filter(description=f"op {value}").exists()


FIELDS: dict[str, tuple[dates.DateWindow, Callable[..., Any]]] = {
    "consent": (dates.CONSENT_GIVEN, _consent),
    "conversation": (dates.CONVERSATION_HELD, _conversation),
    "follow_up": (dates.FOLLOW_UP_DUE, _follow_up),
    "action": (dates.ACTION_DUE, _action),
}


@pytest.mark.parametrize("kind", sorted(FIELDS))
def test_each_date_field_keeps_to_its_window(kind: str, case: dict[str, Any]) -> None:
    window, post = FIELDS[kind]
    client = login(Client(), case["user"])
    inside, outside = _edges(window)
    for value in outside:
        response = post(client, case, value)
        body = response.content.decode()
        assert response.status_code == 400, (kind, value)
        assert not _saved(kind, value), (kind, value)
        if value != "0001-01-01" or kind != "consent":
            assert "Kies een datum van" in body, (kind, value)
        assert f"op {value}" in body or kind == "consent", "the typed text is kept"
    for value in inside:
        response = post(client, case, value)
        assert response.status_code == 302, (kind, value)
        assert _saved(kind, value), (kind, value)


def test_message_names_the_window() -> None:
    assert dates.CONSENT_GIVEN.message(date(2026, 12, 4)) == (
        "Kies een datum van 4 december 2025 tot en met vandaag."
    )
    assert dates.FOLLOW_UP_DUE.message(date(2024, 2, 29)) == (
        "Kies een datum van 28 februari 2023 tot en met 28 februari 2026."
    )


def test_date_inputs_offer_the_window(case: dict[str, Any]) -> None:
    client = login(Client(), case["user"])
    body = client.get(reverse("casework:resident", args=[case["trajectory"].resident_id]))
    earliest, latest = dates.FOLLOW_UP_DUE.bounds(TODAY)
    assert f'min="{earliest.isoformat()}"' in body.content.decode()
    assert f'max="{latest.isoformat()}"' in body.content.decode()


def test_a_stored_date_outside_the_window_stays_editable(case: dict[str, Any]) -> None:
    old = TODAY - timedelta(days=3 * 365)
    follow_up = make_follow_up(case["trajectory"], old)
    client = login(Client(), case["user"])
    url = reverse("casework:follow-up-edit", args=[follow_up.pk])
    response = client.post(url, {"description": "Anders verwoord", "due_on": old.isoformat()})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.description == "Anders verwoord"
    # Moving it to another date outside the window is refused.
    response = client.post(url, {"description": "x", "due_on": "1800-01-01"})
    assert response.status_code == 400 and "Kies een datum van" in response.content.decode()
