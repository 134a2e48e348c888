"""Model estimates checked as tables: bands instead of small estimates, no 0%/100%, and no
banded estimate recoverable from the published shares, sizes and level counts.

The attacker is rebuilt here from the published figures alone (scipy's linprog): estimated
counts per class and level, class totals within half the size rounding, level counts exact,
a published share times its class size within the rounding of both, a band as the interval
it states, and what the rules say of a banded estimate (numerator or complement 0..9).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from bestaanszekerheid.disclosure import DisclosureRules
from bestaanszekerheid.disclosure.estimates import (
    CheckedEstimates,
    band_limit,
    check_estimates,
    round_size,
)


def _example() -> pd.DataFrame:
    # A nearly deterministic class 3 (200 households): one household with debts.
    return pd.DataFrame(
        [[40.0, 260.0], [30.0, 470.0], [1.0, 199.0]],
        index=["Groep 1", "Groep 2", "Groep 3"],
        columns=["ja", "nee"],
    )


def test_a_small_estimate_is_a_band_never_a_count_or_zero(rules: DisclosureRules) -> None:
    e = _example()
    sizes = e.sum(axis=1).map(lambda v: round_size(v, 10))
    checked = check_estimates(
        e, basis="row", row_published=sizes, col_published=e.sum(axis=0), name="t", rules=rules
    )
    assert checked.text.loc["Groep 3", "ja"] == "minder dan 5%"  # 5% of 200 = 10 households
    assert checked.text.loc["Groep 3", "nee"] == "meer dan 95%"
    assert math.isnan(checked.published("Groep 3", "ja"))
    assert checked.published("Groep 2", "ja") == pytest.approx(6.0)
    # Published: Groep 1 and the level count (71) would pin Groep 3 with Groep 2 published;
    # one more estimate is hidden, and the attacker below cannot narrow the band.
    assert (checked.status == "secondary").to_numpy().sum() >= 1
    assert _narrowed(checked, e, sizes, e.sum(axis=0), rules) == []


def test_band_limits_cover_the_threshold() -> None:
    assert band_limit(10, 200) == 5.0
    assert band_limit(10, 210) == 5.0
    assert band_limit(10, 190) == 10.0
    assert band_limit(10, 1_000) == 1.0
    assert band_limit(10, 15) is None  # even 50% of 15 is fewer than 10: hidden


def test_shares_rounding_to_zero_or_hundred_become_bands(rules: DisclosureRules) -> None:
    e = pd.DataFrame(
        [[12.0, 29_988.0], [5_000.0, 5_000.0]], index=["A", "B"], columns=["ja", "nee"]
    )
    sizes = e.sum(axis=1)
    checked = check_estimates(
        e, basis="row", row_published=sizes, col_published=e.sum(axis=0), name="t", rules=rules
    )
    assert checked.text.loc["A", "ja"] == "minder dan 0,1%"  # 0,04%: 12 households
    assert checked.text.loc["A", "nee"] == "meer dan 99,9%"
    assert not (checked.share.isin([0.0, 100.0])).to_numpy().any()


def test_composition_shares_use_the_level_as_base(rules: DisclosureRules) -> None:
    # Wijk W2 has 40 target households, 3 of them in class B: the composition share of B
    # in W2 is small; so is A's complement there (37 of 40 leaves 3).
    e = pd.DataFrame([[500.0, 37.0], [400.0, 3.0]], index=["A", "B"], columns=["W1", "W2"])
    sizes = e.sum(axis=1).map(lambda v: round_size(v, 10))
    checked = check_estimates(
        e, basis="column", row_published=sizes, col_published=e.sum(axis=0), name="t", rules=rules
    )
    assert checked.status.loc["B", "W2"] != "ok" and checked.status.loc["A", "W2"] != "ok"
    assert checked.status.loc["A", "W1"] in ("ok", "secondary")


def test_a_hidden_level_publishes_no_estimate(rules: DisclosureRules) -> None:
    e = _example()
    levels = e.sum(axis=0)
    levels["ja"] = np.nan  # the whole-group table hides it
    checked = check_estimates(
        e, basis="row", row_published=e.sum(axis=1), col_published=levels, name="t", rules=rules
    )
    assert (checked.status["ja"] == "absent").all()
    assert (checked.text["ja"] == "x").all()


@pytest.mark.parametrize("seed", range(12))
def test_random_near_deterministic_tables(rules: DisclosureRules, seed: int) -> None:
    """Classes that are exact groups of households: every estimate is a count."""
    rng = np.random.default_rng(seed)
    k, n_levels = int(rng.integers(2, 6)), int(rng.integers(2, 6))
    values = np.where(
        rng.random((k, n_levels)) < 0.3,
        rng.integers(0, 10, (k, n_levels)),
        rng.integers(10, 400, (k, n_levels)),
    ).astype(float)
    e = pd.DataFrame(
        values, index=[f"G{i}" for i in range(k)], columns=[f"L{j}" for j in range(n_levels)]
    )
    sizes = e.sum(axis=1).map(lambda v: round_size(v, 10))
    levels = e.sum(axis=0)
    for basis in ("row", "column"):
        checked = check_estimates(
            e, basis=basis, row_published=sizes, col_published=levels, name="t", rules=rules
        )
        base = e.sum(axis=1) if basis == "row" else e.sum(axis=0)
        for r in e.index:
            for c in e.columns:
                b = float(base[r] if basis == "row" else base[c])
                text = checked.text.loc[r, c]
                if checked.status.loc[r, c] == "ok":
                    assert e.loc[r, c] >= rules.min_count and b - e.loc[r, c] >= rules.min_count
                    assert 0 < checked.share.loc[r, c] < 100, text
        assert _narrowed(checked, e, sizes, levels, rules) == [], (seed, basis)


def _narrowed(
    checked: CheckedEstimates,
    e: pd.DataFrame,
    sizes: pd.Series,
    levels: pd.Series,
    rules: DisclosureRules,
) -> list[tuple[str, str, float, float]]:
    """Banded or hidden estimates whose small side (numerator or complement) the attacker
    bounds to fewer than every value 0..T-1 (capped at what the rules alone reveal)."""
    t = float(rules.min_count)
    rows, cols = list(e.index), list(e.columns)
    k, m = len(rows), len(cols)
    n_var = k * m + k  # cells, then class totals
    var = {(r, c): i * m + j for i, r in enumerate(rows) for j, c in enumerate(cols)}
    truth = e.to_numpy(dtype=float)
    row_true = truth.sum(axis=1)
    col_true = truth.sum(axis=0)
    base = (
        np.repeat(row_true[:, None], m, axis=1)
        if checked.basis == "row"
        else np.repeat(col_true[None, :], k, axis=0)
    )
    bounds: list[tuple[float | None, float | None]] = [(0.0, None)] * n_var
    known: dict[int, tuple[float, float]] = {}
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            status = checked.status.loc[r, c]
            # The worst case: the attacker knows every class total exactly.
            b_lo = b_hi = base[i, j]
            if status == "ok":
                p = float(checked.share.loc[r, c]) / 100
                d = 0.05 / 100
                bounds[var[(r, c)]] = ((p - d) * b_lo, (p + d) * b_hi)
            elif status in ("band_low", "band_high", "primary"):
                v = truth[i, j]
                if v < t:
                    known[var[(r, c)]] = (0.0, t - 1)
                elif base[i, j] - v < t:
                    known[var[(r, c)]] = (base[i, j] - t + 1, base[i, j])
                bounds[var[(r, c)]] = known.get(var[(r, c)], (0.0, None))
    for i in range(k):
        bounds[k * m + i] = (float(row_true[i]), float(row_true[i]))
    a_eq, b_eq = [], []
    for i in range(k):  # rows add up to the class total
        row = np.zeros(n_var)
        row[i * m : (i + 1) * m] = 1
        row[k * m + i] = -1
        a_eq.append(row)
        b_eq.append(0.0)
    for j in range(m):  # columns add up to the published level count
        col = np.zeros(n_var)
        col[[i * m + j for i in range(k)]] = 1
        a_eq.append(col)
        b_eq.append(float(levels.iloc[j]))
    bad = []
    for (r, c), idx in var.items():
        if idx not in known:
            continue
        objective = np.zeros(n_var)
        objective[idx] = 1
        lo = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds).fun
        hi = -linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds).fun
        a, b = known[idx]
        v = float(e.loc[r, c])
        need_lo, need_hi = max(a, v - 5), min(b, v + 5)
        if need_hi - need_lo < min(b - a, 10):  # shift into the prior
            need_lo, need_hi = (a, min(b, a + 10)) if v - 5 < a else (max(a, b - 10), b)
        # What the rules alone reveal: every estimate of the table hidden.
        alone = [(0.0, None) if i < k * m and i not in known else bounds[i] for i in range(n_var)]
        for i2, bd in known.items():
            alone[i2] = bd
        a_lo = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=alone).fun
        a_hi = -linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=alone).fun
        need_lo, need_hi = max(need_lo, a_lo), min(need_hi, a_hi)
        if lo > need_lo + 1e-6 or hi < need_hi - 1e-6:
            bad.append((r, c, lo, hi))
    return bad


def test_the_attacker_finds_a_band_recoverable_by_subtraction(rules: DisclosureRules) -> None:
    """Guard against a vacuous check: publish the estimate that was hidden to protect the
    band, and the attacker pins the band's households (71 - 40 - 30 = 1)."""
    import dataclasses

    e = _example()
    sizes = e.sum(axis=1).map(lambda v: round_size(v, 10))
    checked = check_estimates(
        e, basis="row", row_published=sizes, col_published=e.sum(axis=0), name="t", rules=rules
    )
    status, share = checked.status.copy(), checked.share.copy()
    for r, c in zip(*np.nonzero((status == "secondary").to_numpy()), strict=True):
        row, col = e.index[r], e.columns[c]
        status.loc[row, col] = "ok"
        share.loc[row, col] = round(100 * e.loc[row, col] / e.loc[row].sum(), 1)
    leaky = dataclasses.replace(checked, status=status, share=share)
    found = {(r, c) for r, c, _, _ in _narrowed(leaky, e, sizes, e.sum(axis=0), rules)}
    assert found == {("Groep 3", "ja"), ("Groep 3", "nee")}  # the band and its complement
