"""The traffic light per resident: a transparent rule on the case itself.

The rule, checked in this order (the first that applies sets the colour and the reason):

* **red**: a follow-up is overdue (its date has passed and it is not done), or an acute
  signal was recorded in a conversation and has not been picked up yet;
* **orange**: a follow-up is due within 7 days, or an open or in-progress goal has had no
  progress for 8 weeks (56 days) or more;
* **green**: none of the above, the trajectory is on track.

It is not a prediction and it never uses administrative data about the resident: only the
follow-ups, goals and conversations the consultant recorded. Closed trajectories are grey.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from django.db.models import Prefetch
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bestaanszekerheid.web.conversations.models import Conversation
from bestaanszekerheid.web.plans.models import FollowUp, Goal, GoalStatus
from bestaanszekerheid.web.trajectories.models import Trajectory, TrajectoryStatus

DUE_SOON = timedelta(days=7)
NO_PROGRESS = timedelta(weeks=8)

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


# Where light_prefetches() puts its lists on each trajectory.
OPEN_FOLLOW_UPS = "light_open_follow_ups"
OPEN_SIGNALS = "light_open_signals"
ACTIVE_GOALS = "light_active_goals"


def light_prefetches() -> list[Prefetch]:
    """Prefetches for lists: only the rows and columns the rule below can look at.

    Done follow-ups, resolved or non-acute conversations and achieved or stopped goals never
    change the colour, so a caseload need not load them (a consultant's 50 cases have about
    500 conversations, of which a handful have an open acute signal). The rows go to their
    own attributes, so ``trajectory.follow_ups.all()`` and friends stay complete.
    """
    return [
        Prefetch(
            "follow_ups",
            queryset=FollowUp.objects.filter(done_on__isnull=True).only(
                "id", "trajectory_id", "due_on", "done_on"
            ),
            to_attr=OPEN_FOLLOW_UPS,
        ),
        Prefetch(
            "conversations",
            queryset=Conversation.objects.filter(
                acute_signal=True, acute_signal_resolved_on__isnull=True
            ).only("id", "trajectory_id", "acute_signal", "acute_signal_resolved_on"),
            to_attr=OPEN_SIGNALS,
        ),
        Prefetch(
            "goals",
            queryset=Goal.objects.filter(status__in=(GoalStatus.OPEN, GoalStatus.IN_PROGRESS)).only(
                "id", "trajectory_id", "status", "last_progress_on"
            ),
            to_attr=ACTIVE_GOALS,
        ),
    ]


def _rows(trajectory: Trajectory, prefetched: str, related: str) -> Iterable[Any]:
    """The list from :func:`light_prefetches` when there is one, else the related rows."""
    rows = getattr(trajectory, prefetched, None)
    return rows if rows is not None else getattr(trajectory, related).all()


def traffic_light(trajectory: Trajectory, today: date) -> Light:
    """Apply the rule above. For lists, prefetch with :func:`light_prefetches`.

    The rule filters every row itself, so a narrower prefetch can only save work, never
    change a colour.
    """
    if trajectory.status == TrajectoryStatus.CLOSED:
        return Light("grey", _("traject afgesloten"))
    open_follow_ups = [
        f for f in _rows(trajectory, OPEN_FOLLOW_UPS, "follow_ups") if f.done_on is None
    ]
    overdue = [f for f in open_follow_ups if f.due_on < today]
    if overdue:
        first = min(f.due_on for f in overdue)
        return Light(
            "red", _("vervolgafspraak te laat (was %(d)s)") % {"d": date_format(first, "j F Y")}
        )
    if any(
        c.acute_signal and c.acute_signal_resolved_on is None
        for c in _rows(trajectory, OPEN_SIGNALS, "conversations")
    ):
        return Light("red", _("acuut signaal nog niet opgepakt"))
    soon = [f for f in open_follow_ups if f.due_on <= today + DUE_SOON]
    if soon:
        first = min(f.due_on for f in soon)
        return Light(
            "orange",
            _("vervolgafspraak binnen 7 dagen (%(d)s)") % {"d": date_format(first, "j F Y")},
        )
    stale = [
        g
        for g in _rows(trajectory, ACTIVE_GOALS, "goals")
        if g.is_active and today - g.last_progress_on >= NO_PROGRESS
    ]
    if stale:
        return Light("orange", _("doel al 8 weken zonder voortgang"))
    return Light("green", _("op schema"))
