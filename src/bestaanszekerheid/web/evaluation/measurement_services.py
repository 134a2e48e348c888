"""Every write of measurements and of a team's schedule, each with its audit event in one
transaction (the pattern of :mod:`bestaanszekerheid.web.casework.services`).

Audit details name what changed: the fields and the item codes, never a score. The log must
not become a second copy of the measurements.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction

from bestaanszekerheid.web.accounts.models import Team
from bestaanszekerheid.web.audit.models import AuditAction
from bestaanszekerheid.web.audit.service import record
from bestaanszekerheid.web.evaluation.models import (
    DEFAULT_INTERVAL_WEEKS,
    Measurement,
    MeasurementSchedule,
    MeasurementScore,
    RemovalReason,
)
from bestaanszekerheid.web.trajectories.models import Trajectory

# The logged-in user (``request.user``); the audit log stores its name.
Actor = Any


def _store_scores(measurement: Measurement, scores: Mapping[str, int]) -> None:
    MeasurementScore.objects.bulk_create(
        MeasurementScore(measurement=measurement, item=code, score=value)
        for code, value in sorted(scores.items())
    )


@transaction.atomic
def create_measurement(
    actor: Actor,
    trajectory: Trajectory,
    *,
    taken_on: date,
    moment: str,
    scores: Mapping[str, int],
) -> Measurement:
    """Save a new measurement of ``trajectory`` with its item scores (at least one)."""
    if not scores:
        raise ValueError("a measurement needs at least one score")
    measurement = Measurement.objects.create(
        trajectory=trajectory, taken_on=taken_on, moment=moment, recorded_by=actor
    )
    _store_scores(measurement, scores)
    record(
        actor,
        AuditAction.CREATE,
        measurement,
        resident_id=trajectory.resident_id,
        details={"moment": moment, "items": sorted(scores)},
    )
    return measurement


@transaction.atomic
def update_measurement(
    actor: Actor,
    measurement: Measurement,
    *,
    taken_on: date,
    moment: str,
    scores: Mapping[str, int],
) -> list[str]:
    """Correct a measurement; returns the changed fields and item codes (empty: nothing
    changed, nothing saved or audited). Scores are replaced as a whole when one changed."""
    if not scores:
        raise ValueError("a measurement needs at least one score")
    stored = dict(measurement.scores.values_list("item", "score"))
    items = sorted(
        code for code in set(stored) | set(scores) if stored.get(code) != scores.get(code)
    )
    fields = [
        name
        for name, old, new in (
            ("taken_on", measurement.taken_on, taken_on),
            ("moment", measurement.moment, moment),
        )
        if old != new
    ]
    if not fields and not items:
        return []
    if fields:
        measurement.taken_on, measurement.moment = taken_on, moment
        measurement.save(update_fields=fields)
    if items:
        measurement.scores.all().delete()
        _store_scores(measurement, scores)
    record(
        actor,
        AuditAction.UPDATE,
        measurement,
        resident_id=measurement.trajectory.resident_id,
        details={"changed": fields, "items": items},
    )
    return [*fields, *items]


@transaction.atomic
def remove_measurement(actor: Actor, measurement: Measurement, reason: str) -> bool:
    """Delete a wrongly entered measurement with its scores (AVG: a wrong record does not
    linger). The audit log keeps which trajectory, the date and moment, how many items, who
    and why (a :class:`~.models.RemovalReason`); never a score. False: it was gone already
    (a second click), nothing recorded."""
    if reason not in RemovalReason.values:
        raise ValueError(f"unknown reason {reason!r}")
    if not Measurement.objects.select_for_update().filter(pk=measurement.pk).exists():
        return False
    record(
        actor,
        AuditAction.DELETE,
        measurement,
        resident_id=measurement.trajectory.resident_id,
        details={
            "trajectory": measurement.trajectory_id,
            "taken_on": measurement.taken_on.isoformat(),
            "moment": measurement.moment,
            "items": measurement.scores.count(),
            "reason": reason,
        },
    )
    measurement.delete()  # the scores go with it (CASCADE)
    return True


@transaction.atomic
def set_schedule(actor: Actor, team: Team, *, interval_weeks: int, at_closing: bool) -> list[str]:
    """Set the team's measurement schedule; returns the changed fields (empty: unchanged,
    nothing saved or audited). The values are not personal data, so the log keeps them."""
    schedule = MeasurementSchedule.objects.select_for_update().filter(team=team).first()
    old = (
        (schedule.interval_weeks, schedule.at_closing)
        if schedule is not None
        else (DEFAULT_INTERVAL_WEEKS, True)
    )
    new = (interval_weeks, at_closing)
    changed = [
        name
        for name, a, b in zip(("interval_weeks", "at_closing"), old, new, strict=True)
        if a != b
    ]
    if not changed:  # also without a row: the default is what the team chose
        return []
    if schedule is None:
        schedule = MeasurementSchedule(team=team)
    schedule.interval_weeks, schedule.at_closing = new
    schedule.updated_by = actor
    schedule.save()
    record(
        actor,
        AuditAction.UPDATE,
        schedule,
        details={
            "team": team.pk,
            "changed": changed,
            "from": {"interval_weeks": old[0], "at_closing": old[1]},
            "to": {"interval_weeks": new[0], "at_closing": new[1]},
        },
    )
    return changed
