"""Reproduce published estimates on real data from ``causaldata`` and match statsmodels.

References (see docs/research/disclosure_and_effects.md, part B3):
* NSW experiment (Dehejia & Wahba 1999 sample, ``nsw_mixtape``): effect on 1978 earnings
  1794.34, classical SE 632.85, HC2 SE 670.9965.
* Thornton (2008) HIV-results incentive (``thornton_hiv``): 0.452 on the 2 830 people with
  outcome, incentive and village observed; village-clustered.
* Organ donation (``organ_donations``, The Effect ch. 18): TWFE DiD -0.0225, California
  treated from 2011 Q3 (Quarter_Num > 3).
"""

from __future__ import annotations

import causaldata
import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from bestaanszekerheid.experiments import difference_in_differences, estimate_effects
from bestaanszekerheid.experiments._ols import ols


@pytest.fixture(scope="module")
def nsw() -> pd.DataFrame:
    d = causaldata.nsw_mixtape.load_pandas().data.copy()
    d["groep"] = np.where(d["treat"] == 1, "training", "controle")
    return d


@pytest.fixture(scope="module")
def thornton() -> pd.DataFrame:
    d = causaldata.thornton_hiv.load_pandas().data
    d = d.dropna(subset=["got", "any", "villnum"]).copy()
    d["groep"] = np.where(d["any"] == 1, "prikkel", "geen")
    return d


def test_nsw_published_estimate_and_standard_errors(nsw: pd.DataFrame) -> None:
    hc2 = estimate_effects(nsw, outcomes="re78", arm="groep", control="controle", adjustment="geen")
    classical = estimate_effects(
        nsw,
        outcomes="re78",
        arm="groep",
        control="controle",
        adjustment="geen",
        cov_type="classical",
    )
    e = hc2.effect("training")
    assert e.estimate == pytest.approx(1794.34, abs=0.005)
    assert classical.effect("training").std_error == pytest.approx(632.85, abs=0.005)
    assert e.std_error == pytest.approx(670.9965, abs=5e-5)
    assert (e.n_arm, e.n_control) == (185, 260)


@pytest.mark.parametrize("cov_type", ["classical", "HC0", "HC1", "HC2", "HC3"])
def test_nsw_matches_statsmodels(nsw: pd.DataFrame, cov_type: str) -> None:
    ours = estimate_effects(
        nsw,
        outcomes="re78",
        arm="groep",
        control="controle",
        adjustment="geen",
        cov_type=cov_type,
    ).effect("training")
    kind = "nonrobust" if cov_type == "classical" else cov_type
    ref = smf.ols("re78 ~ treat", nsw).fit(cov_type=kind, use_t=True)
    assert ours.estimate == pytest.approx(ref.params["treat"], rel=1e-10, abs=1e-8)
    assert ours.std_error == pytest.approx(ref.bse["treat"], rel=1e-10, abs=1e-8)
    assert ours.p_value == pytest.approx(ref.pvalues["treat"], rel=1e-8, abs=1e-12)
    lo, hi = ref.conf_int().loc["treat"]
    assert (ours.ci_low, ours.ci_high) == pytest.approx((lo, hi), rel=1e-10, abs=1e-8)


def test_nsw_lin_matches_hand_built_interacted_ols(nsw: pd.DataFrame) -> None:
    covs = ["age", "educ", "black", "re74"]
    ours = estimate_effects(
        nsw, outcomes="re78", arm="groep", control="controle", covariates=covs
    ).effect("training")
    d = nsw.copy()
    for c in ["re78", *covs]:
        d[c] = d[c].astype(float)  # the data ship as float32; compare in double precision
    for c in covs:
        d[c + "_c"] = d[c] - d[c].mean()
    formula = "re78 ~ treat * (" + " + ".join(c + "_c" for c in covs) + ")"
    ref = smf.ols(formula, d).fit(cov_type="HC2")
    assert ours.estimate == pytest.approx(ref.params["treat"], abs=1e-8)
    assert ours.std_error == pytest.approx(ref.bse["treat"], abs=1e-8)
    # Lin's estimate differs from the unadjusted one: the adjustment really happened.
    assert abs(ours.estimate - 1794.34) > 1.0


def test_thornton_incentive_effect_cluster_robust(thornton: pd.DataFrame) -> None:
    assert len(thornton) == 2830
    ours = estimate_effects(
        thornton,
        outcomes="got",
        arm="groep",
        control="geen",
        cluster="villnum",
        adjustment="geen",
        cov_type="CR1",
    ).effect("prikkel")
    assert round(ours.estimate, 3) == 0.452
    ref = smf.ols("got ~ any", thornton).fit(
        cov_type="cluster", cov_kwds={"groups": thornton["villnum"]}, use_t=True
    )
    assert ours.estimate == pytest.approx(ref.params["any"], abs=1e-8)
    assert ours.std_error == pytest.approx(ref.bse["any"], abs=1e-8)
    assert ours.df == ref.df_resid_inference == thornton["villnum"].nunique() - 1
    assert ours.p_value == pytest.approx(ref.pvalues["any"], rel=1e-6)


def test_thornton_cr2_equals_direct_bell_mccaffrey(thornton: pd.DataFrame) -> None:
    """Our O(n_g k^2) CR2 equals the textbook (I - H_gg)^(-1/2) formula computed directly."""
    y = thornton["got"].to_numpy(float)
    x = sm.add_constant(thornton["any"].to_numpy(float))
    groups = pd.factorize(thornton["villnum"])[0]
    fit = ols(y, x, "CR2", clusters=groups.astype(np.int64))
    bread = np.linalg.inv(x.T @ x)
    e = y - x @ fit.params
    meat = np.zeros((2, 2))
    for g in np.unique(groups):
        idx = groups == g
        xg = x[idx]
        h = xg @ bread @ xg.T
        vals, vecs = np.linalg.eigh(np.eye(len(h)) - h)
        a = vecs @ np.diag(1 / np.sqrt(vals)) @ vecs.T
        s = xg.T @ a @ e[idx]
        meat += np.outer(s, s)
    direct = bread @ meat @ bread
    np.testing.assert_allclose(fit.cov, direct, rtol=1e-10, atol=1e-14)
    # CR2 is a genuine small-sample correction: larger than CR0 here.
    cr0 = ols(y, x, "CR0", clusters=groups.astype(np.int64))
    assert fit.bse[1] > cr0.bse[1]


def _direct_bell_mccaffrey_df(x: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Textbook Bell-McCaffrey df with the n x n annihilator matrix (as in dfadjust's tests)."""
    n, k = x.shape
    xxi = np.linalg.inv(x.T @ x)
    m = np.eye(n) - x @ xxi @ x.T
    out = []
    for j in range(k):
        cols = []
        for g in np.unique(groups):
            idx = np.flatnonzero(groups == g)
            xs = x[idx]
            vals, vecs = np.linalg.eigh(np.eye(len(idx)) - xs @ xxi @ xs.T)
            a = vecs @ np.diag(1 / np.sqrt(vals)) @ vecs.T
            cols.append(m[:, idx] @ a @ xs @ xxi @ np.eye(k)[j])
        gg = np.column_stack(cols).T @ np.column_stack(cols)
        out.append(np.trace(gg) ** 2 / np.sum(gg * gg))
    return np.array(out)


@pytest.mark.parametrize("n_clusters", [3, 12])
def test_cr2_bell_mccaffrey_degrees_of_freedom(n_clusters: int) -> None:
    rng = np.random.default_rng(n_clusters)
    n = 100
    groups = (
        np.repeat([0, 1, 2], [60, 20, 20]) if n_clusters == 3 else rng.integers(0, 12, n)
    ).astype(np.int64)
    x = np.column_stack([np.ones(n), np.sin(np.arange(1, n + 1)), rng.normal(size=n)])
    y = rng.normal(size=n) + groups
    fit = ols(y, x, "CR2", clusters=groups)
    np.testing.assert_allclose(fit.df_vector, _direct_bell_mccaffrey_df(x, groups), rtol=1e-9)
    assert (fit.df_vector < n_clusters).all()  # never more than G - 1


def test_bell_mccaffrey_df_for_a_difference_in_means_is_welch_with_equal_variances() -> None:
    """Independent closed form: (1/n0 + 1/n1)^2 / (1/(n0^2 (n0-1)) + 1/(n1^2 (n1-1)))."""
    n0, n1 = 30, 12
    d = np.r_[np.zeros(n0), np.ones(n1)]
    x = np.column_stack([np.ones(n0 + n1), d])
    y = np.random.default_rng(1).normal(size=n0 + n1)
    fit = ols(y, x, "CR2", clusters=np.arange(n0 + n1, dtype=np.int64))
    welch = (1 / n0 + 1 / n1) ** 2 / (1 / (n0**2 * (n0 - 1)) + 1 / (n1**2 * (n1 - 1)))
    assert fit.df_vector[1] == pytest.approx(welch, rel=1e-10)


def test_cr2_with_singleton_clusters_is_hc2() -> None:
    rng = np.random.default_rng(4)
    x = sm.add_constant(rng.normal(size=(60, 2)))
    y = x @ [1.0, 0.5, -0.2] + rng.normal(size=60) * (1 + x[:, 1] ** 2)
    cr2 = ols(y, x, "CR2", clusters=np.arange(60, dtype=np.int64))
    hc2 = ols(y, x, "HC2")
    np.testing.assert_allclose(cr2.cov, hc2.cov, rtol=1e-10)


def test_organ_donation_difference_in_differences() -> None:
    d = causaldata.organ_donations.load_pandas().data.copy()
    d["behandeld"] = ((d["State"] == "California") & (d["Quarter_Num"] > 3)).astype(int)
    res = difference_in_differences(
        d, outcome="Rate", unit="State", time="Quarter_Num", treatment="behandeld"
    )
    assert round(res.estimate, 4) == -0.0225
    ref = smf.ols("Rate ~ behandeld + C(State) + C(Quarter_Num)", d).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(d["State"])[0]}
    )
    assert res.estimate == pytest.approx(ref.params["behandeld"], abs=1e-8)
    assert res.std_error == pytest.approx(ref.bse["behandeld"], abs=1e-8)
    assert (res.n_units, res.n_treated_units, res.n_periods) == (27, 1, 6)
    # Always labelled as weaker evidence, with the one-treated-unit warning.
    text = res.summary().text
    assert "zwakker bewijs" in text
    assert "maar 1 behandelde eenheid" in text
    assert res.pre_trend_p_value is not None and 0 < res.pre_trend_p_value < 1
