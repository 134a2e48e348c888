"""The areas step publishes the same figures with the faster checks of docs/decisions/0073 as
with the checks they replaced (rebuilt in tests/disclosure/test_same_decisions.py), on random
small populations at wijk and buurt level: counts per area, and every group estimate's status
and published share."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bestaanszekerheid.areas import tilburg
from bestaanszekerheid.areas.distribution import where_they_live
from bestaanszekerheid.disclosure import ReleaseRegister
from tests.disclosure.test_same_decisions import old_checks

CAT = tilburg()
#: Wijken of 7, 8 and 9 buurten: estimate blocks with a real programme each.
WIJKEN = ("WK085517", "WK085543", "WK085532")
KEYS = ["Groep 1", "Groep 2", "Groep 3"]


def _population(seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    rows = []
    for buurt in (b.code for b in CAT.buurten if b.wijk_code in WIJKEN):
        kind = rng.random()
        n_target = int(rng.integers(0, 10)) if kind < 0.35 else int(rng.integers(10, 45))
        rows += [(buurt, True)] * n_target + [(buurt, False)] * int(rng.integers(15, 90))
    households = pd.DataFrame(rows, columns=["buurt_code", "in_target"])
    households["wijk_code"] = households["buurt_code"].map(CAT.parent())
    households["household_id"] = [f"H{i:05d}" for i in range(len(households))]
    n_target = int(households["in_target"].sum())
    posterior = rng.dirichlet(np.ones(len(KEYS)) * 0.4, n_target)
    return households, posterior


def _published(seed: int) -> list[pd.DataFrame]:
    households, posterior = _population(seed)
    target = households[households["in_target"]].reset_index(drop=True)
    shares = posterior.mean(axis=0)
    figures = where_they_live(
        households,
        target,
        posterior,
        KEYS,
        {k: float(round(len(target) * s, -1)) for k, s in zip(KEYS, shares, strict=True)},
        {k: float(round(100 * s, 1)) for k, s in zip(KEYS, shares, strict=True)},
        catalog=CAT,
        register=ReleaseRegister(),
        population="test",
        levels=("wijk", "buurt"),
    )
    assert figures is not None
    out = []
    for level in figures.levels.values():
        out.append(level.target[["code", "households", "target", "status"]])
        out.append(level.groups[["groep", "code", "share", "band", "status"]])
    return out


@pytest.mark.parametrize("seed", range(8))
def test_the_areas_step_publishes_the_same_figures(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    new = _published(seed)
    with old_checks(monkeypatch):
        old = _published(seed)
    for a, b in zip(new, old, strict=True):
        pd.testing.assert_frame_equal(a, b)
