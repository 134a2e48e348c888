"""Bivariate residuals (BVR): the local-independence check Latent GOLD users rely on.

For a pair of indicators the observed two-way table is compared with the table the model
expects: ``E[a, b] = n_ab * sum_k P(k) P(a | k) P(b | k)``, where ``n_ab`` is the weighted
number of households with both indicators observed. The BVR is the Pearson chi-square of
that comparison divided by its degrees of freedom ``(A - 1)(B - 1)``. Values well above
about 3.84 (the 5% critical value of chi-square with 1 df) point to local dependence: the
two indicators are related within classes, so an extra class or a direct effect may be
needed.

Continuous indicators are cut into quintiles of their observed values; the model-implied
probability of each bin in class k comes from the class's normal distribution (CDF
differences). This keeps one definition for every pair type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.special import ndtr
from scipy.stats import chi2

from bestaanszekerheid.segments.indicators import FloatArray, IndicatorSpec, category_codes

if TYPE_CHECKING:
    from bestaanszekerheid.segments.model import LatentClassModel

#: Number of bins for a continuous indicator in the residual tables.
CONTINUOUS_BINS = 5


def _binned(
    model: LatentClassModel, frame: pd.DataFrame
) -> list[tuple[str, npt.NDArray[np.intp], FloatArray]]:
    """Per indicator: name, codes (n_bins = missing) and P(bin | class) with shape (K, bins)."""
    specs: list[IndicatorSpec] = model.indicator_specs_
    cat_codes = iter(category_codes(frame, specs))
    out = []
    c = 0
    for spec in specs:
        if spec.is_categorical:
            out.append((spec.name, next(cat_codes), model.probabilities_[spec.name]))
            continue
        x = pd.to_numeric(frame[spec.name], errors="coerce").to_numpy(dtype=np.float64)
        obs = ~np.isnan(x)
        edges = np.unique(np.quantile(x[obs], np.linspace(0, 1, CONTINUOUS_BINS + 1)[1:-1]))
        n_bins = edges.size + 1
        codes = np.full(x.size, n_bins, dtype=np.intp)
        codes[obs] = np.searchsorted(edges, x[obs], side="right")
        mu = model.means_[:, c][:, None]
        sd = np.sqrt(model.variances_[:, c])[:, None]
        cdf = ndtr((edges[None, :] - mu) / sd)
        bounds = np.hstack([np.zeros((mu.shape[0], 1)), cdf, np.ones((mu.shape[0], 1))])
        out.append((spec.name, codes, np.diff(bounds, axis=1)))
        c += 1
    return out


def bivariate_residuals(
    model: LatentClassModel, frame: pd.DataFrame, sample_weight: FloatArray | None = None
) -> pd.DataFrame:
    """BVR per pair of indicators, sorted from largest to smallest.

    Columns: ``indicator_1``, ``indicator_2``, ``bvr`` (chi-square / df), ``chi2``, ``df``,
    ``p_waarde`` (a rough guide only: the BVR is not exactly chi-square distributed, because
    the parameters were estimated on the same data).
    """
    weights = np.ones(len(frame)) if sample_weight is None else sample_weight
    binned = _binned(model, frame)
    pi = model.weights_
    rows = []
    for i in range(len(binned)):
        name1, codes1, p1 = binned[i]
        n1 = p1.shape[1]
        for j in range(i + 1, len(binned)):
            name2, codes2, p2 = binned[j]
            n2 = p2.shape[1]
            both = (codes1 < n1) & (codes2 < n2)
            observed = np.bincount(
                codes1[both] * n2 + codes2[both], weights=weights[both], minlength=n1 * n2
            ).reshape(n1, n2)
            n_pair = observed.sum()
            expected = n_pair * np.einsum("k,ka,kb->ab", pi, p1, p2)
            df = (n1 - 1) * (n2 - 1)
            ok = expected > 1e-12
            chi_sq = float(np.sum((observed[ok] - expected[ok]) ** 2 / expected[ok]))
            rows.append(
                {
                    "indicator_1": name1,
                    "indicator_2": name2,
                    "bvr": chi_sq / df if df > 0 else np.nan,
                    "chi2": chi_sq,
                    "df": df,
                    "p_waarde": float(chi2.sf(chi_sq, df)) if df > 0 else np.nan,
                }
            )
    table = pd.DataFrame(
        rows, columns=["indicator_1", "indicator_2", "bvr", "chi2", "df", "p_waarde"]
    )
    return table.sort_values("bvr", ascending=False, ignore_index=True)
