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

    #: Tidy table: variabele, niveau (level or "gemiddelde"), klasse, bch, se, naief.
    profiles: pd.DataFrame
    #: Class composition per level of each categorical variable: variabele, niveau, klasse,
    #: bch (share of the level's households in the class), naief.
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
        w = weights[ok]
        if infer_kind(col) == "continuous":
            z = pd.to_numeric(col[ok]).to_numpy(dtype=float)[:, None]
            est = _means(bch[ok], w, z)
            nai = _means(naive[ok], w, z)
            se = np.std([_means(bch[ok], w * b[ok], z) for b in boot], axis=0, ddof=1)
            for t in range(k):
                profiles.append(
                    (
                        name,
                        "gemiddelde",
                        labels[t],
                        est[0, t],
                        se[0, t] if boot else np.nan,
                        nai[0, t],
                    )
                )
            continue
        values = col[ok].astype(str) if col.dtype == bool else col[ok]
        levels = pd.Index(pd.unique(values)).sort_values()
        onehot = (values.to_numpy()[:, None] == levels.to_numpy()[None, :]).astype(float)
        est = _shares(bch[ok], w, onehot)
        nai = _shares(naive[ok], w, onehot)
        se = (
            np.std([_shares(bch[ok], w * b[ok], onehot) for b in boot], axis=0, ddof=1)
            if boot
            else np.full_like(est, np.nan)
        )
        comp = _composition(bch[ok], w, onehot)
        comp_naive = _composition(naive[ok], w, onehot)
        for a, level in enumerate(levels):
            for t in range(k):
                profiles.append((name, level, labels[t], est[a, t], se[a, t], nai[a, t]))
                composition.append((name, level, labels[t], comp[a, t], comp_naive[a, t]))
    return ThreeStepResult(
        profiles=pd.DataFrame(
            profiles, columns=["variabele", "niveau", "klasse", "bch", "se", "naief"]
        ),
        composition=pd.DataFrame(
            composition, columns=["variabele", "niveau", "klasse", "bch", "naief"]
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
    _, sums = _weighted_sums(bch, w, onehot)
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
