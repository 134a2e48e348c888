"""Each primary rule, on hand-made populations where the right answer is known."""

from __future__ import annotations

import dataclasses
import pickle
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bestaanszekerheid.disclosure import (
    DisclosureRules,
    frequency_table,
    load_rules,
    magnitude_table,
    percentage_table,
    percentile_table,
)
from bestaanszekerheid.errors import UserFacingError
from tests.disclosure.conftest import population
from tests.disclosure.oracle import Spec, violations


def test_packaged_rules_are_versioned_and_documented(rules: DisclosureRules) -> None:
    assert rules.version == "cbs-ra-2026.2"
    assert (rules.min_count, rules.dominance_n, rules.dominance_k) == (10, 2, 90.0)
    assert (rules.p_percent, rules.min_residual_df, rules.rounding_base) == (10.0, 10, 5)
    assert set(rules.forbidden_statistics) == {"min", "max"}
    for key, text in rules.texts.items():
        assert text.source and text.nl and text.en, key
    assert "10 ongewogen eenheden" in rules.describe("min_count")
    assert len(rules.checksum) == 64


def test_user_rules_file(tmp_path: Path) -> None:
    path = tmp_path / "strenger.toml"
    path.write_text(
        'name = "strenger"\nversion = "test-1"\n[rules.min_count]\nvalue = 20\n'
        'source = "eigen keuze"\nnl = "minstens {value}"\nen = "at least {value}"\n',
        encoding="utf-8",
    )
    rules = load_rules(path)
    assert rules.version == "test-1" and rules.min_count == 20
    data = population({("a", "x"): 15, ("b", "x"): 25})
    table = frequency_table(data, "row", margins=False, rules=rules)
    assert np.isnan(table.frame.loc["a", "count"]) and table.frame.loc["b", "count"] == 25


def test_packaged_rules_are_read_once_and_cannot_be_changed(tmp_path: Path) -> None:
    rules = load_rules()
    assert load_rules() is rules and DisclosureRules.default() is rules
    with pytest.raises(TypeError):
        rules.texts["min_count"] = rules.texts["p_percent"]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        rules.min_count = 3  # type: ignore[misc]
    # An own copy of the same file is a new instance with the same values and checksum.
    from bestaanszekerheid.disclosure.rules import DEFAULT_RULES_FILE

    packaged = resources.files("bestaanszekerheid.disclosure").joinpath("data", DEFAULT_RULES_FILE)
    path = tmp_path / "eigen.toml"
    path.write_bytes(packaged.read_bytes())
    copy = load_rules(path)
    assert copy is not rules and copy == rules and copy.checksum == rules.checksum
    changed = dataclasses.replace(rules, min_count=20)
    assert changed.texts == rules.texts and load_rules().min_count == 10
    restored = pickle.loads(pickle.dumps(rules))
    assert restored == rules and restored.describe("min_count") == rules.describe("min_count")


@pytest.mark.parametrize(
    "text",
    [
        'version = "x"\n[rules.min_kount]\nvalue = 10\n',  # typo in a rule name
        'name = "no version"\n',
        'version = "x"\n[rules.min_count]\nvalue = 0\n',  # would switch protection off
    ],
)
def test_bad_rules_files_are_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "r.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserFacingError):
        load_rules(path)


def test_count_threshold_nine_hidden_ten_shown(rules: DisclosureRules) -> None:
    data = population({("a", "x"): 9, ("b", "x"): 10, ("c", "x"): 30})
    table = frequency_table(data, "row", margins=False, rules=rules)
    assert np.isnan(table.frame.loc["a", "count"])
    assert table.frame.loc["b", "count"] == 10
    assert table.status.loc["a", "count"] == "primary"
    assert table.to_frame().loc["a", "aantal"] == "x"
    reasons = {c.row: c.reasons for c in table.cells()}
    assert reasons[("a",)] == ("min_count",)


def test_thresholds_use_unweighted_counts(rules: DisclosureRules) -> None:
    data = population({("a", "x"): 5, ("b", "x"): 40})
    data["w"] = np.where(data["row"] == "a", 100.0, 1.0)  # 5 units weighted up to 500
    table = frequency_table(data, "row", margins=False, weight="w", rules=rules)
    assert np.isnan(table.frame.loc["a", "count"])
    assert table.frame.loc["b", "count"] == pytest.approx(40.0)


def test_group_disclosure_everyone_and_no_one(rules: DisclosureRules) -> None:
    # Everyone in wijk 'z' (12 units) is of type 'p': the cell z×p reveals it, and z×q = 0
    # reveals that no one in z is of type q.
    counts = {("y", "p"): 20, ("y", "q"): 25, ("y", "r"): 15, ("w", "q"): 15, ("w", "r"): 11}
    data = population({**counts, ("z", "p"): 12})
    table = frequency_table(data, "row", "col", margins=False, rules=rules)
    reasons = {(c.row[0], c.col[0]): c.reasons for c in table.cells()}
    assert reasons[("z", "p")] == ("group_all",)
    assert reasons[("z", "q")] == ("zeros",) and reasons[("w", "p")] == ("zeros",)
    for (r, c), n in counts.items():
        assert table.frame.loc[r, c] == n
    assert table.frame.loc["z"].isna().all()


def test_zeros_can_be_allowed_by_the_rules(rules: DisclosureRules) -> None:
    lenient = dataclasses.replace(rules, zeros_are_disclosive=False, group_disclosure=False)
    data = population({("y", "p"): 20, ("y", "q"): 25, ("x", "q"): 14, ("z", "p"): 12})
    table = frequency_table(data, "row", "col", margins=False, rules=lenient)
    assert table.frame.loc["z", "q"] == 0 and table.frame.loc["z", "p"] == 12


def _incomes(values: list[float], filler: int, filler_value: float) -> pd.DataFrame:
    data = pd.DataFrame(
        {
            "uid": range(len(values) + filler),
            "row": "a",
            "income": values + [filler_value] * filler,
        }
    )
    other = pd.DataFrame({"uid": range(1000, 1030), "row": "b", "income": np.linspace(1, 30, 30)})
    return pd.concat([data, other], ignore_index=True)


def test_dominance_rule(rules: DisclosureRules) -> None:
    # Two contributors of 50 and 18 of 10/18 each: top-2 = 100 of 110 = 91% >= 90%.
    data = _incomes([50.0, 50.0], 18, 10 / 18)
    table = magnitude_table(data, "income", "row", unit="uid", margins=False, rules=rules)
    reasons = {c.row[0]: c.reasons for c in table.cells()}
    assert "dominance" in reasons["a"] and "p_percent" not in reasons["a"]
    assert np.isnan(table.frame.loc["a", "sum"]) and not np.isnan(table.frame.loc["b", "sum"])


def test_p_percent_rule(rules: DisclosureRules) -> None:
    # Largest 100, second 95, 18 others together 9: the second largest can estimate the
    # largest to within 9% < 10%. Dominance is switched off to isolate the p% rule.
    only_p = dataclasses.replace(rules, dominance_k=100.0)
    data = _incomes([100.0, 95.0], 18, 0.5)
    table = magnitude_table(data, "income", "row", unit="uid", margins=False, rules=only_p)
    reasons = {c.row[0]: c.reasons for c in table.cells()}
    assert reasons["a"] == ("p_percent",)
    # and with 18 x 0.6 = 10.8 > 10% of 100 it passes
    data = _incomes([100.0, 95.0], 18, 0.6)
    table = magnitude_table(data, "income", "row", unit="uid", margins=False, rules=only_p)
    assert table.frame.loc["a", "sum"] == pytest.approx(195.0 + 18 * 0.6)


def test_all_equal_values_are_group_disclosure(rules: DisclosureRules) -> None:
    data = _incomes([], 15, 1234.0)  # everyone in 'a' has the same amount
    table = magnitude_table(data, "income", "row", stat="mean", margins=False, rules=rules)
    assert np.isnan(table.frame.loc["a", "mean"])
    assert {c.row[0]: c.reasons for c in table.cells()}["a"] == ("group_all",)


@pytest.mark.parametrize("stat", ["min", "max"])
def test_minimum_and_maximum_are_refused(rules: DisclosureRules, stat: str) -> None:
    data = population({("a", "x"): 30})
    with pytest.raises(UserFacingError, match="nooit gepubliceerd"):
        magnitude_table(data, "income", "row", stat=stat, rules=rules)
    with pytest.raises(UserFacingError):
        percentile_table(data, "income", "row", q=100 if stat == "max" else 0, rules=rules)


def test_percentile_rule() -> None:
    rules = load_rules()
    data = pd.concat(
        [
            pd.DataFrame({"row": "even", "v": np.arange(40, dtype=float)}),  # median 19.5
            pd.DataFrame({"row": "odd", "v": np.arange(41, dtype=float)}),  # median = one value
            pd.DataFrame({"row": "tied", "v": [*range(10), *[50.0] * 12, *range(100, 110)]}),
        ],
        ignore_index=True,
    )
    median = percentile_table(data, "v", "row", margins=False, rules=rules)
    assert median.frame.loc["even", "p50"] == pytest.approx(19.5)
    assert np.isnan(median.frame.loc["odd", "p50"])
    # a median shared by 12 (>= 10) units is not one household's value
    assert median.frame.loc["tied", "p50"] == pytest.approx(50.0)
    p95 = percentile_table(data, "v", "row", q=95, margins=False, rules=rules)
    assert p95.frame["p95"].isna().all()  # fewer than 10 units above: near the maximum


def test_percentages_numerator_denominator_complement(rules: DisclosureRules) -> None:
    data = population({("all", "x"): 30, ("none", "x"): 30, ("most", "x"): 40, ("ok", "x"): 40})
    data["flag"] = False
    data.loc[data.row == "all", "flag"] = True
    most = data.index[data.row == "most"]
    data.loc[most[:37], "flag"] = True  # 37 of 40: 3 without the property
    ok = data.index[data.row == "ok"]
    data.loc[ok[:20], "flag"] = True
    table = percentage_table(data, "flag", "row", margins=False, rules=rules)
    frame = table.frame["percentage"]
    assert frame.loc["ok"] == pytest.approx(50.0)
    assert frame[["all", "none", "most"]].isna().all()
    reasons = {c.row[0]: c.reasons for c in table.cells()}
    assert "group_all" in reasons["all"] and "zeros" in reasons["none"]
    assert "min_count" in reasons["most"]
    assert violations(table.frame, data, Spec("percentage", "row", value="flag"), rules) == []


def test_missing_values_are_left_out_and_logged(rules: DisclosureRules) -> None:
    data = population({("a", "x"): 30, ("b", "x"): 30})
    data.loc[:4, "income"] = np.nan
    table = magnitude_table(data, "income", "row", rules=rules)
    assert table.missing_excluded == 5
    assert any(c.rule == "missing" for c in table.checks)
    assert table.frame.loc["Totaal", "sum"] == pytest.approx(data["income"].sum())


def test_one_row_per_unit_is_required(rules: DisclosureRules) -> None:
    data = population({("a", "x"): 30})
    data.loc[1, "uid"] = data.loc[0, "uid"]
    with pytest.raises(UserFacingError, match="precies één eenheid"):
        frequency_table(data, "row", unit="uid", rules=rules)


def test_csv_export_marks_suppressed_cells(tmp_path: Path, rules: DisclosureRules) -> None:
    data = population({("a", "x"): 3, ("a", "y"): 40, ("b", "x"): 50, ("b", "y"): 60})
    table = frequency_table(data, "row", "col", rules=rules)
    path = table.write_csv(tmp_path / "t.csv")
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "row;x;y;Totaal"
    back = pd.read_csv(path, sep=";", index_col=0, dtype=str)
    assert back.loc["a", "x"] == "x"  # the 3 is never written
    assert (back == "x").sum().sum() == int(table.frame.isna().sum().sum())
    english = table.to_frame("en")
    assert "Total" in english.index and "Total" in english.columns


def test_several_row_variables_and_weights(rules: DisclosureRules) -> None:
    data = population({("a", "x"): 30, ("a", "y"): 4, ("b", "x"): 25, ("b", "y"): 40})
    data["w"] = 2.5
    table = frequency_table(data, ["row", "col"], unit="uid", weight="w", rules=rules)
    assert table.frame.index.names == ["row", "col"]
    assert np.isnan(table.frame.loc[("a", "y"), "count"])
    assert table.frame.loc[("b", "y"), "count"] == pytest.approx(100.0)  # weighted
    assert table.frame.loc[("Totaal", "Totaal"), "count"] == pytest.approx(247.5)
    mean = magnitude_table(data, "income", "row", stat="mean", weight="w", rules=rules)
    expected = data.loc[data.row == "b", "income"].mean()
    assert mean.frame.loc["b", "mean"] == pytest.approx(expected)
    labels = {c.row for c in table.cells() if c.status == "primary"}
    assert ("a", "y") in labels


def test_no_units_left_is_a_user_error(rules: DisclosureRules) -> None:
    data = pd.DataFrame({"row": [None, None], "col": ["a", "b"], "v": [1.0, 2.0]})
    with pytest.raises(UserFacingError, match="Geen eenheden"):
        frequency_table(data, "row", "col", rules=rules)
    with pytest.raises(UserFacingError, match="Geen eenheden"):
        magnitude_table(data.iloc[:0], "v", "col", rules=rules)
