"""The caseload's traffic light from annotated facts equals the rule on the related rows.

The caseload fetches the facts per trajectory as columns (``with_facts``) instead of
every follow-up, goal and conversation (the speed-up measured in benchmarks/web_load.py);
every rule and boundary must still decide exactly as on a trajectory loaded plainly.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bestaanszekerheid.web.accounts.models import Role, User
from bestaanszekerheid.web.casework.traffic_light import (
    facts,
    facts_from_rows,
    traffic_light,
    with_facts,
)
from bestaanszekerheid.web.trajectories.models import Trajectory

from .factories import (
    login,
    make_case,
    make_conversation,
    make_follow_up,
    make_goal,
    make_team,
    make_user,
)
from .measurement_factories import make_measurement

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 15)
DAY = timedelta(days=1)

# name -> expected colour; _cases() gives each the rows that should lead there.
EXPECTED = {
    "te laat": "red",
    "te laat en acuut": "red",
    "acuut": "red",
    "vandaag": "orange",
    "over 7 dagen": "orange",
    "over 8 dagen": "green",
    "doel 56 dagen stil": "orange",
    "doel 55 dagen stil": "green",
    "niets": "green",
    # Outcome measurements: the intake from the opening date, then every 13 weeks.
    "meting: geen": "orange",
    "meting: 13 weken oud": "orange",
    "meting: 13 weken min een dag": "green",
    "meting: geen, doel stil": "orange",
    "meting: geen, te laat": "red",
}
MEASURED = {"meting: 13 weken oud", "meting: 13 weken min een dag"}


def _cases(consultant: User) -> dict[str, Trajectory]:
    """One trajectory per situation and boundary, each with rows the rule must ignore."""
    cases = {
        name: make_case(consultant, name=name, opened_on=TODAY - 200 * DAY) for name in EXPECTED
    }
    make_follow_up(cases["te laat"], TODAY - 3 * DAY)
    make_follow_up(cases["te laat"], TODAY - 9 * DAY)  # the earliest is named
    make_follow_up(cases["te laat"], TODAY + 2 * DAY)
    make_follow_up(cases["te laat en acuut"], TODAY - DAY)
    make_conversation(cases["te laat en acuut"], held_on=TODAY - DAY, acute=True)
    make_conversation(cases["acuut"], held_on=TODAY - 2 * DAY, acute=True)
    make_follow_up(cases["acuut"], TODAY + 3 * DAY)
    make_follow_up(cases["vandaag"], TODAY)
    make_follow_up(cases["over 7 dagen"], TODAY + 7 * DAY)
    make_follow_up(cases["over 8 dagen"], TODAY + 8 * DAY)
    make_goal(cases["doel 56 dagen stil"], last_progress_on=TODAY - 56 * DAY, status="bezig")
    make_goal(cases["doel 55 dagen stil"], last_progress_on=TODAY - 55 * DAY)
    make_measurement(cases["meting: 13 weken oud"], TODAY - 150 * DAY, moment="intake")
    make_measurement(cases["meting: 13 weken oud"], TODAY - 91 * DAY)  # the latest counts
    make_measurement(cases["meting: 13 weken min een dag"], TODAY - 90 * DAY)
    make_goal(cases["meting: geen, doel stil"], last_progress_on=TODAY - 60 * DAY)
    make_follow_up(cases["meting: geen, te laat"], TODAY - DAY)
    for trajectory in cases.values():  # never change the colour: done, resolved, achieved
        make_follow_up(trajectory, TODAY - 30 * DAY, done_on=TODAY - 30 * DAY)
        make_goal(trajectory, last_progress_on=TODAY - 100 * DAY, status="bereikt")
        make_goal(trajectory, last_progress_on=TODAY - 150 * DAY, status="gestopt")
        resolved = make_conversation(trajectory, held_on=TODAY - 40 * DAY, acute=True)
        resolved.acute_signal_resolved_on = TODAY - 39 * DAY
        resolved.save()
        make_conversation(trajectory, held_on=TODAY - 20 * DAY)
    for name, trajectory in cases.items():  # measured recently: no measurement due
        if not name.startswith("meting"):
            make_measurement(trajectory, TODAY - 10 * DAY)
    return cases


def test_annotated_facts_give_the_same_light_as_the_rows() -> None:
    cases = _cases(make_user(Role.CONSULTANT))
    annotated = with_facts(Trajectory.objects.select_related("resident"))
    by_name = {t.resident.name: t for t in annotated}
    for name, trajectory in cases.items():
        plain = Trajectory.objects.get(pk=trajectory.pk)
        assert facts(by_name[name]) == facts_from_rows(plain), name
        assert traffic_light(by_name[name], TODAY) == traffic_light(plain, TODAY), name
    colours = {name: traffic_light(t, TODAY).colour for name, t in by_name.items()}
    assert colours == EXPECTED
    assert "6 juni 2025" in traffic_light(by_name["te laat"], TODAY).reason
    # A measurement due is the last orange reason: a stale goal is named first.
    assert traffic_light(by_name["meting: geen"], TODAY).reason == "meting gepland: intake"
    assert "8 weken" in traffic_light(by_name["meting: geen, doel stil"], TODAY).reason
    assert "sinds 15 juni 2025" in traffic_light(by_name["meting: 13 weken oud"], TODAY).reason


def test_the_interval_is_that_of_the_holding_consultants_team() -> None:
    """Each trajectory follows its fixed consultant's team; a team without a schedule (or a
    consultant without a team) has 13 weeks. One list, different teams."""
    from bestaanszekerheid.web.evaluation.models import MeasurementSchedule

    monthly, plain = make_team(), make_team()
    MeasurementSchedule.objects.create(team=monthly, interval_weeks=4)
    cases = {}
    for label, team in (("vier weken", monthly), ("standaard", plain), ("geen team", None)):
        cases[label] = make_case(make_user(Role.CONSULTANT, team), name=label)
        make_measurement(cases[label], TODAY - 5 * 7 * DAY)
    # Shared with someone in the monthly team: still the holder's (default) schedule.
    cases["standaard"].shared_with.add(make_user(Role.CONSULTANT, monthly))
    annotated = {
        t.resident.name: t for t in with_facts(Trajectory.objects.select_related("resident"))
    }
    for label, trajectory in cases.items():
        plain_row = Trajectory.objects.get(pk=trajectory.pk)
        assert facts(annotated[label]) == facts_from_rows(plain_row), label
    weeks = {label: facts(t).measurement_interval_weeks for label, t in annotated.items()}
    assert weeks == {"vier weken": 4, "standaard": 13, "geen team": 13}
    colours = {label: traffic_light(t, TODAY).colour for label, t in annotated.items()}
    assert colours == {"vier weken": "orange", "standaard": "green", "geen team": "green"}


def test_closed_trajectory_stays_grey_with_facts() -> None:
    trajectory = _cases(make_user(Role.CONSULTANT))["te laat"]
    trajectory.status, trajectory.closed_on, trajectory.close_reason = "closed", TODAY, "anders"
    trajectory.save()
    assert traffic_light(
        with_facts(Trajectory.objects.all()).get(pk=trajectory.pk), TODAY
    ).colour == ("grey")


def test_caseload_queries_do_not_grow_with_the_cases(client: Client) -> None:
    """No query per trajectory: the lights come with the list, whatever its length."""
    consultant = make_user(Role.CONSULTANT)
    login(client, consultant)
    make_follow_up(make_case(consultant), TODAY - DAY)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("casework:caseload")).status_code == 200
        return len(ctx.captured_queries)

    one = queries()
    _cases(consultant)
    assert queries() == one
