"""Attrition (uitval): how many lack an outcome per arm, is it differential, and Lee bounds.

Differential attrition is tested by regressing a missing-outcome indicator on the arm
dummies (HC2, or cluster-robust) with a joint Wald test that all arms have the attrition of
the control group. Lee (2009) bounds trim the arm with the higher response rate so that both
compare the same latent "always responders"; they assume monotonicity (assignment can only
move people out of, or only into, responding), not random attrition.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.experiments._ols import FloatArray, ols
from bestaanszekerheid.experiments.allocation import balance_table
from bestaanszekerheid.experiments.estimation import design_matrix, estimate_effects
from bestaanszekerheid.experiments.results import AttritionResult, LeeBounds

MISSING = "_uitval"


def _trimmed_mean(values: FloatArray, keep_share: float, lowest: bool) -> float:
    """Mean of the lowest (or highest) ``keep_share`` of ``values``, splitting a boundary unit.

    Fractional weight on the boundary observation makes the trimming exact for discrete
    outcomes (e.g. 0/1), where a quantile cut would move whole blocks of ties.
    """
    v = np.sort(values) if lowest else np.sort(values)[::-1]
    w = keep_share * len(v)
    full = int(np.floor(w + 1e-12))
    frac = w - full
    total = float(v[:full].sum()) + (frac * float(v[full]) if frac > 1e-12 else 0.0)
    return total / w


def lee_bounds_arrays(
    y_arm: FloatArray, n_arm: int, y_control: FloatArray, n_control: int
) -> tuple[float, float, float, str]:
    """Lee bounds from the observed outcomes and the numbers randomised per group.

    Returns (lower, upper, trim share, "arm" or "control" = the group that was trimmed).
    """
    if len(y_arm) == 0 or len(y_control) == 0:
        raise UserFacingError("Lee-grenzen vragen om waargenomen uitkomsten in beide groepen.")
    p_arm = len(y_arm) / n_arm
    p_ctl = len(y_control) / n_control
    if p_arm >= p_ctl:
        q = (p_arm - p_ctl) / p_arm
        m_c = float(np.mean(y_control))
        lower = _trimmed_mean(y_arm, 1 - q, lowest=True) - m_c
        upper = _trimmed_mean(y_arm, 1 - q, lowest=False) - m_c
        return lower, upper, q, "arm"
    q = (p_ctl - p_arm) / p_ctl
    m_t = float(np.mean(y_arm))
    lower = m_t - _trimmed_mean(y_control, 1 - q, lowest=False)
    upper = m_t - _trimmed_mean(y_control, 1 - q, lowest=True)
    return lower, upper, q, "control"


def _joint_p(
    frame: pd.DataFrame,
    codes: npt.NDArray[np.int64],
    n_levels: int,
    strata: Sequence[str],
    cluster: str | None,
    cov_type: str,
) -> float:
    """Joint Wald test: all arm coefficients zero in the attrition regression."""
    z = (
        pd.get_dummies(frame[list(strata)].astype(str), drop_first=True, dtype=float).to_numpy()
        if strata
        else np.zeros((len(frame), 0))
    )
    x = design_matrix(codes, n_levels, z, "additief")
    clusters = np.asarray(pd.factorize(frame[cluster])[0], dtype=np.int64) if cluster else None
    fit = ols(frame[MISSING].to_numpy(), x, cov_type, clusters=clusters)
    k = n_levels - 1
    b = fit.params[1 : k + 1]
    v = fit.cov[1 : k + 1, 1 : k + 1]
    wald = float(b @ np.linalg.pinv(v) @ b)
    return float(stats.f.sf(wald / k, k, fit.df))


def _bootstrap_interval(
    y_arm: FloatArray,
    y_ctl: FloatArray,
    reps: int,
    alpha: float,
    rng: np.random.Generator,
) -> tuple[float | None, float | None]:
    """(1 - alpha) interval around the Lee bounds, resampling within arms (None: no reps)."""
    if reps <= 0:
        return None, None
    draws = np.empty((reps, 2))
    for r in range(reps):
        ya = rng.choice(y_arm, size=len(y_arm))
        yc = rng.choice(y_ctl, size=len(y_ctl))
        ya_obs, yc_obs = ya[~np.isnan(ya)], yc[~np.isnan(yc)]
        if len(ya_obs) == 0 or len(yc_obs) == 0:
            draws[r] = np.nan
            continue
        draws[r, :2] = lee_bounds_arrays(ya_obs, len(ya), yc_obs, len(yc))[:2]
    return (
        float(np.nanquantile(draws[:, 0], alpha / 2)),
        float(np.nanquantile(draws[:, 1], 1 - alpha / 2)),
    )


def _attrition_rates(frame: pd.DataFrame, labels: pd.Series, levels: Sequence[str]) -> pd.DataFrame:
    """Per group: participants, how many lack the outcome, and that share."""
    rates = pd.DataFrame(
        {
            "arm": levels,
            "n": [int((labels == a).sum()) for a in levels],
            "n_missing": [int(frame.loc[labels == a, MISSING].sum()) for a in levels],
        }
    )
    rates["attrition"] = rates["n_missing"] / rates["n"]
    return rates


def _lee_bounds_per_arm(
    y: FloatArray,
    codes: npt.NDArray[np.int64],
    levels: Sequence[str],
    bootstrap_reps: int,
    alpha: float,
    rng: np.random.Generator,
) -> list[LeeBounds]:
    """Lee bounds of every arm against the control group (code 0), with bootstrap intervals
    when ``bootstrap_reps > 0``; the arms draw from ``rng`` in turn."""
    ctl = levels[0]
    y_ctl = y[codes == 0]
    bounds: list[LeeBounds] = []
    for j, a in enumerate(levels[1:], start=1):
        y_arm = y[codes == j]
        lo, hi, q, trimmed = lee_bounds_arrays(
            y_arm[~np.isnan(y_arm)], len(y_arm), y_ctl[~np.isnan(y_ctl)], len(y_ctl)
        )
        ci_low, ci_high = _bootstrap_interval(y_arm, y_ctl, bootstrap_reps, alpha, rng)
        bounds.append(
            LeeBounds(
                arm=a,
                control=ctl,
                lower=lo,
                upper=hi,
                trim_share=q,
                trimmed_group=a if trimmed == "arm" else ctl,
                observed_share_arm=float(np.mean(~np.isnan(y_arm))),
                observed_share_control=float(np.mean(~np.isnan(y_ctl))),
                ci_low=ci_low,
                ci_high=ci_high,
            )
        )
    return bounds


def attrition_analysis(
    data: pd.DataFrame,
    *,
    outcome: str,
    arm: str,
    control: str | None = None,
    strata: Sequence[str] = (),
    cluster: str | None = None,
    covariates: Sequence[str] = (),
    bootstrap_reps: int = 0,
    alpha: float = 0.05,
    seed: int = 0,
) -> AttritionResult:
    """Attrition per arm, a test of differential attrition and Lee bounds for every arm.

    A unit has attrited when ``outcome`` is missing. ``bootstrap_reps > 0`` adds a
    (1 - alpha) confidence interval around the bounds (lower quantile of the lower bound,
    upper quantile of the upper bound; resampling within arms). With ``covariates``, the
    baseline balance among respondents is added: randomisation balanced everyone, so imbalance
    among those who answered points at selective attrition.
    """
    for c in (arm, outcome):
        if c not in data:
            raise UserFacingError(f"Kolom '{c}' ontbreekt in de gegevens.")
    frame = data.loc[data[arm].notna()].copy()
    frame[MISSING] = frame[outcome].isna().astype(float)
    diff = estimate_effects(
        frame,
        outcomes=MISSING,
        arm=arm,
        control=control,
        strata=strata,
        cluster=cluster,
        adjustment="additief" if strata else "geen",
    )
    ctl = diff.effects[0].control
    levels = [ctl, *[e.arm for e in diff.effects]]
    labels = frame[arm].astype(str)
    rates = _attrition_rates(frame, labels, levels)
    codes = np.asarray(pd.Categorical(labels, categories=levels).codes, dtype=np.int64)
    joint_p = _joint_p(frame, codes, len(levels), strata, cluster, diff.cov_type)
    y = np.asarray(frame[outcome].astype(float).to_numpy(), dtype=np.float64)
    bounds = _lee_bounds_per_arm(
        y, codes, levels, bootstrap_reps, alpha, np.random.default_rng(seed)
    )
    respondents = None
    if covariates:
        observed = frame.loc[frame[outcome].notna()]
        respondents = balance_table(observed, arm=arm, covariates=covariates, control=ctl)
    return AttritionResult(
        rates=rates,
        differential=diff.effects,
        joint_p_value=joint_p,
        bounds=tuple(bounds),
        respondent_balance=respondents,
    )
