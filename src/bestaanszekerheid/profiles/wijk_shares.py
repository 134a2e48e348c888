"""The target group's share of all households per wijk, as the summary reads it.

Computed before the report (ADR 0040: reports only arrange) from the areas step's wijk
figures: the numerator is the checked target count per wijk, the denominator the checked count
of all households. A share is a quotient of two published counts, so it says nothing the two
tables do not; where either count is hidden the share is unknown (NaN) too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bestaanszekerheid.disclosure import TOTAL

if TYPE_CHECKING:
    from bestaanszekerheid.areas.distribution import AreaLevel


@dataclass(frozen=True)
class WijkShare:
    """One wijk: its target households, all its households and the share (as published)."""

    code: str
    name: str
    target: float  # households of the target group in the wijk (checked count; NaN: hidden)
    households: float  # all households in the wijk (checked count; NaN: hidden)
    share: float  # % of the wijk's households in the target group (NaN: a count is hidden)


@dataclass(frozen=True)
class WijkShares:
    """The target group's share per wijk, highest share first, and over the whole city."""

    wijken: tuple[WijkShare, ...]
    #: % of all households in the target group (the two tables' totals).
    overall: float
    #: Names of the checked tables the figures come from: all households, target group.
    sources: tuple[str, str]

    def highest(self, n: int) -> list[WijkShare]:
        """The ``n`` wijken with the highest known share (hidden shares are skipped)."""
        return [w for w in self.wijken if not math.isnan(w.share)][:n]


def _share(part: float, whole: float) -> float:
    # NaN > 0 is False, so a hidden denominator gives NaN too.
    return 100 * part / whole if whole > 0 else math.nan


def wijk_shares_from(level: AreaLevel | None) -> WijkShares | None:
    """The target group's share per wijk from the areas step's wijk figures (highest first)."""
    if level is None or level.households_table is None or level.target_table is None:
        return None
    rows = [
        WijkShare(
            str(r.code),
            str(r.name),
            float(r.target),  # type: ignore[arg-type]
            float(r.households),  # type: ignore[arg-type]
            float(r.share),  # type: ignore[arg-type]
        )
        for r in level.target.itertuples()
    ]
    rows.sort(key=lambda w: (-(w.share if not math.isnan(w.share) else -1.0), w.code))
    overall = _share(level.target_table.published(TOTAL), level.households_table.published(TOTAL))
    return WijkShares(tuple(rows), overall, (level.households_table.name, level.target_table.name))
