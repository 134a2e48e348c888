"""The traffic light per resident: a transparent rule on the case itself.

The rule, checked in this order (the first that applies sets the colour and the reason):

* **red**: a follow-up is overdue (its date has passed and it is not done), or an acute
  signal was recorded in a conversation and has not been picked up yet;
* **orange**: a follow-up is due within 7 days, or an open or in-progress goal has had no
  progress for 8 weeks (56 days) or more, or (last) an outcome measurement is due: the
  intake from the opening date, a follow-up measurement once the latest measurement is as
  many weeks old as the team's interval (13 by default;
  :mod:`bestaanszekerheid.web.evaluation.schedule`);
* **green**: none of the above, the trajectory is on track.

It is not a prediction and it never uses administrative data about the resident: only the
follow-ups, goals, conversations and the dates of the measurements the consultant recorded
(never their scores). Closed trajectories are grey.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bestaanszekerheid.web.conversations.models import Conversation
from bestaanszekerheid.web.evaluation.models import Moment
from bestaanszekerheid.web.evaluation.schedule import (
    interval_column,
    latest_measurement_column,
    next_due,
    schedule_for,
)
from bestaanszekerheid.web.plans.models import FollowUp, Goal, GoalStatus
from bestaanszekerheid.web.trajectories.models import Trajectory, TrajectoryStatus

DUE_SOON = timedelta(days=7)
NO_PROGRESS = timedelta(weeks=8)
ACTIVE_GOAL = (GoalStatus.OPEN, GoalStatus.IN_PROGRESS)

Colour = Literal["red", "orange", "green", "grey"]


@dataclass(frozen=True)
class Light:
    """The colour and the reason shown next to it."""

    colour: Colour
    reason: str

    @property
    def label(self) -> str:
        # One lookup per row: a caseload shows this label for every trajectory.
        if self.colour == "red":
            return _("rood")
        if self.colour == "orange":
            return _("oranje")
        if self.colour == "green":
            return _("groen")
        return _("afgesloten")


@dataclass(frozen=True)
class Facts:
    """Everything the rule looks at for one open trajectory (a few values, not the rows)."""

    first_open_follow_up: date | None  # earliest due date of a follow-up not yet done
    open_signal: bool  # an acute signal that has not been picked up
    oldest_active_progress: date | None  # least recent progress of an open/in-progress goal
    opened_on: date  # the intake measurement is due from this day
    latest_measurement: date | None  # the date of the latest outcome measurement
    measurement_interval_weeks: int  # the team's interval between measurements


def facts_from_rows(trajectory: Trajectory) -> Facts:
    """The facts from the trajectory's related rows (prefetch them for lists)."""
    open_due = [f.due_on for f in trajectory.follow_ups.all() if f.done_on is None]
    progress = [g.last_progress_on for g in trajectory.goals.all() if g.status in ACTIVE_GOAL]
    return Facts(
        first_open_follow_up=min(open_due, default=None),
        open_signal=any(
            c.acute_signal and c.acute_signal_resolved_on is None
            for c in trajectory.conversations.all()
        ),
        oldest_active_progress=min(progress, default=None),
        opened_on=trajectory.opened_on,
        latest_measurement=max((m.taken_on for m in trajectory.measurements.all()), default=None),
        measurement_interval_weeks=schedule_for(trajectory).interval_weeks,
    )


# The same facts as columns, for lists: one query instead of loading every follow-up, goal,
# conversation and measurement (a caseload of 50 has about 500 conversations).
_FACT_COLUMNS = (
    "light_first_open_follow_up",
    "light_open_signal",
    "light_oldest_active_progress",
    "light_latest_measurement",
    "light_measurement_interval_weeks",
)


def with_facts(trajectories: QuerySet[Trajectory]) -> QuerySet[Trajectory]:
    """Annotate each trajectory with the facts; :func:`traffic_light` then needs no rows."""
    here = OuterRef("pk")
    return trajectories.annotate(
        light_first_open_follow_up=Subquery(
            FollowUp.objects.filter(trajectory=here, done_on__isnull=True)
            .order_by("due_on")
            .values("due_on")[:1]
        ),
        light_open_signal=Exists(
            Conversation.objects.filter(
                trajectory=here, acute_signal=True, acute_signal_resolved_on__isnull=True
            )
        ),
        light_oldest_active_progress=Subquery(
            Goal.objects.filter(trajectory=here, status__in=ACTIVE_GOAL)
            .order_by("last_progress_on")
            .values("last_progress_on")[:1]
        ),
        light_latest_measurement=latest_measurement_column(),
        light_measurement_interval_weeks=interval_column(),
    )


def facts(trajectory: Trajectory) -> Facts:
    """The annotated facts when the trajectory came through :func:`with_facts`, else rows."""
    if hasattr(trajectory, _FACT_COLUMNS[1]):
        first, signal, progress, latest, interval = (
            getattr(trajectory, name) for name in _FACT_COLUMNS
        )
        return Facts(first, signal, progress, trajectory.opened_on, latest, interval)
    return facts_from_rows(trajectory)


def light_from_facts(facts: Facts, today: date) -> Light:
    """The rule of the module docstring, on an open trajectory's facts."""
    first = facts.first_open_follow_up
    if first is not None and first < today:  # the earliest open one is the earliest overdue
        return Light(
            "red", _("vervolgafspraak te laat (was %(d)s)") % {"d": date_format(first, "j F Y")}
        )
    if facts.open_signal:
        return Light("red", _("acuut signaal nog niet opgepakt"))
    if first is not None and first <= today + DUE_SOON:
        return Light(
            "orange",
            _("vervolgafspraak binnen 7 dagen (%(d)s)") % {"d": date_format(first, "j F Y")},
        )
    oldest = facts.oldest_active_progress
    if oldest is not None and today - oldest >= NO_PROGRESS:
        return Light("orange", _("doel al 8 weken zonder voortgang"))
    due = next_due(facts.opened_on, facts.latest_measurement, facts.measurement_interval_weeks)
    if due.is_due(today):
        if due.moment == Moment.INTAKE:
            return Light("orange", _("meting gepland: intake"))
        return Light(
            "orange",
            _("meting gepland: vervolgmeting (sinds %(d)s)") % {"d": date_format(due.on, "j F Y")},
        )
    return Light("green", _("op schema"))


def traffic_light(trajectory: Trajectory, today: date) -> Light:
    """Apply the rule above. For lists, fetch the trajectories through :func:`with_facts`."""
    if trajectory.status == TrajectoryStatus.CLOSED:
        return Light("grey", _("traject afgesloten"))
    return light_from_facts(facts(trajectory), today)
