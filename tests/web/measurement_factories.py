"""Outcome measurements for the web tests (issue 16), next to factories.py."""

from __future__ import annotations

from datetime import date
from typing import Any

from bestaanszekerheid.web.evaluation.models import Measurement, MeasurementScore
from bestaanszekerheid.web.trajectories.models import Trajectory


def make_measurement(
    trajectory: Trajectory,
    taken_on: date | None = None,
    moment: str = "vervolg",
    **scores: int,
) -> Measurement:
    """A measurement with the given item scores (``zrm_financien=3``); one ZRM score when
    none are given. ``taken_on`` defaults to today."""
    measurement = Measurement.objects.create(
        trajectory=trajectory, taken_on=taken_on or date.today(), moment=moment
    )
    for item, score in (scores or {"zrm_financien": 3}).items():
        MeasurementScore.objects.create(measurement=measurement, item=item, score=score)
    return measurement


def measured_recently(trajectory: Trajectory, today: date | None = None, **extra: Any) -> Any:
    """Give ``trajectory`` an intake measurement today, so no measurement is due (tests of
    the other traffic-light rules)."""
    return make_measurement(trajectory, today or date.today(), moment="intake", **extra)
