"""What an attacker reads off the published area figures: every published count as a sum of
buurten (a wijk is the sum of its buurten; the city the sum of all), for the LPs of
test_distribution and test_hierarchy."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import pandas as pd

from bestaanszekerheid.areas.distribution import AreaFigures
from bestaanszekerheid.disclosure import TOTAL


def published_sums(
    figures: AreaFigures,
    buurten: Sequence[str],
    parent: Mapping[str, str],
    tables: Sequence[str] = ("target",),
) -> Iterator[tuple[str, list[str], float]]:
    """``(table, buurten summed, published value)`` for every published cell of the named
    one-way tables ('households' and/or 'target') at every level; a refused table adds
    nothing."""
    for level_name, level in figures.levels.items():
        for kind in tables:
            table = level.households_table if kind == "households" else level.target_table
            if table is None:
                continue
            for code, value in table.frame.iloc[:, 0].items():
                if pd.isna(value):
                    continue
                if code == TOTAL:
                    members = list(buurten)
                elif level_name == "wijk":
                    members = [b for b in buurten if parent[b] == code]
                else:
                    members = [str(code)]
                yield kind, members, float(value)
