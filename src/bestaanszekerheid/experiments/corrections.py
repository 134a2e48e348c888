"""Multiple-testing corrections over a family of arm x outcome tests.

Holm (family-wise error rate), Benjamini-Hochberg (false discovery rate) and Romano-Wolf
(stepdown over resampled t statistics, which uses the tests' dependence). Used by
:func:`~bestaanszekerheid.experiments.estimation.estimate_effects`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bestaanszekerheid.experiments._ols import FloatArray, stepdown_max_t


def holm(pvalues: Sequence[float] | FloatArray) -> FloatArray:
    """Holm (1979) step-down adjusted p-values (controls the family-wise error rate)."""
    p = np.asarray(pvalues, dtype=float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    adj = np.maximum.accumulate(np.minimum(1.0, (m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = adj
    return out


def benjamini_hochberg(pvalues: Sequence[float] | FloatArray) -> FloatArray:
    """Benjamini-Hochberg (1995) adjusted p-values (controls the false discovery rate)."""
    p = np.asarray(pvalues, dtype=float)
    m = len(p)
    order = np.argsort(p, kind="stable")
    raw = p[order] * m / np.arange(1, m + 1)
    adj = np.minimum.accumulate(raw[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adj, 1.0)
    return out


def romano_wolf(t_observed: FloatArray, t_null: FloatArray) -> FloatArray:
    """Romano-Wolf stepdown p-values from observed t statistics and (B x S) null draws."""
    return stepdown_max_t(np.asarray(t_observed, float), np.asarray(t_null, float))
