"""The caseload's narrow prefetch gives the same traffic light as the full related rows.

``light_prefetches`` loads only open follow-ups, open acute signals and active goals (the
caseload's speed-up, see benchmarks/web_load.py); every rule must still decide exactly as
it does on a trajectory loaded plainly.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bestaanszekerheid.web.accounts.models import Role
from bestaanszekerheid.web.casework.traffic_light import (
    OPEN_FOLLOW_UPS,
    light_prefetches,
    traffic_light,
)
from bestaanszekerheid.web.trajectories.models import Trajectory

from .factories import make_case, make_conversation, make_follow_up, make_goal, make_user

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 15)
DAY = timedelta(days=1)


def _cases() -> dict[str, Trajectory]:
    """One trajectory per situation the rule distinguishes, with rows it must ignore."""
    consultant = make_user(Role.CONSULTANT)

    def case(name: str) -> Trajectory:
        return make_case(consultant, name=name, opened_on=TODAY - 200 * DAY)

    cases = {name: case(name) for name in ("te laat", "acuut", "binnenkort", "stil", "groen")}
    make_follow_up(cases["te laat"], TODAY - 3 * DAY)
    make_follow_up(cases["te laat"], TODAY - 9 * DAY)  # the earliest is named
    make_conversation(cases["acuut"], held_on=TODAY - 2 * DAY, acute=True)
    make_follow_up(cases["binnenkort"], TODAY + 5 * DAY)
    make_goal(cases["stil"], last_progress_on=TODAY - 60 * DAY, status="bezig")
    # Rows that never change the colour: done, resolved, achieved, or simply fine.
    for trajectory in cases.values():
        make_follow_up(trajectory, TODAY - 30 * DAY, done_on=TODAY - 30 * DAY)
        make_goal(trajectory, last_progress_on=TODAY - 100 * DAY, status="bereikt")
        make_goal(trajectory, last_progress_on=TODAY - 10 * DAY)
        resolved = make_conversation(trajectory, held_on=TODAY - 40 * DAY, acute=True)
        resolved.acute_signal_resolved_on = TODAY - 39 * DAY
        resolved.save()
        make_conversation(trajectory, held_on=TODAY - 20 * DAY)
    return cases


def test_prefetched_lights_equal_plain_lights() -> None:
    cases = _cases()
    prefetched = Trajectory.objects.filter(pk__in=[t.pk for t in cases.values()])
    prefetched = prefetched.select_related("resident").prefetch_related(*light_prefetches())
    lights = {t.resident.name: traffic_light(t, TODAY) for t in prefetched}
    plain = {
        name: traffic_light(Trajectory.objects.get(pk=t.pk), TODAY) for name, t in cases.items()
    }
    assert lights == plain
    assert {name: light.colour for name, light in lights.items()} == {
        "te laat": "red",
        "acuut": "red",
        "binnenkort": "orange",
        "stil": "orange",
        "groen": "green",
    }
    assert "6 juni 2025" in lights["te laat"].reason


def test_prefetch_leaves_the_related_rows_complete() -> None:
    """The narrow lists go to their own attribute; ``follow_ups.all()`` still has every row."""
    trajectory = _cases()["groen"]
    loaded = Trajectory.objects.prefetch_related(*light_prefetches()).get(pk=trajectory.pk)
    assert getattr(loaded, OPEN_FOLLOW_UPS) == []
    assert loaded.follow_ups.count() == 1
    assert loaded.conversations.count() == 2
