"""Least squares with robust covariance matrices (private numerical core).

We implement the sandwich estimators ourselves (rather than calling statsmodels for every fit)
because randomisation inference and Romano-Wolf refit the same design hundreds of times and
CR2 is not in statsmodels. The tests pin every estimator to statsmodels to 1e-8 where
statsmodels has it (classical, HC0-HC3, CR1 = statsmodels' ``cluster``).
"""

from __future__ import annotations

import contextlib
import importlib
from dataclasses import dataclass
from typing import Literal, cast

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]
CovType = Literal["classical", "HC0", "HC1", "HC2", "HC3", "CR0", "CR1", "CR2"]
HC_TYPES: tuple[str, ...] = ("classical", "HC0", "HC1", "HC2", "HC3")
CR_TYPES: tuple[str, ...] = ("CR0", "CR1", "CR2")
# Resampled statistics equal to the observed one up to rounding count as "at least as extreme"
# (the identity permutation must reproduce the observed |t| exactly).
TIE_TOLERANCE = 1e-10


@dataclass(frozen=True)
class OlsFit:
    """Coefficients, covariance matrix and inference of one least-squares fit."""

    params: FloatArray
    cov: FloatArray
    resid: FloatArray
    nobs: int
    rank: int
    df: float  # degrees of freedom of the t reference distribution
    cov_type: str
    n_clusters: int | None
    coef_df: FloatArray | None = None  # per-coefficient df (Bell-McCaffrey for CR2)

    @property
    def df_vector(self) -> FloatArray:
        """Degrees of freedom per coefficient (``df`` unless a per-coefficient value exists)."""
        if self.coef_df is not None:
            return self.coef_df
        return np.full(len(self.params), self.df)

    @property
    def bse(self) -> FloatArray:
        """Standard errors."""
        return np.sqrt(np.clip(np.diag(self.cov), 0.0, None))

    @property
    def tvalues(self) -> FloatArray:
        """t statistics for H0: coefficient = 0."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(self.params / self.bse, dtype=np.float64)

    @property
    def pvalues(self) -> FloatArray:
        """Two-sided p-values from the t distribution with ``df`` degrees of freedom."""
        return np.asarray(2.0 * stats.t.sf(np.abs(self.tvalues), self.df_vector), dtype=np.float64)

    def conf_int(self, alpha: float = 0.05) -> FloatArray:
        """Confidence intervals (columns: lower, upper)."""
        q = np.asarray(stats.t.ppf(1.0 - alpha / 2.0, self.df_vector), dtype=np.float64)
        return np.column_stack([self.params - q * self.bse, self.params + q * self.bse])


def blas_single_thread() -> contextlib.AbstractContextManager[object]:
    """Limit BLAS to one thread while refitting many small models.

    Multi-threaded LAPACK QR on a 780 x 30 matrix was 30x slower than single-threaded on a busy
    two-core machine. threadpoolctl comes with scikit-learn (a runtime dependency); without it
    this is a no-op.
    """
    try:
        module = importlib.import_module("threadpoolctl")
    except ImportError:  # pragma: no cover - scikit-learn always brings it
        return contextlib.nullcontext()
    return cast(
        contextlib.AbstractContextManager[object],
        module.threadpool_limits(limits=1, user_api="blas"),
    )


class SingularDesignError(ValueError):
    """The design matrix does not have full column rank."""


def ols(
    y: FloatArray,
    x: FloatArray,
    cov_type: str = "HC2",
    clusters: npt.NDArray[np.int64] | None = None,
    weights: FloatArray | None = None,
    extra_rank: int = 0,
) -> OlsFit:
    """Fit (weighted) least squares and a sandwich covariance.

    ``extra_rank`` adds parameters that were partialled out beforehand (for example unit fixed
    effects removed by the within transformation), so degrees-of-freedom corrections equal
    those of the full dummy-variable regression.
    """
    n, k = x.shape
    if weights is not None:
        sw = np.sqrt(weights)
        xw = x * sw[:, None]
        yw = y * sw
    else:
        xw, yw = x, y
    # QR keeps the fit stable with many dummies; rank deficiency is a user error we report.
    q, r = np.linalg.qr(xw)
    diag = np.abs(np.diag(r))
    if k == 0 or diag.min() <= 1e-10 * max(diag.max(), 1.0):
        raise SingularDesignError("design matrix is rank deficient")
    params = np.linalg.solve(r, q.T @ yw)
    resid_w = yw - xw @ params
    r_inv = np.linalg.solve(r, np.eye(k))
    bread = r_inv @ r_inv.T  # (X'WX)^-1
    kk = k + extra_rank
    df_resid = float(n - kk)
    resid = y - x @ params

    if cov_type == "classical":
        cov = bread * float(resid_w @ resid_w) / df_resid
        return OlsFit(params, cov, resid, n, kk, df_resid, cov_type, None)

    if cov_type in HC_TYPES:
        u2 = resid_w**2
        if cov_type in ("HC2", "HC3"):
            lev = np.einsum("ij,ij->i", q, q)  # diagonal of the hat matrix
            u2 = u2 / (1.0 - lev) if cov_type == "HC2" else u2 / (1.0 - lev) ** 2
        meat = (xw * u2[:, None]).T @ xw
        cov = bread @ meat @ bread
        if cov_type == "HC1":
            cov = cov * n / df_resid
        return OlsFit(params, cov, resid, n, kk, df_resid, cov_type, None)

    if cov_type not in CR_TYPES:
        raise ValueError(f"unknown cov_type {cov_type!r}")
    if clusters is None:
        raise ValueError("cluster-robust covariance needs cluster labels")
    cov, n_g, coef_df = _cluster_robust(q, xw, resid_w, bread, clusters, cov_type, df_resid)
    return OlsFit(params, cov, resid, n, kk, float(n_g - 1), cov_type, n_g, coef_df)


def _cluster_robust(
    q: FloatArray,
    xw: FloatArray,
    resid_w: FloatArray,
    bread: FloatArray,
    clusters: npt.NDArray[np.int64],
    cov_type: str,
    df_resid: float,
) -> tuple[FloatArray, int, FloatArray | None]:
    """CR0/CR1/CR2 covariance from the (weighted) fit's QR factor ``q`` and its ``bread``.

    Returns the covariance, the number of clusters and, for CR2, the Bell-McCaffrey degrees of
    freedom per coefficient.
    """
    n, k = xw.shape
    order = np.argsort(clusters, kind="stable")
    cs = clusters[order]
    bounds = np.flatnonzero(np.diff(cs)) + 1
    groups = np.split(order, bounds)
    n_g = len(groups)
    scores = np.zeros((n_g, k))
    # For Bell-McCaffrey degrees of freedom (CR2): per cluster, a_s = column sums of squares of
    # P_s = A_s X_s (X'X)^-1 and W_s = Q_s' P_s (see _bell_mccaffrey_df).
    sq_p = np.zeros((n_g, k))
    w_all = np.zeros((n_g, k, k))
    for gi, idx in enumerate(groups):
        e_g = resid_w[idx]
        x_g = xw[idx]
        if cov_type == "CR2":
            # Bell-McCaffrey: e_g is rescaled by (I - H_gg)^(-1/2) with H_gg = Q_g Q_g'. Via the
            # thin SVD Q_g = U S V' this is I + U ((1 - S^2)^(-1/2) - 1) U', O(n_g k^2) instead
            # of O(n_g^3); a zero eigenvalue (leverage 1) gets the pseudo-inverse, as in estimatr.
            u, sv, _ = np.linalg.svd(q[idx], full_matrices=False)
            gap = 1.0 - sv**2
            factor = np.where(gap > 1e-12, 1.0 / np.sqrt(np.where(gap > 1e-12, gap, 1.0)), 0.0)
            e_g = e_g + u @ ((factor - 1.0) * (u.T @ e_g))
            p_g = (x_g + u @ ((factor - 1.0)[:, None] * (u.T @ x_g))) @ bread
            sq_p[gi] = (p_g**2).sum(axis=0)
            w_all[gi] = q[idx].T @ p_g
        scores[gi] = x_g.T @ e_g
    meat = scores.T @ scores
    cov = bread @ meat @ bread
    if cov_type == "CR1":
        # Same small-sample factor as statsmodels' cov_type="cluster" and Stata.
        cov = cov * (n_g / (n_g - 1.0)) * ((n - 1.0) / df_resid)
    coef_df = _bell_mccaffrey_df(sq_p, w_all) if cov_type == "CR2" else None
    return cov, n_g, coef_df


def _bell_mccaffrey_df(sq_p: FloatArray, w_all: FloatArray) -> FloatArray:
    """Bell-McCaffrey (2002) degrees of freedom for each coefficient, working model Omega = I.

    For contrast e_j, G has one column per cluster s: G_s = (I - H)[:, s] A_s X_s (X'X)^-1 e_j,
    and df = tr(G'G)^2 / ||G'G||_F^2. With Q'Q = I, G'G = diag(a) - W W' where a_s is the sum
    of squares of the cluster's part of the contrast and W_s = Q_s' (...) (as in Imbens and
    Kolesar's dfadjust), so no n x n matrix is ever formed.
    """
    k = sq_p.shape[1]
    out = np.empty(k)
    for j in range(k):
        a = sq_p[:, j]
        w = w_all[:, :, j]
        ww = (w**2).sum(axis=1)
        num = (a.sum() - ww.sum()) ** 2
        den = (a**2).sum() - 2.0 * (a * ww).sum() + float(((w.T @ w) ** 2).sum())
        out[j] = num / den if den > 0 else np.nan
    return out


def stepdown_max_t(t_obs: FloatArray, t_null: FloatArray) -> FloatArray:
    """Romano-Wolf stepdown adjusted p-values.

    ``t_obs`` has the S observed statistics, ``t_null`` is (B x S) with statistics drawn under
    the null (centred bootstrap or permutation). Uses the (count + 1) / (B + 1) convention.
    """
    t_abs = np.abs(t_obs)
    null_abs = np.abs(t_null)
    n_draws, n_tests = null_abs.shape
    order = np.argsort(-t_abs, kind="stable")
    p_step = np.empty(n_tests)
    for s in range(n_tests):
        remaining = order[s:]
        max_stat = null_abs[:, remaining].max(axis=1)
        hits = np.sum(max_stat >= t_abs[order[s]] * (1 - TIE_TOLERANCE))
        p_step[s] = (hits + 1.0) / (n_draws + 1.0)
    p_step = np.minimum(np.maximum.accumulate(p_step), 1.0)
    out = np.empty(n_tests)
    out[order] = p_step
    return out
