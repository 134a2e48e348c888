"""Property-based checks: any valid table survives every format; any bad cell is pinpointed."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bestaanszekerheid.households import (
    HouseholdValidationError,
    read_households,
    validate_households,
    write_households,
)
from bestaanszekerheid.households.synthetic import generate_population
from bestaanszekerheid.households.validation import CSV_LINES

POOL = generate_population(400, seed=99).households

rows = st.lists(st.integers(0, len(POOL) - 1), min_size=1, max_size=30, unique=True)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    picked=rows,
    suffix=st.sampled_from([".csv", ".parquet", ".sav"]),
    dialect=st.sampled_from(["nl", "en"]),
)
def test_any_valid_subset_round_trips(picked: list[int], suffix: str, dialect: str) -> None:
    subset = POOL.iloc[picked].reset_index(drop=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"h{suffix}"
        write_households(subset, path, dialect=dialect)  # type: ignore[arg-type]
        back = read_households(path)
    assert back["household_id"].tolist() == subset["household_id"].tolist()
    assert (
        back["household_type"].astype(str).tolist() == subset["household_type"].astype(str).tolist()
    )
    assert (back["net_income_month"] - subset["net_income_month"]).abs().max() < 0.006


@settings(max_examples=40, deadline=None)
@given(
    picked=rows,
    victim=st.integers(0, 29),
    column=st.sampled_from(["net_income_month", "age_main_earner", "income_source", "wijk_code"]),
    bad=st.sampled_from(["-5", "abc", "WK1", "???"]),
)
def test_any_bad_cell_is_reported_with_its_line(
    picked: list[int], victim: int, column: str, bad: str
) -> None:
    raw = POOL.iloc[picked].reset_index(drop=True).astype("string")
    victim %= len(raw)
    raw.loc[victim, column] = bad
    try:
        validate_households(raw, source="x.csv", numbering=CSV_LINES)
    except HouseholdValidationError as error:
        located = [p for p in error.problems if p.column == column]
        assert located, str(error)
        assert victim in located[0].positions
        assert f"regel {victim + 2}" in str(error)
    else:
        raise AssertionError(f"{column}={bad!r} in row {victim} was accepted")


def test_pool_is_valid() -> None:
    assert len(validate_households(pd.DataFrame(POOL))) == len(POOL)
