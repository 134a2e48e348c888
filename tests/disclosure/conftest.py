"""Fixtures for the disclosure tests: the packaged rules and small hand-made populations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bestaanszekerheid.disclosure import DisclosureRules, load_rules


@pytest.fixture(scope="session")
def rules() -> DisclosureRules:
    return load_rules()


def population(counts: dict[tuple[str, str], int], seed: int = 0) -> pd.DataFrame:
    """One row per unit with columns row/col, an id, an income and a boolean flag."""
    rng = np.random.default_rng(seed)
    frames = []
    for (r, c), n in counts.items():
        frames.append(pd.DataFrame({"row": [r] * n, "col": [c] * n}))
    data = pd.concat(frames, ignore_index=True)
    data["uid"] = [f"U{i:05d}" for i in range(len(data))]
    data["income"] = rng.uniform(1000, 2000, len(data)).round(2)
    data["flag"] = rng.random(len(data)) < 0.5
    return data
