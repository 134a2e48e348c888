"""What the resident page shows of measurements and pilots (called by the casework view).

One function per part, each in its own module, so the resident page gains a section without
the casework views knowing the models behind it.
"""

from __future__ import annotations

from typing import Any

from bestaanszekerheid.web.evaluation.measurement_views import measurement_context
from bestaanszekerheid.web.evaluation.pilot_views import pilot_context
from bestaanszekerheid.web.trajectories.models import Trajectory


def resident_context(user: Any, trajectory: Trajectory) -> dict[str, Any]:
    """The template context of the measurement and pilot sections of the resident page."""
    return {**measurement_context(user, trajectory), **pilot_context(user, trajectory)}
