"""Behaviour of LatentClassModel: recovery, FIML, weights, determinism, types, stability."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture

from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.segments import LatentClassModel
from bestaanszekerheid.segments.indicators import build_specs, encode, infer_kind
from bestaanszekerheid.segments.simulate import simulate_households


@pytest.fixture(scope="module")
def planted() -> pd.DataFrame:
    return simulate_households(4000, shares=(0.5, 0.3, 0.2), separation=0.5, seed=11).frame


def oracle_labels(sim_seed: int, n: int) -> np.ndarray:
    return simulate_households(n, shares=(0.5, 0.3, 0.2), separation=0.5, seed=sim_seed).classes


def test_recovers_planted_classes_mixed() -> None:
    sim = simulate_households(4000, shares=(0.5, 0.3, 0.2), separation=0.5, seed=11)
    model = LatentClassModel(3, n_init=5, random_state=0).fit(sim.frame)
    assert adjusted_rand_score(sim.classes, model.predict(sim.frame)) > 0.9
    np.testing.assert_allclose(model.weights_, [0.5, 0.3, 0.2], atol=0.03)
    # Largest class first: its Gaussian means are close to the true means of class 0.
    np.testing.assert_allclose(model.means_[0], sim.means[0], atol=0.1)
    assert model.converged_
    assert 0.8 < model.entropy_r2_ <= 1.0
    assert np.all(model.avepp_ > 0.9)
    assert 0 <= model.classification_error_ < 0.05


def test_missing_cells_do_not_contribute() -> None:
    sim = simulate_households(1500, shares=(0.6, 0.4), n_categorical=6, n_continuous=2, seed=3)
    model = LatentClassModel(2, n_init=3, random_state=0).fit(sim.frame)
    row = sim.frame.iloc[[0]].copy()
    full = model.score_samples(row)[0]
    # Blank out one categorical and one continuous cell: the log-likelihood must equal the
    # marginal over the remaining indicators, computed here by hand.
    row_missing = row.copy()
    row_missing.iloc[0, 0] = np.nan
    row_missing["x1"] = np.nan
    got = model.score_samples(row_missing)[0]
    probs = model.probabilities_
    log_joint = np.log(model.weights_).copy()
    for spec in model.indicator_specs_:
        value = row_missing[spec.name].iloc[0]
        if pd.isna(value):
            continue
        if spec.is_categorical:
            log_joint += np.log(probs[spec.name][:, list(spec.levels).index(value)])
        else:
            c = [s.name for s in model.indicator_specs_ if not s.is_categorical].index(spec.name)
            mu, var = model.means_[:, c], model.variances_[:, c]
            log_joint += -0.5 * (np.log(2 * np.pi * var) + (value - mu) ** 2 / var)
    expected = np.log(np.exp(log_joint - log_joint.max()).sum()) + log_joint.max()
    assert got == pytest.approx(expected, rel=1e-10)
    assert got > full  # fewer observed cells -> larger marginal likelihood
    # A household with everything missing has log-likelihood 0 and the prior as posterior.
    empty = row.copy()
    empty.loc[:, :] = np.nan
    empty = empty.astype({c: row[c].dtype for c in row.columns})
    assert model.score_samples(empty)[0] == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(model.predict_proba(empty)[0], model.weights_, rtol=1e-10)


def test_frequency_weights_equal_duplicated_rows() -> None:
    sim = simulate_households(600, shares=(0.6, 0.4), n_categorical=5, n_continuous=1, seed=5)
    frame = sim.frame
    counts = np.random.default_rng(0).integers(1, 4, size=len(frame))
    duplicated = frame.loc[frame.index.repeat(counts)].reset_index(drop=True)
    a = LatentClassModel(2, n_init=4, tol=1e-12, random_state=0).fit(frame, sample_weight=counts)
    b = LatentClassModel(2, n_init=4, tol=1e-12, random_state=0).fit(duplicated)
    assert a.loglik_ == pytest.approx(b.loglik_, rel=1e-9)
    np.testing.assert_allclose(a.weights_, b.weights_, atol=1e-6)
    assert a.n_samples_ == pytest.approx(counts.sum())


def test_collapsing_patterns_is_exact(carcinoma_data: pd.DataFrame) -> None:
    model = LatentClassModel(3, n_init=5, random_state=0).fit(carcinoma_data)
    specs = build_specs(carcinoma_data, None)
    collapsed = encode(carcinoma_data, specs)
    assert collapsed.n_rows < len(carcinoma_data)  # 118 ratings, far fewer patterns
    # The training log-likelihood (collapsed) equals the sum over the original rows.
    assert model.loglik_ == pytest.approx(model.score_samples(carcinoma_data).sum(), rel=1e-12)


def test_deterministic_and_independent_of_threads(planted: pd.DataFrame) -> None:
    fits = [
        LatentClassModel(3, n_init=4, random_state=42, n_jobs=j, chunk_size=512).fit(planted)
        for j in (1, 2, 2)
    ]
    for other in fits[1:]:
        assert other.loglik_ == fits[0].loglik_
        np.testing.assert_array_equal(other.weights_, fits[0].weights_)
        np.testing.assert_array_equal(other.predict(planted), fits[0].predict(planted))


def test_labels_do_not_switch_between_seeds(planted: pd.DataFrame) -> None:
    a = LatentClassModel(3, n_init=4, random_state=1).fit(planted)
    b = LatentClassModel(3, n_init=4, random_state=2).fit(planted)
    assert a.loglik_ == pytest.approx(b.loglik_, rel=1e-7)
    # Same solution, and because classes are sorted by size, the same labels.
    assert adjusted_rand_score(a.predict(planted), b.predict(planted)) == 1.0
    np.testing.assert_array_equal(a.predict(planted), b.predict(planted))


def test_continuous_only_matches_sklearn_gaussian_mixture() -> None:
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(0, 1, (300, 2)), rng.normal(4, 0.5, (200, 2))])
    ours = LatentClassModel(2, n_init=5, tol=1e-12, reg_covar=0.0, random_state=0).fit(x)
    gm = GaussianMixture(
        2, covariance_type="diag", tol=1e-12, reg_covar=0.0, n_init=5, random_state=0
    ).fit(x)
    assert ours.loglik_ == pytest.approx(gm.score(x) * len(x), rel=1e-8)
    order = np.argsort(-gm.weights_)
    np.testing.assert_allclose(ours.means_, gm.means_[order], atol=1e-5)
    np.testing.assert_allclose(ours.variances_, gm.covariances_[order], atol=1e-5)


def test_no_nan_with_empty_levels_and_tiny_classes() -> None:
    # A level declared in the categories but never observed, a column that is entirely
    # missing in part of the data, and more classes than the data support.
    frame = pd.DataFrame(
        {
            "a": pd.Categorical(["x", "y"] * 10, categories=["x", "y", "z"]),
            "b": pd.Categorical(["p"] * 20),
            "c": [1.0] * 10 + [np.nan] * 10,
        }
    )
    model = LatentClassModel(5, n_init=3, random_state=0).fit(frame)
    assert np.isfinite(model.loglik_)
    proba = model.predict_proba(frame)
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    for table in model.parameter_tables().values():
        assert np.all(np.isfinite(table.to_numpy(dtype=float)))


def test_smoothing_keeps_probabilities_off_the_boundary(carcinoma_data: pd.DataFrame) -> None:
    # The 3-class carcinoma solution has response probabilities of exactly 0 (Agresti 2002).
    plain = LatentClassModel(3, random_state=0).fit(carcinoma_data)
    smooth = LatentClassModel(3, smoothing=1.0, random_state=0).fit(carcinoma_data)
    assert min(p.min() for p in plain.probabilities_.values()) < 1e-100
    assert np.isfinite(plain.loglik_)
    assert min(p.min() for p in smooth.probabilities_.values()) > 1e-3
    assert smooth.loglik_ <= plain.loglik_ + 1e-9  # a prior can only lower the likelihood


def test_kind_inference_and_explicit_spec() -> None:
    frame = pd.DataFrame(
        {
            "flag": [True, False, True, False],
            "text": ["a", "b", "a", "c"],
            "codes": [1.0, 2.0, np.nan, 3.0],  # integer codes read as float because of NaN
            "amount": [10.5, 20.1, 30.7, 11.0],
        }
    )
    assert [infer_kind(frame[c]) for c in frame] == [
        "binary",
        "categorical",
        "categorical",
        "continuous",
    ]
    specs = build_specs(frame, {"codes": "continu", "text": "ordinaal"})
    assert [(s.name, s.kind) for s in specs] == [("codes", "continuous"), ("text", "categorical")]
    with pytest.raises(UserFacingError, match="Onbekend type"):
        build_specs(frame, {"codes": "telling"})
    with pytest.raises(UserFacingError, match="niet in de gegevens"):
        build_specs(frame, ["bestaat_niet"])


def test_unseen_level_at_prediction_counts_as_missing(values_data: pd.DataFrame) -> None:
    model = LatentClassModel(2, random_state=0).fit(values_data)
    row = values_data.iloc[[0]].astype(object)
    unseen = row.copy()
    unseen.iloc[0, 0] = 99
    blank = row.copy()
    blank.iloc[0, 0] = np.nan
    np.testing.assert_allclose(model.predict_proba(unseen), model.predict_proba(blank))


def test_parameter_tables_and_criteria(planted: pd.DataFrame) -> None:
    model = LatentClassModel(3, n_init=3, random_state=0).fit(planted)
    tables = model.parameter_tables()
    assert list(tables) == ["klassen", *planted.columns]
    cat = tables["c02"]
    assert cat.shape == (3, 3)
    np.testing.assert_allclose(cat.sum(axis=1), 1.0)
    assert list(tables["x1"].columns) == ["gemiddelde", "variantie"]
    crit = model.information_criteria()
    n, p, ll = len(planted), model.n_parameters_, model.loglik_
    assert p == 2 + 3 * sum(1 + j % 4 for j in range(15)) + 2 * 3 * 3
    assert crit.bic == pytest.approx(-2 * ll + p * np.log(n))
    assert crit.aic == pytest.approx(-2 * ll + 2 * p)
    assert crit.caic == pytest.approx(-2 * ll + p * (np.log(n) + 1))
    assert crit.sabic == pytest.approx(-2 * ll + p * np.log((n + 2) / 24))
    assert model.score(planted) == pytest.approx(ll / n, rel=1e-10)


def test_sample_draws_from_the_fitted_model(planted: pd.DataFrame) -> None:
    model = LatentClassModel(3, n_init=3, random_state=0).fit(planted)
    sim, classes = model.sample(20000, random_state=0)
    shares = np.bincount(classes, minlength=3) / len(classes)
    np.testing.assert_allclose(shares, model.weights_, atol=0.015)
    means = sim.loc[classes == 0, "x1"].mean()
    assert means == pytest.approx(model.means_[0, 0], abs=0.05)


def test_non_convergence_is_reported(values_data: pd.DataFrame) -> None:
    from sklearn.exceptions import ConvergenceWarning

    with pytest.warns(ConvergenceWarning):
        model = LatentClassModel(3, max_iter=5, init_iter=2, random_state=0).fit(values_data)
    assert not model.converged_
    assert model.n_iter_ == 5
    # The reported log-likelihood belongs to the reported parameters.
    assert model.loglik_ == pytest.approx(model.score_samples(values_data).sum(), rel=1e-12)
    full = LatentClassModel(3, random_state=0).fit(values_data)
    assert full.converged_
    assert full.n_iter_ > 5
