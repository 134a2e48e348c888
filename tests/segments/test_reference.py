"""Published poLCA log-likelihoods on classic data (Linzer & Lewis 2011; fixtures/README.md)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from bestaanszekerheid.segments import LatentClassModel

# (data set, classes, published log-likelihood, starts). gss82 with 4 classes has several
# local maxima close to the global one, so it needs more starts (as in poLCA's own example).
PUBLISHED = [
    ("values", 1, -543.6498, 1),
    ("values", 2, -504.4677, 10),
    ("values", 3, -503.3011, 10),
    ("carcinoma", 2, -317.2568, 10),
    ("carcinoma", 3, -293.705, 10),
    ("carcinoma", 4, -289.2858, 20),
    ("gss82", 2, -2783.268, 10),
    ("gss82", 3, -2754.545, 10),
    pytest.param("gss82", 4, -2746.621, 40, marks=pytest.mark.slow),
]


@pytest.mark.parametrize(("name", "k", "published", "starts"), PUBLISHED)
def test_reproduces_published_loglik(
    name: str, k: int, published: float, starts: int, request: pytest.FixtureRequest
) -> None:
    data: pd.DataFrame = request.getfixturevalue(f"{name}_data")
    model = LatentClassModel(
        k, n_init=starts, n_keep=5, tol=1e-10, max_iter=5000, random_state=1
    ).fit(data)
    assert model.loglik_ == pytest.approx(published, abs=1e-3)
    assert model.converged_
    # Classes come out ordered by size, largest first.
    assert list(model.weights_) == sorted(model.weights_, reverse=True)


def test_free_parameter_count_matches_polca(values_data: pd.DataFrame) -> None:
    # poLCA reports 9 estimated parameters for 2 classes on 4 binary items: 1 + 2 * 4.
    model = LatentClassModel(2, random_state=0).fit(values_data)
    assert model.n_parameters_ == 9
    assert model.bic() == pytest.approx(-2 * model.loglik_ + 9 * math.log(216))
