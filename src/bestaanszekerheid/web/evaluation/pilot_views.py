"""The pilot pages and the pilot section of the resident page."""

from __future__ import annotations

from typing import Any

from bestaanszekerheid.web.trajectories.models import Trajectory


def pilot_context(user: Any, trajectory: Trajectory) -> dict[str, Any]:
    """Context for ``evaluation/_resident_pilots.html`` on the resident page."""
    return {}
