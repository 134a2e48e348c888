"""When a measurement is due (evaluation/schedule.py), the team's schedule page, the traffic
light in the caseload and the reminder on the closing page (issue 16)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditEvent
from bestaanszekerheid.web.casework.traffic_light import Facts, light_from_facts
from bestaanszekerheid.web.evaluation.models import MeasurementSchedule
from bestaanszekerheid.web.evaluation.schedule import (
    Due,
    closing_measurement_missing,
    next_due,
    schedule_for,
    schedule_for_team,
)

from .factories import login, make_case, make_follow_up, make_team, make_user
from .measurement_factories import make_measurement

TODAY = date(2025, 6, 15)
DAY = timedelta(days=1)


# --- the rule (pure) --------------------------------------------------------------------


def test_without_a_measurement_the_intake_is_due_from_the_opening_date() -> None:
    due = next_due(date(2025, 6, 1), None, 13)
    assert due == Due("intake", date(2025, 6, 1))
    assert not due.is_due(date(2025, 5, 31))
    assert due.is_due(date(2025, 6, 1)) and due.is_due(date(2026, 1, 1))


def test_a_follow_up_is_due_once_the_latest_is_as_old_as_the_interval() -> None:
    due = next_due(date(2025, 1, 1), date(2025, 3, 1), 13)
    assert due == Due("vervolg", date(2025, 3, 1) + timedelta(weeks=13))
    assert not due.is_due(date(2025, 5, 30))  # 12 weeks and 6 days
    assert due.is_due(date(2025, 5, 31))  # 13 weeks
    assert next_due(date(2025, 1, 1), date(2025, 3, 1), 2).on == date(2025, 3, 15)


def _facts(**extra: Any) -> Facts:
    values: dict[str, Any] = {
        "first_open_follow_up": None,
        "open_signal": False,
        "oldest_active_progress": None,
        "opened_on": TODAY - 30 * DAY,
        "latest_measurement": None,
        "measurement_interval_weeks": 13,
    }
    return Facts(**{**values, **extra})


def test_a_due_measurement_is_the_last_orange_reason_and_never_beats_red() -> None:
    assert light_from_facts(_facts(), TODAY).reason == "meting gepland: intake"
    assert light_from_facts(_facts(opened_on=TODAY + DAY), TODAY).colour == "green"
    soon = light_from_facts(_facts(first_open_follow_up=TODAY + 2 * DAY), TODAY)
    assert soon.colour == "orange" and "vervolgafspraak" in soon.reason
    stale = light_from_facts(_facts(oldest_active_progress=TODAY - 60 * DAY), TODAY)
    assert "8 weken" in stale.reason
    assert light_from_facts(_facts(open_signal=True), TODAY).colour == "red"
    assert light_from_facts(_facts(first_open_follow_up=TODAY - DAY), TODAY).colour == "red"
    recent = _facts(latest_measurement=TODAY - 10 * DAY)
    assert light_from_facts(recent, TODAY).colour == "green"
    old = light_from_facts(_facts(latest_measurement=TODAY - 91 * DAY), TODAY)
    assert old.reason == "meting gepland: vervolgmeting (sinds 15 juni 2025)"
    monthly = _facts(latest_measurement=TODAY - 28 * DAY, measurement_interval_weeks=4)
    assert light_from_facts(monthly, TODAY).colour == "orange"


# --- the team's schedule ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_schedule_is_the_holding_consultants_team_or_the_default() -> None:
    team = make_team()
    assert schedule_for_team(team.pk).interval_weeks == 13
    assert schedule_for_team(None).at_closing is True
    MeasurementSchedule.objects.create(team=team, interval_weeks=6, at_closing=False)
    trajectory = make_case(make_user(Role.CONSULTANT, team))
    assert (schedule_for(trajectory).interval_weeks, schedule_for(trajectory).at_closing) == (
        6,
        False,
    )
    assert schedule_for(make_case(make_user(Role.CONSULTANT))).is_default


@pytest.mark.django_db
def test_the_team_lead_sets_the_schedule_audited(client: Client) -> None:
    team = make_team()
    lead = make_user(Role.TEAM_LEAD, team)
    login(client, lead)
    url = reverse("evaluation:schedule")
    page = client.get(url)
    assert page.status_code == 200
    assert "vervolgmeting elke 13 weken; ook bij afsluiten (standaard)" in page.content.decode()
    # Unchanged: nothing stored, nothing logged.
    client.post(url, {"interval_weeks": "13", "at_closing": "on"})
    assert not MeasurementSchedule.objects.exists()
    response = client.post(url, {"interval_weeks": "8"})
    assert response.status_code == 302
    row = MeasurementSchedule.objects.get(team=team)
    assert (row.interval_weeks, row.at_closing, row.updated_by) == (8, False, lead)
    (event,) = AuditEvent.objects.filter(object_type="evaluation.MeasurementSchedule")
    assert event.action == "update"
    assert event.details["changed"] == ["interval_weeks", "at_closing"]
    assert event.details["to"] == {"interval_weeks": 8, "at_closing": False}
    assert "vervolgmeting elke 8 weken; niet bij afsluiten" in client.get(url).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("weeks", ["1", "53", "", "dertien"])
def test_an_interval_outside_two_to_fifty_two_is_refused(client: Client, weeks: str) -> None:
    login(client, make_user(Role.TEAM_LEAD, make_team()))
    response = client.post(reverse("evaluation:schedule"), {"interval_weeks": weeks})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Meetschema niet opgeslagen" in body and "weken" in body
    assert f'value="{weeks}"' in body or weeks == ""
    assert not MeasurementSchedule.objects.exists()
    assert not AuditEvent.objects.filter(object_type="evaluation.MeasurementSchedule").exists()


@pytest.mark.django_db
def test_a_team_lead_without_a_team_sets_nothing(client: Client) -> None:
    login(client, make_user(Role.TEAM_LEAD))
    url = reverse("evaluation:schedule")
    assert "niet aan een team gekoppeld" in client.get(url).content.decode()
    assert client.post(url, {"interval_weeks": "8"}).status_code == 400
    assert not MeasurementSchedule.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", [Role.CONSULTANT, Role.FUNCTIONAL_ADMIN, Role.PRIVACY_OFFICER, Role.ANALYST]
)
def test_only_a_team_lead_sets_the_schedule(client: Client, role: str) -> None:
    login(client, make_user(role, make_team()))
    url = reverse("evaluation:schedule")
    assert client.get(url).status_code == 403
    assert client.post(url, {"interval_weeks": "8"}).status_code == 403
    assert not MeasurementSchedule.objects.exists()


# --- in the caseload and on the closing page --------------------------------------------


@pytest.mark.django_db
def test_the_caseload_shows_a_due_measurement(client: Client) -> None:
    consultant = make_user(Role.CONSULTANT, make_team())
    make_case(consultant, name="Nog Niet Gemeten")
    measured = make_case(consultant, name="Net Gemeten")
    make_measurement(measured, date.today() - 3 * DAY, moment="intake")
    late = make_case(consultant, name="Lang Geleden", opened_on=date.today() - 200 * DAY)
    make_measurement(late, date.today() - 100 * DAY, moment="intake")
    make_follow_up(make_case(consultant, name="Te Laat"), date.today() - DAY)
    login(client, consultant)
    body = client.get(reverse("casework:caseload")).content.decode()
    assert "Rood: 1, oranje: 2, groen: 1." in body
    rows = {name: body[body.index(name) :][:600] for name in ("Nog Niet Gemeten", "Lang Geleden")}
    assert "meting gepland: intake" in rows["Nog Niet Gemeten"]
    assert "meting gepland: vervolgmeting" in rows["Lang Geleden"]


@pytest.mark.django_db
def test_the_closing_page_reminds_of_the_closing_measurement(client: Client) -> None:
    team = make_team()
    consultant = make_user(Role.CONSULTANT, team)
    trajectory = make_case(consultant)
    login(client, consultant)
    url = reverse("casework:close", args=[trajectory.pk])
    create = reverse("evaluation:measurement-create", args=[trajectory.pk])
    assert closing_measurement_missing(trajectory)
    assert f"{create}?moment=afsluiting" in client.get(url).content.decode()
    make_measurement(trajectory, date.today(), moment="vervolg")
    assert 'id="afsluitmeting"' in client.get(url).content.decode()
    make_measurement(trajectory, date.today(), moment="afsluiting")
    assert 'id="afsluitmeting"' not in client.get(url).content.decode()
    other = make_case(consultant)
    MeasurementSchedule.objects.create(team=team, at_closing=False)
    assert not closing_measurement_missing(other)
    body = client.get(reverse("casework:close", args=[other.pk])).content.decode()
    assert 'id="afsluitmeting"' not in body
