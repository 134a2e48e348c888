"""The demo run: every exported file is read back and every figure recomputed from the data."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from bestaanszekerheid.disclosure import DisclosureRules
from tests.disclosure.demo_run import DemoRun, run_demo
from tests.disclosure.oracle import Spec, recovery_intervals, true_counts, violations


@pytest.fixture(scope="module", params=["suppress", "round"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    return run_demo(tmp_path_factory.mktemp(f"demo_{request.param}"), method=request.param)


def _read(path: Path, n_index: int = 1) -> pd.DataFrame:
    frame = pd.read_csv(path, sep=";", decimal=",", index_col=0, dtype=str, keep_default_na=False)
    return frame.apply(lambda col: pd.to_numeric(col.replace("x", None).str.replace(",", ".")))


def test_no_exported_figure_breaks_a_rule(demo: DemoRun, rules: DisclosureRules) -> None:
    checked = 0
    for key, spec_dict in demo.specs.items():
        spec_args = {k: v for k, v in spec_dict.items() if k != "population"}
        spec = Spec(**spec_args)
        data = demo.target if spec_dict["population"] == "target" else demo.households
        published = _read(demo.files[key])
        published.columns = [c if c != "aantal" else "count" for c in published.columns]
        assert violations(published, data, spec, rules) == [], key
        checked += int(published.notna().sum().sum())
        if spec.kind == "frequency" and "Totaal" in published.index:
            truth = true_counts(data, spec.rows, spec.cols, published)
            half = (2.0, 2.0) if spec.method == "round" else (0.0, 0.0)
            intervals = recovery_intervals(published, truth, halfwidth=half)
            for (row, col), (lo, hi) in intervals.items():
                if truth.loc[row, col] < rules.min_count:
                    # A hidden small count is protected when the published figures exclude
                    # none of 0..min_count-1, what the rules alone say of it
                    # (disclosure/knowledge.py); [0, 9] is 9 wide, and rounded rows of the
                    # real wijken narrow a few small cells to exactly that.
                    assert lo <= 1e-6 and hi >= rules.min_count - 1 - 1e-6, (key, row, col)
                else:
                    assert hi - lo >= rules.protection_width_counts - 1e-6, (key, row, col)
    assert checked > 30  # the demo publishes something


def test_the_log_covers_every_exported_file(demo: DemoRun, rules: DisclosureRules) -> None:
    json_path, md_path = demo.log_files
    doc = json.loads(json_path.read_text(encoding="utf-8"))
    logged = {f for out in doc["outputs"] for f in out["files"]}
    assert logged == {p.name for p in demo.files.values()}
    assert doc["rules"]["version"] == rules.version
    assert all(out["rules_version"] == rules.version for out in doc["outputs"])
    assert "Doelgroep per buurt" in md_path.read_text(encoding="utf-8")
    ids = set(demo.households["household_id"])
    text = json_path.read_text(encoding="utf-8") + md_path.read_text(encoding="utf-8")
    assert not any(i in text for i in list(ids)[:200])


def test_the_log_matches_its_published_schema(demo: DemoRun) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from importlib import resources

    schema_text = (
        resources.files("bestaanszekerheid.disclosure")
        .joinpath("data", "log_schema_v2.json")
        .read_text(encoding="utf-8")
    )
    doc = json.loads(demo.log_files[0].read_text(encoding="utf-8"))
    jsonschema.validate(doc, json.loads(schema_text))
    broken = dict(doc, for_publication=True)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, json.loads(schema_text))
