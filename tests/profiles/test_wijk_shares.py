"""The target group's share per wijk: a quotient of two checked count tables, before the report."""

from __future__ import annotations

import math

import pandas as pd

from bestaanszekerheid.disclosure import TOTAL, CheckedTable, frequency_table, load_rules
from bestaanszekerheid.profiles import target_share_by_wijk

#: All households and those in the target group per wijk; W3 is too small to publish.
SIZES = {"W1": (200, 50), "W2": (100, 40), "W3": (4, 2), "W4": (150, 30), "W5": (120, 60)}


def _tables() -> tuple[CheckedTable, CheckedTable]:
    rows = [(code, i < n_target) for code, (n, n_target) in SIZES.items() for i in range(n)]
    data = pd.DataFrame(rows, columns=["wijk_code", "in_target"])
    data["household_id"] = range(len(data))
    rules = load_rules()
    everyone = frequency_table(data, "wijk_code", unit="household_id", rules=rules, name="alle")
    target = frequency_table(
        data[data["in_target"]], "wijk_code", unit="household_id", rules=rules, name="doelgroep"
    )
    return everyone, target


def _published(table: CheckedTable, code: str) -> float:
    return float(table.frame.iloc[:, 0].get(code, math.nan))


def test_shares_per_wijk_from_the_published_counts_highest_first() -> None:
    everyone, target = _tables()
    shares = target_share_by_wijk(target, everyone, {"W1": "Centrum"})
    assert shares is not None
    assert shares.sources == ("alle", "doelgroep")
    by_code = {w.code: w for w in shares.wijken}
    assert set(by_code) == set(SIZES)
    assert by_code["W1"].name == "Centrum" and by_code["W2"].name == "W2"  # no name: the code
    for code, w in by_code.items():
        n, total = _published(target, code), _published(everyone, code)
        assert (w.target, w.households) == (n, total) or math.isnan(n) or math.isnan(total)
        if math.isnan(n) or math.isnan(total):
            assert math.isnan(w.share)  # a hidden count gives no share
        else:
            assert math.isclose(w.share, 100 * n / total)
    # W3 (4 households) is hidden; W5 has the highest share (50%) and comes first.
    assert math.isnan(by_code["W3"].share)
    assert shares.wijken[0].code == "W5" and shares.wijken[0].share == 50.0
    known = [w.share for w in shares.wijken if not math.isnan(w.share)]
    assert known == sorted(known, reverse=True)
    assert all(math.isnan(w.share) for w in shares.wijken[len(known) :])  # unknown last
    assert [w.share for w in shares.highest(2)] == known[:2]
    assert math.isclose(
        shares.overall, 100 * _published(target, TOTAL) / _published(everyone, TOTAL)
    )


def test_no_shares_without_both_tables() -> None:
    everyone, target = _tables()
    assert target_share_by_wijk(None, everyone, {}) is None
    assert target_share_by_wijk(target, None, {}) is None
