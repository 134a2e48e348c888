"""Secondary suppression: hide extra cells so that no hidden cell can be recovered from totals.

A table with margins is a set of linear equations (every row and column adds up to its total).
An attacker who knows the published cells and the rules can bound each hidden cell by linear
programming: minimise and maximise it subject to those equations and to what is known a priori
(:mod:`.knowledge`: a small primary count lies in 0..9, a secondary one is at least 10, a
rounded figure lies within half the rounding base of the truth). A primary cell is *protected*
when that interval still holds its whole protection interval (:func:`protection_interval`).

Two ways to choose the extra cells, both verified by the same attacker computation at the end:

- ``"optimal"`` (default): the exact mixed-integer programme of :mod:`.optimal`, which hides the
  least information (the fewest units, totals only as a last resort) that protects every primary
  cell, as tau-ARGUS's optimal method does; used up to a documented size.
- ``"heuristic"``: first make sure no line (row or column with its total) holds exactly one
  hidden cell, choosing the smallest other cells, then repeatedly solve the attacker's problem
  (``scipy.optimize.linprog``) for every primary cell, adding the cheapest published cell next
  to each one that is still too narrowly bounded (sdcTable's SIMPLEHEURISTIC). Suppression only
  grows, and a table with every cell hidden is always protected, so the loop ends. It may hide
  more cells than needed; it is the fallback above the optimal method's size limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from bestaanszekerheid.disclosure.knowledge import Knowledge, protection_interval
from bestaanszekerheid.disclosure.lp import IntervalSolver

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Suppression = Literal["optimal", "heuristic"]

# Intervals narrower than required by less than this are treated as wide enough: LP round-off.
TOLERANCE = 1e-6


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
    lower: FloatArray  # attacker's lower bound per primary cell (others: their own interval)
    upper: FloatArray
    need_low: FloatArray  # the protection interval per cell (meaningful for primary cells)
    need_high: FloatArray
    verified: bool
    rounds: int
    method: Suppression  # the method that produced the pattern (after any fallback)
    note: str = ""  # why the optimal method fell back, if it did


def cell_costs(
    values: FloatArray, layout: TableLayout, keep: BoolArray | None = None
) -> FloatArray:
    """What hiding a cell costs: its units (plus one, so fewer cells win a tie); a total costs
    more than every interior cell together, so totals are hidden only as a last resort, and a
    cell to ``keep`` (a key figure, or a total that is public anyway) costs more still."""
    interior = ~layout.is_margin()
    cost = np.abs(np.asarray(values, dtype=float)) + 1.0
    cost = np.where(np.isfinite(cost), cost, 1.0)
    margin_cost = float(cost[interior].sum()) + 1.0
    out = np.where(interior, cost, margin_cost)
    if keep is not None:
        out = np.where(np.asarray(keep, dtype=bool).reshape(out.shape), 10 * margin_cost, out)
    return out


def _line_matrix(layout: TableLayout) -> tuple[list[tuple[tuple[int, ...], int]], FloatArray]:
    lines = layout.lines()
    n = layout.shape[0] * layout.shape[1]
    matrix = np.zeros((len(lines), n))
    for row, (parts, total) in enumerate(lines):
        matrix[row, list(parts)] = 1.0
        matrix[row, total] -= 1.0
    return lines, matrix


def attacker_bounds(
    values: FloatArray,
    layout: TableLayout,
    suppressed: BoolArray,
    knowledge: Knowledge | None = None,
    *,
    targets: Sequence[int] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Lowest and highest value each target cell can take given what is published.

    ``knowledge`` (default: hidden cells >= 0, published figures exact) gives the a priori
    bounds of hidden cells and the rounding of published ones. Returns arrays of the grid's
    shape: targets (default: every hidden cell) get the LP bounds (``inf`` when unbounded),
    other cells the interval the attacker knows them in.
    """
    shape = layout.shape
    flat_values = np.asarray(values, dtype=float).ravel()
    hidden = np.asarray(suppressed, dtype=bool).ravel()
    know = knowledge or Knowledge.simple(shape)
    pub_lo, pub_hi = (a.ravel() for a in know.published_interval(flat_values.reshape(shape)))
    lo = np.where(hidden, know.hidden_low.ravel(), pub_lo)
    hi = np.where(hidden, know.hidden_high.ravel(), pub_hi)
    if targets is None:
        targets = [int(i) for i in np.flatnonzero(hidden)]
    if not targets:
        return lo.reshape(shape), hi.reshape(shape)
    # Variables: every cell not known exactly; exactly known cells move to the right-hand side.
    is_var = lo < hi
    var_of = -np.ones(flat_values.size, dtype=int)
    var_of[is_var] = np.arange(int(is_var.sum()))
    _, matrix = _line_matrix(layout)
    a_eq = matrix[:, is_var]
    b_eq = -matrix[:, ~is_var] @ lo[~is_var]
    used = np.any(a_eq != 0, axis=1)
    a_eq, b_eq = a_eq[used], b_eq[used]
    out_lo, out_hi = lo.copy(), hi.copy()
    if a_eq.shape[0] == 0:
        return out_lo.reshape(shape), out_hi.reshape(shape)  # nothing links the cells
    solver = IntervalSolver(a_eq, b_eq, b_eq, lo[is_var], hi[is_var])
    objective = np.zeros(int(is_var.sum()))
    for i in targets:
        if not is_var[i]:
            continue
        objective[var_of[i]] = 1.0
        out_lo[i], out_hi[i] = solver.interval(objective)
        objective[var_of[i]] = 0.0
    return out_lo.reshape(shape), out_hi.reshape(shape)


def unprotected(
    values: FloatArray,
    layout: TableLayout,
    suppressed: BoolArray,
    primary: BoolArray,
    need_low: FloatArray,
    need_high: FloatArray,
    knowledge: Knowledge,
) -> tuple[list[int], FloatArray, FloatArray]:
    """Primary cells whose attacker interval does not hold their protection interval."""
    targets = [int(i) for i in np.flatnonzero(np.asarray(primary, dtype=bool).ravel())]
    lo, hi = attacker_bounds(values, layout, suppressed, knowledge, targets=targets)
    nl, nh = need_low.ravel(), need_high.ravel()
    flat_lo, flat_hi = lo.ravel(), hi.ravel()
    failing = [
        i for i in targets if flat_lo[i] > nl[i] + TOLERANCE or flat_hi[i] < nh[i] - TOLERANCE
    ]
    return failing, lo, hi


def protect(
    values: FloatArray,
    layout: TableLayout,
    primary: BoolArray,
    width: FloatArray,
    knowledge: Knowledge | None = None,
    *,
    already: BoolArray | None = None,
    method: Suppression = "optimal",
    max_rounds: int = 500,
    keep: BoolArray | None = None,
    decided: BoolArray | None = None,
) -> Protection:
    """Add secondary suppressions until every primary cell is protected, and verify.

    ``width`` is the required protection width per cell (only primary cells are checked; see
    :func:`protection_interval`). ``already`` marks cells hidden for another reason (e.g. a
    linked table); they stay hidden but need no protection of their own. ``keep`` marks cells
    to hide only when nothing else protects (:func:`cell_costs`). ``decided`` marks the cells
    whose outcome the caller uses (default: all; see :func:`.optimal.optimal_pattern`).
    """
    from bestaanszekerheid.disclosure.optimal import optimal_pattern

    shape = layout.shape
    values = np.asarray(values, dtype=float).reshape(shape)
    primary = np.asarray(primary, dtype=bool).reshape(shape)
    know = knowledge or Knowledge.simple(shape)
    need_low, need_high = protection_interval(
        values, np.broadcast_to(np.asarray(width, dtype=float), shape), know
    )
    # What the rules alone reveal cannot be hidden: with every cell hidden, the a priori
    # intervals and the lines can already narrow a cell (two small cells with a total of at
    # least 10 are each at least 1). Ask for no more than that.
    targets = [int(i) for i in np.flatnonzero(primary.ravel())]
    if targets:
        all_lo, all_hi = attacker_bounds(
            values, layout, np.ones(shape, dtype=bool), know, targets=targets
        )
        need_low = np.where(primary, np.maximum(need_low, all_lo), need_low)
        need_high = np.where(primary, np.minimum(need_high, all_hi), need_high)
    start = primary.copy()
    if already is not None:
        start |= np.asarray(already, dtype=bool).reshape(shape)
    note = ""
    used: Suppression = method
    supp: BoolArray | None = None
    if method == "optimal":
        supp, note = optimal_pattern(
            values, layout, primary, start, need_low, need_high, know, keep=keep, decided=decided
        )
        if supp is None:
            used = "heuristic"
    if supp is None:
        supp = start
    # The heuristic both finds a pattern and completes one that numerical round-off in the
    # optimal programme left a hair short; an already protected pattern passes unchanged.
    supp, rounds, lo, hi = _heuristic(
        values, layout, primary, supp, need_low, need_high, know, max_rounds, keep
    )
    if rounds and used == "optimal":
        note = note or "optimaal patroon aangevuld door de heuristiek (afronding in de solver)"
    return Protection(
        suppressed=supp,
        secondary=supp & ~primary,
        lower=lo,
        upper=hi,
        need_low=need_low,
        need_high=need_high,
        verified=True,
        rounds=rounds,
        method=used,
        note=note,
    )


def _heuristic(
    values: FloatArray,
    layout: TableLayout,
    primary: BoolArray,
    start: BoolArray,
    need_low: FloatArray,
    need_high: FloatArray,
    knowledge: Knowledge,
    max_rounds: int,
    keep: BoolArray | None = None,
) -> tuple[BoolArray, int, FloatArray, FloatArray]:
    supp = start.copy().ravel()
    lines = layout.lines()
    cost = cell_costs(values, layout, keep).ravel()
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
    while True:
        if knowledge.exact:
            close_single_lines()
        failing, lo, hi = unprotected(
            values, layout, supp.reshape(layout.shape), primary, need_low, need_high, knowledge
        )
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
    return supp.reshape(layout.shape), rounds, lo, hi


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
