"""Consultant actions beyond registration: actions on goals, acute signals, withdrawal."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditEvent
from bestaanszekerheid.web.casework.traffic_light import traffic_light

from .factories import (
    SOON,
    login,
    make_case,
    make_conversation,
    make_follow_up,
    make_goal,
    make_user,
)
from .measurement_factories import measured_recently

pytestmark = pytest.mark.django_db


def test_resolving_an_acute_signal_clears_the_red_light(client: Client) -> None:
    user = make_user(Role.CONSULTANT)
    trajectory = make_case(user)
    measured_recently(trajectory)  # else the light stays orange: the intake is due
    conversation = make_conversation(trajectory, acute=True)
    assert traffic_light(trajectory, date.today()).colour == "red"
    login(client, user)
    client.post(reverse("casework:signal-resolved", args=[conversation.pk]))
    assert traffic_light(trajectory, date.today()).colour == "green"
    assert AuditEvent.objects.filter(
        action="update", object_type="conversations.Conversation"
    ).exists()


def test_adding_an_action_counts_as_progress(client: Client) -> None:
    user = make_user(Role.CONSULTANT)
    trajectory = make_case(user)
    measured_recently(trajectory)
    goal = make_goal(trajectory, last_progress_on=date.today() - timedelta(weeks=9))
    assert traffic_light(trajectory, date.today()).colour == "orange"
    login(client, user)
    prefix = f"action{goal.pk}"
    client.post(
        reverse("casework:action-create", args=[goal.pk]),
        {f"{prefix}-description": "Formulier invullen", f"{prefix}-due_on": SOON},
    )
    assert goal.actions.get().description == "Formulier invullen"
    assert traffic_light(trajectory, date.today()).colour == "green"


def test_withdrawing_consent_closes_without_sanction(client: Client) -> None:
    user = make_user(Role.CONSULTANT)
    trajectory = make_case(user)
    login(client, user)
    client.post(
        reverse("casework:consent-withdraw", args=[trajectory.pk]), {"withdraw-confirm": "on"}
    )
    trajectory.refresh_from_db()
    assert (trajectory.status, trajectory.close_reason) == ("closed", "inwoner_gestopt")
    assert trajectory.resident.consents.get().withdrawn_on == date.today()
    body = client.get(reverse("casework:resident", args=[trajectory.resident_id])).content.decode()
    assert "ingetrokken op" in body


def test_caseload_counts_and_filters_by_light_and_name(client: Client) -> None:
    consultant = make_user(Role.CONSULTANT)
    late = make_case(consultant, name="Rood Rianne")
    make_follow_up(late, date.today() - timedelta(days=3))
    measured_recently(make_case(consultant, name="Groen Gerrit"))
    measured_recently(make_case(consultant, name="Groen Gea"))
    login(client, consultant)
    url = reverse("casework:caseload")
    body = client.get(url).content.decode()
    assert "Rood: 1, oranje: 0, groen: 2." in body
    red = client.get(url, {"stoplicht": "red"}).content.decode()
    assert "Rood Rianne" in red and "Groen Gerrit" not in red
    by_name = client.get(url, {"zoek": "gea"}).content.decode()
    assert "Groen Gea" in by_name and "Groen Gerrit" not in by_name and "Rood Rianne" not in by_name
    nothing = client.get(url, {"zoek": "niemand"}).content.decode()
    assert "0 trajecten gevonden." in nothing
    # The audit event lists only the residents that were shown.
    shown = AuditEvent.objects.filter(object_type="caseload").order_by("id").last()
    assert shown is not None and shown.details["residents"] == []
