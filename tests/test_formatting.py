"""Dutch number formats: one set of helpers for everything a user reads."""

from __future__ import annotations

import math

import numpy as np

from bestaanszekerheid.experiments.results import format_number, format_p
from bestaanszekerheid.formatting import fmt_eur, fmt_int, fmt_num, fmt_pct, fmt_plain


def test_thousands_and_decimal_separators() -> None:
    assert fmt_int(112_000) == "112.000"
    assert fmt_int(112_000, "en") == "112,000"
    assert fmt_num(-1234.56, 1) == "-1.234,6"
    assert fmt_num(1234.56, 1, "en") == "1,234.6"
    assert fmt_num(0.1234, 3) == "0,123"
    assert fmt_pct(12.345) == "12,3%"
    assert fmt_eur(1345.45) == "€ 1.345,45"
    assert fmt_num(float("nan")) == "-"
    assert fmt_plain(130.0) == "130" and fmt_plain(120.5) == "120,5"
    assert fmt_plain(120.5, "en") == "120.5"


def test_numpy_values_format_like_python_numbers() -> None:
    assert fmt_int(np.int64(1_500)) == "1.500"
    assert fmt_num(np.float64(2_500.25), 2) == "2.500,25"


def test_table_cells_of_effect_summaries() -> None:
    assert format_number(1_234) == "1.234"
    assert format_number(1_234.0) == "1.234"
    assert format_number(1_234.5678, 2) == "1.234,57"
    assert format_number(0.5) == "0,500"
    assert format_number(True) == "ja"
    assert format_number(None) == "" and format_number(math.nan) == ""
    assert format_number("tekst") == "tekst"
    assert format_p(0.04567) == "0,046"
    assert format_p(0.0001) == "< 0,001"
    assert format_p(math.nan) == ""
