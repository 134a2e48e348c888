"""Difference-in-differences for pilots without randomisation (weaker evidence).

Two-way fixed effects: y_it = a_i + g_t + beta * D_it + e_it, with D_it = 1 when unit i is
treated in period t. Unit effects are removed by the within transformation (exactly the
dummy-variable regression by Frisch-Waugh-Lovell; degrees-of-freedom corrections count the
absorbed dummies, so the numbers equal statsmodels' ``y ~ D + C(unit) + C(time)``). Standard
errors are clustered by unit (CR1) by default. The result is always labelled as weaker
evidence: it rests on parallel trends, which no regression can prove. With staggered
adoption and heterogeneous effects, TWFE can be biased; this module targets the simple
"one group starts at one moment" pilot design.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.experiments._ols import SingularDesignError, ols
from bestaanszekerheid.experiments.results import DidResult, format_p

ALLOWED = ("classical", "HC0", "HC1", "CR0", "CR1")


def _within(frame: pd.DataFrame, unit: str, cols: list[str]) -> np.ndarray:
    values = frame[cols].astype(float)
    return np.asarray(values - values.groupby(frame[unit]).transform("mean"), dtype=float)


def _check_request(
    data: pd.DataFrame, columns: tuple[str, ...], treatment: str, cov_type: str
) -> pd.DataFrame:
    """The complete rows of ``columns`` with the 0/1 treatment as ``_d``; Dutch errors else."""
    for c in columns:
        if c not in data:
            raise UserFacingError(f"Kolom '{c}' ontbreekt in de gegevens.")
    if cov_type not in ALLOWED:
        raise UserFacingError(
            f"Standaardfout '{cov_type}' kan hier niet; kies uit {', '.join(ALLOWED)}."
        )
    frame = data[list(columns)].dropna().copy()
    d = frame[treatment].astype(float)
    if not d.isin([0.0, 1.0]).all():
        raise UserFacingError(f"Kolom '{treatment}' moet 0 of 1 zijn.")
    frame["_d"] = d
    return frame


def _add_period_dummies(frame: pd.DataFrame, time: str) -> tuple[list[object], list[str]]:
    """Add a dummy per period but the first (``_t0``, ...); returns the periods and columns."""
    times = sorted(frame[time].unique())
    tdum = pd.get_dummies(
        pd.Categorical(frame[time], categories=times), drop_first=True, dtype=float
    )
    tdum.index = frame.index
    tcols = [f"_t{i}" for i in range(tdum.shape[1])]
    frame[tcols] = tdum.to_numpy()
    return times, tcols


def _warnings(n_treated: int, pre_p: float | None) -> list[str]:
    """Dutch warnings: too few treated units, or trends that already differed before."""
    warnings = []
    if n_treated < 5:
        which = (
            "is maar 1 behandelde eenheid"
            if n_treated == 1
            else (f"zijn maar {n_treated} behandelde eenheden")
        )
        warnings.append(
            f"Er {which}: de standaardfout en p-waarde zijn dan onbetrouwbaar (meestal te "
            "optimistisch). Lees vooral de grootte van het effect."
        )
    if pre_p is not None and pre_p < 0.1:
        warnings.append(
            "Vóór de start liepen de trends van de groepen al uiteen (p = "
            f"{format_p(pre_p)}); de aanname van parallelle trends is twijfelachtig."
        )
    return warnings


def difference_in_differences(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    treatment: str,
    cov_type: str = "CR1",
    alpha: float = 0.05,
) -> DidResult:
    """Two-way fixed-effects difference-in-differences estimate, labelled as weaker evidence.

    ``treatment`` is a 0/1 column that is 1 for treated units in treated periods; ``time``
    must sort chronologically (numbers or dates, not labels like "Q4 2010"). Also
    reports a pre-trend test (treated-group x period interactions before the start, joint
    Wald test) when there are at least two pre-periods.
    """
    frame = _check_request(data, (outcome, unit, time, treatment), treatment, cov_type)
    times, tcols = _add_period_dummies(frame, time)
    n_units = int(frame[unit].nunique())
    cov = "CR1" if cov_type == "CR1" else cov_type
    clusters = np.asarray(pd.factorize(frame[unit])[0], dtype=np.int64)
    yw = _within(frame, unit, [outcome])[:, 0]
    xw = _within(frame, unit, ["_d", *tcols])
    try:
        fit = ols(
            yw, xw, cov, clusters=clusters if cov.startswith("CR") else None, extra_rank=n_units
        )
    except SingularDesignError as exc:
        raise UserFacingError(
            "Het verschil-in-verschillenmodel is niet te schatten: de behandeling valt samen "
            "met de eenheden of de perioden (is er een vergelijkingsgroep en een voormeting?)."
        ) from exc
    ci = fit.conf_int(alpha)
    ever = frame.groupby(unit)["_d"].transform("max")
    n_treated = int(frame.loc[ever > 0, unit].nunique())
    pre_p = _pre_trend(frame, outcome, unit, time, times, ever, cov)
    return DidResult(
        outcome=outcome,
        estimate=float(fit.params[0]),
        std_error=float(fit.bse[0]),
        df=fit.df,
        p_value=float(fit.pvalues[0]),
        ci_low=float(ci[0, 0]),
        ci_high=float(ci[0, 1]),
        n_obs=fit.nobs,
        n_units=n_units,
        n_treated_units=n_treated,
        n_periods=len(times),
        cov_type=cov,
        pre_trend_p_value=pre_p,
        warnings=tuple(_warnings(n_treated, pre_p)),
    )


def _pre_trend(
    frame: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    times: list[object],
    ever: pd.Series,
    cov_type: str,
) -> float | None:
    """Joint test of treated-group x period terms before the first treated period."""
    treated_times = frame.loc[frame["_d"] > 0, time]
    if treated_times.empty:
        return None
    start = min(treated_times)
    pre_times = [t for t in times if t < start]
    if len(pre_times) < 2:
        return None
    pre = frame.loc[frame[time].isin(pre_times)].copy()
    pre_ever = ever.loc[pre.index]
    cols = []
    for i, t in enumerate(pre_times[1:]):
        pre[f"_t{i}"] = (pre[time] == t).astype(float)
        pre[f"_g{i}"] = pre[f"_t{i}"] * pre_ever
        cols.append(f"_g{i}")
    tcols = [f"_t{i}" for i in range(len(pre_times) - 1)]
    n_units = int(pre[unit].nunique())
    clusters = np.asarray(pd.factorize(pre[unit])[0], dtype=np.int64)
    try:
        fit = ols(
            _within(pre, unit, [outcome])[:, 0],
            _within(pre, unit, [*cols, *tcols]),
            cov_type,
            clusters=clusters if cov_type.startswith("CR") else None,
            extra_rank=n_units,
        )
    except SingularDesignError:
        return None
    m = len(cols)
    b = fit.params[:m]
    v = fit.cov[:m, :m]
    wald = float(b @ np.linalg.pinv(v) @ b)
    return float(stats.f.sf(wald / m, m, fit.df))
