"""Buurten protected inside their wijk (top-down, as tau-ARGUS's HiTaS): the cases where a
published wijk count pins its buurten, and the group estimates below a hidden wijk estimate."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from bestaanszekerheid.areas import tilburg
from bestaanszekerheid.areas.distribution import where_they_live
from bestaanszekerheid.areas.hierarchy import estimates_within_wijken
from bestaanszekerheid.disclosure import TOTAL, ReleaseRegister, check_estimates, load_rules

from .attacker import published_sums

CAT = tilburg()
TWO = "WK085545"  # a wijk of exactly two buurten
TWO_BUURTEN = [b.code for b in CAT.buurten if b.wijk_code == TWO]
OTHER = [b.code for b in CAT.buurten if b.wijk_code in ("WK085510", "WK085511")]


def _households(spec: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """``spec``: buurt -> (target households, other households)."""
    rows = []
    for buurt, (n_target, n_other) in spec.items():
        rows += [(buurt, True)] * n_target + [(buurt, False)] * n_other
    frame = pd.DataFrame(rows, columns=["buurt_code", "in_target"])
    frame["wijk_code"] = frame["buurt_code"].map(CAT.parent())
    frame["household_id"] = [f"H{i:05d}" for i in range(len(frame))]
    return frame


def _run(households: pd.DataFrame) -> tuple[object, ReleaseRegister]:
    target = households[households["in_target"]].reset_index(drop=True)
    rng = np.random.default_rng(0)
    post = rng.dirichlet(np.ones(2) * 0.3, len(target))
    register = ReleaseRegister()
    figures = where_they_live(
        households,
        target,
        post,
        ["Groep 1", "Groep 2"],
        {"Groep 1": 100.0, "Groep 2": 100.0},
        {"Groep 1": 50.0, "Groep 2": 50.0},
        catalog=CAT,
        register=register,
        population="test",
        levels=("wijk", "buurt"),
    )
    assert figures is not None
    return figures, register


def _spec() -> dict[str, tuple[int, int]]:
    rng = np.random.default_rng(3)
    spec = {b: (int(rng.integers(15, 60)), int(rng.integers(60, 200))) for b in OTHER}
    spec[TWO_BUURTEN[0]] = (8, 40)  # both small, together 14: a published wijk count of 14
    spec[TWO_BUURTEN[1]] = (6, 40)  # would pin each of them between 5 and 9
    return spec


def test_a_wijk_that_would_pin_its_small_buurten_is_hidden_and_the_buurt_table_released() -> None:
    figures, register = _run(_households(_spec()))
    wijk, buurt = figures.levels["wijk"], figures.levels["buurt"]  # type: ignore[attr-defined]
    assert wijk.target_table is not None and buurt.target_table is not None
    assert not register.refused
    wijk_counts = wijk.target_table.frame.iloc[:, 0]
    assert math.isnan(wijk_counts.at[TWO])
    # ...and it is not recoverable from the city total minus the other wijken either.
    assert pd.notna(wijk_counts.at[TOTAL])
    hidden_wijken = [c for c, v in wijk_counts.items() if c != TOTAL and pd.isna(v)]
    assert len(hidden_wijken) >= 2


def test_no_small_buurt_is_pinned_by_published_wijk_buurt_and_city_counts() -> None:
    """The attacker of tests/disclosure, with the rules as knowledge: a hidden cell that is
    small lies in 0..9; each small buurt must keep an interval of at least its own range."""
    households = _households(_spec())
    figures, register = _run(households)
    t = register.rules.min_count
    buurten = sorted(households["buurt_code"].unique())
    idx = {b: i for i, b in enumerate(buurten)}
    truth = households[households["in_target"]].groupby("buurt_code").size()
    rows, rhs = [], []
    for _, members, value in published_sums(figures, buurten, CAT.parent()):  # type: ignore[arg-type]
        row = np.zeros(len(buurten))
        row[[idx[b] for b in members]] = 1
        rows.append(row)
        rhs.append(value)
    counts = figures.levels["buurt"].target_table.frame.iloc[:, 0]  # type: ignore[attr-defined]
    bounds = [
        (0, t - 1) if pd.isna(counts.at[b]) and truth.get(b, 0) < t else (0, None) for b in buurten
    ]
    for b in buurten:
        if pd.notna(counts.at[b]) or truth.get(b, 0) >= t:
            continue
        c = np.zeros(len(buurten))
        c[idx[b]] = 1
        lo = linprog(c, A_eq=np.array(rows), b_eq=rhs, bounds=bounds, method="highs").fun
        hi = -linprog(-c, A_eq=np.array(rows), b_eq=rhs, bounds=bounds, method="highs").fun
        assert lo <= 0.5 and hi >= t - 1.5, (b, truth.get(b, 0), lo, hi)


def test_buurt_estimates_below_a_hidden_wijk_estimate_are_not_published() -> None:
    codes = ["BU1", "BU2", "BU3"]
    estimated = pd.DataFrame(
        [[30.0, 40.0, 35.0], [20.0, 25.0, 30.0], [3.0, 2.0, 4.0]],
        index=["A", "B", "C"],
        columns=codes,
    )
    target = estimated.sum(axis=0)
    wijk = check_estimates(
        pd.DataFrame({"W": estimated.sum(axis=1)}),
        basis="column",
        row_published=estimated.sum(axis=1),
        col_published=pd.Series({"W": float(target.sum())}),
        name="wijk",
    )
    assert wijk.status.at["A", "W"] == "ok" and wijk.status.at["C", "W"] != "ok"
    block = estimates_within_wijken(
        estimated, target, dict.fromkeys(codes, "W"), wijk, name="buurt", rules=load_rules()
    )
    assert list(block.status.columns) == codes
    assert all(block.status.at["C", c] != "ok" for c in codes)
    assert all(math.isnan(block.published("C", c)) for c in codes)
    assert any(not math.isnan(block.published("A", c)) for c in codes)
