"""Bivariate residuals: they flag local dependence and agree with a hand computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bestaanszekerheid.segments import LatentClassModel
from bestaanszekerheid.segments.simulate import simulate_households


def test_bvr_flags_a_locally_dependent_pair() -> None:
    sim = simulate_households(3000, shares=(0.6, 0.4), n_categorical=6, n_continuous=1, seed=4)
    frame = sim.frame.copy()
    rng = np.random.default_rng(0)
    # c07 copies c01 in 70% of households: dependent within classes, which a latent class
    # model with local independence cannot capture.
    copy = np.where(rng.random(len(frame)) < 0.7, frame["c01"].astype(float), 1.0)
    frame["c07"] = pd.Categorical(copy)
    model = LatentClassModel(2, n_init=5, random_state=0).fit(frame)
    bvr = model.bivariate_residuals(frame)
    assert len(bvr) == 8 * 7 // 2
    top = bvr.iloc[0]
    assert {top["indicator_1"], top["indicator_2"]} == {"c01", "c07"}
    assert top["bvr"] > 10
    others = bvr[~((bvr["indicator_1"] == "c01") & (bvr["indicator_2"] == "c07"))]
    assert others["bvr"].median() < 2.0  # conditionally independent pairs stay small


def test_bvr_matches_hand_computation(values_data: pd.DataFrame) -> None:
    model = LatentClassModel(2, random_state=0).fit(values_data)
    bvr = model.bivariate_residuals(values_data)
    row = bvr[(bvr["indicator_1"] == "A") & (bvr["indicator_2"] == "B")].iloc[0]
    observed = pd.crosstab(values_data["A"], values_data["B"]).to_numpy()
    pa, pb = model.probabilities_["A"], model.probabilities_["B"]
    expected = len(values_data) * np.einsum("k,ka,kb->ab", model.weights_, pa, pb)
    chi2 = ((observed - expected) ** 2 / expected).sum()
    assert row["chi2"] == pytest.approx(chi2, rel=1e-10)
    assert row["df"] == 1
    assert row["bvr"] == pytest.approx(chi2, rel=1e-10)
