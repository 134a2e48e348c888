"""Optimal secondary suppression: the fewest hidden units that protect every primary cell.

A mixed-integer programme in the spirit of tau-ARGUS's optimal method (Fischetti & Salazar):
one binary per cell (hidden or not) and, for every primary cell and each direction (up to the
top of its protection interval, down to the bottom), a *deviation* of the whole table from the
truth that the attacker cannot rule out. A deviation keeps every row and column adding up to
its total, moves a published cell only within its rounding, and a hidden cell only within its
a priori interval (:mod:`.knowledge`). The attacker's feasible interval for a primary cell
reaches the top of its protection interval exactly when such an upward deviation exists (the
feasible set is convex and contains the truth), so the constraints are exact; the
objective is :func:`~.secondary.cell_costs` (units hidden; totals only as a last resort).

How far a hidden cell may deviate is capped by the deviation asked of the primary cell: in a
table with margins every deviation decomposes into cycles through the primary cell, none
carrying more than that amount, so the cap loses no solutions.

A direction that the cells hidden from the start (the primary cells and those hidden for
another reason) already leave open needs no deviation in the programme: hiding more cells only
widens what a deviation may do, so it stays open in every pattern the programme may choose.
Each direction is tried first with the start pattern fixed (a small linear programme with the
same constraints). When all are open, the start pattern is the answer (the only cheapest
superset of itself). When at least half are, the programme without them is solved first: it
has exactly the patterns and the cheapest cost of the full one, and is far smaller (in the
7 x 20 groups-by-buurten block of the largest wijk at 112,000 households, 30 of 164
directions; 2.6 s instead of 19 s, which was close to the time limit). But among equally
cheap patterns (within the solver's gap) the full programme's choice depends on its path, so
the smaller programme's pattern is taken only when a second solve shows that no other pattern
that cheap differs from it in a cell the caller uses; otherwise the full programme decides,
as before. Either way the pattern is the one the full programme gives (docs/decisions/0073).

The programme has (cells) binaries and 2 x (primary cells) x (cells) continuous variables;
above :data:`MAX_VARIABLES`, or when HiGHS finds no solution within :data:`TIME_LIMIT`
seconds, :func:`optimal_pattern` returns ``None`` and the caller falls back to the heuristic.
A solution found when the time limit stops the search is used when it verifies (it is then
feasible but perhaps not optimal; the log says so).
"""

from __future__ import annotations

from typing import Any

import highspy
import numpy as np
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, csc_matrix, csr_matrix, vstack

from bestaanszekerheid.disclosure.knowledge import Knowledge
from bestaanszekerheid.disclosure.lp import _highs, quiet_native_output
from bestaanszekerheid.disclosure.secondary import TableLayout, cell_costs

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: Largest programme solved exactly (continuous deviation variables). A 60-wijk table with ten
#: primary cells has 1,220; a 12 x 8 table with totals and 20 primary cells 4,680.
MAX_VARIABLES = 60_000
#: Seconds HiGHS may search before the best solution found so far is taken.
TIME_LIMIT = 20.0
_EPS = 1e-7


def optimal_pattern(
    values: FloatArray,
    layout: TableLayout,
    primary: BoolArray,
    start: BoolArray,
    need_low: FloatArray,
    need_high: FloatArray,
    knowledge: Knowledge,
    *,
    keep: BoolArray | None = None,
    decided: BoolArray | None = None,
) -> tuple[BoolArray | None, str]:
    """The cheapest suppression pattern (a superset of ``start``) that protects every primary
    cell, or ``None`` with a reason when the programme is too large or not solved in time.

    ``decided``: the cells whose outcome the caller uses (default: all); a tie between
    patterns that differ only elsewhere (totals an estimate table never publishes) needs no
    settling by the full programme."""
    shape = layout.shape
    v = np.asarray(values, dtype=float).ravel()
    n = v.size
    prim = np.flatnonzero(np.asarray(primary, dtype=bool).ravel())
    fixed = np.asarray(start, dtype=bool).ravel()
    if prim.size == 0:
        return fixed.reshape(shape), ""
    pub_lo, pub_hi = (a.ravel() for a in knowledge.published_interval(v.reshape(shape)))
    hid_lo, hid_hi = knowledge.hidden_low.ravel(), knowledge.hidden_high.ravel()
    # Deviation bounds of each cell, published and hidden (published within hidden, so the
    # coupling below is linear in the binary).
    p_lo = np.minimum(pub_lo - v, 0.0)
    p_hi = np.maximum(pub_hi - v, 0.0)
    h_lo = np.minimum(hid_lo - v, p_lo)
    h_hi = np.maximum(hid_hi - v, p_hi)
    scenarios: list[tuple[int, float]] = []
    for cell in (int(c) for c in prim):
        up = float(need_high.ravel()[cell] - v[cell])
        down = float(need_low.ravel()[cell] - v[cell])
        if up > _EPS:
            scenarios.append((cell, up))
        if down < -_EPS:
            scenarios.append((cell, down))
    if not scenarios:
        return fixed.reshape(shape), ""
    n_dev = len(scenarios) * n
    if n_dev > MAX_VARIABLES:
        return None, (
            f"optimale onderdrukking overgeslagen: {n_dev} variabelen, meer dan {MAX_VARIABLES}"
        )
    lines = layout.lines()
    caps = [_deviation_bounds(h_lo, h_hi, abs(amount)) for _, amount in scenarios]
    cost = cell_costs(v.reshape(shape), layout, keep).ravel()
    full = _Programme(n, lines, fixed, p_lo, p_hi, cost)
    open_ = _open_at_start(n, lines, scenarios, caps, fixed, p_lo, p_hi)
    kept = [i for i, is_open in enumerate(open_) if not is_open]
    if not kept:
        return fixed.reshape(shape), ""  # the start pattern protects: the cheapest superset
    if 2 * len(kept) <= len(scenarios):
        # At least half the directions are open from the start: the programme without them
        # is much smaller. It has the same patterns and optimum, but may pick another of
        # several equally cheap ones than the full programme would: its pattern is taken
        # only when no other pattern that cheap differs in a decided cell.
        chosen, status = full.solve([scenarios[i] for i in kept], [caps[i] for i in kept])
        watched = np.ones(n, dtype=bool) if decided is None else np.ravel(decided).astype(bool)
        if chosen is not None and status == 0 and full.only_optimum(chosen, watched):
            return chosen.reshape(shape), ""
    # Every direction in the programme: as before 0073 (the reduced one found a tie, or could
    # not prove its optimum the only one within the solver's gap, or has no solution).
    chosen, status = full.solve(scenarios, caps)
    if chosen is None:
        return None, f"optimale onderdrukking zonder oplossing ({status}); heuristiek"
    note = "" if status == 0 else "optimale onderdrukking gestopt op de tijdslimiet"
    return chosen.reshape(shape), note


#: HiGHS's default relative MIP gap (scipy's ``mip_rel_gap``): a solution within it of the
#: best bound is taken as optimal, so "the only optimum" must hold within it too. The window
#: checked is twice that above the pattern found (itself within the gap of the optimum).
_GAP = 1e-4


class _Programme:
    """The mixed-integer programme of the module docstring, for a chosen set of scenarios."""

    def __init__(
        self,
        n: int,
        lines: list[tuple[tuple[int, ...], int]],
        fixed: BoolArray,
        p_lo: FloatArray,
        p_hi: FloatArray,
        cost: FloatArray,
    ) -> None:
        self.n, self.lines, self.fixed = n, lines, fixed
        self.p_lo, self.p_hi, self.cost = p_lo, p_hi, cost
        self._last: tuple[Any, ...] | None = None

    def solve(
        self, scenarios: list[tuple[int, float]], caps: list[tuple[FloatArray, FloatArray]]
    ) -> tuple[BoolArray | None, int | str]:
        """(chosen cells, scipy's status), or (None, the solver's message)."""
        n, fixed, p_lo, p_hi = self.n, self.fixed, self.p_lo, self.p_hi
        n_dev = len(scenarios) * n
        rows: list[int] = []
        cols: list[int] = []
        data: list[float] = []
        lower: list[float] = []
        upper: list[float] = []
        lb = np.zeros(n + n_dev)
        ub = np.ones(n + n_dev)
        lb[:n] = fixed.astype(float)  # cells hidden already stay hidden
        row = 0
        for s, (p, amount) in enumerate(scenarios):
            base = n + s * n
            lo_s, hi_s = caps[s]
            lb[base : base + n] = lo_s
            ub[base : base + n] = hi_s
            lb[base + p] = ub[base + p] = amount
            for parts, total in self.lines:
                for m in parts:
                    rows.append(row)
                    cols.append(base + m)
                    data.append(1.0)
                rows.append(row)
                cols.append(base + total)
                data.append(-1.0)
                lower.append(0.0)
                upper.append(0.0)
                row += 1
            for i in range(n):
                if fixed[i] or i == p:
                    continue  # hidden for sure: the variable bounds are the whole story
                # z_i <= p_hi_i + (hi_s_i - p_hi_i) y_i  and  z_i >= p_lo_i + (lo_s_i - p_lo_i) y_i
                span_hi = max(hi_s[i] - p_hi[i], 0.0)
                span_lo = min(lo_s[i] - p_lo[i], 0.0)
                if span_hi > 0:
                    rows += [row, row]
                    cols += [base + i, i]
                    data += [1.0, -span_hi]
                    lower.append(-np.inf)
                    upper.append(float(p_hi[i]))
                    row += 1
                if span_lo < 0:
                    rows += [row, row]
                    cols += [base + i, i]
                    data += [1.0, -span_lo]
                    lower.append(float(p_lo[i]))
                    upper.append(np.inf)
                    row += 1
        matrix = coo_matrix((data, (rows, cols)), shape=(row, n + n_dev)).tocsr()
        cost = np.zeros(n + n_dev)
        cost[:n] = self.cost
        integrality = np.zeros(n + n_dev)
        integrality[:n] = 1
        self._last = (cost, integrality, lb, ub, matrix, np.asarray(lower), np.asarray(upper))
        result = _milp(*self._last)
        if result.x is None:
            return None, str(result.message)
        return (np.asarray(result.x[:n]) > 0.5) | fixed, int(result.status)

    def only_optimum(self, chosen: BoolArray, watched: BoolArray) -> bool:
        """Whether every pattern of the last programme that costs within the solver's gap of
        ``chosen`` agrees with it on the ``watched`` cells: then so does the pattern of the
        programme with every scenario, which has the same patterns and costs. (Its answer
        among equally cheap patterns depends on the solver's path: a tie in a watched cell
        must be settled by that programme itself.)"""
        assert self._last is not None
        cost, integrality, lb, ub, matrix, lower, upper = self._last
        n = self.n
        free = ~self.fixed & watched
        best = float(self.cost[chosen].sum())
        # Another pattern: at least one free watched cell differs from ``chosen``.
        differs = np.zeros(cost.size)
        differs[:n] = np.where(chosen, -1.0, 1.0) * free
        within = np.zeros(cost.size)
        within[:n] = self.cost
        extra = np.vstack([differs, within])
        rows = vstack([matrix, csr_matrix(extra)]).tocsr()
        result = _milp(
            cost,
            integrality,
            lb,
            ub,
            rows,
            np.append(lower, [1.0 - float((chosen & free).sum()), -np.inf]),
            np.append(upper, [np.inf, best * (1.0 + 2 * _GAP) + 1e-6]),
        )
        return int(result.status) == 2  # infeasible: no other pattern that cheap


def _milp(
    cost: FloatArray,
    integrality: FloatArray,
    lb: FloatArray,
    ub: FloatArray,
    matrix: Any,
    lower: FloatArray,
    upper: FloatArray,
) -> Any:
    with quiet_native_output():
        return milp(
            cost,
            integrality=integrality,
            bounds=Bounds(lb, ub),
            constraints=LinearConstraint(matrix, lower, upper),
            options={"time_limit": TIME_LIMIT, "disp": False},
        )


def _deviation_bounds(
    h_lo: FloatArray, h_hi: FloatArray, cap: float
) -> tuple[FloatArray, FloatArray]:
    """How far each cell may deviate in a scenario asking ``cap`` of its primary cell."""
    return np.maximum(h_lo, -cap), np.minimum(h_hi, cap)


def _open_at_start(
    n: int,
    lines: list[tuple[tuple[int, ...], int]],
    scenarios: list[tuple[int, float]],
    caps: list[tuple[FloatArray, FloatArray]],
    fixed: BoolArray,
    p_lo: FloatArray,
    p_hi: FloatArray,
) -> list[bool]:
    """Per scenario: whether its deviation exists with only the ``fixed`` cells hidden (the
    programme's own constraints with every binary at its lower bound). Hiding more cells only
    loosens them, so such a scenario holds for every pattern the programme may choose."""
    if not lines:
        return [False] * len(scenarios)
    rows, cols, data = [], [], []
    for r, (parts, total) in enumerate(lines):
        for m in parts:
            rows.append(r)
            cols.append(m)
            data.append(1.0)
        rows.append(r)
        cols.append(total)
        data.append(-1.0)
    a = csc_matrix((data, (rows, cols)), shape=(len(lines), n))
    solver = _highs()
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = n, len(lines)
    model.col_cost_ = np.zeros(n)
    model.col_lower_ = np.zeros(n)
    model.col_upper_ = np.zeros(n)
    model.row_lower_ = np.zeros(len(lines))
    model.row_upper_ = np.zeros(len(lines))
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = a.indptr.astype(np.int32)
    model.a_matrix_.index_ = a.indices.astype(np.int32)
    model.a_matrix_.value_ = a.data.astype(float)
    model.a_matrix_.num_col_, model.a_matrix_.num_row_ = n, len(lines)
    solver.passModel(model)
    every = np.arange(n, dtype=np.int32)
    out: list[bool] = []
    for (p, amount), (lo_s, hi_s) in zip(scenarios, caps, strict=True):
        # A cell hidden from the start moves within its scenario bounds; any other stays
        # published (binary 0): within its rounding as well.
        low = np.where(fixed, lo_s, np.maximum(lo_s, p_lo))
        high = np.where(fixed, hi_s, np.minimum(hi_s, p_hi))
        low[p] = high[p] = amount
        solver.changeColsBounds(n, every, low, high)
        solver.run()
        out.append(solver.getModelStatus() == highspy.HighsModelStatus.kOptimal)
    return out
