"""Shared fixtures: a small synthetic population built once per test session."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from bestaanszekerheid.areas.maps import CHECK_CHARTS_ENV
from bestaanszekerheid.households.synthetic import SyntheticPopulation, generate_population

# The tests check every chart against the Vega-Lite schema; a run skips that (it is slow).
os.environ[CHECK_CHARTS_ENV] = "1"


@pytest.fixture(scope="session")
def population() -> SyntheticPopulation:
    return generate_population(3_000, seed=7)


@pytest.fixture()
def households(population: SyntheticPopulation) -> pd.DataFrame:
    return population.households.copy()


def own_rules_file(path: Path, min_count: int = 15) -> Path:
    """A copy of the packaged rules with another ``min_count`` and its own version."""
    packaged = resources.files("bestaanszekerheid.disclosure").joinpath(
        "data", "cbs_remote_access.toml"
    )
    text = packaged.read_text(encoding="utf-8")
    text = text.replace('version = "cbs-ra-2026.2"', f'version = "eigen-{min_count}"')
    # The first rule of the file is min_count.
    text = text.replace("value = 10\n", f"value = {min_count}\n", 1)
    path.write_text(text, encoding="utf-8")
    return path


def minimal_row(**overrides: object) -> dict[str, object]:
    """One valid household (single adult, 21+, working) as raw strings, with overrides."""
    row: dict[str, object] = {
        "household_id": "H1",
        "year": "2025",
        "wijk_code": "WK085510",
        "buurt_code": "BU08551001",
        "household_type": "single",
        "n_adults": "1",
        "n_children": "0",
        "age_youngest_child": "",
        "age_main_earner": "40",
        "income_source": "work",
        "net_income_month": "1500.00",
        "synthetic": "0",
    }
    row.update(overrides)
    return row
