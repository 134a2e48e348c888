"""Does a segmentation recover planted groups? A check for synthetic data with a known truth.

The measure (ADR 0011): a planted group that makes up at least ``min_share`` of the
households is *matched* when one group of the model holds at least ``min_recall`` of its
households and at least ``min_precision`` of that model group's households come from it.
With ``min_precision`` above one half a model group can match one planted group at most. A
remainder ("everyone else", the synthetic population's ``overig``) is no planted group and is
left out. Used by the tests and by ``benchmarks/model_choice.py``; never on real data, which
have no truth.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Thresholds of the documented measure.
MIN_SHARE = 0.05
MIN_RECALL = 0.8
MIN_PRECISION = 0.7
#: The synthetic population's remainder group: not a planted archetype.
REMAINDER = ("overig",)


@dataclass(frozen=True)
class Match:
    planted: str
    share: float  # of all households
    group: int  # the model group (0-based) holding most of the planted group
    recall: float  # of the planted group, the share in that model group
    precision: float  # of that model group, the share from the planted group
    matched: bool


@dataclass(frozen=True)
class Recovery:
    matches: tuple[Match, ...]
    crosstab: pd.DataFrame  # planted group x model group, households

    @property
    def all_matched(self) -> bool:
        return all(m.matched for m in self.matches)

    def missing(self) -> list[str]:
        return [m.planted for m in self.matches if not m.matched]

    def text(self) -> str:
        """One line per planted group, for logs and benchmark notes."""
        return "\n".join(
            f"{m.planted}: {100 * m.share:.1f}% -> groep {m.group + 1}, "
            f"{100 * m.recall:.0f}% van de geplante groep, {100 * m.precision:.0f}% van de "
            f"groep ({'gevonden' if m.matched else 'niet gevonden'})"
            for m in self.matches
        )


def match_planted(
    planted: np.ndarray | pd.Series,
    labels: np.ndarray,
    *,
    min_share: float = MIN_SHARE,
    min_recall: float = MIN_RECALL,
    min_precision: float = MIN_PRECISION,
    remainder: Collection[str] = REMAINDER,
) -> Recovery:
    """Match the planted groups (one code per household) to the model's modal groups."""
    truth = np.asarray(planted).astype(str)
    table = pd.crosstab(truth, np.asarray(labels))
    n = float(table.to_numpy().sum())
    matches = []
    for code, row in table.iterrows():
        share = float(row.sum()) / n
        if str(code) in remainder or share < min_share:
            continue
        group = int(str(row.idxmax()))
        recall = float(row[group]) / float(row.sum())
        precision = float(row[group]) / float(table[group].sum())
        matched = recall >= min_recall and precision >= min_precision
        matches.append(Match(str(code), share, group, recall, precision, matched))
    return Recovery(tuple(matches), table)
