"""Property test: over random small populations, no published figure of any table breaks a rule.

Every published cell is found again in the microdata by its labels; its unweighted count,
dominance, p% ratio, percentile position and value are recomputed (``oracle.violations``), and
for tables with totals the attacker's linear programme is rebuilt from the published frame to
show that no primary cell can be narrowed down below the protection width.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bestaanszekerheid.disclosure import (
    DisclosureRules,
    ReleaseRegister,
    frequency_table,
    load_rules,
    magnitude_table,
    percentage_table,
    percentile_table,
)
from bestaanszekerheid.errors import UserFacingError
from tests.disclosure.oracle import (
    Spec,
    differencing_violations,
    published_sets,
    recovery_intervals,
    true_counts,
    unprotected_cells,
    violations,
)

RULES = load_rules()
cell_size = st.one_of(st.integers(0, 3), st.integers(4, 12), st.integers(13, 45))


@st.composite
def populations(draw: st.DrawFn) -> pd.DataFrame:
    n_rows = draw(st.integers(1, 4))
    n_cols = draw(st.integers(1, 3))
    sizes = draw(st.lists(cell_size, min_size=n_rows * n_cols, max_size=n_rows * n_cols))
    seed = draw(st.integers(0, 2**16))
    dominant = draw(st.booleans())
    rng = np.random.default_rng(seed)
    rows, cols = [], []
    for i, n in enumerate(sizes):
        rows += [f"r{i // n_cols}"] * n
        cols += [f"c{i % n_cols}"] * n
    if not rows:
        rows, cols = ["r0"], ["c0"]
    n = len(rows)
    income = rng.lognormal(7, 0.6, n).round(2)
    if dominant:
        income[rng.integers(n)] *= 200  # one very large contributor somewhere
    data = pd.DataFrame(
        {
            "uid": [f"P{i}" for i in range(n)],
            "row": rows,
            "col": cols,
            "income": income,
            "flag": rng.random(n) < draw(st.sampled_from([0.0, 0.1, 0.5, 0.95, 1.0])),
        }
    )
    return data


def _sums(data: pd.DataFrame, like: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """True sums and largest contributions per cell in the layout of ``like``."""
    sums = pd.DataFrame(0.0, index=like.index, columns=like.columns)
    top = sums.copy()
    for r in like.index:
        for c in like.columns:
            sel = pd.Series(True, index=data.index)
            if r != "Totaal":
                sel &= data.row == r
            if c not in ("Totaal", "sum"):
                sel &= data.col == c
            values = data.loc[sel, "income"]
            sums.loc[r, c] = values.sum()
            top.loc[r, c] = values.abs().max() if len(values) else 0.0
    return sums, top


def _check_all(data: pd.DataFrame, rules: DisclosureRules, margins: bool) -> None:
    for method in ("suppress", "round"):
        for cols in (None, "col"):
            table = frequency_table(
                data, "row", cols, unit="uid", margins=margins, rules=rules, method=method
            )
            spec = Spec("frequency", "row", cols, method=method)
            assert violations(table.frame, data, spec, rules) == []
            if margins:
                truth = true_counts(data, "row", cols, table.frame)
                half = (2.0, 2.0) if method == "round" else (0.0, 0.0)
                bad = unprotected_cells(table.frame, truth, table.status, rules, halfwidth=half)
                assert bad == []
    for stat in ("sum", "mean"):
        table = magnitude_table(
            data, "income", "row", "col", stat=stat, unit="uid", margins=margins, rules=rules
        )
        spec = Spec("magnitude", "row", "col", "income", stat)
        assert violations(table.frame, data, spec, rules) == []
        if margins and stat == "sum":
            sums, top = _sums(data, table.frame)
            intervals = recovery_intervals(table.frame, sums)
            for (r, c), (lo, hi) in intervals.items():
                if table.status.loc[r, c] == "primary":
                    need = max(2 * 0.10 * max(sums.loc[r, c], top.loc[r, c]), 1.0)
                    assert hi - lo >= need - 1e-6
    table = percentage_table(data, "flag", "row", "col", unit="uid", margins=margins, rules=rules)
    assert violations(table.frame, data, Spec("percentage", "row", "col", "flag"), rules) == []
    table = percentile_table(data, "income", "row", unit="uid", margins=margins, rules=rules)
    assert violations(table.frame, data, Spec("percentile", "row", None, "income"), rules) == []


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=populations(), margins=st.booleans())
def test_no_published_figure_breaks_a_rule(data: pd.DataFrame, margins: bool) -> None:
    _check_all(data, RULES, margins)


def test_the_oracle_catches_tables_made_with_weaker_rules() -> None:
    """Guard against a vacuous property: the same checks fail on an unsafe table."""
    import dataclasses

    weak = dataclasses.replace(
        RULES,
        min_count=2,
        zeros_are_disclosive=False,
        group_disclosure=False,
        dominance_k=100.0,
        p_percent=0.0,
    )
    data = pd.DataFrame(
        {
            "uid": range(60),
            "row": ["a"] * 5 + ["b"] * 55,
            "col": (["x", "y"] * 30),
            "income": [1.0] * 59 + [10_000.0],
            "flag": [True] * 60,
        }
    )
    table = frequency_table(data, "row", "col", unit="uid", rules=weak)
    problems = violations(table.frame, data, Spec("frequency", "row", "col"), RULES)
    assert any("units" in p for p in problems)
    table = magnitude_table(data, "income", "row", unit="uid", rules=weak)
    problems = violations(table.frame, data, Spec("magnitude", "row", None, "income", "sum"), RULES)
    assert any("dominance" in p for p in problems)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=populations(),
    drop=st.lists(st.integers(0, 500), max_size=12),
    margins=st.booleans(),
    order=st.booleans(),
)
def test_register_leaves_no_small_differences(
    data: pd.DataFrame, drop: list[int], margins: bool, order: bool
) -> None:
    """Overlapping tables on nearly the same population: after the register, no two published
    cells of different tables differ by 1-9 units and no cell minus another table's published
    parts inside it leaves 1-9 units."""
    data = data.assign(stad="stad")
    fewer = data.drop(index=[i for i in drop if i < len(data)])
    specs = [
        (data, "row", "col", margins),
        (fewer, "stad", None, True),
        (fewer if order else data, "col", None, margins),
    ]
    register = ReleaseRegister(RULES)
    released = []
    for frame, rows, cols, with_margins in specs:
        if frame.empty:
            continue
        table = frequency_table(frame, rows, cols, unit="uid", margins=with_margins, rules=RULES)
        try:
            register.release(table)
        except UserFacingError as exc:
            # Refused: what the rules say of its hidden cells would, with the earlier tables,
            # narrow a hidden cell whatever else it hides. Nothing of it is published.
            assert "geweigerd" in str(exc)
            continue
        released.append(published_sets(table.frame, frame, rows, cols, "uid"))
    assert differencing_violations(released, RULES.min_count) == []
