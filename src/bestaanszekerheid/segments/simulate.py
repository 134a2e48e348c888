"""Synthetic households drawn from a known latent class model (tests, benchmark, demos)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bestaanszekerheid.segments.indicators import FloatArray

#: Class shares used by the peer benchmark (docs/research/lca_peers.md).
DEFAULT_SHARES = (0.30, 0.22, 0.18, 0.13, 0.10, 0.07)


@dataclass(frozen=True)
class SimulatedData:
    """Indicator table, true classes and the parameters that generated them."""

    frame: pd.DataFrame
    classes: np.ndarray
    shares: FloatArray
    probs: list[FloatArray]  # per categorical indicator: (K, L)
    means: FloatArray  # (K, C)
    sds: FloatArray  # (K, C)


def simulate_households(
    n: int,
    *,
    shares: tuple[float, ...] = DEFAULT_SHARES,
    n_categorical: int = 15,
    n_continuous: int = 3,
    missing: float = 0.05,
    separation: float = 0.3,
    seed: int = 1,
) -> SimulatedData:
    """Draw ``n`` households with moderately separated classes.

    Categorical indicators cycle through 2, 3, 4, 5 levels; class-conditional probabilities
    are ``(1 - separation) * Dirichlet(1) + separation * onehot(random mode)``. Continuous
    indicators have class means ~ N(0, 1) and standard deviations ~ U(0.7, 1.3). Every cell
    is missing completely at random with probability ``missing``. Categorical columns are
    pandas ``category`` (codes 1..L), continuous ones float.
    """
    rng = np.random.default_rng(seed)
    w = np.asarray(shares, dtype=np.float64)
    w = w / w.sum()
    k = w.size
    classes = rng.choice(k, size=n, p=w)
    cols: dict[str, object] = {}
    probs = []
    for j in range(n_categorical):
        levels = 2 + j % 4
        p = (1 - separation) * rng.dirichlet(np.ones(levels), size=k)
        p[np.arange(k), rng.integers(0, levels, size=k)] += separation
        probs.append(p)
        cum = p.cumsum(axis=1)[classes]
        codes = (rng.random(n)[:, None] > cum).sum(axis=1)
        codes = np.minimum(codes, levels - 1).astype(np.float64) + 1
        codes[rng.random(n) < missing] = np.nan
        cols[f"c{j + 1:02d}"] = pd.Categorical(codes, categories=np.arange(1.0, levels + 1))
    means = rng.standard_normal((k, n_continuous))
    sds = rng.uniform(0.7, 1.3, size=(k, n_continuous))
    for c in range(n_continuous):
        x = rng.normal(means[classes, c], sds[classes, c])
        x[rng.random(n) < missing] = np.nan
        cols[f"x{c + 1}"] = x
    return SimulatedData(pd.DataFrame(cols), classes, w, probs, means, sds)
