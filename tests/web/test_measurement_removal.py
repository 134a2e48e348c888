"""Removing a wrongly entered measurement: a confirmation page with a reason from a list, a
hard delete of the scores, and an audit event that keeps the fact without the scores."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditEvent
from bestaanszekerheid.web.evaluation.models import Measurement, MeasurementScore
from bestaanszekerheid.web.trajectories.models import Trajectory

from .factories import login, make_case, make_team, make_user
from .measurement_factories import make_measurement

pytestmark = pytest.mark.django_db

TODAY = date.today()
TAKEN = TODAY - timedelta(days=6)
SECRET_NAME = "Meta Misser"


@pytest.fixture()
def owner() -> Any:
    return make_user(Role.CONSULTANT, make_team())


@pytest.fixture()
def trajectory(owner: Any) -> Trajectory:
    return make_case(owner, name=SECRET_NAME)


@pytest.fixture()
def measurement(trajectory: Trajectory) -> Measurement:
    return make_measurement(
        trajectory, TAKEN, moment="intake", zrm_financien=2, zrm_huisvesting=4, gehoord_1=5
    )


def _url(measurement: Measurement) -> str:
    return reverse("evaluation:measurement-remove", args=[measurement.pk])


def _deletes() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="delete", object_type="evaluation.Measurement"))


def test_the_owner_removes_a_wrong_measurement_and_the_audit_keeps_the_fact(
    client: Client, owner: Any, trajectory: Trajectory, measurement: Measurement
) -> None:
    login(client, owner)
    resident_page = client.get(reverse("casework:resident", args=[trajectory.resident_id]))
    assert _url(measurement) in resident_page.content.decode()
    page = client.get(_url(measurement))
    body = page.content.decode()
    assert page.status_code == 200 and f"Meting van {SECRET_NAME} verwijderen" in body
    assert "3 onderdelen" in body and "intake" in body
    assert '<option value="" selected>Kies een reden</option>' in body  # nothing preselected
    for reason in ("verkeerde inwoner", "dubbel ingevoerd", "verkeerde datum of scores", "anders"):
        assert reason in body
    assert "<textarea" not in body  # no free text about the resident is asked
    read = AuditEvent.objects.get(action="read", object_type="evaluation.Measurement")
    assert read.resident_id == trajectory.resident_id and read.object_id == str(measurement.pk)
    response = client.post(_url(measurement), {"reason": "dubbel", "confirm": "on"})
    assert response.status_code == 302
    assert response["Location"].endswith(
        reverse("casework:resident", args=[trajectory.resident_id]) + "#metingen"
    )
    # A hard delete: the measurement and all its scores are gone.
    assert not Measurement.objects.filter(pk=measurement.pk).exists()
    assert not MeasurementScore.objects.exists()
    (event,) = _deletes()
    assert event.actor == owner and event.resident_id == trajectory.resident_id
    assert event.object_id == str(measurement.pk)
    what = {k: v for k, v in event.details.items() if k != "processing_activity"}
    assert what == {
        "trajectory": trajectory.pk,
        "taken_on": TAKEN.isoformat(),
        "moment": "intake",
        "items": 3,
        "reason": "dubbel",
    }
    # No score, no item code in the log.
    logged = json.dumps([e.details for e in AuditEvent.objects.all()])
    assert "zrm_financien" not in logged and "gehoord_1" not in logged
    after = client.get(reverse("casework:resident", args=[trajectory.resident_id]))
    assert "Nog geen metingen vastgelegd." in after.content.decode()
    # The intake is free again.
    assert client.get(_url(measurement)).status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"confirm": "on"}, "Kies waarom de meting weg moet."),
        ({"reason": "geen_zin", "confirm": "on"}, "Kies een reden uit de lijst."),
        ({"reason": "verkeerde_inwoner"}, "Vink aan dat je de meting wilt verwijderen."),
        ({}, "Kies waarom de meting weg moet."),
    ],
)
def test_an_invalid_removal_keeps_the_input_and_removes_nothing(
    client: Client, owner: Any, measurement: Measurement, data: dict[str, str], message: str
) -> None:
    login(client, owner)
    response = client.post(_url(measurement), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and "Meting niet verwijderd" in body
    if data.get("reason") == "verkeerde_inwoner":
        assert '<option value="verkeerde_inwoner" selected>' in body
    ticked = re.search(r'<input type="checkbox" name="confirm"[^>]*\bchecked\b', body)
    assert bool(ticked) == bool(data.get("confirm"))
    assert Measurement.objects.filter(pk=measurement.pk).exists()
    assert MeasurementScore.objects.count() == 3 and not _deletes()


def test_the_correction_page_links_to_removal(
    client: Client, owner: Any, measurement: Measurement
) -> None:
    login(client, owner)
    body = client.get(reverse("evaluation:measurement-edit", args=[measurement.pk])).content
    assert _url(measurement) in body.decode()


def test_a_measurement_of_a_closed_trajectory_cannot_be_removed(
    client: Client, owner: Any, trajectory: Trajectory, measurement: Measurement
) -> None:
    Trajectory.objects.filter(pk=trajectory.pk).update(
        status="closed", closed_on=TODAY, close_reason="anders"
    )
    login(client, owner)
    assert client.get(_url(measurement)).status_code == 404
    assert client.post(_url(measurement), {"reason": "dubbel", "confirm": "on"}).status_code == 404
    assert Measurement.objects.filter(pk=measurement.pk).exists() and not _deletes()


def test_a_team_lead_the_trajectory_is_shared_with_may_remove(
    client: Client, owner: Any, trajectory: Trajectory, measurement: Measurement
) -> None:
    lead = make_user(Role.TEAM_LEAD, owner.team)
    trajectory.shared_with.add(lead)
    login(client, lead)
    response = client.post(_url(measurement), {"reason": "anders", "confirm": "on"})
    assert response.status_code == 302
    (event,) = _deletes()
    assert event.actor == lead and event.details["reason"] == "anders"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("andere consulent, zelfde team", 404),
        ("teamleider van het team", 404),
        ("consulent van een ander team", 404),
        ("functioneel beheerder", 403),
        ("privacyfunctionaris", 403),
        ("analist", 403),
    ],
)
def test_only_who_may_correct_the_measurement_may_remove_it(
    client: Client, owner: Any, measurement: Measurement, who: str, status: int
) -> None:
    team = make_team() if who == "consulent van een ander team" else owner.team
    role = {
        "andere consulent, zelfde team": Role.CONSULTANT,
        "teamleider van het team": Role.TEAM_LEAD,
        "consulent van een ander team": Role.CONSULTANT,
        "functioneel beheerder": Role.FUNCTIONAL_ADMIN,
        "privacyfunctionaris": Role.PRIVACY_OFFICER,
        "analist": Role.ANALYST,
    }[who]
    login(client, make_user(role, team))
    for response in (
        client.get(_url(measurement)),
        client.post(_url(measurement), {"reason": "dubbel", "confirm": "on"}),
    ):
        assert response.status_code == status, who
        assert SECRET_NAME not in response.content.decode()
    assert Measurement.objects.filter(pk=measurement.pk).exists()
    assert MeasurementScore.objects.count() == 3
    assert not AuditEvent.objects.filter(object_type="evaluation.Measurement").exists()


def test_logged_out_users_are_sent_to_the_login(measurement: Measurement) -> None:
    for response in (
        Client().get(_url(measurement)),
        Client().post(_url(measurement), {"reason": "dubbel", "confirm": "on"}),
    ):
        assert response.status_code == 302 and "/inloggen/" in response["Location"]
    assert Measurement.objects.filter(pk=measurement.pk).exists()


def test_the_removal_page_is_translated(
    client: Client, owner: Any, measurement: Measurement
) -> None:
    login(client, owner)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(_url(measurement)).content.decode()
    assert f"Remove the measurement of {SECRET_NAME}" in body and "duplicate entry" in body
    body = client.post(_url(measurement), {"confirm": "on"}).content.decode()
    assert "Choose why the measurement must go." in body
