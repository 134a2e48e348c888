"""Benchmark: synthetic population generation at Tilburg scale and at national scale.

Targets from the foundation issue: 100,000 households in under 10 seconds; 8 million households
streamed to disk in chunks with peak memory under 4 GiB. Each measurement runs in a fresh
subprocess so that peak RSS (ru_maxrss) belongs to that run alone.

Run: ``.venv/bin/python benchmarks/synth_scale.py [--sizes 100000,8000000] [--repeats 3]``.
Writes ``benchmarks/results/synth_scale_<format>.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from machine_facts import machine_facts

RESULTS = Path(__file__).parent / "results"

CHILD = """
import resource, sys, time
from pathlib import Path
from bestaanszekerheid.households.synthetic import write_population
n, out = int(sys.argv[1]), Path(sys.argv[2])
start = time.perf_counter()
write_population(n, out, seed=1)
wall = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"{wall} {peak_kib} {out.stat().st_size}")
"""


def run_once(n: int, suffix: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"pop{suffix}"
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(n), str(out)],
            capture_output=True,
            text=True,
            check=True,
        )
        wall, peak_kib, size = done.stdout.split()
        return {
            "wall_s": float(wall),
            "peak_rss_mib": int(peak_kib) / 1024,
            "file_mib": int(size) / 2**20,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100000,8000000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--format", default=".parquet", choices=[".parquet", ".csv"])
    args = parser.parse_args()
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        repeats = args.repeats if n <= 1_000_000 else 1
        runs = [run_once(n, args.format) for _ in range(repeats)]
        row = {
            "households": n,
            "format": args.format,
            "repeats": repeats,
            "wall_s_median": statistics.median(r["wall_s"] for r in runs),
            "peak_rss_mib_max": max(r["peak_rss_mib"] for r in runs),
            "file_mib": runs[0]["file_mib"],
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    machine = machine_facts()
    RESULTS.mkdir(exist_ok=True)
    stem = f"synth_scale_{args.format.lstrip('.')}"
    (RESULTS / f"{stem}.json").write_text(
        json.dumps({"machine": machine, "rows": rows}, indent=2) + "\n"
    )
    lines = [
        "# Synthetic population: generation speed and memory",
        "",
        f"Command: `.venv/bin/python benchmarks/synth_scale.py --sizes {args.sizes} "
        f"--repeats {args.repeats} --format {args.format}`  ",
        f"Machine: {machine['cpu_count']} cores, Python {machine['python']}, {machine['date']}.",
        "",
        "| households | format | runs | wall time (median) | peak memory (RSS) | file size |",
        "| ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['households']:,} | {r['format']} | {r['repeats']} | {r['wall_s_median']:.1f} s"
            f" | {r['peak_rss_mib_max']:.0f} MiB | {r['file_mib']:.0f} MiB |"
        )
    (RESULTS / f"{stem}.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
