"""The attacker's linear programmes: lowest and highest value of a cell over one polyhedron.

Every check asks the same question many times over one fixed set of constraints (the published
figures and what the rules say of hidden cells): how low and how high can this cell be? One
HiGHS model is built once and only its objective changes between questions, so each answer
starts from the previous basis (a few simplex iterations instead of a fresh solve; measured
about 20 times faster than a ``scipy.optimize.linprog`` call per question on the demo run).

The questions are answered with the *primal* simplex method: a new objective leaves the
previous optimal basis primal feasible, so primal simplex continues from it, where the dual
simplex (HiGHS's default) must first repair dual feasibility and in practice started over (on
the run-wide linked check at 112,000 households: hundreds of iterations per question instead
of a handful; docs/decisions/0073).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import highspy
import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csc_matrix, csr_matrix, vstack

FloatArray = NDArray[np.float64]

_BANNER_SHOWN = False
#: HiGHS's ``simplex_strategy`` for :class:`IntervalSolver` (4: primal; see the module
#: docstring). The tests set 1 (dual, HiGHS's default and the choice before 0073) to compare.
SIMPLEX_STRATEGY = 4


@contextmanager
def quiet_native_output() -> Iterator[None]:
    """Send what native code prints on stdout and stderr to the null device meanwhile.

    HiGHS prints a banner when the first solver of a process is made, and its MIP solver
    sometimes a diagnostic line ("HighsMipSolverData::..."), straight to the file
    descriptors: they would end up in the CLI's output. Python's own streams are flushed
    first and are untouched.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        os.dup2(null, 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, null):
            os.close(fd)


def _highs() -> Any:
    """A silent HiGHS instance."""
    global _BANNER_SHOWN
    if _BANNER_SHOWN:
        solver = highspy.Highs()  # type: ignore[no-untyped-call]
    else:
        with quiet_native_output():
            solver = highspy.Highs()  # type: ignore[no-untyped-call]
        _BANNER_SHOWN = True
    solver.setOptionValue("output_flag", False)
    # Presolve costs more than it saves on these small, many-times-solved programmes.
    solver.setOptionValue("presolve", "off")
    return solver


class IntervalSolver:
    """Minimum and maximum of linear objectives over ``{x : row_low <= A x <= row_high,
    col_low <= x <= col_high}`` (``inf`` entries allowed). The set must not be empty: it
    always contains the true table."""

    def __init__(
        self,
        matrix: Any,
        row_low: FloatArray,
        row_high: FloatArray,
        col_low: FloatArray,
        col_high: FloatArray,
    ) -> None:
        a = csc_matrix(matrix, dtype=float)
        self.n_cols = a.shape[1]
        self._solver = _highs()
        inf = self._solver.inf
        lp = highspy.HighsLp()
        lp.num_col_ = a.shape[1]
        lp.num_row_ = a.shape[0]
        lp.col_cost_ = np.zeros(a.shape[1])
        lp.col_lower_ = np.where(np.isfinite(col_low), col_low, -inf)
        lp.col_upper_ = np.where(np.isfinite(col_high), col_high, inf)
        lp.row_lower_ = np.where(np.isfinite(row_low), row_low, -inf)
        lp.row_upper_ = np.where(np.isfinite(row_high), row_high, inf)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = a.indptr.astype(np.int32)
        lp.a_matrix_.index_ = a.indices.astype(np.int32)
        lp.a_matrix_.value_ = a.data.astype(float)
        lp.a_matrix_.num_col_ = a.shape[1]
        lp.a_matrix_.num_row_ = a.shape[0]
        # Primal simplex: see the module docstring (the answers are the same optima).
        self._solver.setOptionValue("simplex_strategy", SIMPLEX_STRATEGY)
        self._solver.passModel(lp)
        self._all = np.arange(a.shape[1], dtype=np.int32)
        self._optimal = False

    def _solve(self, sense: Any) -> float:
        solver = self._solver
        solver.changeObjectiveSense(sense)
        solver.run()
        status = solver.getModelStatus()
        self._optimal = status == highspy.HighsModelStatus.kOptimal
        if self._optimal:
            return float(solver.getInfo().objective_function_value)
        if status in (
            highspy.HighsModelStatus.kUnbounded,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            # The set holds the truth, so it is not empty: the objective is unbounded.
            return float(np.inf if sense == highspy.ObjSense.kMaximize else -np.inf)
        raise RuntimeError(
            "HiGHS failed during disclosure verification: " + solver.modelStatusToString(status)
        )

    def minimum(self, objective: FloatArray) -> float:
        """Lowest value of ``objective @ x``."""
        self._set(objective)
        return self._solve(highspy.ObjSense.kMinimize)

    def maximum(self, objective: FloatArray) -> float:
        """Highest value of ``objective @ x``."""
        self._set(objective)
        return self._solve(highspy.ObjSense.kMaximize)

    def interval(self, objective: FloatArray) -> tuple[float, float]:
        """(minimum, maximum) of ``objective @ x``."""
        return self.minimum(objective), self.maximum(objective)

    def solution(self) -> FloatArray | None:
        """The point where the last question's optimum was reached (None when it was
        unbounded). Only within the solver's tolerances in the set: verify before relying
        on it."""
        if not self._optimal:
            return None
        return np.asarray(self._solver.getSolution().col_value, dtype=float)

    def _set(self, objective: FloatArray) -> None:
        cost = np.asarray(objective, dtype=float).ravel()
        self._solver.changeColsCost(self.n_cols, self._all, cost)


def stack(blocks: list[Any], n_cols: int) -> csr_matrix:
    """Rows of several sparse or dense blocks as one CSR matrix (empty when none)."""
    parts = [csr_matrix(b, dtype=float) for b in blocks if b is not None and b.shape[0]]
    if not parts:
        return csr_matrix((0, n_cols))
    return csr_matrix(vstack(parts))
