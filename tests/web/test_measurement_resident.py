"""The measurements on the resident page (an audited read) and in the AVG data export,
retention and erasure (issue 16)."""

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
from bestaanszekerheid.web.evaluation.measurement_chart import ChartRow, zrm_chart_svg
from bestaanszekerheid.web.evaluation.models import (
    Measurement,
    MeasurementSchedule,
    MeasurementScore,
)
from bestaanszekerheid.web.privacy.export import resident_data
from bestaanszekerheid.web.privacy.retention import ANONYMOUS, apply_retention

from .factories import login, make_case, make_team, make_user
from .measurement_factories import make_measurement

pytestmark = pytest.mark.django_db

TODAY = date.today()
DAY = timedelta(days=1)


def _section(body: str) -> str:
    start = body.index('<section id="metingen"')
    return body[start : body.index("</section>", start)]


def _measurement_reads() -> list[AuditEvent]:
    return [
        e
        for e in AuditEvent.objects.filter(action="read")
        if e.details.get("section") == "metingen"
    ]


@pytest.fixture()
def owner() -> Any:
    return make_user(Role.CONSULTANT, make_team())


def _page(client: Client, trajectory: Any) -> str:
    response = client.get(reverse("casework:resident", args=[trajectory.resident_id]))
    assert response.status_code == 200
    return _section(response.content.decode())


def test_without_measurements_the_intake_is_due_and_nothing_is_read(
    client: Client, owner: Any
) -> None:
    trajectory = make_case(owner)
    login(client, owner)
    section = _page(client, trajectory)
    assert "De intakemeting is nog niet gedaan." in section
    assert "Nog geen metingen vastgelegd." in section
    assert reverse("evaluation:measurement-create", args=[trajectory.pk]) in section
    assert _measurement_reads() == []


def test_change_over_time_reads_right_for_each_measure(client: Client, owner: Any) -> None:
    trajectory = make_case(owner)
    first, latest = TODAY - 100 * DAY, TODAY - 5 * DAY
    make_measurement(
        trajectory,
        first,
        moment="intake",
        zrm_financien=2,
        zrm_huisvesting=4,
        zrm_justitie=5,
        belemmeringen_1=4,
        belemmeringen_2=5,
        regie_1=3,
        regie_2=3,
        gehoord_1=2,
        gehoord_2=2,
    )
    make_measurement(trajectory, TODAY - 50 * DAY, zrm_financien=3)
    make_measurement(
        trajectory,
        latest,
        zrm_financien=4,
        zrm_huisvesting=3,
        zrm_justitie=5,
        belemmeringen_1=2,
        belemmeringen_2=3,  # from 4.5 to 2.5: fewer barriers, better
        regie_1=2,
        regie_2=3,  # from 3 to 2.5: worse
    )
    login(client, owner)
    section = _page(client, trajectory)
    rows = {
        re.sub(r"<[^>]+>|\s+", " ", m).strip()
        for m in re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", section, flags=re.S)
    }

    def row(label: str) -> str:
        return re.sub(r"\s+", " ", next(r for r in rows if r.startswith(label)))

    assert row("Financiën") == (f"Financiën 2 {first:%-d-%-m-%Y} 4 {latest:%-d-%-m-%Y} ↑ +2 beter")
    assert row("Huisvesting").endswith("↓ -1 slechter")
    assert row("Justitie").endswith(" 0 gelijk")
    assert row("Praktische belemmeringen").endswith("↓ -2 beter")
    assert "(lager is beter)" in row("Praktische belemmeringen")
    assert row("Eigen regie").endswith("↓ -0,5 slechter")
    assert row("Zich gehoord voelen").endswith("– één meting")
    assert "Houding tegenover participatie" not in section  # never measured
    # The chart: the ZRM domains, first open and latest filled, in the same order.
    assert section.count('class="zrm-row"') == 3
    assert "<title>financiën: 2 → 4</title>" in section
    # Three measurements listed with a link to correct each.
    assert section.count("/bewerken/") == 3
    next_on = latest + timedelta(weeks=13)
    assert f"Volgende meting: een vervolgmeting vanaf {next_on.day} " in section
    (read,) = _measurement_reads()
    assert read.resident_id == trajectory.resident_id
    assert read.details["measurements"] == 3


def test_a_due_follow_up_and_the_teams_interval_are_shown(client: Client, owner: Any) -> None:
    MeasurementSchedule.objects.create(team=owner.team, interval_weeks=4, at_closing=False)
    trajectory = make_case(owner)
    make_measurement(trajectory, TODAY - 40 * DAY, moment="intake", zrm_financien=2)
    login(client, owner)
    section = _page(client, trajectory)
    assert "meting gepland" in section and "Een vervolgmeting is gepland sinds" in section
    assert "Het team meet elke 4 weken." in section
    assert "zrm-chart" not in section  # one measurement: nothing to compare


def test_a_closed_trajectory_shows_its_measurements_without_links(
    client: Client, owner: Any
) -> None:
    trajectory = make_case(owner)
    make_measurement(trajectory, TODAY - 40 * DAY, moment="intake", zrm_financien=2)
    make_measurement(trajectory, TODAY - 2 * DAY, moment="afsluiting", zrm_financien=4)
    trajectory.status, trajectory.closed_on, trajectory.close_reason = "closed", TODAY, "anders"
    trajectory.save()
    login(client, owner)
    section = _page(client, trajectory)
    assert "↑ +2 beter" in re.sub(r"<[^>]+>", "", section)
    assert "/bewerken/" not in section and "/nieuw/" not in section
    assert "Volgende meting" not in section and "meting gepland" not in section
    assert len(_measurement_reads()) == 1


def test_who_may_not_see_the_resident_sees_no_measurements(owner: Any) -> None:
    trajectory = make_case(owner, name="Geheime Gerda")
    make_measurement(trajectory, TODAY - 4 * DAY, zrm_financien=2)
    url = reverse("casework:resident", args=[trajectory.resident_id])
    for role, status in (
        (Role.CONSULTANT, 404),
        (Role.TEAM_LEAD, 404),
        (Role.ANALYST, 403),
        (Role.FUNCTIONAL_ADMIN, 403),
        (Role.PRIVACY_OFFICER, 403),
    ):
        client = login(Client(), make_user(role, owner.team))
        response = client.get(url)
        assert response.status_code == status, role
        assert "Geheime Gerda" not in response.content.decode()
    assert _measurement_reads() == []


def test_the_chart_escapes_and_places_scores_on_the_line() -> None:
    svg = zrm_chart_svg([ChartRow("a<b", 1, 5)], "titel & meer")
    assert "a&lt;b" in svg and "titel &amp; meer" in svg and "<script" not in svg
    assert 'class="zrm-first" cx="16.0"' in svg and 'class="zrm-latest" cx="344.0"' in svg
    assert zrm_chart_svg([], "leeg") == ""


# --- AVG --------------------------------------------------------------------------------


def test_the_data_export_holds_every_measurement(owner: Any) -> None:
    trajectory = make_case(owner)
    make_measurement(trajectory, date(2026, 1, 5), moment="intake", zrm_financien=2, regie_1=4)
    make_measurement(trajectory, date(2026, 4, 5), zrm_financien=3)
    (exported,) = resident_data(trajectory.resident)["trajecten"]
    assert exported["metingen"] == [
        {
            "taken_on": "2026-01-05",
            "moment": "intake",
            "scores": {"zrm_financien": 2, "regie_1": 4},
        },
        {"taken_on": "2026-04-05", "moment": "vervolg", "scores": {"zrm_financien": 3}},
    ]


def test_the_privacy_officers_download_holds_the_measurements(client: Client, owner: Any) -> None:
    trajectory = make_case(owner)
    make_measurement(trajectory, date(2026, 1, 5), moment="intake", zrm_justitie=5)
    login(client, make_user(Role.PRIVACY_OFFICER))
    response = client.get(reverse("privacy:export", args=[trajectory.resident_id]))
    data = json.loads(response.content)
    assert data["trajecten"][0]["metingen"][0]["scores"] == {"zrm_justitie": 5}


def _closed_long_ago(owner: Any) -> Any:
    trajectory = make_case(owner, opened_on=TODAY - 900 * DAY)
    make_measurement(trajectory, TODAY - 800 * DAY, moment="intake", zrm_financien=2)
    make_measurement(trajectory, TODAY - 500 * DAY, zrm_financien=4)
    trajectory.status, trajectory.closed_on, trajectory.close_reason = (
        "closed",
        TODAY - 400 * DAY,
        "doelen_bereikt",
    )
    trajectory.save()
    return trajectory


def test_anonymising_keeps_the_measurements_like_the_other_scores(owner: Any) -> None:
    trajectory = _closed_long_ago(owner)
    result = apply_retention(TODAY, 365, "anonymise", apply=True)
    assert result.trajectory_ids == [trajectory.pk]
    trajectory.refresh_from_db()
    assert trajectory.resident.name == ANONYMOUS
    # Dates, moments and scores without any text stay for figures, as the PG scores do.
    kept = Measurement.objects.filter(trajectory=trajectory).order_by("taken_on")
    assert [m.moment for m in kept] == ["intake", "vervolg"]
    assert sorted(MeasurementScore.objects.values_list("score", flat=True)) == [2, 4]


def test_deleting_and_erasing_remove_the_measurements(client: Client, owner: Any) -> None:
    expired = _closed_long_ago(owner)
    apply_retention(TODAY, 365, "delete", apply=True)
    assert not Measurement.objects.filter(trajectory_id=expired.pk).exists()
    assert not MeasurementScore.objects.exists()
    erased = make_case(owner)
    make_measurement(erased, TODAY, moment="intake", zrm_financien=1)
    login(client, make_user(Role.PRIVACY_OFFICER))
    response = client.post(
        reverse("privacy:erase", args=[erased.resident_id]), {"confirm": str(erased.resident_id)}
    )
    assert response.status_code == 302
    assert not Measurement.objects.exists() and not MeasurementScore.objects.exists()
