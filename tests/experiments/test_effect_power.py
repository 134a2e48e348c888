"""Power, MDE and sample size: closed forms, the issue's worked example, and simulation."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.experiments import (
    minimum_detectable_effect,
    power_for_effect,
    sample_size,
    simulate_power,
)

# The normal approximation is slightly optimistic for binary outcomes at n ~ 200 per arm
# (a long seeded run with 100 000 simulations gave analytic - simulated = 0.005); allow 0.01
# for the approximation on top of 4 Monte Carlo standard errors.
APPROXIMATION = 0.01


def test_issue_example_780_people_four_arms() -> None:
    res = minimum_detectable_effect(780, n_arms=4, baseline=0.2)
    # Research notes: 12.5 pp without correction, 14.5 pp with Bonferroni over 3 arms.
    assert 0.14 < res.effect < 0.15
    assert res.n_per_arm == pytest.approx(195)
    assert res.alpha_per_test == pytest.approx(0.05 / 3)
    plain = minimum_detectable_effect(780, n_arms=4, baseline=0.2, correction="geen")
    assert 0.12 < plain.effect < 0.13
    text = res.uitleg()
    assert "Met 780 deelnemers in vier onderzoeksarmen" in text
    assert "ongeveer 14 procentpunten" in text
    assert "ongeveer 12 procentpunten" in text  # the uncorrected figure is mentioned
    assert "Bonferroni" in text


def test_continuous_mde_matches_closed_form() -> None:
    res = minimum_detectable_effect(n_per_arm=100, n_arms=2, sd=2.0, correction="geen")
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    # The closed form ignores the (tiny) opposite rejection tail, hence the tolerance.
    assert res.effect == pytest.approx(z * 2.0 * math.sqrt(2 / 100), rel=1e-4)


def test_design_effect_and_r2_scale_the_mde() -> None:
    base = minimum_detectable_effect(n_per_arm=200, sd=1.0).effect
    clustered = minimum_detectable_effect(n_per_arm=200, sd=1.0, icc=0.05, cluster_size=21).effect
    adjusted = minimum_detectable_effect(n_per_arm=200, sd=1.0, r2=0.5).effect
    assert clustered == pytest.approx(base * math.sqrt(2.0), rel=1e-6)  # deff = 1 + 20 * 0.05
    assert adjusted == pytest.approx(base * math.sqrt(0.5), rel=1e-6)


def test_sample_size_is_the_smallest_sufficient() -> None:
    res = sample_size(0.045, n_arms=4, baseline=0.2)
    n = res.n_per_arm
    assert res.power >= 0.8
    below = power_for_effect(0.045, n_arms=4, n_per_arm=n - 1, baseline=0.2)
    assert below.power < 0.8
    assert 1_200 < n < 2_500  # the notes: a 4-5 pp effect needs ~1 200+ per arm
    assert "deelnemers per interventiearm" in res.uitleg()


def test_explanation_writes_numbers_the_dutch_way() -> None:
    res = sample_size(0.01, n_arms=2, baseline=0.2)
    text = res.uitleg()
    n = round(res.n_per_arm)
    assert n > 10_000  # so the count needs a thousands separator
    assert f"ongeveer {n // 1000}.{n % 1000:03d} deelnemers per interventiearm" in text
    assert "1,0 procentpunten (van 20,0% naar 21,0%)" in text
    assert "in 80% van de gevallen (tweezijdige toets, 5% significantieniveau" in text


def test_unequal_control_group() -> None:
    res = sample_size(0.3, n_arms=3, sd=1.0, control_ratio=2.0)
    assert res.n_control == pytest.approx(math.ceil(res.n_per_arm * 2.0))


@pytest.mark.parametrize(
    ("kwargs", "effect_key"),
    [
        ({"baseline": 0.2}, "binary"),
        ({"sd": 10.0}, "continuous"),
    ],
)
def test_power_agrees_with_simulation_at_the_mde(kwargs: dict[str, float], effect_key: str) -> None:
    mde = minimum_detectable_effect(780, n_arms=4, **kwargs)
    sim = simulate_power(
        mde.effect,
        n_per_arm=195,
        n_arms=4,
        n_sim=20_000,
        seed=11,
        **kwargs,
    )
    assert abs(sim.power - 0.8) <= 4 * sim.mc_se + APPROXIMATION, effect_key


@pytest.mark.parametrize("effect", [0.06, 0.10])
def test_power_curve_agrees_with_simulation(effect: float) -> None:
    analytic = power_for_effect(effect, 780, n_arms=4, baseline=0.2).power
    sim = simulate_power(effect, n_per_arm=195, n_arms=4, baseline=0.2, n_sim=20_000, seed=5)
    assert abs(sim.power - analytic) <= 4 * sim.mc_se + APPROXIMATION


def test_holm_power_is_at_least_the_bonferroni_bound() -> None:
    mde = minimum_detectable_effect(780, n_arms=4, baseline=0.2, correction="holm")
    sim = simulate_power(
        mde.effect, n_per_arm=195, n_arms=4, baseline=0.2, correction="holm", n_sim=20_000, seed=3
    )
    # Holm rejects whatever Bonferroni rejects; with equal effects in all arms it gains power.
    assert sim.power > 0.8 + 4 * sim.mc_se
    uncorrected = simulate_power(
        mde.effect, n_per_arm=195, n_arms=4, baseline=0.2, correction="geen", n_sim=20_000, seed=3
    )
    assert sim.power < uncorrected.power


def test_size_under_the_null_is_alpha_per_test() -> None:
    sim = simulate_power(
        0.0, n_per_arm=400, n_arms=2, sd=1.0, correction="geen", n_sim=20_000, seed=2
    )
    assert abs(sim.power - 0.05) <= 4 * sim.mc_se


def test_user_errors_are_dutch() -> None:
    with pytest.raises(UserFacingError, match="basiskans"):
        minimum_detectable_effect(780, n_arms=4, baseline=0.2, sd=1.0)
    with pytest.raises(UserFacingError, match="minstens twee onderzoeksarmen"):
        minimum_detectable_effect(780, n_arms=1, baseline=0.2)
    with pytest.raises(UserFacingError, match="vergroot de armen"):
        minimum_detectable_effect(12, n_arms=4, baseline=0.5, correction="bonferroni")
