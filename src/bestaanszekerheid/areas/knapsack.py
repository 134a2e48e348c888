"""The solvers behind the outreach plan (:mod:`.outreach`): choosing whole buurten within a
budget of doors is a 0/1 knapsack.

- :func:`naive`: the ranked list as a team uses it: buurten by share, highest first; one that
  no longer fits is skipped and the list goes on with the next;
- :func:`exact`: the knapsack's optimum (most expected reach within the budget, then fewest
  doors), through a bound-based reduction and ``scipy.optimize.milp`` (ADR 0070).

Both work on a :class:`Problem`: the buurten with doors and expected reach, their figures in
solver units (:class:`Scaled`) and their share order. Nothing here reads or writes a table for
readers; :mod:`.outreach` checks the input and builds the plans.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, milp

from bestaanszekerheid.disclosure.lp import quiet_native_output

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]

# Published figures have a few decimals at most; up to this many they are solved as integers
# (exact sums and exact budget checks), beyond it as plain floats with tolerances.
_MAX_DECIMALS = 6
# Sums of scaled figures stay exactly representable in a float64 below this.
_MAX_EXACT_SUM = 2.0**52
# Size of the first trial core (see exact); it grows fourfold while the bound still leaves
# more buurten open than the trial held.
_FIRST_CORE = 64
_CORE_GROWTH = 4


@dataclass(frozen=True)
class Scaled:
    """Figures in solver units: whole numbers divided by their greatest common divisor when
    they have at most _MAX_DECIMALS decimals (counts rounded to 5 become multiples of 1:
    HiGHS solves small whole coefficients markedly faster), the figures themselves otherwise.

    A published value is ``solver value * divisor / factor``.
    """

    values: FloatArray
    factor: float
    divisor: float
    integral: bool

    def budget(self, budget: float) -> float:
        """A budget in solver units; whole units only when the figures are whole."""
        scaled = budget * self.factor / self.divisor
        if not self.integral:
            return scaled
        # The tolerance keeps a budget typed as 1000 but computed as 999.9999999 at 1000.
        return float(math.floor(scaled + 1e-9 * max(1.0, scaled)))

    def published(self, values: FloatArray) -> FloatArray:
        """Solver values (or sums of them) in published units; exact decimals when whole."""
        out: FloatArray = values * self.divisor / self.factor
        return out

    def total(self, chosen: BoolArray) -> float:
        """The published-unit sum of the chosen figures."""
        return float(self.published(np.array([self.values[chosen].sum()]))[0])

    def tolerance(self) -> float:
        """How far a sum may miss in solver units (none for integers, float noise otherwise)."""
        return 0.0 if self.integral else 1e-9 * max(1.0, float(self.values.sum()))


def scale(values: FloatArray) -> Scaled:
    """``values`` in solver units (see :class:`Scaled`)."""
    for decimals in range(_MAX_DECIMALS + 1):
        factor = 10.0**decimals
        scaled = values * factor
        whole = np.round(scaled)
        if np.all(np.abs(scaled - whole) <= 1e-6) and float(whole.sum()) < _MAX_EXACT_SUM:
            divisor = float(np.gcd.reduce(whole.astype(np.int64))) if whole.size else 1.0
            divisor = divisor or 1.0  # all zeros
            return Scaled(whole / divisor, factor, divisor, True)
    return Scaled(values.astype(np.float64), 1.0, 1.0, False)


@dataclass(frozen=True)
class Problem:
    """The buurten a plan can choose from, sorted by code, with their share order."""

    #: The buurten (index: code; columns name, wijk_code, doors, reach), sorted by code.
    frame: pd.DataFrame
    doors: Scaled
    reach: Scaled
    #: Positions in visiting order: share (reach / doors) highest first, then fewer doors,
    #: then code, so that equal shares never depend on the input's row order.
    order: IntArray


def problem(planned: pd.DataFrame) -> Problem:
    """The problem over ``planned`` (buurten with both figures published, sorted by code)."""
    # A buurt without doors cannot be visited and one without expected reach only costs
    # doors: neither plan ever takes one, so they stay out of the solver (not out of the totals).
    useful = planned[(planned["doors"] > 0) & (planned["reach"] > 0)]
    doors = scale(useful["doors"].to_numpy(dtype=float))
    reach = scale(useful["reach"].to_numpy(dtype=float))
    share = useful["reach"].to_numpy(dtype=float) / useful["doors"].to_numpy(dtype=float)
    position = np.arange(len(useful))
    order = np.lexsort((position, doors.values, -share)).astype(np.intp)
    return Problem(useful, doors, reach, order)


def naive(problem: Problem, budget: float) -> BoolArray:
    """Highest share first, skipping what does not fit: down the list in share order, a buurt
    that no longer fits in what is left of ``budget`` (solver units) is skipped and the list
    goes on with the next.

    That is how a ranked list is used in practice: a team that cannot afford the next buurt
    on the list visits the next one it can still afford. It is also the exact solver's first
    lower bound, so the exact plan never reaches less.
    """
    chosen = np.zeros(len(problem.order), dtype=bool)
    left = budget
    for i in problem.order:
        if problem.doors.values[i] <= left:
            chosen[i] = True
            left -= problem.doors.values[i]
    return chosen


def _milp(
    objective: FloatArray,
    rows: FloatArray,
    lower: FloatArray,
    upper: FloatArray,
) -> BoolArray:
    """``min objective @ x`` over 0/1 ``x`` with ``lower <= rows @ x <= upper``, to optimality."""
    with quiet_native_output():
        result = milp(
            objective,
            integrality=np.ones(objective.size),
            bounds=Bounds(0, 1),
            constraints=LinearConstraint(rows, lower, upper),
            # mip_rel_gap 0: the default (1e-4) would stop at a plan up to 0.01% short.
            options={"disp": False, "presolve": True, "mip_rel_gap": 0.0},
        )
    if result.status != 0 or result.x is None:
        raise RuntimeError(f"HiGHS found no proven optimum for the outreach plan: {result.message}")
    chosen: BoolArray = np.asarray(result.x) > 0.5
    return chosen


def _solve_core(
    problem: Problem, budget: float, core: BoolArray, fixed: BoolArray, *, fewest: bool
) -> BoolArray:
    """The best plan that agrees with ``fixed`` outside ``core``.

    ``fewest``: among the plans with the core's best reach, the one with the fewest doors
    (a second solve with that reach as a floor).
    """
    doors, reach = problem.doors.values, problem.reach.values
    outside = fixed & ~core
    left = budget - float(doors[outside].sum())
    idx = np.flatnonzero(core)
    chosen = outside.copy()
    if idx.size == 0:
        return chosen
    d, r = doors[idx], reach[idx]
    best = _milp(-r, d[None, :], np.array([-np.inf]), np.array([left]))
    if fewest:
        best_reach = float(r[best].sum())
        # Integers: a floor half a unit below the best is the best itself. Floats: noise only.
        slack = 0.5 if problem.reach.integral else problem.reach.tolerance()
        fewer = _milp(
            d,
            np.vstack([d, r]),
            np.array([-np.inf, best_reach - slack]),
            np.array([left, np.inf]),
        )
        # HiGHS's own tolerances could in principle trade a hair of reach for doors; only
        # a plan with the same reach counts as a tie.
        if float(r[fewer].sum()) >= best_reach - problem.reach.tolerance() and float(
            d[fewer].sum()
        ) <= float(d[best].sum()):
            best = fewer
    chosen[idx[best]] = True
    return chosen


def exact(problem: Problem, budget: float, *, fewest: bool = True) -> BoolArray:
    """The 0/1 knapsack's optimum: most reach within ``budget`` doors (solver units), then
    (``fewest``) fewest doors.

    milp over every buurt is exact but slow at national scale (7 s to over a minute for 14,000
    buurten, benchmarks/outreach.py), so a classic reduction comes first (reduced-cost fixing
    against the LP bound; Ingargiola and Korsh 1973, Dembo and Hammer 1980). Let ``lam`` be
    the share of the first buurt in share order that no longer fits, ``rc_i = reach_i - lam *
    doors_i`` and ``bound = lam * budget + sum of the positive rc_i`` (the LP relaxation's
    value). Because ``lam * doors(x) <= lam * budget``, every plan ``x`` reaches at most
    ``bound`` minus ``|rc_i|`` for each buurt where it differs from "every buurt with
    rc_i > 0". A plan that reaches at least ``L`` (the reach of a known plan) therefore differs
    from that only where ``|rc_i| <= bound - L``; every other buurt is fixed and milp decides
    the open ones. ``L`` starts at the :func:`naive` list and improves on trial cores (the 64,
    256, ... buurten nearest the boundary, the others as in the best plan so far) until the
    open set is no larger than the last trial. The optimum and every plan with its reach lie
    inside the open set, so the tie-break solve there is exact too. The result never reaches
    less than :func:`naive` for the same budget.
    """
    doors, reach = problem.doors.values, problem.reach.values
    n = doors.size
    everything = np.ones(n, dtype=bool)
    if float(doors.sum()) <= budget:
        return everything
    in_order = np.cumsum(doors[problem.order])
    critical = problem.order[int(np.searchsorted(in_order, budget, side="right"))]
    lam = float(reach[critical] / doors[critical])
    rc = reach - lam * doors
    bound = lam * budget + float(np.maximum(rc, 0).sum())
    noise = 1e-9 * max(1.0, abs(bound))
    best = naive(problem, budget)
    value = float(reach[best].sum())
    nearest = np.lexsort((np.arange(n), np.abs(rc)))
    size = _FIRST_CORE
    while True:
        open_ = np.abs(rc) <= bound - value + noise
        if int(open_.sum()) <= size or size >= n:
            break
        trial = np.zeros(n, dtype=bool)
        trial[nearest[:size]] = True
        better = _solve_core(problem, budget, trial, best, fewest=False)
        if float(reach[better].sum()) > value:
            best, value = better, float(reach[better].sum())
        size *= _CORE_GROWTH
    chosen = _solve_core(problem, budget, open_, rc > 0, fewest=fewest)
    if float(doors[chosen].sum()) > budget + problem.doors.tolerance():
        raise RuntimeError("the outreach plan exceeds its budget (solver tolerance)")
    # Proven optimal, so never below the best known plan; with float figures HiGHS's
    # tolerances could in principle miss by a hair, and the plan must never reach less than
    # the naive list it is shown beside.
    return chosen if float(reach[chosen].sum()) >= value else best
