"""The model choice recovers planted structure (measure: segments/recovery.py, ADR 0011)."""

from __future__ import annotations

import warnings

import pytest

from bestaanszekerheid.defaults import DEFAULT_CLASSES, DEFAULT_N_INIT
from bestaanszekerheid.households.synthetic import generate_population
from bestaanszekerheid.pipeline import DEFAULT_INDICATORS
from bestaanszekerheid.segments.recovery import match_planted
from bestaanszekerheid.segments.selection import choose_n_classes
from bestaanszekerheid.segments.simulate import simulate_households
from bestaanszekerheid.target import select_target

from ..profiles.conftest import indicator_frame


def test_a_small_planted_class_is_found_on_a_small_population() -> None:
    # Four classes, the smallest 6%: BIC keeps improving up to 4, the fifth is not taken.
    sim = simulate_households(
        3000,
        shares=(0.44, 0.3, 0.2, 0.06),
        n_categorical=8,
        n_continuous=1,
        separation=0.6,
        seed=4,
    )
    result = choose_n_classes(sim.frame, range(1, 7), n_bootstrap=20, n_init=4)
    assert result.recommended == 4, result.explanation
    recovery = match_planted(sim.classes.astype(str), result.model.predict(sim.frame))
    assert recovery.all_matched, recovery.text()
    assert "5 groepen zijn niet gekozen" in result.explanation


@pytest.mark.slow
def test_the_demo_population_model_matches_the_planted_truth() -> None:
    """The demo's own population (112,000 households, seed 2025) and settings: every planted
    archetype of at least 5% of the target group is matched by one group."""
    pop = generate_population(112_000, seed=2025)
    target = select_target(pop.households, max_pct=130.0)
    data = target.households.reset_index(drop=True)
    truth = pop.truth.set_index("household_id")["planted_group"]
    planted = truth.loc[data["household_id"]].to_numpy()
    X = indicator_frame(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = choose_n_classes(
            X, DEFAULT_CLASSES, indicators=DEFAULT_INDICATORS, n_init=DEFAULT_N_INIT
        )
    recovery = match_planted(planted, result.model.predict(X))
    assert recovery.all_matched, f"K={result.recommended}\n{recovery.text()}"
    assert len(recovery.matches) == 7  # the seven archetypes, overig left out
    assert result.recommended == 8
