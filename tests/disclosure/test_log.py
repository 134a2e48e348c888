"""The output log: versioned JSON and a Dutch summary, without hidden values or unit ids."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from bestaanszekerheid.disclosure import (
    DisclosureRules,
    ReleaseRegister,
    check_model,
    frequency_table,
    magnitude_table,
)
from tests.disclosure.conftest import population


def test_log_lists_outputs_checks_suppressions_and_rules(
    tmp_path: Path, rules: DisclosureRules
) -> None:
    data = population({("a", "x"): 3, ("a", "y"): 40, ("b", "x"): 50, ("b", "y"): 60})
    data.loc[data.index[-4:], "income"] = np.nan  # 4 units without an income
    register = ReleaseRegister(rules)
    counts = frequency_table(data, "row", "col", unit="uid", rules=rules, population="demo")
    register.export_csv(counts, tmp_path / "aantallen.csv")
    register.release(magnitude_table(data, "income", "row", unit="uid", rules=rules))
    register.release(check_model(name="model", n_obs=150, n_params=4, rules=rules))
    json_path, md_path = register.write_log(tmp_path)

    doc = json.loads(json_path.read_text(encoding="utf-8"))
    assert doc["schema"] == "bestaanszekerheid/disclosure-log" and doc["schema_version"] == 2
    assert doc["for_publication"] is False and doc["notice"].startswith("NIET PUBLICEREN")
    assert doc["rules"]["version"] == rules.version
    assert doc["rules"]["values"]["min_count"] == 10
    assert [o["type"] for o in doc["outputs"]] == ["table", "table", "model"]
    first = doc["outputs"][0]
    assert first["files"] == ["aantallen.csv"]
    assert first["status_counts"] == {"ok": 5, "rounded": 0, "primary": 1, "secondary": 3}
    hidden = {(tuple(c["row"]), tuple(c["col"])): c for c in first["suppressed_cells"]}
    assert hidden[(("a",), ("x",))]["reasons"] == ["min_count"]
    assert hidden[(("a",), ("y",))]["reasons"] == ["secondary"]
    assert {c["rule"] for c in first["checks"]} >= {"min_count", "zeros", "group_all", "secondary"}
    missing = next(c for c in doc["outputs"][1]["checks"] if c["rule"] == "missing")
    assert missing["failed"] == "1-9"  # a small count is never written

    text = md_path.read_text(encoding="utf-8")
    assert "# Onthullingscontrole" in text and rules.version in text
    assert "niet publiceren" in text.splitlines()[0] and "NIET PUBLICEREN" in text
    assert "primair onderdrukt" in text and "secundair" in text and "`x`" in text
    for uid in data["uid"]:
        assert uid not in text and uid not in json_path.read_text(encoding="utf-8")


def test_the_publication_summary_names_no_reason(rules: DisclosureRules) -> None:
    """What the report and bundle show of the checks: counts of hidden cells, never why."""
    from bestaanszekerheid.disclosure import publication_summary

    data = population({("a", "x"): 3, ("a", "y"): 40, ("b", "x"): 50, ("b", "y"): 60})
    register = ReleaseRegister(rules)
    register.release(frequency_table(data, "row", "col", unit="uid", rules=rules))
    summary = publication_summary(register)
    [table] = summary["outputs"]
    assert table["cells"] == 9 and table["hidden"] == 4
    text = json.dumps(summary["outputs"], ensure_ascii=False)
    for word in ("primary", "secondary", "reasons", 'min_count"]', "suppressed_cells"):
        assert word not in text, word
