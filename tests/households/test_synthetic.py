"""The synthetic population: reproducible, realistic in the ways the demo relies on, labelled."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from pandas.testing import assert_frame_equal

from bestaanszekerheid.households import read_households
from bestaanszekerheid.households.synthetic import (
    BLOCK_SIZE,
    SyntheticPopulation,
    generate_population,
    write_population,
)
from bestaanszekerheid.norms.income import at_aow_age
from bestaanszekerheid.target import select_target


@pytest.fixture(scope="module")
def large() -> SyntheticPopulation:
    return generate_population(60_000, seed=11)


def test_same_seed_same_population() -> None:
    a = generate_population(2_000, seed=3)
    b = generate_population(2_000, seed=3)
    c = generate_population(2_000, seed=4)
    assert_frame_equal(a.households, b.households)
    assert_frame_equal(a.truth, b.truth)
    assert not a.households["net_income_month"].equals(c.households["net_income_month"])


#: The households and truth of generate_population(3_000, seed=1), hashed. Refactoring the
#: generator must not change it; a deliberate change of the data (new assumptions) updates it
#: and says so in the commit, since everyone's seeded demo populations change with it.
POPULATION_3000_SEED_1 = "c5ea3241a95396702ad870bf85b8ff877b901dd4eae3af1044c2a1acf9a23a29"


def test_seed_gives_the_same_data_as_before() -> None:
    population = generate_population(3_000, seed=1)
    digest = hashlib.sha256()
    for frame in (population.households, population.truth):
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    assert digest.hexdigest() == POPULATION_3000_SEED_1


def test_streamed_file_equals_in_memory(tmp_path: Path) -> None:
    n = BLOCK_SIZE + 1_500  # spans two blocks
    written = write_population(n, tmp_path / "p.parquet", seed=5)
    in_memory = generate_population(n, seed=5)
    back = read_households(written.households_path)
    assert_frame_equal(
        back.reset_index(drop=True),
        in_memory.households,
        check_categorical=False,
        check_dtype=False,
    )


def test_target_share_matches_tilburg(large: SyntheticPopulation) -> None:
    """About 15,000 of roughly 112,000 Tilburg households are at or below 120% (Rekenkamer 2023)."""
    share_120 = select_target(large.households, max_pct=120).share
    share_130 = select_target(large.households, max_pct=130).share
    assert 12.0 <= share_120 <= 15.0
    assert share_120 < share_130 <= 19.0


def test_truth_is_separate_and_complete(large: SyntheticPopulation) -> None:
    assert "planted_group" not in large.households.columns
    assert not any(c.startswith("_") for c in large.households.columns)
    assert large.truth["household_id"].tolist() == large.households["household_id"].tolist()
    shares = large.truth["planted_group"].value_counts(normalize=True)
    assert set(shares.index) >= {"eenouder_bijstand", "aow_klein", "zzp_laag", "overig"}


def test_joint_distributions_make_sense(large: SyntheticPopulation) -> None:
    h = large.households
    truth = large.truth["planted_group"]
    pensioners = h["income_source"] == "state_pension"
    assert at_aow_age(
        h.loc[pensioners, "age_main_earner"].to_numpy(), pd.Timestamp("2025-01-01").date()
    ).all()
    bijstand_parents = truth == "eenouder_bijstand"
    assert (h.loc[bijstand_parents, "household_type"] == "single_parent").all()
    assert h.loc[bijstand_parents, "problematic_debts"].mean() > 3 * h["problematic_debts"].mean()
    long_term = truth == "langdurig_bijstand_gezondheid"
    assert h.loc[long_term, "high_care_costs"].mean() > 0.6
    assert (h.loc[long_term, "low_income_years"] >= 4).mean() > 0.8
    # Scheme take-up never happens above the scheme's income limit.
    assert (h.loc[h["uses_collective_health_insurance"], "income_pct_norm"] <= 120).all()
    # Low-income groups live more often in some wijken than others (neighbourhood targeting).
    in_target = h["income_pct_norm"] <= 130
    by_wijk = in_target.groupby(h["wijk_code"]).mean()
    assert by_wijk.max() > 2 * by_wijk.min()


def test_written_files_say_synthetic(tmp_path: Path) -> None:
    parquet = write_population(500, tmp_path / "s.parquet", seed=1)
    meta = json.loads(pq.read_schema(parquet.households_path).metadata[b"bestaanszekerheid"])
    assert meta["synthetic"] is True and meta["seed"] == 1
    truth_meta = json.loads(pq.read_schema(parquet.truth_path).metadata[b"bestaanszekerheid"])
    assert truth_meta["synthetic"] is True
    csv = write_population(500, tmp_path / "s.csv", seed=1)
    assert json.loads((tmp_path / "s.csv.meta.json").read_text())["synthetic"] is True
    assert read_households(csv.households_path)["synthetic"].all()
    sav = write_population(500, tmp_path / "s.sav", seed=1)
    assert read_households(sav.households_path)["synthetic"].all()
