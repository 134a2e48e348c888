"""Fixtures for the latent class tests: the classic reference tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def load_reference(name: str) -> pd.DataFrame:
    """One of the published data sets (see fixtures/README.md), all columns categorical."""
    frame = pd.read_csv(FIXTURES / f"{name}.csv")
    return frame.astype("category")


@pytest.fixture(scope="session")
def values_data() -> pd.DataFrame:
    return load_reference("values")


@pytest.fixture(scope="session")
def carcinoma_data() -> pd.DataFrame:
    return load_reference("carcinoma")


@pytest.fixture(scope="session")
def gss82_data() -> pd.DataFrame:
    return load_reference("gss82")
