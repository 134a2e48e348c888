"""The traffic-light rule, case by case (see the module docstring of traffic_light)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.casework.traffic_light import traffic_light
from bestaanszekerheid.web.trajectories.models import Trajectory

from .factories import make_case, make_conversation, make_follow_up, make_goal, make_user
from .measurement_factories import measured_recently

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 15)
DAY = timedelta(days=1)


@pytest.fixture()
def trajectory() -> Trajectory:
    """A trajectory measured today: no measurement is due (the rule's last orange reason,
    tested in test_measurement_due.py)."""
    case = make_case(make_user(Role.CONSULTANT), opened_on=TODAY - 100 * DAY)
    measured_recently(case, TODAY)
    return case


def test_green_when_nothing_is_due(trajectory: Trajectory) -> None:
    make_follow_up(trajectory, TODAY + 8 * DAY)
    make_goal(trajectory, last_progress_on=TODAY - 55 * DAY)
    assert traffic_light(trajectory, TODAY).colour == "green"


def test_red_when_a_follow_up_is_overdue(trajectory: Trajectory) -> None:
    make_follow_up(trajectory, TODAY - DAY)
    light = traffic_light(trajectory, TODAY)
    assert light.colour == "red" and "te laat" in light.reason


def test_done_follow_up_in_the_past_is_not_overdue(trajectory: Trajectory) -> None:
    make_follow_up(trajectory, TODAY - 10 * DAY, done_on=TODAY - 10 * DAY)
    assert traffic_light(trajectory, TODAY).colour == "green"


def test_follow_up_due_today_is_orange_not_red(trajectory: Trajectory) -> None:
    make_follow_up(trajectory, TODAY)
    assert traffic_light(trajectory, TODAY).colour == "orange"


def test_orange_within_seven_days(trajectory: Trajectory) -> None:
    make_follow_up(trajectory, TODAY + 7 * DAY)
    light = traffic_light(trajectory, TODAY)
    assert light.colour == "orange" and "7 dagen" in light.reason


def test_red_for_an_open_acute_signal(trajectory: Trajectory) -> None:
    conversation = make_conversation(trajectory, acute=True)
    assert traffic_light(trajectory, TODAY).colour == "red"
    conversation.acute_signal_resolved_on = TODAY
    conversation.save()
    assert traffic_light(trajectory, TODAY).colour == "green"


def test_orange_for_a_goal_without_progress_for_eight_weeks(trajectory: Trajectory) -> None:
    make_goal(trajectory, last_progress_on=TODAY - 56 * DAY)
    light = traffic_light(trajectory, TODAY)
    assert light.colour == "orange" and "8 weken" in light.reason


def test_stale_goal_that_is_achieved_does_not_count(trajectory: Trajectory) -> None:
    make_goal(trajectory, last_progress_on=TODAY - 200 * DAY, status="bereikt")
    assert traffic_light(trajectory, TODAY).colour == "green"


def test_red_wins_over_orange(trajectory: Trajectory) -> None:
    make_goal(trajectory, last_progress_on=TODAY - 100 * DAY)
    make_follow_up(trajectory, TODAY + 2 * DAY)
    make_follow_up(trajectory, TODAY - 2 * DAY)
    assert traffic_light(trajectory, TODAY).colour == "red"


def test_closed_trajectory_is_grey(trajectory: Trajectory) -> None:
    make_follow_up(trajectory, TODAY - DAY)
    trajectory.status, trajectory.closed_on, trajectory.close_reason = "closed", TODAY, "anders"
    trajectory.save()
    assert traffic_light(trajectory, TODAY).colour == "grey"
