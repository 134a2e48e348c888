"""Agreement with StepMix 3 (dev dependency) on the same data: log-likelihood and parameters."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from bestaanszekerheid.segments import LatentClassModel
from bestaanszekerheid.segments.simulate import simulate_households

stepmix = pytest.importorskip("stepmix")
StepMix = stepmix.StepMix


def _codes(frame: pd.DataFrame) -> np.ndarray:
    """Integer codes 0..L-1 with NaN for missing, the input StepMix expects."""
    cols = []
    for c in frame.columns:
        codes = frame[c].cat.codes.to_numpy().astype(float)
        codes[codes < 0] = np.nan
        cols.append(codes)
    return np.column_stack(cols)


def _best_permutation(ours: np.ndarray, theirs: np.ndarray) -> tuple[int, ...]:
    """Class order of StepMix that matches ours best (K! is small here)."""
    k = ours.shape[0]
    perms = itertools.permutations(range(k))
    return min(perms, key=lambda p: float(np.abs(ours - theirs[list(p)]).sum()))


def _fit_stepmix(x: np.ndarray, k: int, measurement: object) -> object:
    model = StepMix(
        n_components=k,
        measurement=measurement,
        n_init=10,
        abs_tol=1e-12,
        max_iter=5000,
        random_state=0,
        verbose=0,
        progress_bar=0,
    )
    model.fit(x)
    return model


@pytest.mark.parametrize(("name", "k"), [("values", 2), ("carcinoma", 3)])
def test_categorical_matches_stepmix(name: str, k: int, request: pytest.FixtureRequest) -> None:
    data: pd.DataFrame = request.getfixturevalue(f"{name}_data")
    x = _codes(data)
    theirs = _fit_stepmix(x, k, "categorical_nan")
    ours = LatentClassModel(k, n_init=10, tol=1e-12, max_iter=5000, random_state=0).fit(data)
    their_ll = float(theirs.score(x)) * len(x)  # type: ignore[attr-defined]
    assert ours.loglik_ == pytest.approx(their_ll, rel=1e-6)
    params = theirs.get_parameters()  # type: ignore[attr-defined]
    pis = params["measurement"]["pis"]  # (K, n_items * max_levels)
    n_levels = pis.shape[1] // x.shape[1]
    ours_p = np.hstack([ours.probabilities_[c] for c in data.columns])
    theirs_p = np.hstack(
        [
            pis[:, j * n_levels : j * n_levels + data[c].cat.categories.size]
            for j, c in enumerate(data.columns)
        ]
    )
    perm = list(_best_permutation(ours_p, theirs_p))
    np.testing.assert_allclose(ours.weights_, params["weights"][perm], atol=1e-4)
    np.testing.assert_allclose(ours_p, theirs_p[perm], atol=1e-4)


@pytest.mark.slow
def test_mixed_indicators_match_stepmix() -> None:
    sim = simulate_households(
        1500, shares=(0.5, 0.3, 0.2), n_categorical=5, n_continuous=2, seed=21
    )
    frame = sim.frame
    cat_cols = [c for c in frame.columns if c.startswith("c")]
    num_cols = [c for c in frame.columns if c.startswith("x")]
    x = np.hstack([_codes(frame[cat_cols]), frame[num_cols].to_numpy()])
    measurement = {
        "cat": {"model": "categorical_nan", "n_columns": len(cat_cols)},
        "num": {"model": "gaussian_diag_nan", "n_columns": len(num_cols)},
    }
    theirs = _fit_stepmix(x, 3, measurement)
    ours = LatentClassModel(3, n_init=10, tol=1e-12, max_iter=5000, random_state=0).fit(frame)
    their_ll = float(theirs.score(x)) * len(x)  # type: ignore[attr-defined]
    assert ours.loglik_ == pytest.approx(their_ll, rel=1e-6)
    params = theirs.get_parameters()["measurement"]  # type: ignore[attr-defined]
    perm = list(_best_permutation(ours.means_, params["num"]["means"]))
    np.testing.assert_allclose(ours.means_, params["num"]["means"][perm], atol=1e-3)
    np.testing.assert_allclose(ours.variances_, params["num"]["covariances"][perm], atol=1e-3)
