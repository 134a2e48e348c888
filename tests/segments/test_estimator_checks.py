"""scikit-learn's estimator checks. All of them apply and pass (no expected failures)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sklearn.utils.estimator_checks import parametrize_with_checks

from bestaanszekerheid.segments import LatentClassModel


@parametrize_with_checks([LatentClassModel(n_init=2, random_state=0)])
def test_sklearn_compatible(estimator: LatentClassModel, check: Callable[..., Any]) -> None:
    check(estimator)
