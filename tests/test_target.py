"""Target-group selection: thresholds, definitions, counts and the summary."""

from __future__ import annotations

import dataclasses
from datetime import date

import pandas as pd
import pytest

from bestaanszekerheid.disclosure import ReleaseRegister, load_rules
from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.norms import assess_income
from bestaanszekerheid.target import TargetStatus, select_target


def test_selection_matches_percentage(households: pd.DataFrame) -> None:
    on = date(2025, 1, 1)
    group = select_target(households, max_pct=120, on=on)
    pct = assess_income(households, on).income_pct_norm
    assert group.count == int((pct <= 120).sum())
    assert (group.households["income_pct_norm"] <= 120).all()
    assert group.pct_column == "income_pct_norm"
    assert group.norm_table_version


def test_status_table_rows_are_the_typed_statuses(households: pd.DataFrame) -> None:
    group = select_target(households, max_pct=120, on=date(2025, 1, 1))
    frame = group.status_table().frame
    counts = frame.iloc[:, 0]
    # The row labels are plain text (every renderer writes them), one per status.
    body = [label for label in frame.index if label != "Totaal"]
    assert body == [s.value for s in TargetStatus]
    assert all(type(label) is str for label in frame.index)
    # A member finds its row: readers use the type, not a copy of the text.
    assert counts[TargetStatus.IN_TARGET] == group.count
    assert set(group.status["doelgroep"]) <= {s.value for s in TargetStatus}


def test_checked_tables_name_the_threshold_the_dutch_way(households: pd.DataFrame) -> None:
    group = select_target(households, max_pct=120.5, on=date(2025, 1, 1))
    population = group.table("household_type").population
    assert population.startswith("huishoudens tot en met 120,5% van het sociaal minimum op ")


def test_threshold_is_inclusive() -> None:
    frame = pd.DataFrame(
        {
            "household_type": ["single", "single"],
            "n_adults": [1, 1],
            "age_main_earner": [40, 40],
            "net_income_month": [1345.45 * 1.3, 1345.45 * 1.3 + 0.02],
            "year": [2025, 2025],
            "income_source": ["work", "work"],
            "wijk_code": ["WK085510", "WK085510"],
        }
    )
    group = select_target(frame, max_pct=130, on=date(2025, 1, 1))
    assert group.count == 1


def test_more_generous_threshold_selects_superset(households: pd.DataFrame) -> None:
    narrow = select_target(households, max_pct=120)
    wide = select_target(households, max_pct=130)
    assert set(narrow.households.index) < set(wide.households.index)
    assert narrow.on == date(2025, 1, 1)  # default: 1 January of the data year


def test_cbs_percentage_is_used_when_present(households: pd.DataFrame) -> None:
    frame = households.copy()
    frame["pct_social_minimum_cbs"] = 200.0
    frame.loc[frame.index[:25], "pct_social_minimum_cbs"] = 95.0
    group = select_target(frame, max_pct=110)
    assert group.count == 25
    assert group.pct_column == "pct_social_minimum_cbs"
    assert "CBS-definitie" in group.definition and "INHARMSOC" in group.definition


def test_summary_in_dutch_and_english(households: pd.DataFrame) -> None:
    group = select_target(households, max_pct=130)
    dutch = group.summary()
    assert dutch.startswith("*** SYNTHETISCHE DEMODATA")
    assert "Naar huishoudtype" in dutch and "Naar wijk" in dutch
    assert f"{group.count:,}".replace(",", ".") in dutch
    english = group.summary("en")
    assert "SYNTHETIC DEMO DATA" in english and "By household type" in english


def test_summary_counts_pass_disclosure_control(households: pd.DataFrame) -> None:
    group = select_target(households.iloc[:200], max_pct=130)
    raw = group.households["wijk_code"].astype("string").value_counts()
    assert (raw < 10).any()  # the data has small wijken...
    table = group.table("wijk_code")
    published = table.frame[table.frame.columns[0]].drop(index="Totaal")
    hidden = published[published.isna()]
    # ...which are hidden, together with at least one other cell so the total does not give
    # them away (secondary suppression).
    assert set(raw[raw < 10].index) <= set(hidden.index)
    assert len(hidden) >= 2
    assert (published.dropna() >= 10).all()
    summary = group.summary()
    assert "x = niet getoond" in summary
    for code in hidden.index:
        line = next(line for line in summary.splitlines() if line.strip().startswith(code))
        assert line.split()[-2] == "x"


def test_summary_and_tables_use_the_rules_given(households: pd.DataFrame) -> None:
    group = select_target(households, max_pct=130)
    strict = dataclasses.replace(load_rules(), min_count=40)
    register = ReleaseRegister(strict)
    table = group.table("wijk_code", register)
    assert table.rules is strict
    published = table.frame[table.frame.columns[0]].drop(index="Totaal")
    assert (published.dropna() >= 40).all()

    def hidden(summary: str) -> int:
        return sum(line.split()[-2] == "x" for line in summary.splitlines() if line[:2] == "  ")

    assert hidden(group.summary(rules=strict)) > hidden(group.summary())


def test_invalid_threshold() -> None:
    # The library names the threshold, not a command-line flag (the CLI names its own).
    for bad, shown in ((0, "0"), (1000.5, "1000,5")):
        with pytest.raises(UserFacingError) as refused:
            select_target(pd.DataFrame({"year": [2025]}), max_pct=bad)
        message = str(refused.value)
        assert message == (
            "De grens moet groter zijn dan 0 en hoogstens 1000% van het sociaal minimum, "
            f"niet {shown}%."
        )
        assert "--" not in message
