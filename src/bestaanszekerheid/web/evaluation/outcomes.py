"""Per trajectory: each measure's scores over time, and what was delivered (the dose).

The one place that turns stored rows into the numbers the resident page, the pilot page, the
programme monitor and the evaluation export show, so they cannot disagree. Reads ids, dates
and scores only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Max

from bestaanszekerheid.web.conversations.models import Conversation
from bestaanszekerheid.web.evaluation.instruments import measure_scores
from bestaanszekerheid.web.evaluation.models import Measurement, MeasurementScore
from bestaanszekerheid.web.referrals.models import Referral
from bestaanszekerheid.web.trajectories.models import TrajectoryRoute

DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Point:
    """A measure's score at one measurement."""

    measurement_id: int
    taken_on: date
    moment: str
    score: float


@dataclass(frozen=True)
class MeasureHistory:
    """One measure's scores of one trajectory, oldest first (at least one point)."""

    measure: str
    points: tuple[Point, ...]

    @property
    def first(self) -> Point:
        return self.points[0]

    @property
    def latest(self) -> Point:
        return self.points[-1]

    @property
    def change(self) -> float | None:
        """Latest minus first; ``None`` with a single measurement."""
        if len(self.points) < 2:
            return None
        return self.latest.score - self.first.score


def histories(
    trajectory_ids: Iterable[int], *, since: date | None = None
) -> dict[int, dict[str, MeasureHistory]]:
    """Per trajectory, per measure code, the history of that measure's score.

    A measure counts at a measurement when all its items were scored there
    (:func:`~bestaanszekerheid.web.evaluation.instruments.measure_scores`). ``since`` drops
    measurements taken before that date (a pilot's window).
    """
    rows = MeasurementScore.objects.filter(measurement__trajectory_id__in=list(trajectory_ids))
    if since is not None:
        rows = rows.filter(measurement__taken_on__gte=since)
    per_measurement: dict[int, dict[str, int]] = defaultdict(dict)
    meta: dict[int, tuple[int, date, str]] = {}
    for tid, mid, taken_on, moment, item, score in rows.order_by(
        "measurement__taken_on", "measurement_id"
    ).values_list(
        "measurement__trajectory_id",
        "measurement_id",
        "measurement__taken_on",
        "measurement__moment",
        "item",
        "score",
    ):
        per_measurement[mid][item] = score
        meta[mid] = (tid, taken_on, moment)
    points: dict[int, dict[str, list[Point]]] = defaultdict(lambda: defaultdict(list))
    for mid, items in per_measurement.items():  # insertion order: oldest first
        tid, taken_on, moment = meta[mid]
        for code, value in measure_scores(items).items():
            points[tid][code].append(Point(mid, taken_on, moment, value))
    return {
        tid: {code: MeasureHistory(code, tuple(p)) for code, p in by_measure.items()}
        for tid, by_measure in points.items()
    }


@dataclass(frozen=True)
class Delivery:
    """What one trajectory received from ``since`` up to ``until``: the dose."""

    contacts: int
    referrals: int
    months: float
    routes: frozenset[str] = field(default_factory=frozenset)
    first_contact: date | None = None

    @property
    def contacts_per_month(self) -> float | None:
        """Contacts per month over the window; ``None`` for a window under two weeks."""
        if self.months < 0.5:
            return None
        return self.contacts / self.months


def deliveries(
    windows: dict[int, tuple[date, date]],
) -> dict[int, Delivery]:
    """Per trajectory id, the dose in its window ``(since, until)`` (both days included).

    Contacts are the recorded conversations; referrals those proposed in the window; routes
    every route the trajectory follows (chosen at any time: a route is a way of working,
    not an event).
    """
    ids = list(windows)
    conversations: dict[int, list[date]] = defaultdict(list)
    for tid, held_on in Conversation.objects.filter(trajectory_id__in=ids).values_list(
        "trajectory_id", "held_on"
    ):
        conversations[tid].append(held_on)
    referrals: dict[int, list[date]] = defaultdict(list)
    for tid, created in Referral.objects.filter(trajectory_id__in=ids).values_list(
        "trajectory_id", "created_at"
    ):
        referrals[tid].append(created.date())
    routes: dict[int, set[str]] = defaultdict(set)
    for tid, route in TrajectoryRoute.objects.filter(trajectory_id__in=ids).values_list(
        "trajectory_id", "route"
    ):
        routes[tid].add(route)
    out: dict[int, Delivery] = {}
    for tid, (since, until) in windows.items():
        held = sorted(d for d in conversations[tid] if since <= d <= until)
        out[tid] = Delivery(
            contacts=len(held),
            referrals=sum(since <= d <= until for d in referrals[tid]),
            months=max((until - since).days + 1, 0) / DAYS_PER_MONTH,
            routes=frozenset(routes[tid]),
            first_contact=held[0] if held else None,
        )
    return out


def last_measured(trajectory_ids: Iterable[int]) -> dict[int, tuple[date, int]]:
    """Per trajectory with a measurement: the date of its latest one and how many it has."""
    rows = (
        Measurement.objects.filter(trajectory_id__in=list(trajectory_ids))
        .values("trajectory_id")
        .annotate(n=Count("id"), latest=Max("taken_on"))
    )
    return {r["trajectory_id"]: (r["latest"], r["n"]) for r in rows}
