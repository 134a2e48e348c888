"""Benchmark: the areas step (``where_they_live``) at Tilburg scale and at national scale.

The issue's target: a few seconds for the demo's areas step (112,000 households), and memory
linear in the number of households (8 million: the national scale of an analyst in CBS Remote
Access). Each measurement runs in a fresh subprocess, so that its peak memory belongs to it
alone.

Population: the synthetic generator (``bestaanszekerheid.households.synthetic``), written once
per size to Parquet block by block (as ``benchmarks/synth_scale.py``; cached in ``--cache``),
read back with ``read_households`` and the target group selected with ``select_target`` (130%,
as the pipeline does). Posteriors: Dirichlet random, K = 7, concentrated on the household's
planted group modulo 7 (alpha 8.5 there, 0.5 elsewhere; the areas step only uses them through
the modal class and the BCH weights, not how they were made). Areas: Tilburg's packaged
catalogue at every size (254 buurten in 60 wijken), so at 8 million households the cells are
large.

Modes (each with a fresh ``ReleaseRegister``):

- ``wijk``: ``where_they_live(levels=("wijk",))``;
- ``buurt``: ``where_they_live(levels=("wijk", "buurt"))``;
- ``run``: as ``run_analysis`` with ``--niveau buurt``: first the target status table, the
  model check with the seven classes' unit sets and the profile tables per characteristic are
  released, then the areas step at both levels (timed alone).

Every measurement also records what each released output publishes (the hidden cells per
table, a digest of the estimate decisions per model check), the register's notes (a linked
check skipped over its budget) and refusals, so two versions of the code can be compared
cell by cell (``--compare other.json``).

Reported per measurement: wall time of the areas step (and its CPU time: the machine may be
shared), the time spent inside the register's
run-wide linked check (``ReleaseRegister._linked_conflicts``), in its pairwise checks and in
the buurt-in-wijk protection; the process's peak RSS (``ru_maxrss``) and the step's own peak
above the memory held before it (``VmHWM`` reset through ``/proc/self/clear_refs``).

Run (from the repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/areas_scale.py \
        --sizes 112000,1000000,8000000 --modes wijk,buurt,run

Writes ``benchmarks/results/areas_scale.{json,md}`` (``--stem`` to write elsewhere).
``--linked-budget`` sets the register's ``linked_max_work`` (atoms x hidden cells above which
the run-wide linked check is skipped; ``none``: never skipped). A
measurement that takes longer than ``--timeout`` seconds (default 1200) is stopped and
reported as such.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
from pathlib import Path

from machine_facts import machine_facts

RESULTS = Path(__file__).parent / "results"

CHILD = r"""
import json, resource, sys, time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd


def vm(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024  # MiB
    return float("nan")


path, mode = Path(sys.argv[1]), sys.argv[2]
budget = None if sys.argv[3] in ("default", "none") else int(sys.argv[3])
from bestaanszekerheid.areas import read_catalog
from bestaanszekerheid.areas import distribution, hierarchy
from bestaanszekerheid.disclosure import ReleaseRegister, check_model, frequency_table, load_rules
from bestaanszekerheid.disclosure import register as register_module
from bestaanszekerheid.households.readers import read_households
from bestaanszekerheid.profiles.features import (
    DEFAULT_CHARACTERISTICS,
    characteristics_frame,
    level_order,
)
from bestaanszekerheid.profiles.compute import group_labels
from bestaanszekerheid.profiles.shares import group_sizes
from bestaanszekerheid.target import select_target

timers = defaultdict(float)
calls = defaultdict(int)


def timed(owner, name, key):
    inner = getattr(owner, name, None)
    if inner is None:
        return

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            timers[key] += time.perf_counter() - start
            calls[key] += 1

    setattr(owner, name, wrapper)


timed(register_module.ReleaseRegister, "_linked_conflicts", "linked")
timed(register_module.ReleaseRegister, "_conflicts", "pairwise")
timed(register_module.ReleaseRegister, "_known_sets", "known_sets")
timed(distribution, "protect_within_wijken", "hierarchy_counts")
timed(distribution, "wijken_to_hide", "hierarchy_wijken")
timed(distribution, "estimates_within_wijken", "hierarchy_estimates")

t0 = time.perf_counter()
households = read_households(path)
truth = pd.read_parquet(path.with_name(path.stem + ".truth.parquet"))
target = select_target(households, max_pct=130.0)
data = target.households.reset_index(drop=True)
planted = (
    data[["household_id"]]
    .merge(truth, on="household_id", how="left")["planted_group"]
    .astype("category")
    .cat.codes.to_numpy()
)
K = 7
rng = np.random.default_rng(0)
alpha = np.full((len(data), K), 0.5)
alpha[np.arange(len(data)), planted % K] = 8.5
posterior = rng.gamma(alpha)
posterior /= posterior.sum(axis=1, keepdims=True)
keys = group_labels(K)
rules = load_rules()
sizes = group_sizes(list(posterior.mean(axis=0)), keys, len(data), rules)
catalog = read_catalog(None)
register = (
    ReleaseRegister(rules)
    if sys.argv[3] == "default"
    else ReleaseRegister(rules, linked_max_work=budget)
)
population = "doelgroep: huishoudens tot en met 130% van het sociaal minimum (synthetisch)"
prep = time.perf_counter() - t0

t1 = time.perf_counter()
if mode == "run":
    # What run_analysis releases before the areas step (without fitting a model).
    register.release(target.status_table(rules))
    modal = posterior.argmax(axis=1)
    ids = data["household_id"].to_numpy()
    register.release(
        check_model(
            name="Latente-klassenmodellen: fitmaten en klasseprofielen",
            n_obs=len(data),
            class_counts={f"K={K}, klasse {i + 1}": float(np.sum(modal == i)) for i in range(K)},
            outputs=("fitmaten", "klassegrootte", "klasseprofielen"),
            units=ids,
            unit_sets={f"K={K}, klasse {i + 1}": ids[modal == i] for i in range(K)},
            population=population,
            kind="latente-klassenanalyse",
            rules=rules,
        )
    )
    chars = characteristics_frame(data, DEFAULT_CHARACTERISTICS)
    frame = chars.copy()
    for char in DEFAULT_CHARACTERISTICS:
        if char.column in chars.columns:
            order = level_order(char, chars[char.column])
            frame[char.column] = pd.Categorical(chars[char.column], categories=order)
    frame["household_id"] = ids
    for char in DEFAULT_CHARACTERISTICS:
        if char.column in chars.columns:
            register.try_release(
                frequency_table(
                    frame,
                    char.column,
                    unit="household_id",
                    rules=rules,
                    population=population,
                    name=f"Doelgroep naar {char.label.lower()}",
                ),
                [],
            )
before_areas = time.perf_counter() - t1
linked_before = timers["linked"]
for key in list(timers):
    timers[key] = 0.0
    calls[key] = 0

rss_before = vm("VmRSS")
with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")
start, cpu = time.perf_counter(), time.process_time()
figures = distribution.where_they_live(
    households,
    data,
    posterior,
    keys,
    sizes.size,
    sizes.share,
    catalog=catalog,
    register=register,
    population="alle huishoudens (synthetisch)",
    target_population=population,
    levels=("wijk",) if mode == "wijk" else ("wijk", "buurt"),
)
wall, cpu = time.perf_counter() - start, time.process_time() - cpu
hwm = vm("VmHWM")
published = {}
# What every released output publishes, to compare two versions of the code cell by cell:
# the hidden cells of each table (flat, in frame order) and the estimate decisions per model.
import hashlib

decisions = {}
register_notes = []
for rel in register.releases:
    out = rel.output
    if hasattr(out, "frame"):
        decisions[rel.name] = [int(i) for i in np.flatnonzero(out.frame.isna().to_numpy().ravel())]
    else:
        cells = sorted(map(list, getattr(out, "cell_decisions", [])))
        digest = hashlib.sha256(json.dumps(cells).encode()).hexdigest()[:16]
        decisions[rel.name] = {"not_shown_as_number": len(cells), "sha256": digest}
    register_notes += [f"{rel.name}: {n}" for n in rel.notes]
for level, lv in figures.levels.items():
    t = lv.target_table
    published[level] = (
        int(t.frame.iloc[:, 0].notna().sum() - 1) if t is not None else None,
        int(len(t.frame) - 1) if t is not None else None,
    )
print(
    json.dumps(
        {
            "households": len(households),
            "target": len(data),
            "prepare_s": prep,
            "before_areas_s": before_areas,
            "linked_before_areas_s": linked_before,
            "wall_s": wall,
            "cpu_s": cpu,
            "timers_s": dict(timers),
            "calls": dict(calls),
            "rss_before_mib": rss_before,
            "step_peak_mib": hwm - rss_before,
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "target_cells_published": published,
            "notes": figures.notes,
            "register_notes": register_notes,
            "refused": [r.name for r in register.refused],
            "decisions": decisions,
        }
    )
)
"""

WRITE = """
import sys
from pathlib import Path
from bestaanszekerheid.households.synthetic import write_population
write_population(int(sys.argv[1]), Path(sys.argv[2]), seed=1)
"""


def population(n: int, cache: Path) -> Path:
    """The synthetic population of ``n`` households as Parquet (written once, then reused)."""
    cache.mkdir(parents=True, exist_ok=True)
    out = cache / f"households_{n}.parquet"
    if not out.exists():
        subprocess.run([sys.executable, "-c", WRITE, str(n), str(out)], check=True)
    return out


def run_once(path: Path, mode: str, timeout: float, budget: str) -> dict[str, object]:
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), mode, budget],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"stopped after {timeout:.0f} s"}
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        return {"error": f"exit {done.returncode}: " + " | ".join(tail)}
    row: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    row["process_s"] = time.perf_counter() - start
    return row


def _fmt(row: dict[str, object]) -> str:
    if "error" in row:
        return f"| {row['households']:,} | {row['mode']} | {row['error']} | | | | | |"
    timers = row["timers_s"]
    assert isinstance(timers, dict)
    hier = sum(v for k, v in timers.items() if k.startswith("hierarchy"))
    pub = row["target_cells_published"]
    assert isinstance(pub, dict)
    shown = ", ".join(f"{lv} {a}/{b}" for lv, (a, b) in pub.items())
    return (
        f"| {row['households']:,} | {row['mode']} | {row['wall_s']:.1f} s "
        f"({row['cpu_s']:.1f} s CPU) "
        f"| {timers.get('linked', 0.0):.1f} s | {timers.get('pairwise', 0.0):.1f} s "
        f"| {hier:.1f} s | {row['step_peak_mib']:.0f} MiB / {row['peak_rss_mib']:.0f} MiB "
        f"| {shown} |"
    )


def compare(rows: list[dict[str, object]], other: list[dict[str, object]]) -> list[str]:
    """Per measurement in both: the outputs whose published cells differ. A table whose hidden
    cells are a superset of the other run's publishes a subset ("fewer published")."""
    lines = []
    theirs = {(r["households"], r["mode"]): r for r in other if "decisions" in r}
    for row in rows:
        ref = theirs.get((row["households"], row["mode"]))
        if ref is None or "decisions" not in row:
            continue
        mine, old = row["decisions"], ref["decisions"]
        assert isinstance(mine, dict) and isinstance(old, dict)
        diffs = []
        for name in sorted(set(mine) | set(old)):
            a, b = mine.get(name), old.get(name)
            if a == b:
                continue
            if isinstance(a, list) and isinstance(b, list) and set(b) <= set(a):
                diffs.append(f"{name}: fewer published ({len(a) - len(b)} more hidden)")
            else:
                diffs.append(f"{name}: differs")
        verdict = "same cells published in every output" if not diffs else "; ".join(diffs)
        lines.append(f"- {row['households']:,} households, {row['mode']}: {verdict}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="112000,1000000,8000000")
    parser.add_argument("--modes", default="wijk,buurt,run")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/areas_scale"))
    parser.add_argument("--timeout", type=float, default=1200.0)
    parser.add_argument("--stem", default="areas_scale")
    parser.add_argument("--label", default="", help="a word on the code measured (in the .md)")
    parser.add_argument(
        "--linked-budget",
        default="default",
        help="the register's linked_max_work: 'default' (the register's own), 'none' or a number",
    )
    parser.add_argument(
        "--compare", type=Path, help="results JSON of another version: compare the decisions"
    )
    parser.add_argument(
        "--rows-from",
        type=Path,
        nargs="+",
        help="measure nothing: write the .md (and a joined .json) from these results files",
    )
    args = parser.parse_args()
    command = "PYTHONPATH=src .venv/bin/python benchmarks/areas_scale.py " + shlex.join(
        sys.argv[1:]
    )
    if args.rows_from:
        sources = [json.loads(f.read_text()) for f in args.rows_from]
        rows = [r for src in sources for r in src["rows"]]
        commands = [src.get("command", "(not recorded)") for src in sources]
        machine = sources[0]["machine"]
        label = " + ".join(dict.fromkeys(src["label"] for src in sources))
    else:
        rows, commands, machine, label = measure(args), [command], machine_facts(), args.label
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.stem}.json").write_text(
        json.dumps(
            {
                "machine": machine,
                "label": label,
                "linked_budget": args.linked_budget,
                "command": " ; ".join(commands),
                "rows": rows,
            },
            indent=2,
        )
        + "\n"
    )
    lines = [
        "# The areas step: time and memory",
        "",
        *(f"Command: `{c}`  " for c in commands),
        f"Machine: {machine['cpu_count']} cores, Python {machine['python']}, {machine['date']}."
        + (f" Code: {label}." if label else ""),
        "",
        "| households | mode | areas step | linked check | pairwise checks "
        "| buurt-in-wijk | memory (step / process peak) | target cells published |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    lines += [_fmt(r) for r in rows]
    notes = [
        f"- {r['households']:,} households, {r['mode']}: {n}"
        for r in rows
        for n in [*r.get("register_notes", []), *(f"refused: {x}" for x in r.get("refused", []))]
    ]
    if notes:
        lines += ["", "Register notes and refusals:", "", *notes]
    if args.compare:
        other = json.loads(args.compare.read_text())["rows"]
        lines += ["", f"Published cells compared with `{args.compare.name}`:", ""]
        lines += compare(rows, other) or ["- no measurement in common with decisions recorded"]
    (RESULTS / f"{args.stem}.md").write_text("\n".join(lines) + "\n")


def measure(args: argparse.Namespace) -> list[dict[str, object]]:
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        path = population(n, args.cache)
        for mode in args.modes.split(","):
            row = {
                "households": n,
                "mode": mode,
                **run_once(path, mode, args.timeout, args.linked_budget),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    return rows


if __name__ == "__main__":
    main()
