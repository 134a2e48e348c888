"""Every validation problem class gives one clear Dutch message naming column, rows and values."""

from __future__ import annotations

import pandas as pd
import pytest
from tests.conftest import minimal_row

from bestaanszekerheid.households import HouseholdValidationError, validate_households
from bestaanszekerheid.households.validation import CSV_LINES


def frame(*rows: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def problems_of(raw: pd.DataFrame, **kwargs: object) -> HouseholdValidationError:
    with pytest.raises(HouseholdValidationError) as caught:
        validate_households(raw, source="huishoudens.csv", **kwargs)  # type: ignore[arg-type]
    return caught.value


def kinds(error: HouseholdValidationError) -> set[tuple[str, str]]:
    return {(p.kind, p.column) for p in error.problems}


def test_valid_rows_are_typed() -> None:
    raw = frame(
        minimal_row(),
        minimal_row(
            household_id="H2",
            household_type="Paar met kinderen",  # Dutch label accepted
            n_adults="2",
            n_children="2",
            age_youngest_child="4",
            income_source="Bijstandsuitkering",  # CBS INHBBIHJ value label accepted
            net_income_month="2100,5",
            synthetic="ja",
        ),
    )
    typed = validate_households(raw, decimal=",")
    assert list(typed["household_type"]) == ["single", "couple_with_children"]
    assert list(typed["income_source"]) == ["work", "social_assistance"]
    assert typed["net_income_month"].tolist() == [1500.0, 2100.5]
    assert str(typed["n_children"].dtype) == "Int64"
    assert typed["synthetic"].tolist() == [False, True]


def test_missing_required_columns_are_all_named() -> None:
    raw = frame(minimal_row()).drop(columns=["income_source", "net_income_month"])
    error = problems_of(raw)
    assert {("missing_column", "income_source"), ("missing_column", "net_income_month")} <= kinds(
        error
    )
    assert "verplichte kolom ontbreekt" in str(error)
    assert "huishoudens.csv" in str(error)


def test_wrong_types_name_rows_and_values() -> None:
    raw = frame(minimal_row(), minimal_row(household_id="H2", age_main_earner="veertig"))
    error = problems_of(raw, numbering=CSV_LINES)
    assert ("wrong_type", "age_main_earner") in kinds(error)
    message = str(error)
    # CSV line numbers count the header: the second data row is line 3.
    assert "regel 3" in message
    assert "'veertig'" in message


def test_fractional_integer_is_wrong_type() -> None:
    error = problems_of(frame(minimal_row(n_children="1.5", household_type="other", n_adults="2")))
    assert ("wrong_type", "n_children") in kinds(error)


def test_unknown_code_lists_allowed_codes() -> None:
    error = problems_of(frame(minimal_row(income_source="loterij")))
    assert ("unknown_code", "income_source") in kinds(error)
    assert "social_assistance (Bijstandsuitkering)" in str(error)
    assert "'loterij'" in str(error)


def test_negative_income_has_its_own_message() -> None:
    error = problems_of(frame(minimal_row(net_income_month="-10")))
    assert ("negative_income", "net_income_month") in kinds(error)
    assert "negatief" in str(error)


def test_out_of_range_and_pattern() -> None:
    error = problems_of(
        frame(minimal_row(age_main_earner="130", wijk_code="WK85501", buurt_code="BU0855"))
    )
    assert {
        ("out_of_range", "age_main_earner"),
        ("pattern", "wijk_code"),
        ("pattern", "buurt_code"),
    } <= kinds(error)


def test_duplicate_ids_and_empty_required() -> None:
    error = problems_of(frame(minimal_row(), minimal_row(), minimal_row(household_id="", year="")))
    assert ("duplicate_id", "household_id") in kinds(error)
    assert ("empty_required", "household_id") in kinds(error)
    assert ("empty_required", "year") in kinds(error)


def test_children_count_against_household_type() -> None:
    raw = frame(
        minimal_row(n_children="2", age_youngest_child="3"),  # single with children
        minimal_row(household_id="H2", household_type="couple_with_children", n_adults="2"),
        minimal_row(household_id="H3", n_adults="2"),  # a single with two adults
    )
    error = problems_of(raw)
    assert ("composition", "n_children") in kinds(error)
    assert ("composition", "n_adults") in kinds(error)
    message = str(error)
    assert "past niet bij huishoudtype 'single'" in message
    assert "past niet bij huishoudtype 'couple_with_children'" in message


def test_adult_children_at_home_are_allowed() -> None:
    raw = frame(
        minimal_row(
            household_type="single_parent", n_adults="2", n_children="1", age_youngest_child="12"
        ),
        minimal_row(
            household_id="H2",
            household_type="couple_with_children",
            n_adults="3",
            n_children="1",
            age_youngest_child="15",
        ),
    )
    assert len(validate_households(raw)) == 2


def test_single_with_partner_income() -> None:
    error = problems_of(frame(minimal_row(partner_income_month="400")))
    assert ("partner_income_without_partner", "partner_income_month") in kinds(error)
    assert "partnerinkomen" in str(error)


def test_partner_income_above_household_income() -> None:
    row = minimal_row(
        household_type="couple_no_children", n_adults="2", partner_income_month="1600"
    )
    error = problems_of(frame(row))
    assert ("partner_income_above_total", "partner_income_month") in kinds(error)


def test_child_age_consistency() -> None:
    raw = frame(
        minimal_row(age_youngest_child="4"),  # no children but an age
        minimal_row(
            household_id="H2",
            household_type="single_parent",
            n_children="1",
            age_main_earner="20",
            age_youngest_child="15",
        ),
    )
    error = problems_of(raw)
    messages = [p.message for p in error.problems if p.column == "age_youngest_child"]
    assert any("geen kinderen" in m for m in messages)
    assert any("12 jaar ouder" in m for m in messages)


def test_buurt_must_lie_in_wijk_and_wsnp_needs_debts() -> None:
    raw = frame(
        minimal_row(buurt_code="BU08551101", problematic_debts="nee", debt_assistance="wsnp")
    )
    error = problems_of(raw)
    assert ("buurt_outside_wijk", "buurt_code") in kinds(error)
    assert ("wsnp_without_debts", "debt_assistance") in kinds(error)


def test_all_problems_reported_at_once_with_counts() -> None:
    rows = [minimal_row(household_id=f"H{i}", income_source="x") for i in range(8)]
    error = problems_of(frame(*rows))
    (problem,) = [p for p in error.problems if p.kind == "unknown_code"]
    assert problem.count == 8
    assert len(problem.positions) == 5  # only the first few rows are shown...
    assert "en nog 3" in str(error)  # ...and the rest is counted


def test_extra_columns_are_kept_and_names_normalised() -> None:
    raw = frame(minimal_row(eigen_kolom="a"))
    raw = raw.rename(columns={"household_id": " Household_ID "})
    typed = validate_households(raw)
    assert typed.loc[0, "household_id"] == "H1"
    assert typed.loc[0, "eigen_kolom"] == "a"


def test_synthetic_population_is_valid(households: pd.DataFrame) -> None:
    typed = validate_households(households)
    assert len(typed) == len(households)
    assert typed["synthetic"].all()
