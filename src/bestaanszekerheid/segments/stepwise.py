"""Three-step analysis with BCH correction: describe classes by covariates and outcomes.

Step 1 is the measurement model (:class:`LatentClassModel`). Step 2 assigns every household
to its modal class. Step 3 relates the assigned class to external variables. Assigned
classes are not the true classes (classification error), and a naive step 3 on modal
assignments attenuates every difference between classes. The BCH correction (Bolck, Croon &
Hagenaars 2004; Vermunt 2010; Bakk, Tekle & Vermunt 2013) reweights: with
``D[t, s] = P(assigned s | class t)`` estimated from the posteriors, a household assigned to
``s`` gets weight ``inv(D)[s, t]`` for class ``t``. Weighted sums with these (possibly
negative) weights are unbiased for class-specific sums, so class means, class-specific
distributions and the class composition per group (e.g. per wijk) are unbiased.

Standard errors: nonparametric bootstrap of step 3 (households resampled, the measurement
model and D kept fixed), so the uncertainty of step 1 is not included; they are slightly too
small, as for the usual BCH analysis in Latent GOLD with fixed step-1 estimates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.segments.indicators import FloatArray, infer_kind
from bestaanszekerheid.segments.model import LatentClassModel


@dataclass(frozen=True)
class ThreeStepResult:
    """BCH-corrected description of the classes by external variables."""

    #: Tidy table: variabele, niveau (level or "gemiddelde"), klasse, bch, se, naief, aantal
    #: (the estimated households of the class with the level: bch times the class's total).
    profiles: pd.DataFrame
    #: Class composition per level of each categorical variable: variabele, niveau, klasse,
    #: bch (share of the level's households in the class), naief, aantal (as above).
    composition: pd.DataFrame
    classification_matrix: FloatArray
    bch_weights_inverse: FloatArray


def bch_matrix(posteriors: FloatArray, weights: FloatArray) -> tuple[FloatArray, FloatArray]:
    """D[t, s] = P(modal s | class t) from the posteriors, and its inverse."""
    k = posteriors.shape[1]
    modal = posteriors.argmax(axis=1)
    cross = np.zeros((k, k))
    for s in range(k):
        mask = modal == s
        cross[:, s] = weights[mask] @ posteriors[mask]
    totals = cross.sum(axis=1, keepdims=True)
    d = cross / np.where(totals > 0, totals, 1.0)
    d_inv = np.asarray(np.linalg.pinv(d), dtype=np.float64)
    return d, d_inv


def _weighted_sums(
    bch: FloatArray, weights: FloatArray, values: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Class totals sum_i w_i bch_it and class sums sum_i w_i bch_it v_i (v may be a matrix)."""
    wb = bch * weights[:, None]
    return wb.sum(axis=0), values.T @ wb


def describe_classes(
    model: LatentClassModel,
    X: Any,
    auxiliary: pd.DataFrame,
    *,
    sample_weight: FloatArray | None = None,
    n_bootstrap: int = 200,
    random_state: int = 0,
) -> ThreeStepResult:
    """BCH-corrected class profiles for covariates and distal outcomes.

    ``auxiliary`` holds the external variables (same rows as ``X``): categorical ones (text,
    category, bool, or integer codes with at most 10 values) get a class-specific
    distribution and a class composition per level; numeric ones a class-specific mean.
    Missing values in an auxiliary variable drop only that household for that variable.
    Negative BCH-corrected shares (possible in small classes) are clipped to 0 and the
    distribution renormalised.
    """
    if len(auxiliary) != len(X):
        raise UserFacingError("De hulpvariabelen hebben een ander aantal rijen dan de gegevens.")
    post = model.predict_proba(X)
    n, k = post.shape
    weights = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    d, d_inv = bch_matrix(post, weights)
    modal = post.argmax(axis=1)
    bch = d_inv[modal]  # (n, K): weight of each household for each class
    naive = np.eye(k)[modal]
    labels = model.class_labels()
    rng = np.random.default_rng(random_state)
    boot = [rng.multinomial(n, np.full(n, 1.0 / n)).astype(float) for _ in range(n_bootstrap)]
    profiles, composition = [], []
    for name in auxiliary.columns:
        col = auxiliary[name]
        ok = col.notna().to_numpy()
        # The rows with a value, selected once per variable (not once per replicate).
        complete = bool(ok.all())
        w = weights[ok]
        bch_ok = bch if complete else bch[ok]
        naive_ok = naive if complete else naive[ok]
        boot_w = [w * (b if complete else b[ok]) for b in boot]
        if infer_kind(col) == "continuous":
            z = pd.to_numeric(col[ok]).to_numpy(dtype=float)[:, None]
            est = _means(bch_ok, w, z)
            nai = _means(naive_ok, w, z)
            se = np.std([_means(bch_ok, bw, z) for bw in boot_w], axis=0, ddof=1)
            for t in range(k):
                profiles.append(
                    (
                        name,
                        "gemiddelde",
                        labels[t],
                        est[0, t],
                        se[0, t] if boot else np.nan,
                        nai[0, t],
                        np.nan,
                    )
                )
            continue
        values = col[ok].astype(str) if col.dtype == bool else col[ok]
        levels = pd.Index(pd.unique(values)).sort_values()
        onehot = (values.to_numpy()[:, None] == levels.to_numpy()[None, :]).astype(float)
        est = _shares(bch_ok, w, onehot)
        nai = _shares(naive_ok, w, onehot)
        se = (
            np.std([_shares(bch_ok, bw, onehot) for bw in boot_w], axis=0, ddof=1)
            if boot
            else np.full_like(est, np.nan)
        )
        comp = _composition(bch_ok, w, onehot)
        comp_naive = _composition(naive_ok, w, onehot)
        # The estimated households behind both: a share times its base (class or level).
        counts = np.maximum(onehot.T @ (bch_ok * w[:, None]), 0.0)
        for a, level in enumerate(levels):
            for t in range(k):
                profiles.append(
                    (name, level, labels[t], est[a, t], se[a, t], nai[a, t], counts[a, t])
                )
                composition.append(
                    (name, level, labels[t], comp[a, t], comp_naive[a, t], counts[a, t])
                )
    return ThreeStepResult(
        profiles=pd.DataFrame(
            profiles, columns=["variabele", "niveau", "klasse", "bch", "se", "naief", "aantal"]
        ),
        composition=pd.DataFrame(
            composition, columns=["variabele", "niveau", "klasse", "bch", "naief", "aantal"]
        ),
        classification_matrix=d,
        bch_weights_inverse=d_inv,
    )


def _means(bch: FloatArray, w: FloatArray, z: FloatArray) -> FloatArray:
    totals, sums = _weighted_sums(bch, w, z)
    out: FloatArray = sums / np.where(np.abs(totals) > 0, totals, np.nan)
    return out


def _shares(bch: FloatArray, w: FloatArray, onehot: FloatArray) -> FloatArray:
    """P(level | class), clipped at 0 and renormalised; shape (levels, K)."""
    sums = onehot.T @ (bch * w[:, None])  # the class sums of _weighted_sums (not its totals)
    sums = np.maximum(sums, 0.0)
    total = sums.sum(axis=0, keepdims=True)
    out: FloatArray = sums / np.where(total > 0, total, np.nan)
    return out


def _composition(bch: FloatArray, w: FloatArray, onehot: FloatArray) -> FloatArray:
    """P(class | level), clipped at 0 and renormalised; shape (levels, K)."""
    per_level = np.maximum(onehot.T @ (bch * w[:, None]), 0.0)
    total = per_level.sum(axis=1, keepdims=True)
    out: FloatArray = per_level / np.where(total > 0, total, np.nan)
    return out


@dataclass(frozen=True)
class CovariateEffects:
    """Multinomial logistic regression of class membership on covariates (BCH step 3)."""

    #: variabele, klasse, coefficient, se, z, p_waarde, odds_ratio; reference = klasse 1.
    table: pd.DataFrame
    converged: bool
    n_used: float  # weighted households with complete covariates


def _covariate_design(covariates: pd.DataFrame) -> tuple[FloatArray, list[str], np.ndarray]:
    """Intercept, dummies (first level = reference) and numeric columns; complete rows only."""
    complete = covariates.notna().all(axis=1).to_numpy()
    frame = covariates.loc[complete]
    cols: list[FloatArray] = [np.ones(len(frame))]
    names = ["constante"]
    for name in frame.columns:
        col = frame[name]
        if infer_kind(col) == "continuous":
            cols.append(pd.to_numeric(col).to_numpy(dtype=float))
            names.append(str(name))
            continue
        levels = pd.Index(pd.unique(col.astype(str))).sort_values()
        text = col.astype(str).to_numpy()
        for level in levels[1:]:
            cols.append((text == level).astype(float))
            names.append(f"{name}={level}")
    return np.column_stack(cols), names, complete


def covariate_effects(
    model: LatentClassModel,
    X: Any,
    covariates: pd.DataFrame,
    *,
    sample_weight: FloatArray | None = None,
) -> CovariateEffects:
    """Effects of covariates (wijk, leeftijd, ...) on class membership, BCH-corrected.

    Maximises ``sum_i w_i sum_t bch_it log P(t | z_i)`` over a multinomial logit with the
    largest class as reference (Vermunt 2010; Bakk & Vermunt 2016). Households with a missing
    covariate are left out of this step. Standard errors are robust (sandwich), which
    accounts for the BCH weighting but not for the uncertainty of step 1.
    """
    from scipy.optimize import minimize
    from scipy.special import log_softmax
    from scipy.stats import norm

    if len(covariates) != len(X):
        raise UserFacingError("De covariaten hebben een ander aantal rijen dan de gegevens.")
    post = model.predict_proba(X)
    weights = (
        np.ones(len(post)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    )
    _, d_inv = bch_matrix(post, weights)
    z, names, complete = _covariate_design(covariates)
    bch = d_inv[post.argmax(axis=1)][complete]
    w = weights[complete]
    n_par, k = z.shape[1], post.shape[1]
    # Standardise numeric columns for the optimiser only; coefficients are mapped back.
    scale = np.where(z.std(axis=0) > 0, z.std(axis=0), 1.0)
    scale[0] = 1.0
    zs = z / scale
    wb = bch * w[:, None]
    row_total = wb.sum(axis=1)

    def objective(flat: FloatArray) -> tuple[float, FloatArray]:
        beta = np.hstack([np.zeros((n_par, 1)), flat.reshape(n_par, k - 1)])
        logp = log_softmax(zs @ beta, axis=1)
        value = -float(np.sum(wb * logp))
        resid = wb - np.exp(logp) * row_total[:, None]
        grad = -(zs.T @ resid)[:, 1:]
        return value, grad.ravel()

    res = minimize(objective, np.zeros(n_par * (k - 1)), jac=True, method="L-BFGS-B")
    beta_s = res.x.reshape(n_par, k - 1)
    # Robust (sandwich) covariance on the standardised scale.
    beta_full = np.hstack([np.zeros((n_par, 1)), beta_s])
    p = np.exp(log_softmax(zs @ beta_full, axis=1))[:, 1:]
    dim = n_par * (k - 1)
    hess = np.zeros((dim, dim))
    meat = np.zeros((dim, dim))
    for lo in range(0, len(zs), 65536):
        zc, pc, rt = zs[lo : lo + 65536], p[lo : lo + 65536], row_total[lo : lo + 65536]
        score = (wb[lo : lo + 65536, 1:] - pc * rt[:, None])[:, None, :] * zc[:, :, None]
        score = score.reshape(len(zc), dim)
        meat += score.T @ score
        for a in range(k - 1):
            for b in range(k - 1):
                cov = pc[:, a] * ((a == b) - pc[:, b]) * rt
                hess[a :: k - 1, b :: k - 1] += (zc * cov[:, None]).T @ zc
    bread = np.linalg.pinv(hess)
    se_s = np.sqrt(np.maximum(np.diag(bread @ meat @ bread), 0.0)).reshape(n_par, k - 1)
    beta = beta_s / scale[:, None]
    se = se_s / scale[:, None]
    # Columns were only divided by their spread (not centred), so dividing the coefficients
    # by the same spread gives the original scale; the intercept column was not scaled.
    labels = model.class_labels()
    rows = []
    for j, name in enumerate(names):
        for t in range(1, k):
            coef, s = beta[j, t - 1], se[j, t - 1]
            zval = coef / s if s > 0 else np.nan
            rows.append(
                (name, labels[t], coef, s, zval, float(2 * norm.sf(abs(zval))), float(np.exp(coef)))
            )
    table = pd.DataFrame(
        rows, columns=["variabele", "klasse", "coefficient", "se", "z", "p_waarde", "odds_ratio"]
    )
    return CovariateEffects(table=table, converged=bool(res.success), n_used=float(w.sum()))
