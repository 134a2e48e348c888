"""Benchmark: ``bsz demo`` end to end (112,000 synthetic households, all outputs).

The issue's target: under 20 s of wall time on the 2-core machine. Each run is a fresh
``python -m bestaanszekerheid demo --out DIR`` subprocess (what ``make demo`` runs); the
script measures from outside, so the user-facing output is the command's own:

- wall time of the process, and its CPU time (user + system of the child and everything it
  started, from ``getrusage(RUSAGE_CHILDREN)``);
- the time per step: the command prints one line per step of the analysis on stderr
  (``  3/13 Groepen zoeken ...``); each line is stamped when it arrives and a step lasts until
  the next line. Before the first step: start-up and imports, the synthetic population (its
  file written and read back) and the synthetic experiment; after the last step: the last
  output files and the list of paths;
- the load average (1 minute) just before the run, and the machine facts: the machine may be
  shared, so a wall time means little without them;
- what the run published, as digests: ``bundel.json`` (without its ``created`` time), every
  cell value of ``tabellen.xlsx``, the disclosure logs and ``rapport.html`` (times masked),
  the bytes of ``persona-kaarten.pdf``. Two versions of the code are compared with
  ``--compare other.json`` (same digests: same figures, names and disclosure decisions).

Run (from the repository root)::

    PYTHONPATH=src .venv/bin/python benchmarks/demo_speed.py --runs 3 --label "before"

Writes ``benchmarks/results/demo_speed.{json,md}`` (``--stem`` to write elsewhere).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from machine_facts import machine_facts

RESULTS = Path(__file__).parent / "results"
STEP_LINE = re.compile(r"^\s+(\d+)/(\d+) (.*)$")
# Times that differ from run to run: the bundle's "created", the report's "Gemaakt op".
TIMES = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?([+-]\d{2}:\d{2}|Z)?"
    r"|\d{2}-\d{2}-\d{4} \d{2}:\d{2}"
)


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _digest_text(text: str) -> str:
    return hashlib.sha256(TIMES.sub("<time>", text).encode()).hexdigest()[:16]


def _xlsx_cells(path: Path) -> str:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    h = hashlib.sha256()
    for sheet in book.worksheets:
        h.update(sheet.title.encode())
        for row in sheet.iter_rows(values_only=True):
            h.update(repr(row).encode())
    return h.hexdigest()[:16]


def _digest_bytes(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def digests(out: Path) -> dict[str, Any]:
    """What the run published, as digests (equal digests: equal outputs)."""
    bundle = json.loads((out / "bundel.json").read_text(encoding="utf-8"))
    bundle.pop("created", None)
    return {
        "bundel.json": _digest_text(json.dumps(bundle, sort_keys=True, ensure_ascii=False)),
        "tabellen.xlsx (cells)": _xlsx_cells(out / "tabellen.xlsx"),
        "onthullingscontrole.json": _digest_text(
            (out / "onthullingscontrole.json").read_text(encoding="utf-8")
        ),
        "onthullingscontrole_experiment.json": _digest_text(
            (out / "onthullingscontrole_experiment.json").read_text(encoding="utf-8")
        ),
        "rapport.html": _digest_text((out / "rapport.html").read_text(encoding="utf-8")),
        # WeasyPrint writes the same bytes for the same cards (no time in the file).
        "persona-kaarten.pdf": _digest_bytes(out / "persona-kaarten.pdf"),
    }


def run_once(out: Path) -> dict[str, Any]:
    """One ``bsz demo`` in a fresh process: wall, CPU, steps, load, digests."""
    cmd = [sys.executable, "-m", "bestaanszekerheid", "demo", "--out", str(out)]
    load = os.getloadavg()
    cpu0 = _cpu_children()
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, bufsize=1
    )
    marks: list[tuple[float, str]] = []
    assert proc.stderr is not None
    for line in proc.stderr:
        m = STEP_LINE.match(line.rstrip("\n"))
        if m:
            marks.append((time.perf_counter() - t0, f"{m[1]}/{m[2]} {m[3]}"))
    rc = proc.wait()
    wall = time.perf_counter() - t0
    cpu = _cpu_children() - cpu0
    if rc != 0:
        raise SystemExit(f"bsz demo failed (exit {rc}): {shlex.join(cmd)}")
    steps = [{"step": "start-up, population, experiment", "s": marks[0][0] if marks else wall}]
    for (t, name), nxt in zip(marks, [*(m[0] for m in marks[1:]), wall], strict=True):
        steps.append({"step": name, "s": nxt - t})
    return {
        "load_before": [round(x, 2) for x in load],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "wall_s": wall,
        "cpu_s": cpu,
        "steps": steps,
        "digests": digests(out),
    }


def _markdown(doc: dict[str, Any], compare: dict[str, Any] | None) -> str:
    facts = doc["machine"]
    runs = doc["runs"]
    lines = [
        "# `bsz demo`: wall time end to end",
        "",
        f"Command: `{doc['command']}`  ",
        f"Machine: {facts['cpu_count']} cores, Python {facts['python']}, {facts['date']}. "
        f"Code: {doc['label']}.",
        "",
        "Each run is a fresh `python -m bestaanszekerheid demo --out DIR` (112,000 synthetic "
        "households, K = 2..8, 5 starts, 20 stability refits per K, all outputs). The machine "
        "is shared: the load average (1, 5, 15 min) is taken just before each run.",
        "",
        "| run | load before | wall | CPU |",
        "| ---: | --- | ---: | ---: |",
    ]
    for i, r in enumerate(runs, 1):
        load = ", ".join(f"{x:.2f}" for x in r["load_before"])
        lines.append(f"| {i} | {load} | {r['wall_s']:.1f} s | {r['cpu_s']:.1f} s |")
    walls = [r["wall_s"] for r in runs]
    lines += [
        "",
        f"Median wall {statistics.median(walls):.1f} s, "
        f"median CPU {statistics.median(r['cpu_s'] for r in runs):.1f} s.",
        "",
        "## Per step (median over the runs)",
        "",
        "| step | wall |",
        "| --- | ---: |",
    ]
    names = [s["step"] for s in runs[0]["steps"]]
    for j, name in enumerate(names):
        times = [r["steps"][j]["s"] for r in runs if len(r["steps"]) > j]
        lines.append(f"| {name} | {statistics.median(times):.2f} s |")
    lines += ["", "## What the run published (digests)", ""]
    first = runs[0]["digests"]
    same = all(r["digests"] == first for r in runs)
    lines.append(f"Equal in every run: {'yes' if same else 'NO'}.")
    lines.append("")
    other = compare["runs"][0]["digests"] if compare else None
    for key, value in first.items():
        note = ""
        if other is not None:
            note = " (same as compared run)" if other.get(key) == value else " (DIFFERS)"
        lines.append(f"- {key}: `{value}`{note}")
    if compare:
        lines += [
            "",
            f"Compared with `{doc['compare']}` ({compare['label']}): median wall "
            f"{statistics.median(r['wall_s'] for r in compare['runs']):.1f} s, CPU "
            f"{statistics.median(r['cpu_s'] for r in compare['runs']):.1f} s.",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--label", default="")
    parser.add_argument("--stem", default="demo_speed")
    parser.add_argument("--compare", type=Path, default=None)
    parser.add_argument("--keep", type=Path, default=None, help="keep the last run's output")
    args = parser.parse_args()
    runs = []
    for i in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            out = args.keep if (args.keep and i == args.runs - 1) else Path(tmp) / "demo"
            r = run_once(out)
        print(
            f"run {i + 1}: {r['wall_s']:.1f} s wall, {r['cpu_s']:.1f} s CPU, "
            f"load before {r['load_before']}",
            flush=True,
        )
        runs.append(r)
    doc = {
        "command": shlex.join([Path(sys.executable).name, *sys.argv]),
        "label": args.label,
        "machine": machine_facts(),
        "runs": runs,
        "compare": str(args.compare) if args.compare else None,
    }
    compare = json.loads(args.compare.read_text()) if args.compare else None
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.stem}.json").write_text(json.dumps(doc, indent=2) + "\n")
    (RESULTS / f"{args.stem}.md").write_text(_markdown(doc, compare))
    print(_markdown(doc, compare))


if __name__ == "__main__":
    main()
