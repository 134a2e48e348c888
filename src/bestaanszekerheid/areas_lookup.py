"""Names of Tilburg's wijken, for labelling tables (codes stay the key)."""

from __future__ import annotations

from functools import cache

from bestaanszekerheid.households.synthetic import tilburg_areas


@cache
def wijk_names() -> dict[str, str]:
    """Map wijk code -> name for the packaged Tilburg area list."""
    return {area.wijk_code: area.wijk_name for area in tilburg_areas()}
