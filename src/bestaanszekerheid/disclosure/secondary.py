"""Secondary suppression: hide extra cells so that no hidden cell can be recovered from totals.

A table with margins is a set of linear equations (every row and column adds up to its total).
An attacker who knows the published cells can bound each hidden cell by linear programming:
minimise and maximise it subject to those equations and to what is known a priori (counts are
never negative; a rounded figure lies within half the rounding base of the truth). A hidden cell
is *protected* when that interval is at least as wide as its required protection width.

The heuristic below first makes sure no line (row or column with its total) holds exactly one
hidden cell, choosing the smallest other cells, and then repeatedly solves the attacker's
problem (``scipy.optimize.linprog``) for every primary cell, adding the cheapest published cell
next to each one that is still too narrowly bounded. Suppression only grows, and a table with
every cell hidden is always protected, so the loop ends; the final pattern is always verified
by the same attacker computation. Cell costs are the cell's absolute value (small cells are
cheaper to lose), and totals are used only as a last resort. This is the approach of sdcTable's
SIMPLEHEURISTIC (iteratively solved attacker problems), not tau-ARGUS's optimal method, so it
may hide more cells than strictly needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linprog

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# Intervals narrower than required by less than this are treated as wide enough: LP round-off.
_TOLERANCE = 1e-6
_MARGIN_COST = 1e15


@dataclass(frozen=True)
class TableLayout:
    """Shape of a table: interior rows x interior columns, with or without margins.

    Cells are addressed by their flat index in the full grid (``np.ravel`` order). The total row
    is last, and for two-dimensional tables the total column is last.
    """

    n_rows: int
    n_cols: int
    margins: bool
    two_d: bool

    @property
    def shape(self) -> tuple[int, int]:
        """Full grid shape, margins included."""
        extra_col = 1 if (self.margins and self.two_d) else 0
        return (self.n_rows + (1 if self.margins else 0), self.n_cols + extra_col)

    def is_margin(self) -> BoolArray:
        """True for total cells."""
        mask = np.zeros(self.shape, dtype=bool)
        if self.margins:
            mask[self.n_rows, :] = True
            if self.two_d:
                mask[:, self.n_cols] = True
        return mask

    def lines(self) -> list[tuple[tuple[int, ...], int]]:
        """Every additive constraint as (flat indices of the parts, flat index of the total)."""
        if not self.margins:
            return []
        rows, cols = self.shape
        flat = np.arange(rows * cols).reshape(rows, cols)
        out: list[tuple[tuple[int, ...], int]] = []
        if not self.two_d:
            out.append((tuple(int(i) for i in flat[: self.n_rows, 0]), int(flat[self.n_rows, 0])))
            return out
        for r in range(rows):
            parts = tuple(int(i) for i in flat[r, : self.n_cols])
            out.append((parts, int(flat[r, self.n_cols])))
        for c in range(cols):
            parts = tuple(int(i) for i in flat[: self.n_rows, c])
            out.append((parts, int(flat[self.n_rows, c])))
        return out


@dataclass(frozen=True)
class Protection:
    """The result of secondary suppression and its verification."""

    suppressed: BoolArray
    secondary: BoolArray
    lower: FloatArray  # attacker's lower bound per cell (published cells: their own interval)
    upper: FloatArray
    required: FloatArray
    verified: bool
    rounds: int


def attacker_bounds(
    values: FloatArray,
    layout: TableLayout,
    suppressed: BoolArray,
    *,
    lower_bound: float = 0.0,
    published_low: FloatArray | None = None,
    published_high: FloatArray | None = None,
    upper_bound: FloatArray | None = None,
    targets: Sequence[int] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Lowest and highest value each hidden cell can take given what is published.

    ``published_low``/``published_high`` give, per cell, how far the truth can lie below/above
    a published figure (rounding); ``None`` means published figures are exact. Returns arrays of
    the grid's shape; published cells get their own interval, hidden cells the LP bounds
    (``inf`` when unbounded). ``upper_bound`` is a public per-cell ceiling (e.g. the
    denominator of a percentage bounds its numerator).
    """
    flat_values = np.asarray(values, dtype=float).ravel()
    hidden = np.asarray(suppressed, dtype=bool).ravel()
    n = flat_values.size
    below = np.zeros(n) if published_low is None else np.asarray(published_low, float).ravel()
    above = np.zeros(n) if published_high is None else np.asarray(published_high, float).ravel()
    lo = flat_values - below
    hi = flat_values + above
    lo[hidden] = -np.inf
    hi[hidden] = np.inf
    # Variables: hidden cells and published cells known only within an interval.
    is_var = hidden | (below > 0) | (above > 0)
    var_index = -np.ones(n, dtype=int)
    var_index[is_var] = np.arange(int(is_var.sum()))
    var_of = [int(v) for v in var_index]
    n_var = int(is_var.sum())
    if targets is None:
        targets = [int(i) for i in np.flatnonzero(hidden)]
    if not targets:
        return lo.reshape(layout.shape), hi.reshape(layout.shape)
    var_bounds: list[tuple[float | None, float | None]] = []
    ceiling = None if upper_bound is None else np.asarray(upper_bound, float).ravel()
    for j in np.flatnonzero(is_var):
        if hidden[j]:
            top = None if ceiling is None or np.isinf(ceiling[j]) else float(ceiling[j])
            var_bounds.append((None if np.isinf(lower_bound) else lower_bound, top))
        else:
            low = flat_values[j] - below[j]
            if not np.isinf(lower_bound):
                low = max(low, lower_bound)
            var_bounds.append((low, flat_values[j] + above[j]))
    a_rows: list[FloatArray] = []
    b_rows: list[float] = []
    for parts, total in layout.lines():
        row = np.zeros(n_var)
        rhs = 0.0
        for idx, coef in [*((p, 1.0) for p in parts), (total, -1.0)]:
            if is_var[idx]:
                row[var_of[idx]] += coef
            else:
                rhs -= coef * flat_values[idx]
        if np.any(row != 0):
            a_rows.append(row)
            b_rows.append(rhs)
    a_eq = np.vstack(a_rows) if a_rows else None
    b_eq = np.asarray(b_rows) if b_rows else None
    for i in targets:
        if a_eq is None:
            lo[i] = lower_bound
            hi[i] = np.inf
            continue
        objective = np.zeros(n_var)
        objective[var_of[i]] = 1.0
        low_res = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=var_bounds, method="highs")
        high_res = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=var_bounds, method="highs")
        lo[i] = _bound(low_res, +1)
        hi[i] = _bound(high_res, -1)
    return lo.reshape(layout.shape), hi.reshape(layout.shape)


def _bound(result: object, sign: int) -> float:
    # sign +1: the LP minimised the cell; sign -1: it minimised minus the cell (a maximum).
    status = int(getattr(result, "status", -1))
    if status == 0:
        return float(sign * float(getattr(result, "fun", 0.0)))
    if status == 3:  # unbounded
        return float(-np.inf if sign > 0 else np.inf)
    # Infeasible would mean the published figures contradict each other: never expected, so
    # fail loudly instead of treating the cell as protected.
    raise RuntimeError(f"linprog failed during disclosure verification: {result}")


def protect(
    values: FloatArray,
    layout: TableLayout,
    primary: BoolArray,
    required: FloatArray,
    *,
    lower_bound: float = 0.0,
    published_low: FloatArray | None = None,
    published_high: FloatArray | None = None,
    upper_bound: FloatArray | None = None,
    already: BoolArray | None = None,
    max_rounds: int = 500,
) -> Protection:
    """Add secondary suppressions until every primary cell is protected, and verify.

    ``required`` is the minimum interval width per cell (only primary cells are checked).
    ``already`` marks cells hidden for another reason (e.g. a linked table); they stay hidden
    but need no protection of their own.
    """
    values = np.asarray(values, dtype=float).reshape(layout.shape)
    primary = np.asarray(primary, dtype=bool).reshape(layout.shape)
    required = np.asarray(required, dtype=float).reshape(layout.shape)
    if upper_bound is not None and not np.isinf(lower_bound):
        # No pattern can make a cell less certain than what is public a priori.
        ceiling = np.asarray(upper_bound, dtype=float).reshape(layout.shape)
        required = np.minimum(required, ceiling - lower_bound)
    supp = primary.copy().ravel()
    if already is not None:
        supp |= np.asarray(already, dtype=bool).ravel()
    flat_values = values.ravel()
    margin = layout.is_margin().ravel()
    lines = layout.lines()
    exact = published_low is None and published_high is None
    cost = np.abs(flat_values) + np.where(margin, _MARGIN_COST, 0.0)
    lines_of: dict[int, list[tuple[int, ...]]] = {}
    for parts, total in lines:
        members = (*parts, total)
        for m in members:
            lines_of.setdefault(m, []).append(members)

    def close_single_lines() -> None:
        # A line with exactly one hidden cell gives that cell away by subtraction.
        changed = True
        while changed:
            changed = False
            for parts, total in lines:
                members = (*parts, total)
                hidden = [m for m in members if supp[m]]
                if len(hidden) == 1:
                    open_cells = [m for m in members if not supp[m]]
                    pick = min(open_cells, key=lambda m: (cost[m], m))
                    supp[pick] = True
                    changed = True

    rounds = 0
    targets = [int(i) for i in np.flatnonzero(primary.ravel())]
    lo = hi = np.zeros(layout.shape)
    while True:
        if exact:
            close_single_lines()
        lo, hi = attacker_bounds(
            values,
            layout,
            supp.reshape(layout.shape),
            lower_bound=lower_bound,
            published_low=published_low,
            published_high=published_high,
            upper_bound=upper_bound,
            targets=targets,
        )
        width = (hi - lo).ravel()
        failing = [i for i in targets if width[i] + _TOLERANCE < required.ravel()[i]]
        if not failing:
            break
        rounds += 1
        if rounds > max_rounds:
            raise RuntimeError("secondary suppression did not converge")
        added = False
        for i in failing:
            pick = _candidate(i, supp, lines_of, cost)
            if pick is not None and not supp[pick]:
                supp[pick] = True
                added = True
        if not added:
            raise RuntimeError("secondary suppression found no cell to add")
    suppressed = supp.reshape(layout.shape)
    return Protection(
        suppressed=suppressed,
        secondary=suppressed & ~primary,
        lower=lo,
        upper=hi,
        required=required,
        verified=True,
        rounds=rounds,
    )


def _candidate(
    cell: int,
    supp: BoolArray,
    lines_of: dict[int, list[tuple[int, ...]]],
    cost: FloatArray,
) -> int | None:
    """The cheapest published cell in a line of ``cell``, else one line further, else any."""
    frontier = {cell}
    seen: set[int] = set()
    while frontier:
        candidates = {
            m for c in frontier for line in lines_of.get(c, []) for m in line if not supp[m]
        }
        if candidates:
            return min(candidates, key=lambda m: (cost[m], m))
        seen |= frontier
        frontier = {
            m for c in frontier for line in lines_of.get(c, []) for m in line if m not in seen
        }
    rest = np.flatnonzero(~supp)
    if rest.size == 0:
        return None
    return int(min(rest, key=lambda m: (cost[m], m)))
