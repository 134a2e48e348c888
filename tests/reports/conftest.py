"""One small end-to-end run on synthetic households (once per session and worker)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from bestaanszekerheid.households.synthetic import generate_population
from bestaanszekerheid.pipeline import AnalysisOptions, AnalysisResult, run_analysis

FAST = AnalysisOptions(
    classes=(3, 4, 5, 6),
    n_init=2,
    n_bootstrap_stability=1,
    n_bootstrap_bch=10,
    random_state=1,
    source="testpopulatie",
)


@dataclass
class Run:
    result: AnalysisResult
    out: Path
    households: pd.DataFrame

    def html(self) -> str:
        return (self.out / "rapport.html").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    households = generate_population(20_000, seed=5).households
    out = tmp_path_factory.mktemp("analyse")
    return Run(run_analysis(households, out, FAST), out, households)
