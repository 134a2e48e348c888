"""The measurement pages and the measurement section of the resident page."""

from __future__ import annotations

from typing import Any

from bestaanszekerheid.web.trajectories.models import Trajectory


def measurement_context(user: Any, trajectory: Trajectory) -> dict[str, Any]:
    """Context for ``evaluation/_resident_measurements.html`` on the resident page."""
    return {}
