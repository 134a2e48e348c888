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

The programme has (cells) binaries and 2 x (primary cells) x (cells) continuous variables;
above :data:`MAX_VARIABLES`, or when HiGHS finds no solution within :data:`TIME_LIMIT`
seconds, :func:`optimal_pattern` returns ``None`` and the caller falls back to the heuristic.
A solution found when the time limit stops the search is used when it verifies (it is then
feasible but perhaps not optimal; the log says so).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from bestaanszekerheid.disclosure.knowledge import Knowledge
from bestaanszekerheid.disclosure.lp import quiet_native_output
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
) -> tuple[BoolArray | None, str]:
    """The cheapest suppression pattern (a superset of ``start``) that protects every primary
    cell, or ``None`` with a reason when the programme is too large or not solved in time."""
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
        cap = abs(amount)
        lo_s = np.maximum(h_lo, -cap)
        hi_s = np.minimum(h_hi, cap)
        lb[base : base + n] = lo_s
        ub[base : base + n] = hi_s
        lb[base + p] = ub[base + p] = amount
        for parts, total in lines:
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
            # z_i <= p_hi_i + (hi_s_i - p_hi_i) * y_i  and  z_i >= p_lo_i + (lo_s_i - p_lo_i) * y_i
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
    cost[:n] = cell_costs(v.reshape(shape), layout, keep).ravel()
    integrality = np.zeros(n + n_dev)
    integrality[:n] = 1
    with quiet_native_output():
        result = milp(
            cost,
            integrality=integrality,
            bounds=Bounds(lb, ub),
            constraints=LinearConstraint(matrix, np.asarray(lower), np.asarray(upper)),
            options={"time_limit": TIME_LIMIT, "disp": False},
        )
    if result.x is None:
        return None, f"optimale onderdrukking zonder oplossing ({result.message}); heuristiek"
    chosen = (np.asarray(result.x[:n]) > 0.5) | fixed
    note = "" if result.status == 0 else "optimale onderdrukking gestopt op de tijdslimiet"
    return chosen.reshape(shape), note
