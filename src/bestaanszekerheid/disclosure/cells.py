"""A quick gate for figures that are already counts (arm sizes, class sizes, cell counts).

The threshold and the treatment of empty cells come from the rules file. Prefer the table
builders in :mod:`.tables` whenever the microdata are at hand: they also check dominance and
protect totals.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from bestaanszekerheid.disclosure.rules import DisclosureRules, load_rules
from bestaanszekerheid.errors import UserFacingError


def small_cells(
    cells: Mapping[str, float], minimum: int | None = None, *, rules: DisclosureRules | None = None
) -> dict[str, float]:
    """Cells that may not be published: 1 to ``minimum - 1`` units (fractions rounded down,
    so 9.7 expected units is too few), and empty cells when the rules treat zeros as group
    disclosure."""
    rules = rules or load_rules()
    limit = rules.min_count if minimum is None else minimum
    out: dict[str, float] = {}
    for name, n in cells.items():
        value = float(n)
        if math.isnan(value) or value < 0:
            raise UserFacingError(f"Aantal voor '{name}' is geen geldig aantal: {n}.")
        whole = math.floor(value)
        if (value > 0 and whole < limit) or (value == 0 and rules.zeros_are_disclosive):
            out[name] = value
    return out


def check_min_cells(
    cells: Mapping[str, float], minimum: int | None = None, *, rules: DisclosureRules | None = None
) -> None:
    """Raise a Dutch :class:`UserFacingError` when any cell may not be published."""
    rules = rules or load_rules()
    limit = rules.min_count if minimum is None else minimum
    small = small_cells(cells, limit, rules=rules)
    if small:
        listed = "; ".join(f"{name}: {math.floor(n)}" for name, n in list(small.items())[:5])
        more = f" (en nog {len(small) - 5})" if len(small) > 5 else ""
        raise UserFacingError(
            f"Export geweigerd: elke cel moet minstens {limit} eenheden bevatten en mag niet "
            f"leeg zijn (onthullingscontrole, regels {rules.version}). Te klein: {listed}{more}. "
            "Voeg groepen of categorieën samen, of laat de uitsplitsing weg."
        )
