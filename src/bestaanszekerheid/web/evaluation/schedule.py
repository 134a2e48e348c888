"""When a trajectory's next outcome measurement is due: a transparent rule on dates only.

The rule (docs/web/metingen.md), for an open trajectory:

* without any measurement, the **intake** is due from the day the trajectory opened;
* otherwise a **vervolgmeting** is due from the day the latest measurement is as many weeks
  old as the team's interval (``MeasurementSchedule.interval_weeks``; 13 weeks when the team
  set none). Any measurement restarts the interval, whatever its moment;
* when the team also measures at closing (the default), the closing page reminds the
  consultant as long as the trajectory has no measurement marked "bij afsluiten".

A due measurement turns the traffic light orange ("meting gepland", after every other orange
reason; :mod:`bestaanszekerheid.web.casework.traffic_light`). The rule never looks at scores:
a low score does not make a resident more urgent.

The team is the team of the trajectory's fixed consultant: a shared trajectory follows the
schedule of the team that holds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Expression, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from bestaanszekerheid.web.evaluation.models import (
    DEFAULT_INTERVAL_WEEKS,
    Measurement,
    MeasurementSchedule,
    Moment,
)
from bestaanszekerheid.web.trajectories.models import Trajectory


@dataclass(frozen=True)
class Schedule:
    """A team's measurement schedule (the default when the team set none)."""

    interval_weeks: int = DEFAULT_INTERVAL_WEEKS
    at_closing: bool = True
    is_default: bool = True


def _schedule(row: MeasurementSchedule | None) -> Schedule:
    if row is None:
        return Schedule()
    return Schedule(row.interval_weeks, row.at_closing, is_default=False)


def schedule_for_team(team_id: int | None) -> Schedule:
    """The schedule the team set, or the default (13 weeks and at closing)."""
    if team_id is None:
        return Schedule()
    return _schedule(MeasurementSchedule.objects.filter(team_id=team_id).first())


def schedule_for(trajectory: Trajectory) -> Schedule:
    """The schedule of the team of the trajectory's fixed consultant (one query)."""
    return _schedule(
        MeasurementSchedule.objects.filter(team__members=trajectory.consultant_id).first()
    )


@dataclass(frozen=True)
class Due:
    """The next measurement: which moment, and from which day it is due."""

    moment: str  # Moment.INTAKE or Moment.FOLLOW_UP
    on: date

    def is_due(self, today: date) -> bool:
        """Whether the measurement is due on ``today`` (from its day onwards)."""
        return self.on <= today


def next_due(opened_on: date, latest: date | None, interval_weeks: int) -> Due:
    """The rule of the module docstring: the intake from the opening date when there is no
    measurement yet, else a follow-up ``interval_weeks`` after the latest measurement."""
    if latest is None:
        return Due(Moment.INTAKE, opened_on)
    return Due(Moment.FOLLOW_UP, latest + timedelta(weeks=interval_weeks))


def closing_measurement_missing(trajectory: Trajectory) -> bool:
    """Whether the closing page should remind of the closing measurement: the team measures
    at closing and the trajectory has none marked "bij afsluiten" yet."""
    if not schedule_for(trajectory).at_closing:
        return False
    return not trajectory.measurements.filter(moment=Moment.CLOSING).exists()


# Columns for lists (the caseload's single query, ``traffic_light.with_facts``).


def latest_measurement_column() -> Subquery:
    """The date of the trajectory's latest measurement (``None`` without one)."""
    return Subquery(
        Measurement.objects.filter(trajectory=OuterRef("pk"))
        .order_by("-taken_on")
        .values("taken_on")[:1]
    )


def interval_column() -> Expression:
    """The measurement interval in weeks of the team of the trajectory's consultant."""
    team_interval = Subquery(
        MeasurementSchedule.objects.filter(team__members=OuterRef("consultant_id")).values(
            "interval_weeks"
        )[:1]
    )
    return Coalesce(team_interval, Value(DEFAULT_INTERVAL_WEEKS))
