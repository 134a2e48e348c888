"""Norms on known dates, look-up rules, data-file integrity and the income percentage."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.norms import NormCategory, aow_age, assess_income, load_norm_table
from bestaanszekerheid.norms.income import at_aow_age

JAN_2025 = date(2025, 1, 1)


@pytest.mark.parametrize(
    ("category", "amount"),
    [
        ("alleenstaand_21", 1345.45),
        ("gehuwden_21", 1922.07),
        ("alleenstaand_aow", 1501.07),
        ("gehuwden_aow", 2053.48),
        ("alleenstaand_18_20", 332.17),
    ],
)
def test_known_norms_1_january_2025(category: str, amount: float) -> None:
    found = load_norm_table().lookup(category, JAN_2025)
    assert found.amount == pytest.approx(amount, abs=0.005)
    assert found.row.effective_date == JAN_2025


def test_known_norms_1_january_2024() -> None:
    table = load_norm_table()
    assert table.lookup("alleenstaand_21", date(2024, 1, 1)).amount == pytest.approx(1283.83)
    assert table.lookup("gehuwden_21", date(2024, 1, 1)).amount == pytest.approx(1834.04)


def test_lookup_takes_latest_row_in_force() -> None:
    table = load_norm_table()
    spring = table.lookup("alleenstaand_21", date(2025, 3, 15))
    assert spring.row.effective_date == JAN_2025
    december = table.lookup("alleenstaand_21", date(2024, 12, 31))
    assert december.row.effective_date < JAN_2025


def test_lookup_before_table_is_a_clear_error() -> None:
    with pytest.raises(UserFacingError, match="normentabel begint"):
        load_norm_table().lookup("alleenstaand_21", date(2010, 1, 1))


def test_stale_norm_gives_a_warning() -> None:
    table = load_norm_table()
    last = max(table.dates())
    far = date(last.year + 2, 1, 1)
    found = table.lookup("alleenstaand_21", far)
    assert any("ontbreekt een nieuwere norm" in w for w in found.warnings)


def test_every_row_has_a_source_and_consistent_holiday_pay() -> None:
    table = load_norm_table()
    assert len(table.rows) >= 30
    for row in table.rows:
        assert row.source.strip(), row
        assert row.status in {"verified", "unverified"}
        assert row.effective_date.day == 1 and row.effective_date.month in (1, 7), row
        # Holiday pay is 5% of the amount including it (allow a cent or two of rounding).
        assert row.excl_vt == pytest.approx(row.incl_vt * 0.95, abs=0.03), row
    first = min(table.dates())
    assert first.year == 2015


def test_couple_norm_is_about_ten_sevenths_of_single_norm() -> None:
    """The single norm is 70% of the couple norm (Participatiewet art. 21) on every date."""
    table = load_norm_table()
    for on in table.dates():
        rows = {r.category: r for r in table.rows if r.effective_date == on}
        if NormCategory.SINGLE_21 in rows and NormCategory.COUPLE_21 in rows:
            ratio = rows[NormCategory.SINGLE_21].incl_vt / rows[NormCategory.COUPLE_21].incl_vt
            assert ratio == pytest.approx(0.70, abs=0.002), on


def test_version_changes_with_content(tmp_path: Path) -> None:
    packaged = load_norm_table()
    text = Path(packaged.path).name
    assert text.endswith(".csv")
    copy = tmp_path / "norms.csv"
    source = (
        Path(__file__).parents[2] / "src/bestaanszekerheid/norms/data/participatiewet_norms.csv"
    )
    copy.write_bytes(source.read_bytes())
    assert load_norm_table(copy).version == packaged.version
    copy.write_text(source.read_text().replace("1345.45", "1345.46"))
    assert load_norm_table(copy).version != packaged.version


@pytest.mark.parametrize(
    ("on", "age", "expected"),
    [
        (date(2025, 1, 1), 67, True),
        (date(2025, 1, 1), 66, False),
        (date(2023, 1, 1), 66, False),  # AOW age 66 years and 10 months
        (date(2023, 1, 1), 67, True),
        (date(2018, 1, 1), 66, True),  # AOW age exactly 66
        (date(2030, 1, 1), 67, False),  # after 2028: 67 years and 3 months (last known)
    ],
)
def test_aow_age(on: date, age: int, expected: bool) -> None:
    assert bool(at_aow_age(np.array([age]), on)[0]) is expected


def test_aow_age_table() -> None:
    assert aow_age(date(2025, 6, 1)) == (67, 0)
    assert aow_age(date(2019, 6, 1)) == (66, 4)


def households_for_pct() -> pd.DataFrame:
    rows = [
        # type, adults, age, income, expected category
        ("single", 1, 40, 1345.45, "alleenstaand_21"),
        ("single_parent", 1, 35, 1614.54, "alleenstaand_21"),
        ("couple_no_children", 2, 50, 1922.07, "gehuwden_21"),
        ("couple_with_children", 2, 38, 2498.69, "gehuwden_21"),
        ("single", 1, 70, 1501.07, "alleenstaand_aow"),
        ("couple_no_children", 2, 72, 2464.18, "gehuwden_aow"),
        ("single", 1, 19, 332.17, "alleenstaand_18_20"),
        ("other", 1, 45, 672.73, "alleenstaand_21"),
        ("other", 3, 45, 1922.07, "gehuwden_21"),
        ("single", 1, 16, 500.0, None),
    ]
    return pd.DataFrame(
        rows, columns=["household_type", "n_adults", "age_main_earner", "net_income_month", "cat"]
    )


def test_percentage_for_each_household_type() -> None:
    frame = households_for_pct()
    result = assess_income(frame, JAN_2025)
    assert result.norm_category.tolist()[:-1] == frame["cat"].tolist()[:-1]
    assert pd.isna(result.norm_category.iloc[-1])  # under 18: no norm, no percentage
    expected = [100.0, 120.0, 100.0, 130.0, 100.0, 120.0, 100.0, 50.0, 100.0]
    assert result.income_pct_norm.iloc[:-1].round(1).tolist() == pytest.approx(expected, abs=0.05)
    assert np.isnan(result.income_pct_norm.iloc[-1])
    assert "zonder kostendelersnorm" in result.definition
    assert result.norm_dates["alleenstaand_21"] == JAN_2025
