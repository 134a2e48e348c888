"""Effects per latent group (profiel), using posterior class probabilities.

Instead of assigning each person to their most likely class (which attenuates differences
when classes overlap) we fit one regression in which every term is weighted by the posterior
probabilities p_ic:

    y_i = sum_c p_ic * (alpha_c + sum_j tau_jc * D_ij) + e_i

Under the usual latent-class assumption that, given the class, the outcome does not depend on
the indicators that produced the posteriors, E[y | D, indicators] is exactly this mixture, so
tau_jc is the effect of arm j in class c. With 0/1 posteriors it reduces to per-class
differences in means. Standard errors are HC2 (or cluster-robust) and treat the posteriors
as known; they ignore the uncertainty of the latent-class model itself. The latent classes
must be estimated from baseline information only (never from outcomes).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.experiments._ols import OlsFit, SingularDesignError, ols
from bestaanszekerheid.experiments.corrections import holm
from bestaanszekerheid.experiments.results import ClassEffectResult
from bestaanszekerheid.formatting import fmt_num


def _aligned_posteriors(
    data: pd.DataFrame, posteriors: pd.DataFrame | npt.NDArray[np.float64]
) -> pd.DataFrame:
    """The class probabilities as floats in the row order of ``data``, checked (Dutch errors):
    at least two classes, one row per data row, no empty or negative value, rows sum to 1."""
    if isinstance(posteriors, np.ndarray):
        # e.g. LatentClassModel.predict_proba(X): rows in the order of ``data``.
        if posteriors.ndim != 2 or len(posteriors) != len(data):
            raise UserFacingError(
                f"De profielkansen hebben {len(posteriors)} rijen, de gegevens {len(data)}."
            )
        posteriors = pd.DataFrame(
            posteriors,
            index=data.index,
            columns=[f"profiel {i + 1}" for i in range(posteriors.shape[1])],
        )
    if posteriors.shape[1] < 2:
        raise UserFacingError(
            "Geef de kansen voor minstens twee profielen (één kolom per profiel)."
        )
    if not posteriors.index.equals(data.index):
        missing = data.index.difference(posteriors.index)
        if len(missing):
            raise UserFacingError(
                f"Voor rij {missing[0]!r} van de gegevens ontbreken de profielkansen."
            )
        posteriors = posteriors.loc[data.index]
    post = posteriors.astype(float)
    if post.isna().any().any() or (post.to_numpy() < -1e-9).any():
        raise UserFacingError("Profielkansen mogen niet leeg of negatief zijn.")
    sums = post.sum(axis=1)
    if ((sums - 1.0).abs() > 1e-6).any():
        bad = sums.index[((sums - 1.0).abs() > 1e-6).to_numpy()][0]
        raise UserFacingError(
            f"De profielkansen in rij {bad!r} tellen op tot {fmt_num(sums[bad], 4)} "
            "in plaats van 1."
        )
    return post


def _class_effect_rows(
    fit: OlsFit,
    levels: list[str],
    names: list[str],
    p: npt.NDArray[np.float64],
    codes: npt.NDArray[np.int64],
    alpha: float,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Per arm and class the effect, and per arm the Wald test of equal effects."""
    n_c = p.shape[1]
    k = len(levels) - 1
    n_params = n_c * (k + 1)
    ci = fit.conf_int(alpha)
    # Bonferroni over the k x C tests of this result: consistent with their Holm decisions.
    ci_adjusted = fit.conf_int(alpha / (k * n_c))
    rows = []
    het_rows = []
    for j in range(k):
        base = n_c + j * n_c
        for c in range(n_c):
            pos = base + c
            rows.append(
                {
                    "arm": levels[j + 1],
                    "latent_class": names[c],
                    "estimate": float(fit.params[pos]),
                    "std_error": float(fit.bse[pos]),
                    "ci_low": float(ci[pos, 0]),
                    "ci_high": float(ci[pos, 1]),
                    "p_value": float(fit.pvalues[pos]),
                    "ci_low_adjusted": float(ci_adjusted[pos, 0]),
                    "ci_high_adjusted": float(ci_adjusted[pos, 1]),
                    "expected_n_arm": float(p[codes == j + 1, c].sum()),
                    "expected_n_control": float(p[codes == 0, c].sum()),
                }
            )
        # H0: tau_j1 = tau_j2 = ... = tau_jC.
        r = np.zeros((n_c - 1, n_params))
        for c in range(1, n_c):
            r[c - 1, base] = -1.0
            r[c - 1, base + c] = 1.0
        rb = r @ fit.params
        wald = float(rb @ np.linalg.pinv(r @ fit.cov @ r.T) @ rb)
        het_rows.append(
            {
                "arm": levels[j + 1],
                "wald": wald,
                "df": n_c - 1,
                "p_value": float(stats.f.sf(wald / (n_c - 1), n_c - 1, fit.df)),
            }
        )
    return rows, het_rows


def effects_by_class(
    data: pd.DataFrame,
    posteriors: pd.DataFrame | npt.NDArray[np.float64],
    *,
    outcome: str,
    arm: str,
    control: str | None = None,
    cluster: str | None = None,
    cov_type: str | None = None,
    alpha: float = 0.05,
) -> ClassEffectResult:
    """Effect of every arm in every latent class; ``posteriors`` has one column per class.

    ``posteriors`` is a DataFrame sharing the index of ``data``, or an array in the row order
    of ``data`` (e.g. ``LatentClassModel.predict_proba``); each row must sum to 1. Also
    returns, per arm, a Wald test of the hypothesis that the effect is the same in all classes.
    """
    for col in (arm, outcome, *([cluster] if cluster else [])):
        if col not in data:
            raise UserFacingError(f"Kolom '{col}' ontbreekt in de gegevens.")
    post = _aligned_posteriors(data, posteriors)
    names = [str(name) for name in post.columns]
    keep = data[outcome].notna() & data[arm].notna()
    frame = data.loc[keep]
    p = post.loc[keep].to_numpy()
    labels = frame[arm].astype(str)
    levels_all = sorted(labels.unique())
    ctl = str(control) if control is not None else levels_all[0]
    if ctl not in levels_all:
        raise UserFacingError(f"Controlegroep '{ctl}' komt niet voor in kolom '{arm}'.")
    levels = [ctl, *[lv for lv in levels_all if lv != ctl]]
    codes = np.asarray(pd.Categorical(labels, categories=levels).codes)
    k = len(levels) - 1
    dummies = (codes[:, None] == np.arange(1, k + 1)[None, :]).astype(float)
    # Columns: p_c (class means in control), then D_j * p_c for every arm j and class c.
    x = np.column_stack([p, *[dummies[:, [j]] * p for j in range(k)]])
    cov_type = cov_type or ("CR2" if cluster else "HC2")
    clusters = np.asarray(pd.factorize(frame[cluster])[0], dtype=np.int64) if cluster else None
    try:
        y = np.asarray(frame[outcome].astype(float).to_numpy(), dtype=np.float64)
        fit = ols(y, x, cov_type, clusters=clusters)
    except SingularDesignError as exc:
        raise UserFacingError(
            "Effecten per groep zijn niet te schatten: een groep komt (vrijwel) niet voor "
            "in een van de armen."
        ) from exc
    rows, het_rows = _class_effect_rows(fit, levels, names, p, codes, alpha)
    effects = pd.DataFrame(rows)
    # Holm over every arm x class test of this result (a family of its own: these tests are
    # exploratory and come on top of the main effects).
    position = list(effects.columns).index("p_value") + 1
    effects.insert(position, "p_holm", holm(effects["p_value"].to_numpy()))
    return ClassEffectResult(
        effects=effects,
        heterogeneity=pd.DataFrame(het_rows),
        mean_max_posterior=float(p.max(axis=1).mean()),
        cov_type=cov_type,
        outcome=outcome,
        control=ctl,
        alpha=alpha,
        df=float(np.min(fit.df_vector)),
        family_size=len(effects),
        assignment=pd.Series(np.asarray(names, dtype=object)[p.argmax(axis=1)], index=frame.index),
    )
