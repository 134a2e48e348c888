"""Model output rules: residual degrees of freedom, class sizes, dummies, no unit-level output."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bestaanszekerheid.disclosure import DisclosureRules, check_fitted_model, check_model
from bestaanszekerheid.errors import UserFacingError


def test_residual_degrees_of_freedom(rules: DisclosureRules) -> None:
    assert check_model(name="m", n_obs=15, n_params=5, rules=rules).passed  # df 10
    failed = check_model(name="m", n_obs=14, n_params=5, rules=rules)  # df 9
    assert not failed.passed
    assert "vrijheidsgraden" in failed.problems[0]
    with pytest.raises(UserFacingError, match="vrijheidsgraden"):
        failed.require()


def test_fitted_statsmodels_like_result(rules: DisclosureRules) -> None:
    ok = check_fitted_model(SimpleNamespace(nobs=200.0, df_resid=190.0), name="ols", rules=rules)
    assert ok.passed and ok.df_resid == 190
    bad = check_fitted_model(SimpleNamespace(nobs=12.0, df_resid=9.0), name="ols", rules=rules)
    assert not bad.passed


def test_every_latent_class_has_ten_units(rules: DisclosureRules) -> None:
    ok = check_model(name="lca", n_obs=300, class_counts={"1": 200, "2": 90, "3": 10}, rules=rules)
    assert ok.passed
    # posterior sums are rounded down: 9.7 expected households is not enough
    bad = check_model(name="lca", n_obs=300, class_counts={"1": 290.3, "2": 9.7}, rules=rules)
    assert not bad.passed and "klasse" in bad.problems[0]


def test_dummies_for_small_groups_are_refused(rules: DisclosureRules) -> None:
    bad = check_model(
        name="ols", n_obs=100, n_params=3, category_counts={"a": 92, "b": 8}, rules=rules
    )
    assert not bad.passed and "dummy" in bad.problems[0]


@pytest.mark.parametrize("output", ["residuals", "predictions", "posterior_probabilities"])
def test_unit_level_output_is_refused(rules: DisclosureRules, output: str) -> None:
    bad = check_model(
        name="m", n_obs=100, n_params=3, outputs=["coefficients", output], rules=rules
    )
    assert not bad.passed
    assert output in bad.problems[0]


def test_count_gate_replaces_the_experiments_placeholder(rules: DisclosureRules) -> None:
    from bestaanszekerheid.disclosure import check_min_cells, small_cells

    check_min_cells({"controle": 120, "interventie": 10}, rules=rules)
    assert small_cells({"a": 9.7, "b": 10.0, "c": 0}, rules=rules) == {"a": 9.7, "c": 0}
    with pytest.raises(UserFacingError, match="Te klein: a: 9"):
        check_min_cells({"a": 9.7, "b": 50}, rules=rules)
