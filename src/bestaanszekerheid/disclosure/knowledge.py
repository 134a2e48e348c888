"""What an attacker who knows the rules knows about each cell, and how much must stay unknown.

The attacker reads every published figure and knows the rules. Published outputs carry no
reason per hidden cell, but we assume the worst that can be assumed consistently: the attacker
knows which hidden cells were hidden for their own sake (*primary*) because they were too
small. That knowledge is an a priori interval per cell, used whenever the cell is hidden:

- a primary count that failed the minimum-count rule lies in ``0..min_count-1`` (``1..`` when
  empty cells are published): an empty cell and a small one look the same, so zeros are
  protected exactly like small counts;
- any other hidden count is only known to be at least 0 (the attacker is not assumed to know
  that it passed the rules: with that knowledge, hiding one more cell could *narrow* another,
  and no suppression pattern would be monotone);
- a published figure is exact, or known within its rounding.

A primary cell is *protected* when the attacker's feasible interval (linear programming over
all published figures and these intervals) still contains the whole protection interval
``[value - LPL, value + UPL]``: the lower and upper protection levels of tau-ARGUS, here half
the required width on each side, shifted to lie inside the a priori interval, and the whole a
priori interval when that is narrower than the width. For a small count with the CBS rules
(width 10, prior 0..9) that means: the published figures must not exclude any value 0..9.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Knowledge:
    """Per-cell a priori bounds (when hidden) and rounding of published figures.

    All arrays have the table's full grid shape. ``hidden_low``/``hidden_high`` may be
    ``-inf``/``inf``. ``published_low``/``published_high`` are how far the truth may lie
    below/above a published figure (0 for exact figures).
    """

    hidden_low: FloatArray
    hidden_high: FloatArray
    published_low: FloatArray
    published_high: FloatArray

    @classmethod
    def simple(
        cls,
        shape: tuple[int, int],
        *,
        lower: float = 0.0,
        upper: FloatArray | float = np.inf,
        rounding: tuple[float, float] = (0.0, 0.0),
    ) -> Knowledge:
        """Every hidden cell in ``[lower, upper]``; published figures within ``rounding``."""
        return cls(
            hidden_low=np.full(shape, float(lower)),
            hidden_high=np.broadcast_to(np.asarray(upper, dtype=float), shape).copy(),
            published_low=np.full(shape, float(rounding[0])),
            published_high=np.full(shape, float(rounding[1])),
        )

    @property
    def exact(self) -> bool:
        """True when every published figure is exact (no rounding)."""
        return not (self.published_low.any() or self.published_high.any())

    def published_interval(self, values: FloatArray) -> tuple[FloatArray, FloatArray]:
        """What the attacker knows of each *published* cell: its figure within its rounding,
        and never outside the cell's a priori interval (a published cell passed the rules)."""
        low = np.maximum(values - self.published_low, self.hidden_low)
        high = np.minimum(values + self.published_high, self.hidden_high)
        # A published figure is always compatible with its own truth.
        return np.minimum(low, values), np.maximum(high, values)


def count_knowledge(
    counts: NDArray[np.int64],
    primary: BoolArray,
    small: BoolArray,
    *,
    min_count: int,
    zeros_hidden: bool,
    rounding: tuple[float, float] = (0.0, 0.0),
) -> Knowledge:
    """Knowledge of an unweighted count table (see the module docstring).

    ``small``: primary cells hidden because they hold fewer than ``min_count`` units (empty
    cells included); they lie in ``0..min_count-1``. Every other hidden cell is at least 0.
    """
    shape = counts.shape
    floor_small = 0.0 if zeros_hidden else 1.0
    low = np.zeros(shape)
    high = np.full(shape, np.inf)
    small = small & primary
    low[small] = floor_small
    high[small] = float(min_count - 1)
    # Cells whose truth lies outside what the rules imply (never expected) get the hull, so
    # the true table stays feasible for the attacker's programme.
    values = counts.astype(float)
    low = np.minimum(low, values)
    high = np.maximum(high, values)
    return Knowledge(
        hidden_low=low,
        hidden_high=high,
        published_low=np.full(shape, float(rounding[0])),
        published_high=np.full(shape, float(rounding[1])),
    )


def proportion_knowledge(
    numerators: FloatArray,
    denominators: FloatArray,
    primary: BoolArray,
    *,
    min_count: int,
) -> Knowledge:
    """Knowledge of the numerators of a percentage table whose denominators are public.

    A primary cell with a small numerator lies in ``0..min_count-1``, one with a small
    complement in ``n-min_count+1..n``; any other numerator in ``0..n``.
    """
    k, n = numerators, denominators
    t = float(min_count)
    small_k = (k < t) & primary & (n - k >= t)
    small_c = (n - k < t) & primary & (k >= t)
    low = np.where(small_c, n - t + 1, 0.0)
    high = np.where(small_k, t - 1, n)
    low = np.clip(np.minimum(low, k), 0.0, None)
    high = np.minimum(np.maximum(high, k), n)
    zeros = np.zeros(k.shape)
    return Knowledge(hidden_low=low, hidden_high=high, published_low=zeros, published_high=zeros)


def protection_interval(
    values: FloatArray, width: FloatArray, knowledge: Knowledge
) -> tuple[FloatArray, FloatArray]:
    """The interval ``[value - LPL, value + UPL]`` the attacker may not be able to exclude.

    Half the width on each side, shifted into the a priori interval; the whole a priori
    interval when it is narrower than the width.
    """
    a, b = knowledge.hidden_low, knowledge.hidden_high
    half = np.asarray(width, dtype=float) / 2
    low = values - half
    high = values + half
    shift_up = np.where(low < a, a - low, 0.0)
    low, high = low + shift_up, high + shift_up
    shift_down = np.where(high > b, high - b, 0.0)
    low, high = low - shift_down, high - shift_down
    low = np.maximum(low, a)
    # Never ask for more than the cell's own value allows on either side (true table feasible).
    return np.minimum(low, values), np.maximum(high, values)
