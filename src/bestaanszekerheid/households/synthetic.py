"""A synthetic, Tilburg-like household population: the embedded demo data.

The population is drawn from the planted groups in :mod:`.archetypes`, placed in Tilburg's real
wijken and buurten (indeling 2024, households per wijk as CBS counts them; :mod:`.placement`),
and given incomes relative to the Participatiewet norm on the reference
date, so that the target-group share behaves like the published Tilburg figures. True group
membership goes to a separate truth file, never into the household file.

Households are generated in fixed blocks of :data:`BLOCK_SIZE`, each seeded from
``(seed, block number)``: the same seed gives the same population whether it is built in memory
or streamed to disk in chunks, and memory stays bounded for any size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bestaanszekerheid import __version__
from bestaanszekerheid.areas import tilburg
from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.fileio import atomic_path
from bestaanszekerheid.formatting import fmt_int
from bestaanszekerheid.households.archetypes import ARCHETYPES, Archetype
from bestaanszekerheid.households.placement import ASSUMPTIONS, place, placement
from bestaanszekerheid.households.schema import COLUMNS, COLUMNS_BY_NAME, Kind
from bestaanszekerheid.households.writers import (
    SYNTHETIC_NOTICE,
    append_csv,
    arrow_ready,
    parquet_metadata,
    write_csv_metadata,
    write_households,
)
from bestaanszekerheid.norms import assess_income

BLOCK_SIZE = 100_000
DEFAULT_YEAR = 2025
MAX_IN_MEMORY_SAV = 2_000_000

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class SyntheticPopulation:
    """A synthetic population held in memory: households, the planted truth and metadata."""

    households: pd.DataFrame
    truth: pd.DataFrame
    metadata: dict[str, Any] = field(default_factory=dict)


def population_metadata(n_households: int, seed: int, year: int, on: date) -> dict[str, Any]:
    """What every synthetic file says about itself."""
    areas = tilburg()
    return {
        "synthetic": True,
        "notice": SYNTHETIC_NOTICE,
        "generator": "bestaanszekerheid.households.synthetic",
        "generator_version": __version__,
        "n_households": n_households,
        "seed": seed,
        "year": year,
        "reference_date": on.isoformat(),
        "block_size": BLOCK_SIZE,
        "planted_groups": {a.code: a.label for a in ARCHETYPES},
        "areas": (
            f"{areas.municipality_name}, wijk- en buurtindeling {areas.year}; {areas.attribution}"
        ),
        "area_assumptions": dict(ASSUMPTIONS),
        "description": (
            "Synthetische Tilburg-achtige populatie voor demonstratie en tests. De huishoudens "
            "zijn verzonnen. De wijken en buurten zijn echt (CBS, indeling 2024) en het aantal "
            "huishoudens per wijk volgt CBS; de buurtgroottes, de verbanden en de groepen zijn "
            "aannames (docs/synthetic.md)."
        ),
    }


#: The categorical columns drawn from each planted group's distribution: column -> the
#: archetype's weights per code (the codes and their order come from the schema).
_CATEGORICAL_DRAWS: dict[str, Callable[[Archetype], Mapping[str, float]]] = {
    "household_type": lambda a: a.household_type,
    "income_source": lambda a: a.income_source,
    "migration_background": lambda a: a.migration,
    "education": lambda a: a.education,
    "tenure": lambda a: a.tenure,
    "low_income_years": lambda a: {str(i): w for i, w in enumerate(a.low_income_years)},
}
#: Codes of the drawn columns that the schema does not list (low_income_years is a count).
_DRAW_CODES = {"low_income_years": tuple(str(i) for i in range(6))}


def _draw_categorical(
    rng: np.random.Generator, groups: np.ndarray, tables: list[dict[str, float]], codes: list[str]
) -> np.ndarray:
    """Draw a code per row from the row's group's distribution (vectorised inverse CDF)."""
    probs = np.array([[t.get(c, 0.0) for c in codes] for t in tables], dtype="float64")
    probs /= probs.sum(axis=1, keepdims=True)
    cumulative = np.cumsum(probs, axis=1)[groups]
    u = rng.random(len(groups))[:, None]
    index = np.minimum((u > cumulative).sum(axis=1), len(codes) - 1)
    result: np.ndarray = np.asarray(codes, dtype=object)[index]
    return result


def _truncated_normal(
    rng: np.random.Generator, mean: np.ndarray, sd: np.ndarray, low: np.ndarray, high: np.ndarray
) -> np.ndarray:
    # Resampling the few values outside the bounds keeps the shape without piling up at edges.
    values = rng.normal(mean, sd)
    for _ in range(20):
        outside = (values < low) | (values > high)
        if not outside.any():
            break
        values[outside] = rng.normal(mean[outside], sd[outside])
    return np.clip(values, low, high)


def _generate_block(block: int, n: int, seed: int, year: int, on: date) -> pd.DataFrame:
    rng = np.random.default_rng(np.random.SeedSequence([seed, block, 20251]))
    archetypes = ARCHETYPES
    shares = np.array([a.share for a in archetypes])
    groups = rng.choice(len(archetypes), size=n, p=shares / shares.sum())

    def param(getter: Callable[[Archetype], float]) -> np.ndarray:
        return np.array([getter(a) for a in archetypes], dtype="float64")[groups]

    def draw(column: str) -> np.ndarray:
        # Each column is drawn where it always was: the random stream's order is what makes
        # a seed give the same population, so the draws are not gathered into one loop.
        weights = _CATEGORICAL_DRAWS[column]
        codes = _DRAW_CODES.get(column) or COLUMNS_BY_NAME[column].codes
        return _draw_categorical(rng, groups, [dict(weights(a)) for a in archetypes], list(codes))

    htype = draw("household_type")
    age = _truncated_normal(
        rng,
        param(lambda a: a.age[0]),
        param(lambda a: a.age[1]),
        param(lambda a: a.age[2]),
        param(lambda a: a.age[3]),
    ).round()

    source = draw("income_source")
    # Single parents and couples with children are rarely past 62 in this demo.
    with_children = np.isin(htype, ["single_parent", "couple_with_children"])
    old_parent = with_children & (age > 62)
    age[old_parent] = rng.integers(30, 55, old_parent.sum())
    age[with_children & (age < 19)] = 19
    # Keep income source and age coherent: pensioners are of AOW age and vice versa.
    pension = source == "state_pension"
    source[pension & with_children] = "work"
    pension = source == "state_pension"
    young_pensioner = pension & (age < 67)
    age[young_pensioner] = rng.integers(67, 90, young_pensioner.sum())
    general = groups == len(archetypes) - 1
    old_worker = general & (age >= 67) & ~pension & (rng.random(n) < 0.92)
    source[old_worker] = "state_pension"

    adults = np.where(np.isin(htype, ["single", "single_parent"]), 1, 2)
    other = htype == "other"
    adults[other] = rng.integers(2, 4, other.sum())
    children = np.zeros(n, dtype="int64")
    children[with_children] = 1 + rng.poisson(param(lambda a: a.children_mean)[with_children])
    children = np.minimum(children, 7)
    other_with_kids = other & (rng.random(n) < 0.12) & (age >= 30) & (age < 70)
    children[other_with_kids] = 1
    has_children = children > 0
    youngest_max = np.minimum(param(lambda a: a.youngest_max), np.maximum(age - 18, 0))
    youngest = np.full(n, np.nan)
    youngest[has_children] = np.floor(
        rng.random(has_children.sum()) * (youngest_max[has_children] + 1)
    )

    migration, education = draw("migration_background"), draw("education")

    # Income relative to the norm: the norm depends on type and age, so it comes first.
    frame = pd.DataFrame(
        {
            "household_type": htype,
            "n_adults": adults,
            "age_main_earner": age,
            "net_income_month": np.zeros(n),
        }
    )
    assessed = assess_income(frame, on)
    norm = assessed.norm_month.to_numpy()
    lognormal = param(lambda a: 1.0 if a.pct_of_norm[0] == "lognormal" else 0.0) == 1.0
    centre = param(lambda a: a.pct_of_norm[1])
    spread = param(lambda a: a.pct_of_norm[2])
    low_pct, high_pct = param(lambda a: a.pct_of_norm[3]), param(lambda a: a.pct_of_norm[4])
    pct = _truncated_normal(rng, centre, spread, low_pct, high_pct)
    pct[lognormal] = np.clip(
        np.exp(rng.normal(np.log(centre[lognormal]), spread[lognormal])),
        low_pct[lognormal],
        high_pct[lognormal],
    )
    income = np.round(norm * pct / 100.0, 2)
    partner = np.full(n, np.nan)
    couple = adults >= 2
    partner[couple] = 0.0
    earns = couple & (rng.random(n) < param(lambda a: a.partner_earns))
    partner[earns] = np.round(income[earns] * rng.uniform(0.1, 0.5, earns.sum()), 2)

    hours = np.zeros(n)
    working = np.isin(source, ["work", "self_employed"])
    mean_h, sd_h = param(lambda a: a.hours_if_working[0]), param(lambda a: a.hours_if_working[1])
    hours[working] = np.clip(rng.normal(mean_h[working], sd_h[working]), 4, 90 * adults[working])
    side_job = np.isin(source, ["social_assistance", "other_benefit"]) & (rng.random(n) < 0.15)
    hours[side_job] = np.clip(rng.normal(10, 4, side_job.sum()), 2, 24)
    hours = np.round(hours)

    years_low = draw("low_income_years").astype("int64")
    years_low = np.where(pct <= 110, np.maximum(years_low, 1), np.minimum(years_low, 4))

    debts = rng.random(n) < param(lambda a: a.debts)
    help_u = rng.random(n)
    p_help = param(lambda a: a.debt_help[0])
    p_wsnp = param(lambda a: a.debt_help[1])
    debt_help = np.full(n, "none", dtype=object)
    debt_help[debts & (help_u < p_help)] = "schuldhulp"
    debt_help[debts & (help_u >= p_help) & (help_u < p_help + p_wsnp)] = "wsnp"
    care = rng.random(n) < param(lambda a: a.care_costs)
    tenure = draw("tenure")
    renter = tenure != "owner"
    allowance_p = np.where(pct <= 130, param(lambda a: a.rent_allowance), 0.04)
    rent_allowance = renter & (rng.random(n) < allowance_p)

    aow_years = 67
    iit_eligible = (age >= 21) & (age < aow_years) & (pct <= 105) & (years_low == 5)
    p_iit, p_bb, p_czm, p_meedoen = (param(lambda a, i=i: a.schemes[i]) for i in range(4))  # type: ignore[misc]
    uses_iit = iit_eligible & (rng.random(n) < p_iit)
    uses_bb = (pct <= 130) & (rng.random(n) < p_bb)
    uses_czm = (pct <= 120) & (rng.random(n) < p_czm)
    uses_meedoen = (pct <= 120) & (rng.random(n) < np.where(has_children, p_meedoen, p_meedoen / 4))

    where = placement(tuple(a.area_pull for a in archetypes), tuple(a.share for a in archetypes))
    wijk, buurt = place(rng, groups, where)

    start = block * BLOCK_SIZE
    ids = np.char.add("SYN", np.char.zfill(np.arange(start, start + n).astype(str), 9))
    result = pd.DataFrame(
        {
            "household_id": ids.astype(object),
            "year": np.full(n, year),
            "wijk_code": wijk,
            "buurt_code": buurt,
            "household_type": htype,
            "n_adults": adults,
            "n_children": children,
            "age_youngest_child": youngest,
            "age_main_earner": age,
            "migration_background": migration,
            "education": education,
            "income_source": source,
            "hours_worked": hours,
            "net_income_month": income,
            "partner_income_month": partner,
            "norm_month": norm,
            "income_pct_norm": np.round(income / norm * 100.0, 2),
            "low_income_years": years_low,
            "problematic_debts": debts,
            "debt_assistance": debt_help,
            "high_care_costs": care,
            "tenure": tenure,
            "rent_allowance": rent_allowance,
            "uses_income_supplement": uses_iit,
            "uses_special_assistance": uses_bb,
            "uses_collective_health_insurance": uses_czm,
            "uses_participation_scheme": uses_meedoen,
            "synthetic": np.ones(n, dtype=bool),
        }
    )
    result["_planted_group"] = np.array([a.code for a in archetypes], dtype=object)[groups]
    return result


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Give generated columns the schema's dtypes (as the readers would)."""
    out: dict[str, Any] = {}
    for column in COLUMNS:
        if column.name not in frame.columns:
            continue
        values = frame[column.name]
        if column.kind is Kind.CODE:
            out[column.name] = pd.Categorical(values, categories=list(column.codes))
        elif column.kind is Kind.INTEGER:
            out[column.name] = values.astype("Int64")
        elif column.kind is Kind.BOOLEAN:
            out[column.name] = values.astype("boolean")
        elif column.kind is Kind.NUMBER:
            out[column.name] = values.astype("float64")
        else:
            out[column.name] = values.astype("string")
    return pd.DataFrame(out, index=frame.index)


def iter_blocks(
    n_households: int, seed: int = 0, year: int = DEFAULT_YEAR, on: date | None = None
) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Yield (households, truth) blocks of at most :data:`BLOCK_SIZE` rows."""
    if n_households < 1:
        raise UserFacingError(f"Het aantal huishoudens moet minstens 1 zijn, niet {n_households}.")
    on = on or date(year, 1, 1)
    for block, start in enumerate(range(0, n_households, BLOCK_SIZE)):
        n = min(BLOCK_SIZE, n_households - start)
        raw = _generate_block(block, n, seed, year, on)
        truth = pd.DataFrame(
            {
                "household_id": raw["household_id"].astype("string"),
                "planted_group": raw["_planted_group"],
            }
        )
        yield _typed(raw), truth


def generate_population(
    n_households: int,
    seed: int = 0,
    *,
    year: int = DEFAULT_YEAR,
    on: date | None = None,
    progress: ProgressCallback | None = None,
) -> SyntheticPopulation:
    """Generate a synthetic population in memory (deterministic for ``seed``)."""
    on = on or date(year, 1, 1)
    households, truths = [], []
    for households_block, truth_block in iter_blocks(n_households, seed, year, on):
        households.append(households_block)
        truths.append(truth_block)
        if progress:
            progress(sum(len(h) for h in households), n_households)
    frame = pd.concat(households, ignore_index=True)
    for column in COLUMNS:
        if column.kind is Kind.CODE:
            frame[column.name] = pd.Categorical(frame[column.name], categories=list(column.codes))
    metadata = population_metadata(n_households, seed, year, on)
    frame.attrs["file_metadata"] = metadata
    return SyntheticPopulation(frame, pd.concat(truths, ignore_index=True), metadata)


def truth_path(out: Path) -> Path:
    """Where the planted-group truth of ``out`` is written (always Parquet, never in ``out``)."""
    return out.with_name(f"{out.stem}.truth.parquet")


@dataclass(frozen=True)
class WrittenPopulation:
    """Paths and counts of a written synthetic population."""

    households_path: Path
    truth_path: Path
    n_households: int
    metadata: dict[str, Any]


def write_population(
    n_households: int,
    out: str | Path,
    seed: int = 0,
    *,
    year: int = DEFAULT_YEAR,
    on: date | None = None,
    progress: ProgressCallback | None = None,
) -> WrittenPopulation:
    """Write a synthetic population to ``out`` (.parquet, .csv or .sav) and its truth file.

    Parquet and CSV are streamed block by block, so memory stays bounded for millions of
    households; SPSS files are built in memory (up to 2 million households).
    """
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in {".parquet", ".csv", ".sav"}:
        raise UserFacingError(f"Kan niet schrijven naar '{out}': gebruik .parquet, .csv of .sav.")
    on = on or date(year, 1, 1)
    metadata = population_metadata(n_households, seed, year, on)
    truth_out = truth_path(out)
    if suffix == ".sav":
        if n_households > MAX_IN_MEMORY_SAV:
            raise UserFacingError(
                "SPSS-bestanden worden in het geheugen opgebouwd; kies .parquet of .csv voor meer "
                f"dan {fmt_int(MAX_IN_MEMORY_SAV)} huishoudens."
            )
        population = generate_population(n_households, seed, year=year, on=on, progress=progress)
        write_households(population.households, out, metadata=metadata)
        write_households(population.truth, truth_out, metadata=metadata)
        return WrittenPopulation(out, truth_out, n_households, metadata)

    import pyarrow as pa
    import pyarrow.parquet as pq

    meta_bytes = parquet_metadata(metadata)
    done = 0
    with atomic_path(out) as tmp, atomic_path(truth_out) as tmp_truth:
        writer: Any = None
        truth_writer: Any = None
        try:
            for households, truth in iter_blocks(n_households, seed, year, on):
                if suffix == ".parquet":
                    table = pa.Table.from_pandas(arrow_ready(households), preserve_index=False)
                    if writer is None:
                        schema = table.schema.with_metadata(meta_bytes)
                        writer = pq.ParquetWriter(tmp, schema, compression="zstd")
                    writer.write_table(table.cast(writer.schema))
                else:
                    append_csv(households, tmp, header=done == 0)
                truth_table = pa.Table.from_pandas(arrow_ready(truth), preserve_index=False)
                if truth_writer is None:
                    truth_schema = truth_table.schema.with_metadata(meta_bytes)
                    truth_writer = pq.ParquetWriter(tmp_truth, truth_schema, compression="zstd")
                truth_writer.write_table(truth_table.cast(truth_writer.schema))
                done += len(households)
                if progress:
                    progress(done, n_households)
        finally:
            if writer is not None:
                writer.close()
            if truth_writer is not None:
                truth_writer.close()
        if suffix == ".csv":
            write_csv_metadata(out, metadata)
    return WrittenPopulation(out, truth_out, n_households, metadata)
