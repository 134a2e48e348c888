"""ITT estimation: Lin vs hand-built OLS, corrections vs statsmodels, RI and Romano-Wolf."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from statsmodels.stats.multitest import multipletests

from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.experiments import (
    benjamini_hochberg,
    estimate_effects,
    holm,
    randomise,
    romano_wolf,
)


def _trial(n: int, seed: int, effects: dict[str, float]) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    d = pd.DataFrame(
        {
            "id": np.arange(n),
            "leeftijd": rng.normal(40, 10, n),
            "wijk": rng.choice(["Noord", "Oost", "Zuid"], n),
            "groep": rng.choice(list(effects), n),
        }
    )
    eff = d["groep"].map(effects).to_numpy()
    d["y"] = (
        1
        + 0.05 * d["leeftijd"]
        + eff * (1 + 0.02 * (d["leeftijd"] - 40))
        + rng.normal(0, 1 + (d["wijk"] == "Zuid"), n)
    )
    d["werk"] = (rng.random(n) < 0.2 + eff / 10).astype(int)
    return d


@pytest.fixture(scope="module")
def trial() -> pd.DataFrame:
    return _trial(600, 1, {"controle": 0.0, "a": 0.3, "b": 0.0, "c": 0.6})


def test_holm_and_bh_match_statsmodels() -> None:
    rng = np.random.default_rng(0)
    for _ in range(20):
        p = rng.uniform(0, 0.2, size=rng.integers(1, 12))
        p[: len(p) // 3] = p[0]  # ties
        np.testing.assert_allclose(holm(p), multipletests(p, method="holm")[1], atol=1e-12)
        np.testing.assert_allclose(
            benjamini_hochberg(p), multipletests(p, method="fdr_bh")[1], atol=1e-12
        )


def test_lin_multi_arm_matches_hand_built_interacted_ols(trial: pd.DataFrame) -> None:
    res = estimate_effects(
        trial, outcomes="y", arm="groep", control="controle", covariates=["leeftijd", "wijk"]
    )
    d = trial.copy()
    d["leeftijd_c"] = d["leeftijd"] - d["leeftijd"].mean()
    d["oost_c"] = (d["wijk"] == "Oost") - (d["wijk"] == "Oost").mean()
    d["zuid_c"] = (d["wijk"] == "Zuid") - (d["wijk"] == "Zuid").mean()
    ref = smf.ols("y ~ C(groep, Treatment('controle')) * (leeftijd_c + oost_c + zuid_c)", d).fit(
        cov_type="HC2", use_t=True
    )
    for arm in ("a", "b", "c"):
        name = f"C(groep, Treatment('controle'))[T.{arm}]"
        e = res.effect(arm)
        assert e.estimate == pytest.approx(ref.params[name], abs=1e-8)
        assert e.std_error == pytest.approx(ref.bse[name], abs=1e-8)
        assert e.p_value == pytest.approx(ref.pvalues[name], rel=1e-6, abs=1e-12)
    assert res.adjustment == "lin"


def test_additive_adjustment_matches_statsmodels(trial: pd.DataFrame) -> None:
    res = estimate_effects(
        trial,
        outcomes="y",
        arm="groep",
        control="controle",
        covariates=["leeftijd"],
        adjustment="additief",
    )
    ref = smf.ols("y ~ C(groep, Treatment('controle')) + leeftijd", trial).fit(cov_type="HC2")
    assert res.effect("c").estimate == pytest.approx(
        ref.params["C(groep, Treatment('controle'))[T.c]"], abs=1e-8
    )


def test_several_outcomes_get_family_wide_corrections(trial: pd.DataFrame) -> None:
    res = estimate_effects(trial, outcomes=["y", "werk"], arm="groep", control="controle")
    frame = res.to_frame()
    assert len(frame) == 6
    np.testing.assert_allclose(frame["p_holm"], multipletests(frame["p_value"], method="holm")[1])
    np.testing.assert_allclose(frame["p_bh"], multipletests(frame["p_value"], method="fdr_bh")[1])
    summary = res.summary()
    assert {"Effect", "Standaardfout", "p (Holm)", "p (BH)", "Arm"} <= set(summary.frame.columns)
    assert "<table" in summary.html and "HC2" in summary.text


def test_missing_outcomes_are_reported(trial: pd.DataFrame) -> None:
    d = trial.copy()
    d.loc[d.index[:25], "y"] = np.nan
    res = estimate_effects(d, outcomes="y", arm="groep", control="controle")
    assert res.n_dropped["y"] == 25
    assert sum(e.n_arm for e in res.effects) + res.effects[0].n_control == len(d) - 25


def test_romano_wolf_stepdown_by_hand() -> None:
    t_obs = np.array([3.0, 1.0, 2.0])
    null = np.array([[0.5, 2.5, 1.0], [3.5, 0.1, 0.2], [1.0, 1.2, 2.2], [0.3, 0.4, 0.1]])
    # Step 1 (t=3, all columns): max |t*| = 2.5, 3.5, 2.2, 0.4 -> 1 exceedance -> 2/5.
    # Step 2 (t=2, columns 1 and 3 left): max = 2.5, 0.2, 2.2, 0.4 -> 2 -> 3/5.
    # Step 3 (t=1, column 2): 2.5, 0.1, 1.2, 0.4 -> 2 -> 3/5; monotone.
    np.testing.assert_allclose(romano_wolf(t_obs, null), [0.4, 0.6, 0.6])


def test_randomisation_inference_is_roughly_uniform_under_the_sharp_null() -> None:
    pvals = []
    for seed in range(40):
        d = _trial(80, 100 + seed, {"c": 0.0, "t": 0.0})
        res = estimate_effects(
            d,
            outcomes="y",
            arm="groep",
            control="c",
            randomisation_reps=49,
            seed=seed,
            adjustment="geen",
        )
        p = res.effects[0].p_randomisation
        assert p is not None and round(p * 50) == pytest.approx(p * 50)  # (count + 1) / 50
        pvals.append(p)
    arr = np.array(pvals)
    # Coarse: 40 draws from ~U(0, 1); mean has sd 0.046, so (0.33, 0.67) is ~3.7 sd wide.
    assert 0.33 < arr.mean() < 0.67
    assert (arr <= 0.1).mean() <= 0.3


def test_randomisation_inference_re_runs_the_allocation_design() -> None:
    d = _trial(200, 3, {"controle": 0.0, "t": 0.0})
    alloc = randomise(d, unit="id", arms=["controle", "t"], strata=["wijk"], seed=8)
    d["groep"] = alloc.assignments["arm"]
    d["y"] = d["y"] + 1.5 * (d["groep"] == "t")
    res = estimate_effects(
        d,
        outcomes="y",
        arm="groep",
        control="controle",
        strata=["wijk"],
        randomisation_reps=99,
        design=alloc.design,
        unit="id",
        seed=1,
    )
    assert res.effects[0].p_randomisation == pytest.approx(1 / 100)
    with pytest.raises(UserFacingError, match="deelnemer-id"):
        estimate_effects(
            d,
            outcomes="y",
            arm="groep",
            control="controle",
            randomisation_reps=5,
            design=alloc.design,
        )


def test_romano_wolf_separates_real_and_null_effects(trial: pd.DataFrame) -> None:
    res = estimate_effects(
        trial,
        outcomes=["y"],
        arm="groep",
        control="controle",
        covariates=["leeftijd"],
        romano_wolf_reps=199,
        seed=4,
    )
    rw = {e.arm: e.p_romano_wolf for e in res.effects}
    # True effects: c = 0.6 (t ~ 3.1, Holm p = 0.006), a and b ~ 0 in this sample.
    assert rw["c"] is not None and rw["c"] <= 0.05
    assert rw["a"] is not None and rw["a"] > 0.5
    assert rw["b"] is not None and rw["b"] > 0.5
    # Stepdown p-values are monotone in |t| and never below 1 / (B + 1).
    order = sorted(res.effects, key=lambda e: -abs(e.estimate / e.std_error))
    ps = [e.p_romano_wolf for e in order]
    assert ps == sorted(ps)
    assert min(ps) >= 1 / 200


def test_clustered_trial_uses_cluster_robust_errors() -> None:
    rng = np.random.default_rng(2)
    teams = np.repeat(np.arange(30), 12)
    arm_of_team = rng.permutation(np.repeat(["c", "t"], 15))
    d = pd.DataFrame({"team": teams, "groep": arm_of_team[teams]})
    d["y"] = rng.normal(size=len(d)) + rng.normal(size=30)[teams] + 0.5 * (d["groep"] == "t")
    res = estimate_effects(
        d, outcomes="y", arm="groep", control="c", cluster="team", adjustment="geen", cov_type="CR1"
    )
    ref = smf.ols("y ~ groep", d).fit(cov_type="cluster", cov_kwds={"groups": d["team"]})
    assert res.effects[0].std_error == pytest.approx(ref.bse["groep[T.t]"], abs=1e-10)
    default = estimate_effects(
        d,
        outcomes="y",
        arm="groep",
        control="c",
        cluster="team",
        randomisation_reps=19,
        romano_wolf_reps=19,
    )
    # CR2 uses Bell-McCaffrey degrees of freedom: at most G - 1 = 29.
    assert default.cov_type == "CR2" and 15 < default.effects[0].df < 29
    with pytest.raises(UserFacingError, match="clusterrobuuste"):
        estimate_effects(d, outcomes="y", arm="groep", control="c", cluster="team", cov_type="HC2")


def test_clustered_trial_has_a_minimum_detectable_effect_with_the_estimated_icc() -> None:
    # 160 teams of 10, team effects with variance 0.25 and noise 1: ICC 0.2.
    rng = np.random.default_rng(7)
    teams = np.repeat(np.arange(160), 10)
    arm_of_team = rng.permutation(np.repeat(["c", "t"], 80))
    d = pd.DataFrame({"team": teams, "groep": arm_of_team[teams]})
    d["y"] = rng.normal(size=len(d)) + rng.normal(scale=0.5, size=160)[teams]
    res = estimate_effects(d, outcomes="y", arm="groep", control="c", cluster="team")
    power = res.power["y"]
    # Balanced clusters: the ANOVA estimate equals REML's variance components (statsmodels).
    mixed = smf.mixedlm("y ~ groep", d, groups=d["team"]).fit(reml=True)
    between, within = float(mixed.cov_re.iloc[0, 0]), float(mixed.scale)
    assert power.icc == pytest.approx(between / (between + within), abs=1e-3)
    assert 0.1 < power.icc < 0.3 and power.cluster_size == pytest.approx(10)
    assert power.design_effect == pytest.approx(1 + 9 * power.icc)
    # The same trial analysed as if people were randomised one by one can detect less.
    plain = estimate_effects(d, outcomes="y", arm="groep", control="c")
    assert res.mde["y"] == pytest.approx(plain.mde["y"] * math.sqrt(power.design_effect), rel=1e-6)
    assert "intraclustercorrelatie" in power.uitleg()


def test_user_errors_name_the_column(trial: pd.DataFrame) -> None:
    with pytest.raises(UserFacingError, match="'inkomen'"):
        estimate_effects(trial, outcomes="inkomen", arm="groep")
    with pytest.raises(UserFacingError, match="'placebo'"):
        estimate_effects(trial, outcomes="y", arm="groep", control="placebo")
    with pytest.raises(UserFacingError, match="niet numeriek"):
        estimate_effects(trial, outcomes="wijk", arm="groep", control="controle")


def test_missing_covariates_are_imputed_not_dropped(trial: pd.DataFrame) -> None:
    d = trial.copy()
    d.loc[d.index[:30], "leeftijd"] = np.nan
    d.loc[d.index[30:40], "wijk"] = np.nan
    res = estimate_effects(
        d,
        outcomes="y",
        arm="groep",
        control="controle",
        covariates=["leeftijd", "wijk"],
        adjustment="additief",
    )
    assert sum(e.n_arm for e in res.effects) + res.effects[0].n_control == len(d)
    assert res.imputed == ("leeftijd", "wijk")
    assert any("aangevuld" in n for n in res.explained())
    ref = d.copy()
    ref["leeftijd_ontbreekt"] = ref["leeftijd"].isna().astype(float)
    ref["leeftijd"] = ref["leeftijd"].fillna(ref["leeftijd"].mean())
    ref["wijk"] = ref["wijk"].fillna("(ontbreekt)")
    fit = smf.ols(
        "y ~ C(groep, Treatment('controle')) + leeftijd + leeftijd_ontbreekt + C(wijk)", ref
    ).fit(cov_type="HC2")
    name = "C(groep, Treatment('controle'))[T.c]"
    assert res.effect("c").estimate == pytest.approx(fit.params[name], abs=1e-8)
    assert res.effect("c").std_error == pytest.approx(fit.bse[name], abs=1e-8)


def test_permutation_romano_wolf_with_one_test_equals_the_randomisation_p(
    trial: pd.DataFrame,
) -> None:
    d = trial[trial["groep"].isin(["controle", "c"])]
    res = estimate_effects(
        d,
        outcomes="y",
        arm="groep",
        control="controle",
        randomisation_reps=99,
        romano_wolf_reps=99,
        romano_wolf_method="permutatie",
        seed=6,
    )
    e = res.effects[0]
    assert e.p_romano_wolf == e.p_randomisation
    multi = estimate_effects(
        trial,
        outcomes=["y", "werk"],
        arm="groep",
        control="controle",
        randomisation_reps=99,
        romano_wolf_reps=99,
        romano_wolf_method="permutatie",
        seed=6,
    )
    for e in multi.effects:
        # The stepdown adjusts for 6 tests, so it can only be larger than the per-test p.
        assert e.p_romano_wolf is not None and e.p_randomisation is not None
        assert e.p_romano_wolf >= e.p_randomisation


def test_covariate_constant_in_the_outcome_sample_is_dropped(trial: pd.DataFrame) -> None:
    d = trial.copy()
    # The only people without age also lack the outcome: the missing indicator is constant.
    d.loc[d.index[:5], ["leeftijd", "y"]] = np.nan
    res = estimate_effects(
        d, outcomes="y", arm="groep", control="controle", covariates=["leeftijd"]
    )
    complete = estimate_effects(
        d.dropna(subset=["y"]),
        outcomes="y",
        arm="groep",
        control="controle",
        covariates=["leeftijd"],
    )
    assert res.effect("c").estimate == pytest.approx(complete.effect("c").estimate, abs=1e-10)


def test_realised_minimum_detectable_effect_is_reported(trial: pd.DataFrame) -> None:
    from bestaanszekerheid.experiments import minimum_detectable_effect

    res = estimate_effects(trial, outcomes=["werk", "y"], arm="groep", control="controle")
    counts = trial["groep"].value_counts()
    n_c = counts["controle"]
    n_t = counts.drop("controle").mean()
    expected = minimum_detectable_effect(
        n_per_arm=n_t,
        n_arms=4,
        control_ratio=n_c / n_t,
        n_outcomes=2,
        baseline=trial.loc[trial.groep == "controle", "werk"].mean(),
    ).effect
    assert res.mde["werk"] == pytest.approx(expected, rel=1e-12)
    assert "y" in res.mde and any("procentpunten" in n for n in res.summary().notes)
