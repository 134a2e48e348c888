"""Recording and correcting outcome measurements through the pages (issue 16)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.audit.models import AuditEvent
from bestaanszekerheid.web.evaluation.instruments import ITEMS
from bestaanszekerheid.web.evaluation.models import Measurement
from bestaanszekerheid.web.trajectories.models import Trajectory

from .factories import login, make_case, make_team, make_user
from .measurement_factories import make_measurement

pytestmark = pytest.mark.django_db

TODAY = date.today()
DAY = timedelta(days=1)


def _post(**items: Any) -> dict[str, Any]:
    """Form data: today, a follow-up measurement, and ``items`` as item scores."""
    data: dict[str, Any] = {"taken_on": TODAY.isoformat(), "moment": "vervolg"}
    for name in ("taken_on", "moment"):
        if name in items:
            data[name] = items.pop(name)
    data.update({f"item_{code}": value for code, value in items.items()})
    return data


@pytest.fixture()
def owner() -> Any:
    return make_user(Role.CONSULTANT, make_team())


@pytest.fixture()
def trajectory(owner: Any) -> Trajectory:
    return make_case(owner, name="Meta Meting")


def _create(client: Client, trajectory: Trajectory, data: dict[str, Any]) -> Any:
    return client.post(reverse("evaluation:measurement-create", args=[trajectory.pk]), data)


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_type="evaluation.Measurement"))


def _what(event: AuditEvent) -> dict[str, Any]:
    """The details this app writes (the audit service adds the processing activity)."""
    return {k: v for k, v in event.details.items() if k != "processing_activity"}


# --- recording --------------------------------------------------------------------------


def test_a_measurement_is_recorded_with_its_scores_and_audited(
    client: Client, owner: Any, trajectory: Trajectory
) -> None:
    login(client, owner)
    data = _post(moment="intake", zrm_financien="2", zrm_justitie="5", regie_1="1", regie_2="4")
    response = _create(client, trajectory, data)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/inwoners/{trajectory.resident_id}/#metingen")
    measurement = Measurement.objects.get(trajectory=trajectory)
    assert (measurement.taken_on, measurement.moment, measurement.recorded_by) == (
        TODAY,
        "intake",
        owner,
    )
    assert dict(measurement.scores.values_list("item", "score")) == {
        "zrm_financien": 2,
        "zrm_justitie": 5,
        "regie_1": 1,
        "regie_2": 4,
    }
    (event,) = _events("create")
    assert event.resident_id == trajectory.resident_id
    assert _what(event) == {
        "moment": "intake",
        "items": ["regie_1", "regie_2", "zrm_financien", "zrm_justitie"],
    }
    assert '"score"' not in json.dumps(event.details)


def test_the_form_offers_every_item_as_one_to_five_and_the_general_hint_only(
    client: Client, owner: Any, trajectory: Trajectory
) -> None:
    login(client, owner)
    response = client.get(reverse("evaluation:measurement-create", args=[trajectory.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for code in ITEMS:
        for value in ("1", "5", ""):
            assert f'name="item_{code}" value="{value}"' in body, (code, value)
        assert f'name="item_{code}" value="6"' not in body
    assert "1 = acute problemen … 5 = volledig zelfredzaam" in body
    assert "1 = helemaal niet mee eens … 5 = helemaal mee eens" in body
    assert "Ik voel me gehoord door de gemeente." in body
    assert f'value="{TODAY.isoformat()}"' in body and 'max="' in body
    # No measurement yet: the intake is the sensible default.
    assert 'value="intake" required id="id_moment_0" checked' in body


def test_the_default_moment_follows_the_trajectory(
    client: Client, owner: Any, trajectory: Trajectory
) -> None:
    login(client, owner)
    make_measurement(trajectory, TODAY - 30 * DAY, moment="intake")
    url = reverse("evaluation:measurement-create", args=[trajectory.pk])
    assert client.get(url).context["form"]["moment"].value() == "vervolg"
    closing = client.get(url, {"moment": "afsluiting"}).context["form"]["moment"].value()
    assert closing == "afsluiting"
    assert client.get(url, {"moment": "onzin"}).context["form"]["moment"].value() == "vervolg"


@pytest.mark.parametrize("score", ["0", "6", "drie"])
def test_a_score_outside_one_to_five_is_refused_in_dutch_keeping_the_rest(
    client: Client, owner: Any, trajectory: Trajectory, score: str
) -> None:
    login(client, owner)
    response = _create(client, trajectory, _post(zrm_financien=score, zrm_huisvesting="4"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Kies een score van 1 tot en met 5, of laat dit onderdeel leeg." in body
    assert "Meting niet opgeslagen" in body
    assert 'name="item_zrm_huisvesting" value="4" id="id_item_zrm_huisvesting_3" checked' in body
    assert not Measurement.objects.exists() and not _events("create")


def test_a_measurement_without_any_score_is_refused(
    client: Client, owner: Any, trajectory: Trajectory
) -> None:
    login(client, owner)
    response = _create(client, trajectory, _post(zrm_financien=""))
    assert response.status_code == 400
    assert "Vul minstens één score in" in response.content.decode()
    assert not Measurement.objects.exists()


def test_a_scale_needs_both_statements_or_neither(
    client: Client, owner: Any, trajectory: Trajectory
) -> None:
    login(client, owner)
    response = _create(client, trajectory, _post(regie_1="3", zrm_financien="2"))
    assert response.status_code == 400
    assert "Beantwoord beide stellingen van de schaal &#x27;eigen regie&#x27;" in (
        response.content.decode()
    )
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("taken_on", [TODAY + DAY, TODAY - 400 * DAY, date(1800, 1, 1)])
def test_a_date_outside_the_window_is_refused(
    client: Client, owner: Any, trajectory: Trajectory, taken_on: date
) -> None:
    login(client, owner)
    response = _create(client, trajectory, _post(taken_on=taken_on.isoformat(), zrm_financien="3"))
    assert response.status_code == 400
    assert "tot en met vandaag" in response.content.decode()
    assert not Measurement.objects.exists()


def test_a_second_intake_is_refused(client: Client, owner: Any, trajectory: Trajectory) -> None:
    login(client, owner)
    make_measurement(trajectory, TODAY - 20 * DAY, moment="intake")
    response = _create(client, trajectory, _post(moment="intake", zrm_financien="3"))
    assert response.status_code == 400
    assert "Dit traject heeft al een intakemeting" in response.content.decode()
    assert Measurement.objects.count() == 1


def test_a_closed_trajectory_takes_no_measurement(
    client: Client, owner: Any, trajectory: Trajectory
) -> None:
    trajectory.status, trajectory.closed_on, trajectory.close_reason = "closed", TODAY, "anders"
    trajectory.save()
    login(client, owner)
    url = reverse("evaluation:measurement-create", args=[trajectory.pk])
    assert client.get(url).status_code == 404
    assert _create(client, trajectory, _post(zrm_financien="3")).status_code == 404
    assert not Measurement.objects.exists()


# --- correcting -------------------------------------------------------------------------


def test_correcting_shows_the_stored_scores_as_an_audited_read_and_logs_the_codes(
    client: Client, owner: Any, trajectory: Trajectory
) -> None:
    measurement = make_measurement(
        trajectory, TODAY - 5 * DAY, zrm_financien=2, zrm_huisvesting=3, gehoord_1=4, gehoord_2=4
    )
    login(client, owner)
    url = reverse("evaluation:measurement-edit", args=[measurement.pk])
    body = client.get(url).content.decode()
    assert 'name="item_zrm_financien" value="2" id="id_item_zrm_financien_1" checked' in body
    (read,) = AuditEvent.objects.filter(action="read", object_type="evaluation.Measurement")
    assert read.resident_id == trajectory.resident_id
    data = _post(
        taken_on=(TODAY - 5 * DAY).isoformat(),
        zrm_financien="3",  # changed
        zrm_huisvesting="3",  # unchanged
        zrm_justitie="1",  # added
        # gehoord_1 and gehoord_2 left empty: removed
    )
    response = client.post(url, data)
    assert response.status_code == 302
    assert dict(measurement.scores.values_list("item", "score")) == {
        "zrm_financien": 3,
        "zrm_huisvesting": 3,
        "zrm_justitie": 1,
    }
    (update,) = _events("update")
    assert _what(update) == {
        "changed": [],
        "items": ["gehoord_1", "gehoord_2", "zrm_financien", "zrm_justitie"],
    }
    # The same again: nothing saved, nothing logged.
    assert client.post(url, data).status_code == 302
    assert len(_events("update")) == 1
    # The date and the moment are fields of their own.
    client.post(url, {**data, "moment": "afsluiting", "taken_on": (TODAY - DAY).isoformat()})
    measurement.refresh_from_db()
    assert (measurement.moment, measurement.taken_on) == ("afsluiting", TODAY - DAY)
    assert _what(_events("update")[-1]) == {"changed": ["taken_on", "moment"], "items": []}


def test_an_old_date_outside_the_window_stays_correctable(
    client: Client, owner: Any, trajectory: Trajectory
) -> None:
    old = TODAY - 500 * DAY
    measurement = make_measurement(trajectory, old, zrm_financien=2)
    login(client, owner)
    url = reverse("evaluation:measurement-edit", args=[measurement.pk])
    response = client.post(url, _post(taken_on=old.isoformat(), zrm_financien="4"))
    assert response.status_code == 302
    assert measurement.scores.get().score == 4


def test_correcting_can_keep_the_one_intake(
    client: Client, owner: Any, trajectory: Trajectory
) -> None:
    intake = make_measurement(trajectory, TODAY - 9 * DAY, moment="intake", zrm_financien=2)
    login(client, owner)
    url = reverse("evaluation:measurement-edit", args=[intake.pk])
    assert client.post(url, _post(moment="intake", zrm_financien="3")).status_code == 302
    later = make_measurement(trajectory, TODAY - 2 * DAY, zrm_financien=2)
    url = reverse("evaluation:measurement-edit", args=[later.pk])
    response = client.post(url, _post(moment="intake", zrm_financien="3"))
    assert response.status_code == 400


def test_a_measurement_of_a_closed_trajectory_cannot_be_corrected(
    client: Client, owner: Any, trajectory: Trajectory
) -> None:
    measurement = make_measurement(trajectory, TODAY - 5 * DAY, zrm_financien=2)
    trajectory.status, trajectory.closed_on, trajectory.close_reason = "closed", TODAY, "anders"
    trajectory.save()
    login(client, owner)
    url = reverse("evaluation:measurement-edit", args=[measurement.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _post(zrm_financien="4")).status_code == 404
    assert measurement.scores.get().score == 2


# --- access -----------------------------------------------------------------------------


def _urls(trajectory: Trajectory, measurement: Measurement) -> list[tuple[str, str]]:
    create = reverse("evaluation:measurement-create", args=[trajectory.pk])
    edit = reverse("evaluation:measurement-edit", args=[measurement.pk])
    return [("get", create), ("post", create), ("get", edit), ("post", edit)]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("andere consulent, zelfde team", 404),
        ("teamleider van het team", 404),
        ("functioneel beheerder", 403),
        ("privacyfunctionaris", 403),
        ("analist", 403),
    ],
)
def test_only_who_may_see_the_trajectory_records_or_corrects(
    client: Client, owner: Any, trajectory: Trajectory, who: str, status: int
) -> None:
    team = owner.team
    role = {
        "andere consulent, zelfde team": Role.CONSULTANT,
        "teamleider van het team": Role.TEAM_LEAD,
        "functioneel beheerder": Role.FUNCTIONAL_ADMIN,
        "privacyfunctionaris": Role.PRIVACY_OFFICER,
        "analist": Role.ANALYST,
    }[who]
    measurement = make_measurement(trajectory, TODAY - 3 * DAY, zrm_financien=2)
    login(client, make_user(role, team))
    for method, url in _urls(trajectory, measurement):
        response = getattr(client, method)(url, _post(zrm_financien="5"))
        assert response.status_code == status, (who, method, url)
        assert "Meta Meting" not in response.content.decode()
    assert measurement.scores.get().score == 2
    assert Measurement.objects.count() == 1
    assert not AuditEvent.objects.filter(object_type="evaluation.Measurement").exists()


def test_a_team_lead_the_trajectory_is_shared_with_may_record(
    client: Client, owner: Any, trajectory: Trajectory
) -> None:
    lead = make_user(Role.TEAM_LEAD, owner.team)
    trajectory.shared_with.add(lead)
    login(client, lead)
    assert _create(client, trajectory, _post(zrm_financien="4")).status_code == 302
    assert Measurement.objects.get().recorded_by == lead


def test_logged_out_users_are_sent_to_the_login(trajectory: Trajectory) -> None:
    measurement = make_measurement(trajectory, TODAY, zrm_financien=2)
    for _method, url in _urls(trajectory, measurement):
        response = Client().get(url)
        assert response.status_code == 302 and "/inloggen/" in response["Location"]
