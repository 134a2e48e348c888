"""Attrition: rates, differential-attrition test and Lee bounds (hand examples, simulation)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bestaanszekerheid.experiments import attrition_analysis, lee_bounds_arrays


def test_lee_bounds_hand_example_trimming_the_arm() -> None:
    # Arm: 5 of 5 observed; control: 3 of 4 -> trim q = 0.25 of the arm (1.25 units).
    lo, hi, q, trimmed = lee_bounds_arrays(np.array([1.0, 2, 3, 4, 5]), 5, np.array([2.0, 3, 4]), 4)
    assert q == pytest.approx(0.25)
    assert trimmed == "arm"
    # Lowest 3.75 units: (1 + 2 + 3 + 0.75 * 4) / 3.75 = 2.4; highest: 13.5 / 3.75 = 3.6.
    assert (lo, hi) == pytest.approx((2.4 - 3.0, 3.6 - 3.0))


def test_lee_bounds_hand_example_trimming_the_control_group() -> None:
    # Arm 2 of 4 observed (0.5), control 4 of 5 (0.8): trim q = 0.375 of control (1.5 units).
    lo, hi, q, trimmed = lee_bounds_arrays(np.array([1.0, 1.0]), 4, np.array([0.0, 0, 1, 1]), 5)
    assert trimmed == "control" and q == pytest.approx(0.375)
    # Keep 2.5 control units: highest = 1 + 1 + 0.5 * 0 -> mean 0.8; lowest = 0 + 0 + 0.5 -> 0.2.
    assert (lo, hi) == pytest.approx((1 - 0.8, 1 - 0.2))


def test_lee_bounds_collapse_without_differential_attrition() -> None:
    rng = np.random.default_rng(1)
    a, c = rng.normal(1, 1, 80), rng.normal(0, 1, 40)
    lo, hi, q, _ = lee_bounds_arrays(a, 100, c, 50)
    assert q == pytest.approx(0.0)
    assert lo == pytest.approx(a.mean() - c.mean()) and hi == pytest.approx(lo)


def test_bounds_cover_the_always_responder_effect_under_monotone_selection() -> None:
    rng = np.random.default_rng(7)
    n = 4000
    arm = np.where(rng.random(n) < 0.5, "t", "c")
    y0 = rng.normal(0, 1, n)
    # Noise not tied to response, so the bounds are not attained exactly (sharp) in sample.
    y = y0 + 0.3 * (arm == "t") + rng.normal(0, 1, n)
    # Low-y0 people respond only when treated (monotonicity): the naive comparison is biased.
    respond_c = y0 > -0.5
    respond = np.where(arm == "t", True, respond_c)
    d = pd.DataFrame({"groep": arm, "y": np.where(respond, y, np.nan), "y0": y0})
    res = attrition_analysis(
        d, outcome="y", arm="groep", control="c", bootstrap_reps=100, covariates=["y0"]
    )
    b = res.bounds[0]
    assert b.trimmed_group == "t"
    assert b.lower < 0.3 < b.upper  # always responders (y0 > -0.5) have effect 0.3
    assert b.ci_low is not None and b.ci_high is not None
    assert b.ci_low <= b.lower and b.ci_high >= b.upper
    naive = d.loc[d.groep == "t", "y"].mean() - d.loc[d.groep == "c", "y"].mean()
    assert naive < 0.1  # the naive comparison of responders is biased far below 0.3
    assert res.joint_p_value < 1e-6
    # Among respondents the baseline no longer balances: the selection is visible.
    assert res.respondent_balance is not None and res.respondent_balance.max_abs_smd() > 0.3
    assert "selectief" in res.summary().text


def test_rates_and_differential_attrition_test() -> None:
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"groep": np.repeat(["c", "a", "b"], [300, 300, 300])})
    d["y"] = rng.normal(size=len(d))
    miss = rng.random(len(d)) < d["groep"].map({"c": 0.1, "a": 0.1, "b": 0.1})
    d.loc[miss, "y"] = np.nan
    res = attrition_analysis(d, outcome="y", arm="groep", control="c")
    rates = res.rates.set_index("arm")
    assert rates.loc["a", "n_missing"] == int(d.loc[d.groep == "a", "y"].isna().sum())
    assert rates["n"].sum() == 900
    assert res.joint_p_value > 0.001  # no differential attrition was built in
    diff_b = next(e for e in res.differential if e.arm == "b")
    expected = d.loc[d.groep == "b", "y"].isna().mean() - d.loc[d.groep == "c", "y"].isna().mean()
    assert diff_b.estimate == pytest.approx(expected)
    assert "Uitval" in res.summary().text
