"""Minimum cell size check for exports (temporary).

Until ``bestaanszekerheid.disclosure`` exists, ``bsz effect`` refuses to write anything that
contains a count of 1-9 units (CBS Remote Access: at least 10 units per cell). This module
will move into ``bestaanszekerheid.disclosure`` and then apply the full output rules.
"""

from __future__ import annotations

from collections.abc import Mapping

from bestaanszekerheid.errors import UserFacingError

MIN_CELL = 10


def check_min_cells(cells: Mapping[str, float], minimum: int = MIN_CELL) -> None:
    """Raise a Dutch :class:`UserFacingError` when a cell has between 1 and ``minimum - 1`` units.

    Empty cells (0) are allowed: they reveal no individual. Expected counts (posterior sums)
    are rounded down, so a cell of 9.7 expected people also blocks the export.
    """
    small = {name: n for name, n in cells.items() if 0 < int(n) < minimum or 0 < n < 1}
    if small:
        listed = "; ".join(f"{name}: {int(n)}" for name, n in list(small.items())[:5])
        more = f" (en nog {len(small) - 5})" if len(small) > 5 else ""
        raise UserFacingError(
            f"Export geweigerd: elke cel moet minstens {minimum} deelnemers bevatten "
            f"(onthullingsbeheersing). Te klein: {listed}{more}. Voeg groepen of categorieën "
            "samen, of laat de uitsplitsing weg."
        )
