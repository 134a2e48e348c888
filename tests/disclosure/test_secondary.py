"""Secondary suppression and rounding: no hidden cell can be recovered from the totals.

The attacker's linear programme is rebuilt in ``oracle.py`` from the published frame alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bestaanszekerheid.disclosure import DisclosureRules, frequency_table, magnitude_table
from bestaanszekerheid.disclosure.secondary import TableLayout, attacker_bounds, protect
from tests.disclosure.conftest import population
from tests.disclosure.oracle import (
    Spec,
    proportion_rule_bounds,
    recovery_intervals,
    true_counts,
    unprotected_cells,
    violations,
)


def _random_counts(seed: int) -> dict[tuple[str, str], int]:
    rng = np.random.default_rng(seed)
    n_rows, n_cols = rng.integers(2, 7), rng.integers(2, 6)
    counts = {}
    for r in range(n_rows):
        for c in range(n_cols):
            # mostly large cells with a good share of small ones (1-9) and some zeros
            kind = rng.random()
            n = int(rng.integers(1, 10)) if kind < 0.3 else int(rng.integers(10, 80))
            if kind > 0.95:
                n = 0
            if n:
                counts[(f"r{r}", f"c{c}")] = n
    counts.setdefault(("r0", "c0"), 25)
    return counts


def test_primary_suppression_alone_would_be_recoverable(rules: DisclosureRules) -> None:
    """The oracle can fail: hiding only the small cell lets the attacker compute it."""
    data = population({("a", "x"): 3, ("a", "y"): 40, ("b", "x"): 50, ("b", "y"): 60})
    table = frequency_table(data, "row", "col", rules=rules)
    naive = true_counts(data, "row", "col", table.frame)
    naive.loc["a", "x"] = np.nan
    intervals = recovery_intervals(naive, true_counts(data, "row", "col", naive))
    assert intervals[("a", "x")] == pytest.approx((3.0, 3.0))
    # the real table hides a rectangle instead
    assert table.frame.isna().sum().sum() == 4
    truth = true_counts(data, "row", "col", table.frame)
    assert unprotected_cells(table.frame, truth, table.status, rules) == []


@pytest.mark.parametrize("seed", range(25))
def test_random_tables_hidden_cells_cannot_be_recovered(rules: DisclosureRules, seed: int) -> None:
    data = population(_random_counts(seed), seed=seed)
    table = frequency_table(data, "row", "col", unit="uid", rules=rules)
    truth = true_counts(data, "row", "col", table.frame)
    assert unprotected_cells(table.frame, truth, table.status, rules) == []
    # every hidden cell's true value lies inside the attacker's interval (sanity of the LP)
    for (r, c), (lo, hi) in recovery_intervals(table.frame, truth).items():
        assert lo - 1e-6 <= truth.loc[r, c] <= hi + 1e-6
    assert violations(table.frame, data, Spec("frequency", "row", "col"), rules) == []
    assert (table.status == "primary").to_numpy().any() or not table.frame.isna().any().any()


@pytest.mark.parametrize("seed", range(10))
def test_random_tables_with_rounding(rules: DisclosureRules, seed: int) -> None:
    data = population(_random_counts(seed + 100), seed=seed)
    table = frequency_table(data, "row", "col", unit="uid", rules=rules, method="round")
    published = table.frame
    shown = published.to_numpy()[~np.isnan(published.to_numpy())]
    assert (shown % rules.rounding_base == 0).all()
    truth = true_counts(data, "row", "col", published)
    # margins are the rounded true totals (not sums of rounded cells): documented behaviour
    for r in published.index:
        if not np.isnan(published.loc[r, "Totaal"]):
            assert abs(published.loc[r, "Totaal"] - truth.loc[r, "Totaal"]) <= 2
    bad = unprotected_cells(published, truth, table.status, rules, halfwidth=(2.0, 2.0))
    assert bad == []
    spec = Spec("frequency", "row", "col", method="round")
    assert violations(published, data, spec, rules) == []


def test_one_dimensional_table_with_total(rules: DisclosureRules) -> None:
    data = population({("a", "x"): 4, ("b", "x"): 50, ("c", "x"): 70, ("d", "x"): 12})
    table = frequency_table(data, "row", rules=rules)
    status = table.status["count"]
    assert status["a"] == "primary" and status["d"] == "secondary"  # smallest other cell
    assert table.frame.loc["Totaal", "count"] == 136
    truth = true_counts(data, "row", None, table.frame)
    assert unprotected_cells(table.frame, truth, table.status, rules) == []


def test_magnitude_sums_are_protected(rules: DisclosureRules) -> None:
    data = population({("a", "x"): 4, ("a", "y"): 30, ("b", "x"): 40, ("b", "y"): 35}, seed=3)
    table = magnitude_table(data, "income", "row", "col", unit="uid", rules=rules)
    sums = pd.DataFrame(index=table.frame.index, columns=table.frame.columns, dtype=float)
    for r in sums.index:
        for c in sums.columns:
            sel = pd.Series(True, index=data.index)
            if r != "Totaal":
                sel &= data.row == r
            if c != "Totaal":
                sel &= data.col == c
            sums.loc[r, c] = data.loc[sel, "income"].sum()
    intervals = recovery_intervals(table.frame, sums)
    lo, hi = intervals[("a", "x")]
    assert hi - lo >= 2 * 0.10 * sums.loc["a", "x"]
    assert (
        violations(table.frame, data, Spec("magnitude", "row", "col", "income", "sum"), rules) == []
    )


def test_attacker_bounds_on_a_known_pattern() -> None:
    # 2x2 interior + margins; hiding a 2x2 rectangle leaves each cell free within its bounds.
    values = np.array([[3.0, 40.0, 43.0], [50.0, 60.0, 110.0], [53.0, 100.0, 153.0]])
    layout = TableLayout(2, 2, True, True)
    hidden = np.array([[True, True, False], [True, True, False], [False, False, False]])
    lo, hi = attacker_bounds(values, layout, hidden)
    assert (lo[0, 0], hi[0, 0]) == pytest.approx((0.0, 43.0))
    assert (lo[1, 1], hi[1, 1]) == pytest.approx((57.0, 100.0))
    only = np.zeros_like(hidden)
    only[0, 0] = True
    lo, hi = attacker_bounds(values, layout, only)
    assert lo[0, 0] == pytest.approx(3.0) and hi[0, 0] == pytest.approx(3.0)
    result = protect(values, layout, only, np.full(values.shape, 10.0))
    assert result.suppressed.sum() == 4 and result.verified


@pytest.mark.parametrize("seed", range(6))
def test_percentage_numerators_cannot_be_recovered(rules: DisclosureRules, seed: int) -> None:
    """Percentages with totals, denominators assumed public: the numerators' LP, with what the
    rules say of each numerator, rebuilt from the published percentages."""
    from bestaanszekerheid.disclosure import percentage_table

    data = population(_random_counts(seed + 200), seed=seed)
    table = percentage_table(data, "flag", "row", "col", unit="uid", rules=rules)
    pct = table.frame
    den = true_counts(data, "row", "col", pct)
    flagged = data[data["flag"].astype(bool)]
    num = true_counts(flagged, "row", "col", pct)
    published = pct / 100 * den
    status = table.status
    known = proportion_rule_bounds(status, num, den, float(rules.min_count))
    assert unprotected_cells(published, num, status, rules, known=known) == []
    assert (status == "primary").to_numpy().any()


def test_an_attacker_who_knows_the_rules_pins_two_small_cells(rules: DisclosureRules) -> None:
    """The audit's example: two small cells hidden together, 17 left over after the published
    cells. Hidden cells >= 0 only: each lies in 0..17 (looks safe); knowing that both are
    small (0..9): each is 8 or 9. The table builder hides a larger partner instead."""
    data = population({("a", "x"): 8, ("b", "x"): 9, ("c", "x"): 50, ("d", "x"): 70})
    naive = true_counts(
        data, "row", None, pd.DataFrame(index=[*"abcd", "Totaal"], columns=["count"])
    )
    truth = naive.copy()
    naive.loc[["a", "b"], "count"] = np.nan
    status = pd.DataFrame("ok", index=naive.index, columns=naive.columns)
    status.loc[["a", "b"], "count"] = "primary"
    blind = recovery_intervals(naive, truth)
    assert blind[("a", "count")] == pytest.approx((0.0, 17.0))  # "wide enough" for width 10
    bad = unprotected_cells(naive, truth, status, rules)
    assert [(r, lo, hi) for r, _, lo, hi, _, _ in bad] == [("a", 8.0, 9.0), ("b", 8.0, 9.0)]
    table = frequency_table(data, "row", rules=rules)
    assert table.status.loc["c", "count"] == "secondary"
    assert unprotected_cells(table.frame, truth, table.status, rules) == []
