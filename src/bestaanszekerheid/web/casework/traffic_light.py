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

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

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
        return {
            "red": _("rood"),
            "orange": _("oranje"),
            "green": _("groen"),
            "grey": _("afgesloten"),
        }[self.colour]


def traffic_light(trajectory: Trajectory, today: date) -> Light:
    """Apply the rule above. Prefetch follow_ups, goals and conversations for lists."""
    if trajectory.status == TrajectoryStatus.CLOSED:
        return Light("grey", _("traject afgesloten"))
    open_follow_ups = [f for f in trajectory.follow_ups.all() if f.done_on is None]
    overdue = [f for f in open_follow_ups if f.due_on < today]
    if overdue:
        first = min(f.due_on for f in overdue)
        return Light(
            "red", _("vervolgafspraak te laat (was %(d)s)") % {"d": date_format(first, "j F Y")}
        )
    if any(
        c.acute_signal and c.acute_signal_resolved_on is None
        for c in trajectory.conversations.all()
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
        for g in trajectory.goals.all()
        if g.is_active and today - g.last_progress_on >= NO_PROGRESS
    ]
    if stale:
        return Light("orange", _("doel al 8 weken zonder voortgang"))
    return Light("green", _("op schema"))
