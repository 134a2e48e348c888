"""choose_n_classes: the table, the recommendation and its Dutch explanation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.segments.selection import choose_n_classes, recommend, weighted_ari
from bestaanszekerheid.segments.simulate import simulate_households


def test_weighted_ari_equals_sklearn_and_respects_weights() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 3, 200), rng.integers(0, 4, 200)
    assert weighted_ari(a, b) == pytest.approx(adjusted_rand_score(a, b), rel=1e-12)
    counts = rng.integers(1, 4, 200)
    expanded = weighted_ari(np.repeat(a, counts), np.repeat(b, counts))
    assert weighted_ari(a, b, counts.astype(float)) == pytest.approx(expanded, rel=1e-12)


@pytest.mark.slow
def test_recommends_the_planted_number_of_classes() -> None:
    sim = simulate_households(
        3000, shares=(0.5, 0.3, 0.2), n_categorical=8, n_continuous=1, separation=0.5, seed=2
    )
    result = choose_n_classes(sim.frame, range(1, 5), n_bootstrap=10, n_init=4)
    assert result.recommended == 3
    table = result.table
    assert list(table.index) == [1, 2, 3, 4]
    assert table.loc[3, "bic"] < table.loc[2, "bic"] < table.loc[1, "bic"]
    assert table.loc[3, "stability"] > 0.9
    assert table.loc[1, "smallest_class"] == 1.0
    assert result.model.n_classes == 3
    assert "Aanbevolen: 3 klassen." in result.explanation
    assert "kleinste klasse" in result.explanation.lower()
    assert "aantal klassen" in result.table_nl().columns


def _table(bic: list[float], smallest: list[float], stable: list[float]) -> pd.DataFrame:
    k = range(1, len(bic) + 1)
    return pd.DataFrame(
        {
            "klassen": list(k),
            "bic": bic,
            "smallest_class": smallest,
            "stability": [0.95] * len(bic),
            "stability_p10": [0.9] * len(bic),
            "stability_p90": [0.99] * len(bic),
            "jaccard_min": stable,
            "jaccard_min_p10": [s - 0.05 for s in stable],
            "entropy_r2": [1.0] + [0.85] * (len(bic) - 1),
            "converged": [True] * len(bic),
        }
    ).set_index("klassen")


def test_recommend_takes_a_class_more_while_the_bic_falls_and_classes_are_large_and_stable() -> (
    None
):
    # BIC keeps falling by more than 10 and every class is large and stable: the largest K,
    # with the advice to try more.
    k, text = recommend(_table([1000, 600, 400, 380, 360], [1, 0.4, 0.2, 0.1, 0.08], [1] * 5))
    assert k == 5
    assert "probeer een ruimer bereik" in text
    # A gain of 5 BIC points is not enough: stop at 3, and say why 4 was not taken.
    k, text = recommend(_table([1000, 600, 400, 395, 300], [1, 0.4, 0.2, 0.1, 0.08], [1] * 5))
    assert k == 3
    assert "4 groepen zijn niet gekozen: de BIC daalt maar met 5,0 punten (minder dan 10)." in text
    assert "De laagste BIC van alle geprobeerde modellen hoort bij 5 groepen" in text


def test_recommend_stops_at_a_small_or_unstable_extra_class() -> None:
    k, text = recommend(_table([1000, 600, 500, 450], [1, 0.4, 0.2, 0.02], [1, 0.9, 0.9, 0.9]))
    assert k == 3
    assert "4 groepen zijn niet gekozen: de kleinste groep zou 2,0% van de huishoudens zijn" in text
    k, text = recommend(_table([1000, 600, 500, 450], [1, 0.4, 0.2, 0.1], [1, 0.9, 0.5, 0.9]))
    assert k == 2
    assert "3 groepen zijn niet gekozen: niet elke groep is stabiel" in text
    assert "mediaan 0,50, onder de ondergrens 0,75" in text
    # Without bootstrap the stability is not a condition.
    k, _ = recommend(
        _table([1000, 600, 500, 450], [1, 0.4, 0.2, 0.1], [1, 0.9, 0.5, 0.9]), min_jaccard=None
    )
    assert k == 4


def test_recommend_writes_numbers_the_dutch_way() -> None:
    k, text = recommend(_table([125_000.25, 120_500.5], [1, 0.4], [1, 0.9]))
    assert k == 2
    assert "Van 1 naar 2 groepen daalt de BIC met 4.499,8 punten, tot 120.500,5." in text
    assert "De kleinste klasse omvat 40,0% van de huishoudens (ondergrens 5,0%)." in text
    assert "ARI van mediaan 0,95 (10-90%: 0,90-0,99; 1 is gelijk)" in text


def test_stability_reports_a_spread_over_twenty_refits() -> None:
    sim = simulate_households(
        2000, shares=(0.5, 0.3, 0.2), n_categorical=8, n_continuous=1, separation=0.6, seed=3
    )
    result = choose_n_classes(sim.frame, [2, 3], n_bootstrap=20, n_init=3)
    stab = result.stability[3]
    assert stab.ari.shape == (20,) and stab.jaccard.shape == (20, 3)
    row = result.table.loc[3]
    assert row["stability_p10"] <= row["stability"] <= row["stability_p90"]
    assert row["jaccard_min_p10"] <= row["jaccard_min"] <= 1.0
    assert row["jaccard_min"] > 0.9  # planted, well separated classes come back
    assert result.recommended == 3


@pytest.mark.parametrize("chunk_size", [8192, 300])
def test_bootstrap_refits_are_the_same_on_one_thread_and_on_several(chunk_size: int) -> None:
    # Small data: one thread per refit; big data (many chunks): the kernel's threads over
    # chunks. Either way every refit is the one a single thread computes.
    from bestaanszekerheid.segments import LatentClassModel

    sim = simulate_households(1500, shares=(0.5, 0.3, 0.2), n_categorical=6, n_continuous=1, seed=5)
    results = []
    for n_jobs in (1, 2, 4):
        model = LatentClassModel(3, n_init=2, random_state=0, chunk_size=chunk_size, n_jobs=n_jobs)
        model.fit(sim.frame)
        results.append(model.bootstrap_refits(sim.frame, 6, random_state=1))
    for full, labels, weights in results[1:]:
        np.testing.assert_array_equal(full, results[0][0])
        np.testing.assert_array_equal(labels, results[0][1])
        np.testing.assert_array_equal(weights, results[0][2])


def test_choose_n_classes_is_the_same_with_the_next_fit_in_a_second_thread() -> None:
    # n_jobs=1: one model after the other; n_jobs=2: the next model is fitted while this
    # one's stability refits run. Same models, same table, same stability.
    sim = simulate_households(1500, shares=(0.5, 0.3, 0.2), n_categorical=6, n_continuous=1, seed=6)
    one, two = (
        choose_n_classes(sim.frame, [1, 2, 3], n_bootstrap=5, n_init=2, n_jobs=n_jobs)
        for n_jobs in (1, 2)
    )
    pd.testing.assert_frame_equal(one.table, two.table, check_exact=True)
    assert one.recommended == two.recommended and one.explanation == two.explanation
    for k in (2, 3):
        np.testing.assert_array_equal(one.stability[k].jaccard, two.stability[k].jaccard)
        np.testing.assert_array_equal(
            one.models[k].predict(sim.frame), two.models[k].predict(sim.frame)
        )


def test_rejects_invalid_class_range() -> None:
    with pytest.raises(UserFacingError):
        choose_n_classes(pd.DataFrame({"a": [1, 2]}), [0, 1])


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_bootstrap_lrt_rejects_one_class_for_values(values_data: pd.DataFrame) -> None:
    # max_iter bounds the 3-class fits, which are not identified on 4 binary items.
    result = choose_n_classes(
        values_data, [1, 2, 3], n_bootstrap=0, blrt=True, n_blrt=9, n_init=3, max_iter=200
    )
    p = result.table["blrt_p"]
    assert np.isnan(p.loc[1])
    assert p.loc[2] == pytest.approx(0.1)  # the smallest possible p with 9 replicates
    assert p.loc[3] > 0.1  # the third class does not improve the fit significantly
    assert result.recommended == 2
