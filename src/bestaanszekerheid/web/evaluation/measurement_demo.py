"""Synthetic outcome measurements for the demo organisation (``bsz web --demo``).

Most demo trajectories get an intake soon after opening and a follow-up every 13 weeks
since, with scores that drift a little (mostly upwards, sometimes not); about one in six has
none yet, so the demo also shows "meting gepland". A random generator of its own keeps the
rest of the demo exactly as it was.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from bestaanszekerheid.web.accounts.models import User
from bestaanszekerheid.web.evaluation.instruments import (
    SCALE_ITEMS,
    SCORE_MAX,
    SCORE_MIN,
    ZRM_DOMAINS,
)
from bestaanszekerheid.web.evaluation.models import (
    DEFAULT_INTERVAL_WEEKS,
    Measurement,
    MeasurementScore,
    Moment,
)
from bestaanszekerheid.web.trajectories.models import Trajectory


def _clamp(value: int) -> int:
    return max(SCORE_MIN, min(SCORE_MAX, value))


def add_demo_measurements(consultant: User, today: date, seed: int) -> int:
    """Measurements for ``consultant``'s trajectories; returns how many were made."""
    rng = random.Random(f"metingen-{seed}-{consultant.username}")
    made = 0
    for trajectory in Trajectory.objects.filter(consultant=consultant).order_by("id"):
        if rng.random() < 1 / 6:
            continue
        base = {d.code: rng.randint(1, 4) for d in ZRM_DOMAINS}
        base["zrm_justitie"] = rng.choice([4, 5, 5])
        base.update({s.code: rng.randint(1, 4) for s in SCALE_ITEMS})
        base["belemmeringen_1"] = base["belemmeringen_2"] = rng.randint(3, 5)
        taken = trajectory.opened_on + timedelta(days=rng.randint(0, 7))
        moment = Moment.INTAKE
        while taken <= today:
            measurement = Measurement.objects.create(
                trajectory=trajectory, taken_on=taken, moment=moment, recorded_by=consultant
            )
            MeasurementScore.objects.bulk_create(
                MeasurementScore(measurement=measurement, item=code, score=score)
                for code, score in base.items()
            )
            made += 1
            # Support helps most residents a little; barriers go down when things go well.
            for code in base:
                step = rng.choice([-1, 0, 0, 1, 1])
                base[code] = _clamp(
                    base[code] - step if code.startswith("belem") else base[code] + step
                )
            taken += timedelta(weeks=DEFAULT_INTERVAL_WEEKS, days=rng.randint(-5, 5))
            moment = Moment.FOLLOW_UP
    return made
