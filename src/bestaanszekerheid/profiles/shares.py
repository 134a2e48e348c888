"""The published shares per group: sizes, class-specific distributions, wijk composition.

Everything here is model output made publishable once, at release (see
:mod:`bestaanszekerheid.disclosure.estimates`): group sizes rounded to the rules' size base,
a group's share derived from that rounded size, class-specific shares and composition shares
checked as tables of estimated households (bands instead of small estimates, never 0% or
100%, secondary protection against subtraction) and rounded to the rules' decimals. The
report, the cards, the charts, the bundle and the workbook all read these rounded values, so
the same figure is the same number everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from bestaanszekerheid.disclosure import (
    TOTAL,
    CheckedEstimates,
    CheckedTable,
    DisclosureRules,
    check_estimates,
    round_half_up,
    round_size,
)
from bestaanszekerheid.profiles.features import Characteristic

COUNT = "count"  # the column of a one-way count table
Z95 = 1.959963984540054

COMPARISON_COLUMNS = [
    "groep",
    "column",
    "label",
    "level",
    "share_group",
    "band",
    "se",
    "share_all",
    "effect",
    "low",
    "high",
]
AREA_COLUMNS = ["groep", "wijk_code", "wijk_name", "share", "band", "index", "households", "reach"]


@dataclass(frozen=True)
class GroupSizes:
    """Published group sizes (households, rounded) and shares (%, from the rounded size)."""

    size: dict[str, float]
    share: dict[str, float]

    @property
    def series(self) -> pd.Series:
        """Sizes as a Series indexed by group key."""
        return pd.Series(self.size, dtype=float)


def group_sizes(
    weights: Sequence[float], keys: Sequence[str], n_total: int, rules: DisclosureRules
) -> GroupSizes:
    """Class weights x households, rounded to ``estimate_size_base``; the share from that."""
    size = {
        k: round_size(float(w) * n_total, rules.estimate_size_base)
        for k, w in zip(keys, weights, strict=True)
    }
    share = {
        k: float(round_half_up(np.array(100.0 * s / n_total), rules.estimate_share_decimals))
        if n_total
        else math.nan
        for k, s in size.items()
    }
    return GroupSizes(size, share)


def cohens_h(p: float, q: float) -> float:
    """Cohen's h between proportions p and q (fractions)."""
    p = min(max(p, 1e-4), 1 - 1e-4)
    q = min(max(q, 1e-4), 1 - 1e-4)
    return 2 * math.asin(math.sqrt(p)) - 2 * math.asin(math.sqrt(q))


def _h_se(p: float, se: float) -> float:
    p = min(max(p, 1e-3), 1 - 1e-3)
    return se / math.sqrt(p * (1 - p))


def _cell(table: CheckedTable, row: Any) -> float:
    column = table.frame[COUNT]
    return float(column[row]) if row in column.index else math.nan


def comparison_frame(
    profiles: pd.DataFrame,
    keys: Sequence[str],
    characteristics: Sequence[Characteristic],
    levels: Mapping[str, Sequence[str]],
    tables: Mapping[str, CheckedTable],
    sizes: GroupSizes,
    rules: DisclosureRules,
) -> tuple[pd.DataFrame, dict[str, CheckedEstimates]]:
    """Per group, characteristic and level: the published share in the group (or its band),
    the share in the whole target group (from the checked count table) and the difference
    (Cohen's h with a 95% interval), all from the rounded, published values.

    ``profiles``: the three-step result's tidy table with a ``groep`` column.
    """
    decimals = rules.estimate_share_decimals
    rows = []
    checked: dict[str, CheckedEstimates] = {}
    for char in characteristics:
        table = tables[char.column]
        names = [str(v) for v in levels[char.column]]
        part = profiles[profiles["variabele"] == char.column]
        estimated = part.pivot(index="groep", columns="niveau", values="aantal")
        estimated = estimated.reindex(index=list(keys), columns=names)
        se = part.pivot(index="groep", columns="niveau", values="se").reindex(
            index=list(keys), columns=names
        )
        counts = pd.Series(
            {n: _cell(table, level) for n, level in zip(names, levels[char.column], strict=True)}
        )
        est = check_estimates(
            estimated,
            basis="row",
            row_published=sizes.series,
            col_published=counts,
            name=f"Groepsprofielen: {char.label.lower()}",
            rules=rules,
            decimals=decimals,
            size_base=rules.estimate_size_base,
        )
        checked[char.column] = est
        grand = _cell(table, TOTAL)
        row_of = {k: i for i, k in enumerate(keys)}
        col_of = {n: j for j, n in enumerate(names)}
        for level in names:
            n_level = float(counts[level])
            share_all = math.nan
            if grand > 0 and not math.isnan(n_level):
                share_all = float(round_half_up(np.array(100 * n_level / grand), decimals))
            for key in keys:
                # A band ("meer dan 95%") counts at its limit: the difference it shows is
                # then at most as large as the truth (a pensioner group's AOW share stays a
                # distinguishing feature), and the text shows the band. The limit bounds the
                # difference only when it lies on the truth's side of the whole group's share.
                band = est.band(key, level)
                share = est.limit(key, level) if band else est.published(key, level)
                s = 100 * float(se.to_numpy()[row_of[key], col_of[level]])
                status = est.status.at[key, level]
                side_ok = not band or (
                    share <= share_all if status == "band_low" else share >= share_all
                )
                effect = low = high = math.nan
                if side_ok and not (math.isnan(share) or math.isnan(share_all)):
                    h = cohens_h(share / 100, share_all / 100)
                    half = Z95 * _h_se(share / 100, s / 100) if not math.isnan(s) else math.nan
                    if band:
                        # At a band's limit there is no interval to give: the bootstrap
                        # error of a share near 0% or 100% is (nearly) 0, and an interval of
                        # width 0 would say the share is exactly 0% or 100%.
                        half, s = 0.0, math.nan
                    effect, low, high = (round(v, 2) for v in (h, h - half, h + half))
                rows.append(
                    (
                        key,
                        char.column,
                        char.label,
                        level,
                        share,
                        band,
                        s,
                        share_all,
                        effect,
                        low,
                        high,
                    )
                )
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS), checked
