"""Time the outreach planner (``bestaanszekerheid.areas.outreach``) on random published figures.

Sizes: 254 buurten (Tilburg) and 14,000 (about every buurt of the Netherlands). Figures per
buurt: doors lognormal around 440 households rounded to 5 (at least 5), and one in ten buurten
suppressed (doors or reach NaN). Reach, three kinds:

- ``spread``: share ~ Beta(2, 10) (mean 17%), reach rounded to 5, as a published count;
- ``decimal``: the same shares, reach with one decimal, as a published expected number;
- ``correlated``: reach = 0.15 x doors + 0, 5 or 10: nearly equal shares, the knapsack's hard
  case (many buurten close to the boundary the reduction cannot fix).

Budgets: 5%, 25%, 50% and 90% of the planned doors. Per run: ``plan`` is ``plan_outreach``
without the curve (``curve_steps=0``: the exact plan, the naive plan, the requested budget's
curve row); ``+ curve`` the same call with the default 20-step curve (21 more budgets, solved
for reach only); ``core`` the largest set of buurten one milp call of ``plan`` saw and
``milps`` its number of milp calls. ``--plain`` adds ``plain``: one ``scipy.optimize.milp``
call over every buurt (``mip_rel_gap=0``, no reduction, no tie-break), the approach the
planner does not take; at 14,000 it is slow, so it runs once per kind, at the 25% budget.

    PYTHONPATH=src .venv/bin/python benchmarks/outreach.py             # about 5 minutes
    PYTHONPATH=src .venv/bin/python benchmarks/outreach.py --plain     # about 2 minutes more
    PYTHONPATH=src .venv/bin/python benchmarks/outreach.py --sizes 254 --reps 5

Measured 2026-12-02, ``PYTHONPATH=src /work/main/.venv/bin/python benchmarks/outreach.py
--plain`` (2 cores shared with other jobs, load average 3.3 at the start and 3.0 at the end,
so the seconds are on the high side; Python 3.11, SciPy 1.17.1 with HiGHS). Medians of 3 seeds
(max of ``plan`` in brackets); ``exact - naive`` in expected households; ``plain milp`` at
14,000 once per kind (25% budget, seed 0); every plain result agreed with the planner's reach.
``exact - naive`` was measured with the earlier naive list that stopped at the first buurt that
did not fit; the list now skips it and goes on (the exact solver's own first bound, unchanged),
so the gains are smaller today (re-run to update that column; the seconds are not affected):

| buurten | reach | budget | plan s (max) | + curve s | core | milps | exact - naive | plain s |
|---:|---|---:|---:|---:|---:|---:|---:|---:|
| 254 | spread | 5% | 0.14 (0.44) | 1.24 | 20 | 2 | 35 | 0.15 |
| 254 | spread | 25% | 0.08 (0.15) | 0.82 | 35 | 2 | 50 | 0.04 |
| 254 | spread | 50% | 0.11 (0.18) | 0.88 | 37 | 2 | 25 | 0.10 |
| 254 | spread | 90% | 0.07 (0.08) | 0.91 | 10 | 2 | 5 | 0.04 |
| 254 | decimal | 5% | 0.10 (0.66) | 2.41 | 21 | 2 | 21.5 | 0.06 |
| 254 | decimal | 25% | 0.36 (0.55) | 2.67 | 32 | 2 | 31.2 | 0.37 |
| 254 | decimal | 50% | 0.40 (0.83) | 2.82 | 64 | 2 | 10.3 | 0.27 |
| 254 | decimal | 90% | 0.07 (0.07) | 2.90 | 8 | 2 | 1.2 | 0.06 |
| 254 | correlated | 5% | 0.10 (0.28) | 2.44 | 37 | 2 | 29 | 0.08 |
| 254 | correlated | 25% | 0.21 (2.08) | 3.54 | 64 | 3 | 52 | 0.23 |
| 254 | correlated | 50% | 0.32 (0.36) | 3.08 | 64 | 3 | 72 | 0.17 |
| 254 | correlated | 90% | 0.17 (0.21) | 2.93 | 64 | 3 | 20 | 0.06 |
| 14000 | spread | 5% | 0.25 (0.25) | 2.31 | 82 | 3 | 65 |  |
| 14000 | spread | 25% | 0.32 (0.39) | 2.70 | 452 | 4 | 35 | 14.41 |
| 14000 | spread | 50% | 0.28 (0.54) | 2.43 | 899 | 4 | 70 |  |
| 14000 | spread | 90% | 0.27 (0.37) | 2.67 | 588 | 4 | 0 |  |
| 14000 | decimal | 5% | 2.01 (2.26) | 6.57 | 311 | 4 | 45.8 |  |
| 14000 | decimal | 25% | 0.32 (0.47) | 3.74 | 94 | 3 | 22.5 | 65.11 |
| 14000 | decimal | 50% | 0.33 (0.36) | 5.61 | 64 | 3 | 78 |  |
| 14000 | decimal | 90% | 0.35 (0.37) | 5.51 | 64 | 3 | 4 |  |
| 14000 | correlated | 5% | 0.80 (1.13) | 14.13 | 1753 | 5 | 16 |  |
| 14000 | correlated | 25% | 1.00 (1.87) | 11.50 | 2333 | 5 | 38 | 6.68 |
| 14000 | correlated | 50% | 0.61 (0.80) | 11.28 | 961 | 4 | 64 |  |
| 14000 | correlated | 90% | 1.94 (2.37) | 12.57 | 3838 | 5 | 26 |  |
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from bestaanszekerheid.areas import knapsack
from bestaanszekerheid.areas.outreach import plan_outreach

KINDS = ("spread", "decimal", "correlated")
FRACTIONS = (0.05, 0.25, 0.5, 0.9)


def instance(n: int, kind: str, seed: int) -> pd.DataFrame:
    """Random published figures for ``n`` buurten (see the module docstring)."""
    rng = np.random.default_rng(seed)
    doors = np.maximum(5 * np.round(rng.lognormal(np.log(440), 0.6, n) / 5), 5)
    share = rng.beta(2, 10, n)
    if kind == "spread":
        reach = 5 * np.round(doors * share / 5)
    elif kind == "decimal":
        reach = np.round(doors * share, 1)
    else:
        reach = np.round(0.15 * doors + 5 * rng.integers(0, 3, n))
    suppressed = rng.random(n) < 0.1
    which = rng.random(n) < 0.5
    doors[suppressed & which] = np.nan
    reach[suppressed & ~which] = np.nan
    codes = [f"BU{i:08d}" for i in range(n)]
    return pd.DataFrame(
        {
            "name": [f"Buurt {i}" for i in range(n)],
            "wijk_code": [f"WK{i // 5:06d}" for i in range(n)],
            "doors": doors,
            "reach": reach,
        },
        index=pd.Index(codes),
    )


def counted(calls: list[int]) -> Callable[..., Any]:
    """knapsack._milp, recording the number of buurten of every call."""
    original = knapsack._milp

    def wrapper(objective: np.ndarray, *args: Any) -> Any:
        calls.append(int(objective.size))
        return original(objective, *args)

    return wrapper


def plain(areas: pd.DataFrame, budget: float) -> tuple[float, float]:
    """One milp over every planned buurt: (seconds, reach)."""
    useful = areas.dropna(subset=["doors", "reach"])
    useful = useful[useful["reach"] > 0]
    d = useful["doors"].to_numpy(dtype=float)
    r = useful["reach"].to_numpy(dtype=float)
    start = time.perf_counter()
    result = milp(
        -r,
        integrality=np.ones(len(d)),
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(d[None, :], -np.inf, budget),
        options={"mip_rel_gap": 0.0},
    )
    return time.perf_counter() - start, float(r @ (result.x > 0.5))


def run(sizes: list[int], reps: int, with_plain: bool) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for n in sizes:
        for kind in KINDS:
            for fraction in FRACTIONS:
                plan_s, curve_s, cores, milps, gains = [], [], [], [], []
                plain_s: list[float] = []
                for seed in range(reps):
                    areas = instance(n, kind, seed)
                    budget = float(np.floor(fraction * areas["doors"].sum()))
                    calls: list[int] = []
                    with mock.patch.object(knapsack, "_milp", counted(calls)):
                        start = time.perf_counter()
                        plan = plan_outreach(areas, budget, curve_steps=0)
                        plan_s.append(time.perf_counter() - start)
                    cores.append(max(calls, default=0))
                    milps.append(len(calls))
                    gains.append(plan.gain)
                    start = time.perf_counter()
                    plan_outreach(areas, budget)
                    curve_s.append(time.perf_counter() - start)
                    if with_plain and (n < 1000 or (fraction == 0.25 and seed == 0)):
                        seconds, reach = plain(areas, budget)
                        plain_s.append(seconds)
                        # The reduction must agree with milp over everything.
                        assert abs(reach - plan.reach) <= 1e-6 * reach, (
                            n,
                            kind,
                            fraction,
                            seed,
                            reach,
                        )
                row = {
                    "n": n,
                    "kind": kind,
                    "budget": f"{fraction:.0%}",
                    "plan": statistics.median(plan_s),
                    "plan_max": max(plan_s),
                    "curve": statistics.median(curve_s),
                    "core": int(statistics.median(cores)),
                    "milps": int(statistics.median(milps)),
                    "gain": statistics.median(gains),
                    "plain": statistics.median(plain_s) if plain_s else None,
                }
                rows.append(row)
                print(table([row], header=not rows[:-1]), flush=True)
    return rows


def table(rows: list[dict[str, Any]], *, header: bool = True) -> str:
    lines = []
    if header:
        lines += [
            "| buurten | reach | budget | plan s (max) | + curve s | core | milps | "
            "exact - naive | plain s |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
    for r in rows:
        plain_s = "" if r["plain"] is None else f"{r['plain']:.2f}"
        lines.append(
            f"| {r['n']} | {r['kind']} | {r['budget']} | {r['plan']:.2f} ({r['plan_max']:.2f}) | "
            f"{r['curve']:.2f} | {r['core']} | {r['milps']} | {r['gain']:g} | {plain_s} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[254, 14_000])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--plain", action="store_true", help="also time one milp over all")
    args = parser.parse_args()
    # The machine may be shared: the load average says how far to trust the seconds.
    print(f"load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    rows = run(args.sizes, args.reps, args.plain)
    print()
    print(table(rows))
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
