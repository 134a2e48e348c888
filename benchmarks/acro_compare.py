"""Benchmark: our disclosure control against ACRO (SACRO's output checker) on the same tables.

For random small populations (the synthetic household generator, and random categorical data
with skewed category probabilities so that small cells are common) it builds 1-D tables with a
total and 2-D tables with totals, counts and sums/means of income, and compares, cell by cell:

1. primary suppression: our ``status == "primary"`` against the cells ACRO's outcome flags
   (``ACRO(suppress=True).crosstab(..., margins=True)``, default thresholds); every
   disagreement is put in a named category (``tests/disclosure/acro_reference.py``);
2. hidden cells: ACRO (primary only, margins recomputed from what is left), ours with the
   heuristic secondary suppression and, when the builders accept ``suppression=``, ours with
   ``suppression="optimal"``; interior and margin cells separately, and the units (households)
   in hidden interior cells;
3. what ACRO's recomputed margins give away when the true totals are known from elsewhere
   (attacker's LP on ACRO's published interior cells plus the true totals).

Run (from the repository root, with acro installed: ``pip install -e '.[dev]'``)::

    PYTHONPATH=src .venv/bin/python benchmarks/acro_compare.py

Writes ``benchmarks/results/acro_compare.{json,md}``. ``--quick`` runs a tenth of the tables.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.disclosure.acro_reference, shared with the tests

from tests.disclosure import acro_reference as ref  # noqa: E402

from bestaanszekerheid.disclosure import frequency_table, load_rules, magnitude_table  # noqa: E402
from bestaanszekerheid.disclosure.knowledge import (  # noqa: E402
    count_knowledge,
    protection_interval,
)
from bestaanszekerheid.disclosure.secondary import TableLayout, attacker_bounds  # noqa: E402
from bestaanszekerheid.households.synthetic import generate_population  # noqa: E402

RESULTS = Path(__file__).parent / "results"
DEFAULT_SEED = 20261201
POPULATION_SIZE = 5000
POPULATION_SEEDS = (11, 12, 13)

# Categorical variables of the synthetic households (integers as text: see numeric_labels()).
SYNTHETIC_DIMS = (
    "household_type",
    "migration_background",
    "education",
    "income_source",
    "debt_assistance",
    "tenure",
    "n_children",
    "n_adults",
    "low_income_years",
    "wijk_code",
)
SYNTHETIC_VALUES = ("net_income_month", "hours_worked")  # hours: many zeros (all-equal cells)

# (source, statistic, dimensions, number of tables at full size)
PLAN = (
    ("synthetic", "count", 1, 60),
    ("synthetic", "count", 2, 180),
    ("skewed", "count", 1, 60),
    ("skewed", "count", 2, 180),
    ("synthetic", "magnitude", 1, 20),
    ("synthetic", "magnitude", 2, 60),
    ("skewed", "magnitude", 1, 20),
    ("skewed", "magnitude", 2, 60),
    ("skewed_losses", "magnitude", 2, 40),
)


@dataclass(frozen=True)
class Spec:
    table_id: int
    seed: int
    source: str  # synthetic | skewed | skewed_losses
    stat: str  # count | sum | mean
    n_units: int
    rows: str
    cols: str | None
    value: str | None
    n_rows: int  # requested interior rows/columns for skewed data (synthetic: of the variable)
    n_cols: int
    categorical: bool  # skewed data: declared categories (so whole rows/columns can be empty)


_POPULATIONS: dict[int, pd.DataFrame] = {}


def population(seed: int) -> pd.DataFrame:
    if seed not in _POPULATIONS:
        frame = generate_population(POPULATION_SIZE, seed=seed).households
        for column in ("n_children", "n_adults", "low_income_years"):
            frame[column] = frame[column].astype("int64").astype(str)
        frame["wijk_code"] = frame["wijk_code"].astype(str)
        _POPULATIONS[seed] = frame
    return _POPULATIONS[seed]


def plan(seed: int, scale: float) -> list[Spec]:
    rng = np.random.default_rng(seed)
    specs: list[Spec] = []
    for source, kind, dims, count in PLAN:
        for _ in range(max(1, round(count * scale))):
            n_units = int(np.exp(rng.uniform(np.log(200), np.log(5000))))
            stat = "count" if kind == "count" else str(rng.choice(["sum", "mean"]))
            if source == "synthetic":
                rows, cols = (str(d) for d in rng.choice(SYNTHETIC_DIMS, 2, replace=False))
                value = str(rng.choice(SYNTHETIC_VALUES, p=[0.7, 0.3])) if kind != "count" else None
                n_rows = int(rng.integers(3, 13)) if rows == "wijk_code" else 0
                n_cols = int(rng.integers(3, 9)) if cols == "wijk_code" else 0
                categorical = True
            else:
                rows, cols, value = "row", "col", "income" if kind != "count" else None
                n_rows, n_cols = int(rng.integers(3, 13)), int(rng.integers(3, 9))
                categorical = bool(rng.random() < 0.5)
            specs.append(
                Spec(
                    table_id=len(specs),
                    seed=int(rng.integers(2**31)),
                    source=source,
                    stat=stat,
                    n_units=n_units,
                    rows=rows,
                    cols=cols if dims == 2 else None,
                    value=value,
                    n_rows=n_rows,
                    n_cols=n_cols if dims == 2 else 1,
                    categorical=categorical,
                )
            )
    return specs


def make_data(spec: Spec) -> pd.DataFrame:
    rng = np.random.default_rng(spec.seed)
    if spec.source == "synthetic":
        frame = population(POPULATION_SEEDS[spec.seed % len(POPULATION_SEEDS)])
        for dim, wanted in ((spec.rows, spec.n_rows), (spec.cols, spec.n_cols)):
            if dim == "wijk_code" and wanted:
                keep = rng.choice(sorted(frame[dim].unique()), wanted, replace=False)
                frame = frame[frame[dim].isin(keep)]
        take = rng.choice(len(frame), min(spec.n_units, len(frame)), replace=False)
        columns = [c for c in (spec.rows, spec.cols, spec.value) if c]
        return frame.iloc[np.sort(take)][columns].reset_index(drop=True)
    n = spec.n_units
    alpha_r, alpha_c = rng.uniform(0.3, 1.0, 2)
    p_row = rng.dirichlet(np.full(spec.n_rows, alpha_r))
    p_col = rng.dirichlet(np.full(spec.n_cols, alpha_c))
    joint = np.outer(p_row, p_col) * np.exp(rng.normal(0.0, 1.0, (spec.n_rows, spec.n_cols)))
    joint /= joint.sum()
    cell = rng.choice(joint.size, n, p=joint.ravel())
    r, c = np.divmod(cell, spec.n_cols)
    row_labels = [f"r{i + 1:02d}" for i in range(spec.n_rows)]
    col_labels = [f"c{j + 1:02d}" for j in range(spec.n_cols)]
    data = pd.DataFrame(
        {"row": np.asarray(row_labels, dtype=object)[r], "col": np.asarray(col_labels)[c]}
    )
    if spec.categorical:
        data["row"] = pd.Categorical(data["row"], categories=row_labels)
        data["col"] = pd.Categorical(data["col"], categories=col_labels)
    if spec.value:
        income = rng.lognormal(7.8, 0.7, n)
        income[rng.random(n) < 0.10] = 0.0
        big = rng.random(n) < 0.01
        income[big] *= 30
        if spec.source == "skewed_losses":
            loss = rng.random(n) < 0.05
            income[loss] = -rng.lognormal(6.0, 1.0, int(loss.sum()))
        data["income"] = income.round(2)
    if spec.cols is None:
        data = data.drop(columns="col")
    return data


def exposure(
    counts: np.ndarray, two_d: bool, hidden: np.ndarray, primary: np.ndarray, small: np.ndarray
) -> tuple[int, int, int]:
    """Hidden primary cells an attacker who knows the rules pins down exactly (all; those
    with 1 or more units), and those it narrows so far that they are not protected by our
    criterion (its interval misses part of the protection interval, for a small count: part
    of 0..9). Published cells and totals are taken as exact and true."""
    rules = load_rules()
    n_r, n_c = counts.shape
    layout = TableLayout(n_r - 1, n_c - (1 if two_d else 0), True, two_d)
    targets = [int(i) for i in np.flatnonzero((hidden & primary).ravel())]
    if not targets:
        return 0, 0, 0
    values = counts.astype(float)
    know = count_knowledge(
        counts, primary, small, min_count=rules.min_count, zeros_hidden=rules.zeros_are_disclosive
    )
    width = np.full(values.shape, float(rules.protection_width_counts))
    need_lo, need_hi = (a.ravel()[targets] for a in protection_interval(values, width, know))
    lo, hi = attacker_bounds(values, layout, hidden, know, targets=targets)
    lo, hi = lo.ravel()[targets], hi.ravel()[targets]
    exact = hi - lo < 0.5
    nonzero = counts.ravel()[targets] > 0
    narrowed = (lo > need_lo + 1e-6) | (hi < need_hi - 1e-6)
    return int(exact.sum()), int((exact & nonzero).sum()), int(narrowed.sum())


def run_table(spec: Spec, optimal: dict[str, bool]) -> dict[str, Any]:
    data = make_data(spec)
    stat = spec.stat
    magnitude = stat != "count"
    builder = "magnitude_table" if magnitude else "frequency_table"
    heuristic = "heuristic" if optimal[builder] else None
    ours = ref.run_ours(
        data, spec.rows, spec.cols, value=spec.value, stat=stat, suppression=heuristic
    )
    grid = ref.Grid.of(ours.table)
    acro = ref.run_acro(data, spec.rows, spec.cols, grid, value=spec.value, stat=stat)
    stats = ref.cell_stats(data, spec.rows, spec.cols, grid, spec.value)
    best = None
    if optimal[builder]:
        best = ref.run_ours(
            data, spec.rows, spec.cols, value=spec.value, stat=stat, suppression="optimal"
        )
    margin = grid.is_margin()
    counts = stats["count"]
    disagreements = ref.classify(ours, acro, grid, stats, magnitude=magnitude)

    def hidden_summary(hidden: np.ndarray) -> dict[str, int]:
        return {
            "interior": int((hidden & ~margin).sum()),
            "margin": int((hidden & margin).sum()),
            "units": int(counts[hidden & ~margin].sum()),
        }

    examples: dict[str, dict[str, Any]] = {}
    for (r, c), category in disagreements:  # the first cell of each category in this table
        examples.setdefault(
            category,
            {
                "cell": [grid.row_labels[r], grid.col_labels[c]],
                "margin": bool(margin[r, c]),
                "count": int(counts[r, c]),
                "ours": sorted(ours.reasons[r, c]),
                "acro": sorted(acro.flags[r, c]),
            },
        )
    true_values = counts.astype(float)
    if magnitude:
        true_values = ours.table._state.value  # true sums/means (internal; never published)
    same = np.isclose(acro.shown, true_values, rtol=1e-9, atol=1e-6)
    altered = margin & ~acro.hidden & ~same
    record: dict[str, Any] = {
        **asdict(spec),
        "shape": [len(grid.row_labels) - 1, len(grid.col_labels) - (1 if grid.two_d else 0)],
        "cells": int(margin.size),
        "interior_cells": int((~margin).sum()),
        "margin_cells": int(margin.sum()),
        "units_in_table": int(counts[-1, -1]),
        "agree_cells": int((ours.primary == acro.flagged).sum()),
        "disagreements": tally(disagreements, margin),
        "disagreement_examples": examples,
        "rules": ref.rule_pairs(ours, acro, stats, magnitude=magnitude),
        "primary": {
            "ours": int(ours.primary.sum()),
            "acro": int(acro.flagged.sum()),
        },
        "hidden": {
            "acro": hidden_summary(acro.hidden),
            "heuristic": hidden_summary(ours.hidden),
            **({"optimal": hidden_summary(best.hidden)} if best else {}),
        },
        "acro_flagged_published_true": int((acro.flagged & ~acro.hidden & same).sum()),
        "acro_flagged_published_recomputed": int((acro.flagged & ~acro.hidden & ~same).sum()),
        "acro_margins_altered": int(altered.sum()),
        "acro_grand_total_altered": bool(altered[-1, -1]),
        "acro_error": acro.error,
        # Why suppression="optimal" fell back to (or was completed by) the heuristic, if it did.
        "optimal_notes": list(getattr(best.table._state, "protection_notes", [])) if best else [],
        "cpu_seconds": {
            "acro": round(acro.cpu_seconds, 5),
            "heuristic": round(ours.cpu_seconds, 5),
            **({"optimal": round(best.cpu_seconds, 5)} if best else {}),
        },
    }
    if not magnitude:
        # ACRO's hidden cells with the true totals published elsewhere (the attacker knows
        # that what ACRO hides holds 0..9 units); ours as published.
        interior = ~margin
        exact, exact_nonzero, narrowed = exposure(
            counts, grid.two_d, acro.hidden & interior, acro.flagged & interior, acro.flagged
        )
        small = np.vectorize(lambda r: bool(r & {"min_count", "zeros"}), otypes=[bool])(
            ours.reasons
        )
        ours_exact, _, ours_narrowed = exposure(
            counts, grid.two_d, ours.hidden, ours.primary, small
        )
        record["recovered_with_true_totals"] = {
            "acro_flagged_interior": int((acro.flagged & interior).sum()),
            "acro_exact": exact,
            "acro_exact_nonzero": exact_nonzero,
            "acro_not_protected": narrowed,
            "ours_exact": ours_exact,
            "ours_not_protected": ours_narrowed,
        }
    return record


def tally(
    disagreements: list[tuple[tuple[int, int], str]], margin: np.ndarray
) -> dict[str, list[int]]:
    """Per category: [cells, of which totals]."""
    out: dict[str, list[int]] = {}
    for cell, category in disagreements:
        into = out.setdefault(category, [0, 0])
        into[0] += 1
        into[1] += int(margin[cell])
    return out


def numeric_labels(seed: int) -> list[dict[str, Any]]:
    """ACRO 1.0.2 flags the right cells but publishes them anyway when the category labels are
    not strings: the redaction step turns the dimensions into text and then queries them with
    numeric literals (``(a == 2)``), which match nothing. Same table, four label types."""
    rng = np.random.default_rng(seed)
    n = 400
    a = rng.choice(5, n, p=[0.45, 0.3, 0.15, 0.07, 0.03])
    b = rng.choice(4, n, p=[0.5, 0.3, 0.15, 0.05])
    out = []
    for label, convert in (
        ("str", lambda x: x.astype(str)),
        ("int64", lambda x: x.astype("int64")),
        ("float64", lambda x: x.astype("float64")),
        ("category of int", lambda x: pd.Categorical(x)),
    ):
        data = pd.DataFrame({"a": convert(a), "b": convert(b)})
        row_keys = sorted(pd.unique(np.asarray(data["a"])).tolist())
        col_keys = sorted(pd.unique(np.asarray(data["b"])).tolist())
        grid = ref.Grid([*row_keys, ref.TOTAL], [*col_keys, ref.TOTAL], True)
        acro = ref.run_acro(data, "a", "b", grid)
        counts = ref.cell_stats(data, "a", "b", grid)["count"]
        shown_ok = ~acro.hidden & np.isclose(acro.shown, counts)
        out.append(
            {
                "labels": label,
                "flagged": int(acro.flagged.sum()),
                "flagged_published_with_true_value": int((acro.flagged & shown_ok).sum()),
                "interior_cells_published": int((~acro.hidden & ~grid.is_margin()).sum()),
                "grand_total_shown": None if acro.hidden[-1, -1] else float(acro.shown[-1, -1]),
                "true_grand_total": int(counts[-1, -1]),
            }
        )
    return out


def margin_example() -> dict[str, Any]:
    """A small table: the truth, what ACRO prints, what we print (the report's example)."""
    rng = np.random.default_rng(1)
    n = 120
    data = pd.DataFrame(
        {
            "a": rng.choice(list("pqr"), n, p=[0.6, 0.3, 0.1]),
            "b": rng.choice(list("xyz"), n, p=[0.7, 0.25, 0.05]),
        }
    )
    ours = ref.run_ours(data, "a", "b")
    grid = ref.Grid.of(ours.table)
    acro = ref.run_acro(data, "a", "b", grid)
    counts = ref.cell_stats(data, "a", "b", grid)["count"]
    tables = {
        "truth": counts.astype(float),
        "acro": acro.shown,
        "ours": ours.table.frame.to_numpy(),
    }
    if ref.builder_accepts(frequency_table, "suppression"):
        best = ref.run_ours(data, "a", "b", suppression="optimal")
        tables["ours_optimal"] = best.table.frame.to_numpy()
    return {
        "rows": [str(x) for x in grid.row_labels],
        "cols": [str(x) for x in grid.col_labels],
        "tables": {
            k: [[None if np.isnan(v) else v for v in row] for row in t.tolist()]
            for k, t in tables.items()
        },
    }


# -- report ------------------------------------------------------------------------------------


def summarise(records: list[dict[str, Any]], methods: list[str]) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rec in records:
        groups[group_of(rec)].append(rec)
    rows = {}
    for name, recs in sorted(groups.items()):
        row: dict[str, Any] = {
            "tables": len(recs),
            "cells": sum(r["cells"] for r in recs),
            "interior_cells": sum(r["interior_cells"] for r in recs),
            "margin_cells": sum(r["margin_cells"] for r in recs),
            "units": sum(r["units_in_table"] for r in recs),
            "agree_cells": sum(r["agree_cells"] for r in recs),
            "primary_ours": sum(r["primary"]["ours"] for r in recs),
            "primary_acro": sum(r["primary"]["acro"] for r in recs),
            "acro_margins_altered": sum(r["acro_margins_altered"] for r in recs),
            "acro_grand_total_altered": sum(r["acro_grand_total_altered"] for r in recs),
            "acro_errors": sum(r["acro_error"] is not None for r in recs),
            "optimal_fell_back": sum(bool(r.get("optimal_notes")) for r in recs),
            "acro_flagged_published_true": sum(r["acro_flagged_published_true"] for r in recs),
            "acro_flagged_published_recomputed": sum(
                r["acro_flagged_published_recomputed"] for r in recs
            ),
        }
        for method in methods:
            if not all(method in r["hidden"] for r in recs):
                continue  # e.g. only one builder takes suppression="optimal"
            for part in ("interior", "margin", "units"):
                row[f"hidden_{method}_{part}"] = sum(r["hidden"][method][part] for r in recs)
            times = [r["cpu_seconds"][method] for r in recs]
            row[f"ms_{method}_mean"] = 1000 * statistics.fmean(times)
            row[f"ms_{method}_median"] = 1000 * statistics.median(times)
        if "recovered_with_true_totals" in recs[0]:
            for key in recs[0]["recovered_with_true_totals"]:
                row[f"recovered_{key}"] = sum(r["recovered_with_true_totals"][key] for r in recs)
        rows[name] = row
    categories: dict[str, dict[str, Any]] = {}
    for rec in records:
        for name, (cells, totals) in rec["disagreements"].items():
            cat = categories.setdefault(
                name, {"cells": 0, "margin_cells": 0, "tables": set(), "example": None}
            )
            cat["cells"] += cells
            cat["margin_cells"] += totals
            cat["tables"].add(rec["table_id"])
            if cat["example"] is None:
                example = rec["disagreement_examples"][name]
                cat["example"] = {"table_id": rec["table_id"], **example, "table": describe(rec)}
    for cat in categories.values():
        cat["tables"] = len(cat["tables"])
    rules: dict[str, dict[str, Any]] = {}
    for rec in records:
        kind = "count" if rec["stat"] == "count" else "sum/mean"
        if rec["source"] == "skewed_losses":
            kind += " with negative values"
        for key, found in rec["rules"].items():
            rule = ref.RULE_LABELS[key]
            into = rules.setdefault(
                f"{kind}: {rule}", {"agree": 0, "cells": 0, "differences": Counter()}
            )
            into["agree"] += found["agree"]
            into["cells"] += found["cells"]
            into["differences"].update(found["differences"])
    return {"groups": rows, "categories": categories, "rules": rules}


def group_of(rec: dict[str, Any]) -> str:
    kind = "count" if rec["stat"] == "count" else "sum/mean"
    dims = "2-D" if rec["cols"] else "1-D"
    source = {"synthetic": "synthetic", "skewed": "random skewed"}.get(
        rec["source"], "random skewed, with negative values"
    )
    return f"{kind}, {dims}, {source}"


def describe(rec: dict[str, Any]) -> str:
    dims = f"{rec['rows']} x {rec['cols']}" if rec["cols"] else rec["rows"]
    what = rec["stat"] if rec["stat"] == "count" else f"{rec['stat']} of {rec['value']}"
    return (
        f"{rec['source']} table {rec['table_id']}: {what} by {dims}, {rec['units_in_table']} units"
    )


CATEGORY_TEXT = {
    ref.GROUP_ALL: (
        "Rule difference. Our `group_disclosure` rule hides a count cell that holds every unit "
        "of its row or column (with two or more categories): publishing it says that everyone "
        "in that group has the property. ACRO's class-disclosure risk is covered only by "
        "`PresenceOfZeroCheck`, so it flags the empty cells next to it but publishes the full "
        "cell, and with its recomputed total the row still reads 'all of them'. Not a bug on "
        "either side; ours is the CBS reading (no group disclosure)."
    ),
    ref.ALL_EQUAL: (
        "Rule difference. Our magnitude tables hide a cell in which all units have the same "
        "value (two or more units, e.g. all zero hours worked): the mean or sum then reveals "
        "each unit's value. ACRO's AllSameValuesCheck exists but is not among the checks of "
        "its Sum/Mean analyses. Where such a cell is all zeros ACRO flags it anyway, through "
        "its p-ratio: with a largest value of 0 its code keeps p = 0 < 0.1 although the "
        "comment beside it says such cells are treated as non-disclosive."
    ),
    ref.OURS_DOMINANCE_NEGATIVE_TABLE: (
        "Rule difference. We apply dominance and the p% rule to absolute contributions, so a "
        "large loss dominates a cell too. ACRO computes neither NK nor p-ratio for any cell of "
        "a table that holds a negative value anywhere, so dominated "
        "cells of such a table pass unless they hold a negative value themselves (category "
        "`acro_only:cell_holds_negative_value`)."
    ),
    ref.ACRO_NEGATIVE_REVIEW: (
        "Rule difference. When any value in the table is negative ACRO replaces its NK and "
        "p-ratio masks by 'cell contains a negative value' ('Dominance not defined when "
        "negative value are present') and suppresses all those cells, whether dominated or "
        "not; totals always hold one, so every total is flagged, but it cannot be removed by "
        "dropping records and is printed recomputed from the published cells. We hide only "
        "cells that fail dominance or p% on absolute values."
    ),
}


def write_report(result: dict[str, Any], path: Path) -> None:
    meta, summary = result["meta"], result["summary"]
    methods = meta["methods"]
    lines = [
        "# Disclosure control: ours versus ACRO",
        "",
        "Reproduce (repository root, dev extra installed, about "
        f"{meta['wall_seconds'] / 60:.0f} min on this machine):",
        "",
        "```",
        meta["command"],
        "```",
        "",
        "(`make bench-acro` runs the same in one process.)",
        "",
        f"acro {meta['acro']}, pandas {meta['pandas']}, numpy {meta['numpy']}, Python "
        f"{meta['python']}, {meta['machine']}; seed {meta['seed']}; "
        f"{meta['tables']} tables. Rules: ours `{meta['rules']}`, ACRO `default.yaml` "
        "(safe_threshold 10, zeros_are_disclosive, NK(2, 0.9), p-ratio 0.1).",
        "",
    ]
    if "optimal" not in methods:
        lines += [
            "The table builders do not accept `suppression=` yet, so there is no column for "
            "optimal (MILP) secondary suppression; rerun once it is on main.",
            "",
        ]
    elif not all(meta["optimal_available"].values()):
        have = [b for b, ok in meta["optimal_available"].items() if ok]
        lines += [f"`suppression=\"optimal\"` only in {', '.join(have)}: '-' elsewhere.", ""]
    lines += [
        f"Times are CPU time of the one call (`time.process_time`), mean per table: the "
        f"machine was shared (load average {meta['load_average'][0]:.1f} at the start, "
        f"{meta['load_average'][1]:.1f} at the end, on {os.cpu_count()} cores), so wall "
        "times would say little.",
        "",
        "## Summary",
        "",
        'Agreement: cells (interior and totals) where our `status == "primary"` equals '
        "ACRO's outcome flag. Hidden: interior + total cells not published (ACRO: flagged "
        "cells and totals that become 0 after its redaction; ours: primary and secondary). "
        "Units: households in hidden interior cells.",
        "",
    ]
    head = "| tables | n | cells (interior + totals) | agreement |"
    rule = "|---|---:|---:|---:|"
    for method in methods:
        head += f" hidden {method} |"
        rule += "---:|"
    for method in methods:
        head += f" units hidden {method} |"
        rule += "---:|"
    head += " ms " + " / ".join(methods) + " |"
    rule += "---:|"
    lines += [head, rule]
    for name, row in summary["groups"].items():
        share = 100 * row["agree_cells"] / row["cells"]
        line = (
            f"| {name} | {row['tables']} | {row['interior_cells']} + {row['margin_cells']} | "
            f"{share:.2f}% |"
        )
        for method in methods:
            if f"hidden_{method}_interior" not in row:
                line += " - |"
                continue
            line += f" {row[f'hidden_{method}_interior']} + {row[f'hidden_{method}_margin']} |"
        for method in methods:
            if f"hidden_{method}_units" not in row:
                line += " - |"
                continue
            units = row[f"hidden_{method}_units"]
            line += f" {units} ({100 * units / row['units']:.1f}%) |"
        times = [f"{row[f'ms_{m}_mean']:.0f}" if f"ms_{m}_mean" in row else "-" for m in methods]
        line += " " + " / ".join(times) + " |"
        lines.append(line)
    errors = sum(row["acro_errors"] for row in summary["groups"].values())
    if "optimal" in methods:
        fell_back = sum(row["optimal_fell_back"] for row in summary["groups"].values())
        lines += [
            "",
            f'`suppression="optimal"` fell back to the heuristic (or had its pattern completed '
            f"by it) on {fell_back} of {meta['tables']} tables (`optimal_notes` in the JSON). "
            "HiGHS prints `HighsMipSolverData::transformNewIntegerFeasibleSolution "
            "tmpSolver.run();` on stderr now and then during the optimal runs.",
        ]
    lines += [
        "",
        f"ACRO raised an error on {errors} of these tables. It does so (acro 1.0.2) when every "
        "non-empty cell is flagged: its redaction leaves no records and the rerun crosstab "
        "fails (KeyError from pandas' margins code). Such a table counts as ACRO publishing "
        "nothing; its flags come from the same call with `suppress=False` (the outcome does "
        "not depend on suppression). The tests' small tables hit this regularly.",
        "",
        "## Primary suppression: agreement",
        "",
        "| tables | n | cells | primary ours | primary ACRO | agreement |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, row in summary["groups"].items():
        share = 100 * row["agree_cells"] / row["cells"]
        lines.append(
            f"| {name} | {row['tables']} | {row['cells']} | {row['primary_ours']} | "
            f"{row['primary_acro']} | {share:.2f}% |"
        )
    lines += ["", "Per rule that both implement (cells where both say the same):", ""]
    lines += ["| rule | agree / cells | where they differ |", "|---|---:|---|"]
    for rule_name, found in summary["rules"].items():
        agree, tested = found["agree"], found["cells"]
        differ = "; ".join(f"{k}: {v}" for k, v in sorted(found["differences"].items())) or "-"
        lines.append(
            f"| {rule_name} | {agree} / {tested} ({100 * agree / tested:.2f}%) | {differ} |"
        )
    lines += [
        "",
        "Rule-level differences in cells both hide: ACRO's p-ratio keeps p = 0 for a cell "
        "whose largest value is 0, so every all-zero cell fails it (the comment beside that "
        "code says such cells are treated as non-disclosive); we hide those cells through "
        "threshold or all-values-equal instead. In tables with a negative value ACRO runs "
        "neither NK nor p-ratio (below).",
        "",
        "### Every disagreement, by category",
        "",
    ]
    if not summary["categories"]:
        lines.append("None.")
    for name, cat in sorted(summary["categories"].items(), key=lambda kv: -kv[1]["cells"]):
        ex = cat["example"]
        lines += [
            f"**`{name}`**: {cat['cells']} cells ({cat['margin_cells']} of them totals) in "
            f"{cat['tables']} tables.",
            "",
            CATEGORY_TEXT.get(name, "Not explained: look at this one."),
            "",
            f"Example: {ex['table']}; cell {ex['cell'][0]} x {ex['cell'][1]} "
            f"({ex['count']} units): ours {ex['ours'] or 'published'}, ACRO "
            f"{ex['acro'] or 'ok'}.",
            "",
        ]
    unseen = [name for name in CATEGORY_TEXT if name not in summary["categories"]]
    for name in unseen:
        why = ""
        if name == ref.ALL_EQUAL:
            why = (
                ": every cell whose units all had one value was all zeros (ACRO's p-ratio "
                "flags those, see the rule table) or had fewer than 10 units"
            )
        lines += [
            f"**`{name}`**: not seen in this run{why}; "
            "tests/disclosure/test_acro_agreement.py has a hand-made table for it.",
            "",
            CATEGORY_TEXT[name],
            "",
        ]
    lines += [
        "",
        "## What ACRO prints as totals",
        "",
        "ACRO removes the records of every flagged cell and runs the crosstab again, so each "
        "total it prints is the sum of the published cells of its row or column (a total "
        "that becomes 0 is shown as NaN). Example (rows a, columns b; NaN = not published):",
        "",
    ]
    ex = result["margin_example"]
    for name, table in ex["tables"].items():
        lines += [f"*{name}*", "", "| | " + " | ".join(ex["cols"]) + " |"]
        lines.append("|---" * (len(ex["cols"]) + 1) + "|")
        for label, row in zip(ex["rows"], table, strict=True):
            cells = ["x" if v is None else f"{v:.0f}" for v in row]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
        lines.append("")
    count_rows = {k: v for k, v in summary["groups"].items() if k.startswith("count")}
    altered = sum(r["acro_margins_altered"] for r in count_rows.values())
    margins = sum(r["margin_cells"] for r in count_rows.values())
    grand = sum(r["acro_grand_total_altered"] for r in count_rows.values())
    n_tables = sum(r["tables"] for r in count_rows.values())
    exact = sum(r.get("recovered_acro_exact", 0) for r in count_rows.values())
    exact_nonzero = sum(r.get("recovered_acro_exact_nonzero", 0) for r in count_rows.values())
    narrow = sum(r.get("recovered_acro_not_protected", 0) for r in count_rows.values())
    flagged = sum(r.get("recovered_acro_flagged_interior", 0) for r in count_rows.values())
    ours_exact = sum(r.get("recovered_ours_exact", 0) for r in count_rows.values())
    ours_narrow = sum(r.get("recovered_ours_not_protected", 0) for r in count_rows.values())
    lines += [
        f"In the count tables above, {altered} of {margins} totals that ACRO publishes differ "
        f"from the true total, and the grand total is not the number of units in {grand} of "
        f"{n_tables} tables.",
        "",
        "This hides nothing from anyone who knows the true totals, and those are rarely "
        "secret: the number of households in a wijk, a 1-D table of the same variable, the "
        "population size in the report's introduction, or another ACRO table of the same "
        "population with a different breakdown (its totals are recomputed from *its* "
        "suppressions). True row total minus ACRO's row total is the sum of the hidden cells "
        "of the row; a row or column with one hidden cell gives it away, and the attacker's "
        "linear programme does the rest. With ACRO's published interior cells, the true "
        "totals and the rule (every cell ACRO hides holds 0..9 units), the attacker "
        f"determines {exact} of the {flagged} interior cells ACRO flags exactly "
        f"({exact_nonzero} of them cells of 1-9 units, the rest zeros: group disclosure), and "
        f"{narrow} are not protected by our criterion (the attacker can rule out some value "
        "in 0..9, which a protection width of "
        f"{meta['protection_width']:.0f} does not allow). The same computation on "
        f"our published tables (whose totals are the true ones): {ours_exact} exact, "
        f"{ours_narrow} not protected. "
        "ACRO itself says so: it marks every suppressed table 'review' and its "
        "PresenceOfLinkedTableCheck asks for a manual check for differencing.",
        "",
        "## ACRO publishes flagged cells when the labels are not text",
        "",
        "ACRO 1.0.2 flags the right cells but its redaction converts the table's variables to "
        "text and then removes records with queries built from the labels; numeric labels give "
        "numeric literals (`(a == 2)`), which match no text, so nothing is removed. The same "
        "400-unit table with four label types:",
        "",
        "| labels | cells flagged | flagged cells published with their true value | "
        "interior cells published | grand total shown (true) |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in result["numeric_labels"]:
        shown = "x" if row["grand_total_shown"] is None else f"{row['grand_total_shown']:.0f}"
        lines.append(
            f"| {row['labels']} | {row['flagged']} | "
            f"{row['flagged_published_with_true_value']} | {row['interior_cells_published']} | "
            f"{shown} ({row['true_grand_total']}) |"
        )
    lines += [
        "",
        "Zeros are still hidden (0 becomes NaN after the rerun); with a categorical of numbers "
        "the rerun turns every label into NaN and the table is empty. The benchmark passes "
        "text labels everywhere else, so this bug does not affect the figures above: "
        "flagged cells that ACRO still printed with their true value in the main run: "
        f"{sum(r['acro_flagged_published_true'] for r in summary['groups'].values())}. "
        "Flagged cells printed with a recomputed value (totals flagged for a negative value, "
        "which removing records cannot hide): "
        f"{sum(r['acro_flagged_published_recomputed'] for r in summary['groups'].values())}.",
        "",
        "## Notes",
        "",
        "- 1-D tables go to ACRO as a crosstab against a constant column (its crosstab needs "
        "columns); the duplicate 'All' column is dropped.",
        "- Populations: synthetic households (`generate_population(5000)`, seeds "
        f"{', '.join(map(str, POPULATION_SEEDS))}) sampled to 200-5,000 units, and random "
        "categorical data (3-12 rows x 3-8 columns, Dirichlet category probabilities with "
        "alpha 0.3-1, a random interaction; half with declared categories so whole rows can "
        "be empty). Incomes: lognormal, 10% zeros, 1% x30; one set with 5% losses.",
        "- ACRO's time includes its logging strings: it formats DataFrames into f-strings for "
        "`logger.debug` even when debug logging is off (about a third of its time in a "
        "profile).",
        "- Per-table results (disagreements by category, with the first cell of each): "
        "`acro_compare.json`.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def _worker(args: tuple[Spec, dict[str, bool]]) -> dict[str, Any]:
    spec, optimal = args
    try:
        return run_table(spec, optimal)
    except Exception as exc:  # a failure in either tool is a result, not a crash
        return {**asdict(spec), "error": f"{type(exc).__name__}: {exc}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--quick", action="store_true", help="a tenth of the tables")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (timing: use 1)")
    parser.add_argument("--out", type=Path, default=RESULTS / "acro_compare")
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite the .md from an existing .json"
    )
    args = parser.parse_args()
    if args.report_only:
        write_report(
            json.loads(args.out.with_suffix(".json").read_text()), args.out.with_suffix(".md")
        )
        return
    optimal = {
        "frequency_table": ref.builder_accepts(frequency_table, "suppression"),
        "magnitude_table": ref.builder_accepts(magnitude_table, "suppression"),
    }
    methods = ["acro", "heuristic"] + (["optimal"] if any(optimal.values()) else [])
    specs = plan(args.seed, 0.1 if args.quick else 1.0)
    load_start = os.getloadavg()[0]
    start = time.perf_counter()
    work = [(spec, optimal) for spec in specs]
    if args.jobs > 1:
        from multiprocessing import Pool

        with Pool(args.jobs) as pool:
            records = pool.map(_worker, work, chunksize=4)
    else:
        records = [_worker(item) for item in work]
    errors = [r for r in records if "error" in r]
    done = [r for r in records if "error" not in r]
    wall = time.perf_counter() - start
    command = "PYTHONPATH=src .venv/bin/python benchmarks/acro_compare.py"
    if args.seed != DEFAULT_SEED:
        command += f" --seed {args.seed}"
    if args.quick:
        command += " --quick"
    if args.jobs != 1:
        command += f" --jobs {args.jobs}"
    result: dict[str, Any] = {
        "meta": {
            "command": command,
            "seed": args.seed,
            "tables": len(done),
            "errors": len(errors),
            "methods": methods,
            "optimal_available": optimal,
            "acro": ref.acro_version(),
            "pandas": pd.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            "jobs": args.jobs,
            "rules": load_rules().version,
            "protection_width": load_rules().protection_width_counts,
            "wall_seconds": wall,
            "load_average": [load_start, os.getloadavg()[0]],
        },
        "summary": summarise(done, methods),
        "margin_example": margin_example(),
        "numeric_labels": numeric_labels(args.seed),
        "errors": errors,
        "tables": done,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(to_json(result))
    write_report(result, args.out.with_suffix(".md"))
    print(f"{len(done)} tables ({len(errors)} errors) in {wall:.0f} s -> {args.out}.{{json,md}}")
    for name, cat in summary_lines(result["summary"]):
        print(f"  {name}: {cat}")


def to_json(result: dict[str, Any]) -> str:
    """Indented, except one line per table (so the file stays small and diffable)."""
    head = {k: v for k, v in result.items() if k != "tables"}
    text = json.dumps({**head, "tables": []}, indent=1, default=str)
    rows = ",\n  ".join(json.dumps(t, default=str) for t in result["tables"])
    assert text.endswith('"tables": []\n}')
    return text[: -len("[]\n}")] + "[\n  " + rows + "\n ]\n}\n"


def summary_lines(summary: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for name, row in summary["groups"].items():
        out.append((name, f"agreement {100 * row['agree_cells'] / row['cells']:.2f}%"))
    counter = Counter({k: v["cells"] for k, v in summary["categories"].items()})
    out += [(f"category {k}", f"{v} cells") for k, v in counter.most_common()]
    return out


if __name__ == "__main__":
    main()
