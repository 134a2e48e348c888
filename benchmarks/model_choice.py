"""Time the demo's model choice (K = 2..8, 5 starts, 20 bootstrap refits) and check it
against the planted truth.

    PYTHONPATH=src .venv/bin/python benchmarks/model_choice.py [--households 112000]

Prints wall and CPU time of ``choose_n_classes`` on the demo's target group, the fit table,
the explanation and the planted-truth match (segments/recovery.py).
"""

from __future__ import annotations

import argparse
import time
import warnings

from bestaanszekerheid.defaults import (
    DEFAULT_CLASSES,
    DEFAULT_N_BOOTSTRAP_STABILITY,
    DEFAULT_N_INIT,
)
from bestaanszekerheid.households.synthetic import generate_population
from bestaanszekerheid.pipeline import DEFAULT_INDICATORS
from bestaanszekerheid.segments.recovery import match_planted
from bestaanszekerheid.segments.selection import choose_n_classes
from bestaanszekerheid.target import select_target


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=112_000)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--bootstrap", type=int, default=DEFAULT_N_BOOTSTRAP_STABILITY)
    args = parser.parse_args()
    pop = generate_population(args.households, seed=args.seed)
    data = select_target(pop.households, max_pct=130.0).households.reset_index(drop=True)
    truth = pop.truth.set_index("household_id")["planted_group"]
    planted = truth.loc[data["household_id"]].to_numpy()
    X = data[list(DEFAULT_INDICATORS)].copy()
    for name, kind in DEFAULT_INDICATORS.items():
        if kind == "categorical":
            X[name] = X[name].astype("object").where(X[name].notna(), None)
        else:
            X[name] = X[name].astype("float64")
    wall, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = choose_n_classes(
            X,
            DEFAULT_CLASSES,
            indicators=DEFAULT_INDICATORS,
            n_init=DEFAULT_N_INIT,
            n_bootstrap=args.bootstrap,
        )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{len(X)} target households; model choice {wall:.2f} s wall, {cpu:.2f} s CPU")
    cols = ["bic", "smallest_class", "stability", "stability_p10", "stability_p90", "jaccard_min"]
    print(result.table[cols].round(3).to_string())
    print(result.explanation)
    recovery = match_planted(planted, result.model.predict(X))
    print(recovery.text())
    print("all matched:", recovery.all_matched)


if __name__ == "__main__":
    main()
