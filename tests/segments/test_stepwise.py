"""Three-step BCH: unbiased class profiles where the naive modal analysis is biased."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bestaanszekerheid.segments import LatentClassModel
from bestaanszekerheid.segments.simulate import simulate_households
from bestaanszekerheid.segments.stepwise import describe_classes


def test_bch_removes_the_bias_of_modal_assignment() -> None:
    # Weakly separated classes (entropy R² well below 1): naive modal assignment pulls the
    # class means of an outcome towards each other.
    sim = simulate_households(6000, shares=(0.5, 0.3, 0.2), n_categorical=6, n_continuous=0, seed=3)
    model = LatentClassModel(3, n_init=5, random_state=0).fit(sim.frame)
    assert model.entropy_r2_ < 0.8
    pred = model.predict(sim.frame)
    mapping = {t: np.bincount(pred[sim.classes == t], minlength=3).argmax() for t in range(3)}
    true = np.array([mapping[c] for c in sim.classes])
    rng = np.random.default_rng(0)
    outcome = np.array([10.0, 20.0, 30.0])[true] + rng.normal(0, 5, len(true))
    wijk = np.where(rng.random(len(true)) < np.array([0.8, 0.3, 0.1])[true], "A", "B")
    aux = pd.DataFrame({"uitkomst": outcome, "wijk": wijk})
    result = describe_classes(model, sim.frame, aux, n_bootstrap=30)
    means = result.profiles[result.profiles["variabele"] == "uitkomst"]
    true_means = np.array([outcome[true == t].mean() for t in range(3)])
    bch_err = np.abs(means["bch"].to_numpy() - true_means)
    naive_err = np.abs(means["naief"].to_numpy() - true_means)
    assert bch_err.max() < 1.5
    assert naive_err.max() > 2 * bch_err.max()
    assert np.all(means["se"].to_numpy() > 0)
    share_a = result.profiles[
        (result.profiles["variabele"] == "wijk") & (result.profiles["niveau"] == "A")
    ]
    true_a = np.array([np.mean(wijk[true == t] == "A") for t in range(3)])
    assert np.abs(share_a["bch"].to_numpy() - true_a).max() < 0.05
    # The composition per wijk sums to one over the classes.
    comp = result.composition.groupby("niveau")["bch"].sum()
    np.testing.assert_allclose(comp.to_numpy(), 1.0)
    # Rows of the classification matrix D are probabilities.
    np.testing.assert_allclose(result.classification_matrix.sum(axis=1), 1.0)
    # The estimated households behind a share: over the classes they add up to the level's
    # count (BCH weights of one household add up to 1), and share = count / class total.
    wijk_rows = result.profiles[result.profiles["variabele"] == "wijk"]
    per_level = wijk_rows.groupby("niveau")["aantal"].sum()
    assert per_level["A"] == pytest.approx(float((wijk == "A").sum()), rel=1e-6)
    totals = wijk_rows.groupby("klasse")["aantal"].transform("sum")
    np.testing.assert_allclose(wijk_rows["aantal"] / totals, wijk_rows["bch"], rtol=1e-9)


def test_rejects_misaligned_auxiliary_data(values_data: pd.DataFrame) -> None:
    from bestaanszekerheid.errors import UserFacingError

    model = LatentClassModel(2, random_state=0).fit(values_data)
    with pytest.raises(UserFacingError):
        describe_classes(model, values_data, pd.DataFrame({"a": [1, 2]}))


def test_covariate_effects_recover_planted_logit() -> None:
    from bestaanszekerheid.segments.stepwise import covariate_effects

    rng = np.random.default_rng(0)
    n = 6000
    age = rng.normal(0, 1, n)
    wijk = rng.choice(["A", "B"], n)
    # True multinomial logit for classes 0, 1, 2 (class 1 will be the largest).
    eta = np.array([0.0, 0.3, -0.5]) + np.outer(age, [0.0, 1.0, -1.0])
    eta += np.outer(wijk == "B", [0.0, 0.8, 0.0])
    p = np.exp(eta) / np.exp(eta).sum(axis=1, keepdims=True)
    cls = (rng.random(n)[:, None] > p.cumsum(axis=1)).sum(axis=1)
    probs = simulate_households(
        10, shares=(0.5, 0.3, 0.2), n_categorical=6, separation=0.5, seed=3
    ).probs
    frame = pd.DataFrame(
        {
            f"c{j}": pd.Categorical(
                np.minimum(
                    (rng.random(n)[:, None] > pr.cumsum(axis=1)[cls]).sum(axis=1), pr.shape[1] - 1
                )
            )
            for j, pr in enumerate(probs)
        }
    )
    model = LatentClassModel(3, n_init=10, random_state=0).fit(frame)
    pred = model.predict(frame)
    to_model = {t: int(np.bincount(pred[cls == t], minlength=3).argmax()) for t in range(3)}
    assert sorted(to_model.values()) == [0, 1, 2]
    result = covariate_effects(model, frame, pd.DataFrame({"leeftijd": age, "wijk": wijk}))
    assert result.converged
    table = result.table.set_index(["variabele", "klasse"])
    ref = next(t for t, m in to_model.items() if m == 0)  # true class of the reference
    true_age, true_wijk = np.array([0.0, 1.0, -1.0]), np.array([0.0, 0.8, 0.0])
    for t, m in to_model.items():
        if m == 0:
            continue
        label = f"klasse {m + 1}"
        assert table.loc[("leeftijd", label), "coefficient"] == pytest.approx(
            true_age[t] - true_age[ref], abs=0.2
        )
        assert table.loc[("wijk=B", label), "coefficient"] == pytest.approx(
            true_wijk[t] - true_wijk[ref], abs=0.25
        )
        assert 0 < table.loc[("leeftijd", label), "se"] < 0.2


def _direct_se(
    bch: np.ndarray, ok: np.ndarray, boot: list[np.ndarray], col: pd.Series
) -> np.ndarray:
    """The standard errors as computed before: rows selected inside every replicate."""
    from bestaanszekerheid.segments.stepwise import _weighted_sums

    w = np.ones(len(bch))[ok]
    stats = []
    for b in boot:
        if col.dtype == object:
            levels = np.array(sorted(col[ok].unique()))
            onehot = (col[ok].to_numpy()[:, None] == levels[None, :]).astype(float)
            _, sums = _weighted_sums(bch[ok], w * b[ok], onehot)
            sums = np.maximum(sums, 0.0)
            total = sums.sum(axis=0, keepdims=True)
            stats.append(sums / np.where(total > 0, total, np.nan))
        else:
            z = col[ok].to_numpy(dtype=float)[:, None]
            totals, sums = _weighted_sums(bch[ok], w * b[ok], z)
            stats.append(sums / np.where(np.abs(totals) > 0, totals, np.nan))
    return np.std(stats, axis=0, ddof=1)


def test_describe_classes_equals_the_per_replicate_computation() -> None:
    """The rows with a value are selected once per variable, not once per bootstrap
    replicate: the standard errors are bit for bit those of the direct computation."""
    from bestaanszekerheid.segments.stepwise import bch_matrix

    sim = simulate_households(3000, shares=(0.5, 0.3, 0.2), n_categorical=6, n_continuous=0, seed=4)
    model = LatentClassModel(3, n_init=2, random_state=0).fit(sim.frame)
    rng = np.random.default_rng(2)
    cat = pd.Series(rng.choice(["a", "b", "c"], 3000), dtype=object)
    cat[rng.random(3000) < 0.1] = None
    num = pd.Series(rng.normal(size=3000))
    num[rng.random(3000) < 0.1] = np.nan
    aux = pd.DataFrame({"cat": cat, "num": num, "vol": rng.normal(size=3000)})
    result = describe_classes(model, sim.frame, aux, n_bootstrap=25, random_state=7)

    post = model.predict_proba(sim.frame)
    n = len(post)
    _, d_inv = bch_matrix(post, np.ones(n))
    bch = d_inv[post.argmax(axis=1)]
    draws = np.random.default_rng(7)
    boot = [draws.multinomial(n, np.full(n, 1.0 / n)).astype(float) for _ in range(25)]
    for name in aux.columns:
        se = _direct_se(bch, aux[name].notna().to_numpy(), boot, aux[name])
        got = result.profiles[result.profiles["variabele"] == name]["se"].to_numpy()
        np.testing.assert_array_equal(got, se.ravel())
