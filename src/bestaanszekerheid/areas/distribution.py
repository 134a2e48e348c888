"""Where the groups live: the target group and every latent group per wijk and per buurt.

Every figure is made publishable here, in the run's release register:

- per level two count tables, all households per area (CBS publishes those) and the target
  households per area, checked and protected like any table; the register's checks stop
  differencing between them and between the buurt, wijk and city tables (a wijk minus its
  published buurten);
- a target share is a quotient of two published counts, so it says nothing the tables do
  not; it has no interval: the microdata hold every household (a census, not a
  sample);
- a group's share of an area's target households is a model estimate: the sum of the
  households' BCH weights (the engine's posterior, corrected for classification error, as in
  the three-step profiles), checked as a table of estimated counts (numerator and complement at
  least ``min_count``; bands for small shares), with a 95% interval from the spread of those
  weights in the area (sampling and classification uncertainty together, ``sd / sqrt(n)``);
- over-representation (index) is a published share over the group's published city share.

A buurt whose counts are hidden is "te weinig huishoudens"; with ``merge_small`` the buurten
with fewer households than the rule's minimum in the target group are pooled per wijk first
("<wijk> (overige buurten)"), which CBS's output checkers accept as aggregation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bestaanszekerheid.areas.catalog import AreaCatalog, Level
from bestaanszekerheid.areas.hierarchy import (
    REASON as HIERARCHY_REASON,
)
from bestaanszekerheid.areas.hierarchy import (
    estimates_within_wijken,
    protect_within_wijken,
    wijken_to_hide,
)
from bestaanszekerheid.disclosure import (
    TOTAL,
    CheckedEstimates,
    CheckedTable,
    ModelCheck,
    ReleaseRegister,
    check_estimates,
    check_model,
    frequency_table,
    round_half_up,
)
from bestaanszekerheid.segments.stepwise import bch_matrix

#: Column of the household file per level.
CODE_COLUMN: Mapping[Level, str] = {"wijk": "wijk_code", "buurt": "buurt_code"}
IN_TARGET, OTHER = "doelgroep", "overige huishoudens"
PUBLISHED, TOO_FEW = "gepubliceerd", "te weinig huishoudens"
MERGED_SUFFIX = "-overig"
#: Names of the released outputs (reports cite them as sources).
TARGET_TABLE = "Doelgroep per {level}"
HOUSEHOLDS_TABLE = "Alle huishoudens per {level}"
MODEL_CHECK = "Groepen per wijk en buurt (BCH-gecorrigeerde schattingen)"
#: Age (years) of the youngest child under which a family is in reach of a consultatiebureau.
YOUNG_CHILD_AGE = 4
TARGET_COLUMNS = ["code", "name", "wijk_code", "households", "target", "share", "index", "status"]
GROUP_COLUMNS = [
    "groep",
    "code",
    "name",
    "wijk_code",
    "share",
    "band",
    "low",
    "high",
    "index",
    "target",
    "reach",
    "status",
]


@dataclass(frozen=True)
class AreaLevel:
    """The published figures of one level (wijk or buurt)."""

    level: Level
    #: All households per area and the target households per area (checked, released);
    #: None when the register refused one.
    households_table: CheckedTable | None
    target_table: CheckedTable | None
    #: One row per area (see :data:`TARGET_COLUMNS`): all households and target households as
    #: published (NaN: hidden), the target share in % and its index against the city.
    target: pd.DataFrame
    #: Tidy, one row per group and area (see :data:`GROUP_COLUMNS`): the share of the area's
    #: target households in the group (%, as published; NaN where banded or hidden), its band
    #: text, 95% interval, index, and ``reach``, the expected households of the group (the
    #: published target count x the published share, whole households).
    groups: pd.DataFrame
    estimates: CheckedEstimates | None


@dataclass(frozen=True)
class AreaFigures:
    """Where the target group and its groups live, at every level the data have."""

    catalog: AreaCatalog
    levels: Mapping[Level, AreaLevel]
    #: % of all households in the target group (the wijk table's totals).
    overall_share: float
    #: The groups' published shares of the whole target group (%), by key.
    group_shares: Mapping[str, float]
    #: Target households with a child under :data:`YOUNG_CHILD_AGE` per wijk (checked).
    young_children: CheckedTable | None
    model_check: ModelCheck | None
    notes: list[str] = field(default_factory=list)

    @property
    def plan_level(self) -> Level:
        """The finest level whose counts were released: where an outreach plan can ring
        doors (buurt when asked for and published, else wijk; a refused buurt table leaves
        no buurt to plan on)."""
        buurt = self.levels.get("buurt")
        released = buurt is not None and None not in (buurt.households_table, buurt.target_table)
        return "buurt" if released else "wijk"

    def outreach_input(self, level: Level, group: str | None = None) -> pd.DataFrame:
        """Doors (all households) and expected reach per area, from published figures only:
        the input of :func:`bestaanszekerheid.areas.outreach.plan_outreach`."""
        lv = self.levels[level]
        frame = lv.target.set_index("code")
        if group is None:
            reach = frame["target"]
        else:
            g = lv.groups[lv.groups["groep"] == group].set_index("code")
            reach = g["reach"].reindex(frame.index)
        return pd.DataFrame(
            {
                "name": frame["name"],
                "wijk_code": frame["wijk_code"],
                "doors": frame["households"],
                "reach": reach,
            }
        )


def _merged(codes: pd.Series, small: set[str], catalog: AreaCatalog) -> pd.Series:
    parent = catalog.parent()
    return codes.map(lambda c: f"{parent.get(c, c)}{MERGED_SUFFIX}" if c in small else c)


def _names(catalog: AreaCatalog, level: Level) -> dict[str, str]:
    names = catalog.names(level)
    if level == "buurt":
        for code, name in catalog.names("wijk").items():
            names[f"{code}{MERGED_SUFFIX}"] = f"{name} (overige buurten)"
    return names


def _cell(table: CheckedTable | None, row: str) -> float:
    """A one-way count as published (NaN when hidden, absent or the table was refused)."""
    return math.nan if table is None else table.published(row)


def _share(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole > 0 else math.nan  # NaN > 0 is False


def _target_rows(
    tables: tuple[CheckedTable | None, CheckedTable | None],
    codes: Sequence[str],
    names: Mapping[str, str],
    parents: Mapping[str, str],
    overall: float,
) -> pd.DataFrame:
    rows = []
    for code in codes:
        n_all, n_target = _cell(tables[0], code), _cell(tables[1], code)
        share = _share(n_target, n_all)
        rows.append(
            (
                code,
                names.get(code, code),
                parents.get(code, code.removesuffix(MERGED_SUFFIX)),
                n_all,
                n_target,
                share,
                share / overall if overall > 0 else math.nan,
                TOO_FEW if math.isnan(share) else PUBLISHED,
            )
        )
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


@dataclass(frozen=True)
class _LevelInput:
    """One level's codes per household and its two count tables, not yet released."""

    codes: pd.Series
    order: list[str]
    parents: dict[str, str]
    tables: tuple[CheckedTable, CheckedTable]  # all households, target households


def _level_input(
    households: pd.DataFrame,
    in_target: NDArray[np.bool_],
    level: Level,
    catalog: AreaCatalog,
    register: ReleaseRegister,
    merge_small: bool,
    population: str,
    target_population: str,
    unit: str,
) -> _LevelInput | None:
    column = CODE_COLUMN[level]
    if column not in households.columns or households[column].isna().all():
        return None
    catalog.check_codes(households[column], level, source=f"huishoudensbestand, kolom {column}")
    codes = households[column].astype("string")
    if level == "buurt" and merge_small:
        counts = codes[in_target].value_counts()
        small = {str(c) for c, k in counts.items() if k < register.rules.min_count}
        small |= set(catalog.names("buurt")) - set(counts.index)
        codes = _merged(codes, small, catalog).astype("string")
    frame = pd.DataFrame(
        {
            unit: households[unit].to_numpy(),
            column: codes.to_numpy(),
            "doelgroep": np.where(in_target, IN_TARGET, OTHER),
        }
    ).dropna(subset=[column])
    present = {str(c) for c in pd.unique(frame[column])}
    order = [a.code for a in catalog.areas(level) if a.code in present]
    order += sorted(present - set(order))  # merged rows
    # Every area with households is a row of both tables: an area without target households
    # is a zero cell of the target table, protected there like any small cell, not a row
    # that silently goes missing (which a reader would take for a hidden count).
    frame[column] = pd.Categorical(frame[column], categories=order)
    # Two one-way tables, as CBS publishes them (households per area) and the target group
    # per area: a two-way table with an "others" column adds a set per cell that the run's
    # linked check must bound, for nothing a reader needs.
    rules = register.rules
    all_households = frequency_table(
        frame,
        column,
        unit=unit,
        rules=rules,
        population=population,
        name=HOUSEHOLDS_TABLE.format(level=level),
        keep=[TOTAL],
    )
    target = frequency_table(
        frame[frame["doelgroep"] == IN_TARGET],
        column,
        unit=unit,
        rules=rules,
        population=target_population,
        name=TARGET_TABLE.format(level=level),
    )
    parents = {c: _parent(c, catalog) for c in order}
    return _LevelInput(codes, order, parents, (all_households, target))


def _parent(code: str, catalog: AreaCatalog) -> str:
    return catalog.parent().get(code, code.removesuffix(MERGED_SUFFIX))


def _release(
    table: CheckedTable,
    upper: CheckedTable | None,
    parents: Mapping[str, str],
    register: ReleaseRegister,
    notes: list[str],
) -> CheckedTable | None:
    """Release a level's count table; a buurt table protected inside its wijken first."""
    if upper is not None:
        protect_within_wijken(table, upper, parents, register.rules)
    return register.try_release(table, notes)


def _bch_sums(
    codes: NDArray[np.object_], bch: NDArray[np.float64], order: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Per area: the sum of BCH weights per class, the sum of squares, and the households."""
    frame = pd.DataFrame(bch)
    frame["code"] = codes
    grouped = frame.groupby("code", sort=False)
    sums = grouped.sum().reindex(order).fillna(0.0)
    squares = (frame.drop(columns="code") ** 2).groupby(frame["code"], sort=False).sum()
    n = grouped.size().reindex(order).fillna(0).astype(float)
    return sums, squares.reindex(order).fillna(0.0), n


def _group_rows(
    level_codes: NDArray[np.object_],
    bch: NDArray[np.float64],
    keys: Sequence[str],
    target: pd.DataFrame,
    published_sizes: tuple[Mapping[str, float], Mapping[str, float]],
    upper: CheckedEstimates | None,
    register: ReleaseRegister,
    *,
    level: Level,
) -> tuple[pd.DataFrame, CheckedEstimates]:
    rules = register.rules
    sizes, shares = published_sizes
    codes = list(target["code"])
    sums, squares, n = _bch_sums(level_codes, bch, codes)
    # BCH-corrected counts may dip below zero in small areas; a count is never negative.
    estimated = pd.DataFrame(np.clip(sums.to_numpy().T, 0.0, None), index=list(keys), columns=codes)
    published_target = pd.Series(target["target"].to_numpy(), index=codes)
    name = f"Groepen per {level} (samenstelling)"
    if level == "buurt":
        parents = dict(zip(target["code"], target["wijk_code"], strict=True))
        est = estimates_within_wijken(
            estimated, published_target, parents, upper, name=name, rules=rules
        )
    else:
        est = check_estimates(
            estimated,
            basis="column",
            row_published=pd.Series(sizes),
            col_published=published_target,
            name=name,
            rules=rules,
            decimals=rules.estimate_share_decimals,
            size_base=rules.estimate_size_base,
        )
    nn = n.to_numpy()
    mean = sums.to_numpy() / np.where(nn > 0, nn, np.nan)[:, None]
    var = squares.to_numpy() / np.where(nn > 1, nn, np.nan)[:, None] - mean**2
    se = np.sqrt(np.clip(var, 0.0, None) / np.where(nn > 1, nn, np.nan)[:, None])
    names = dict(zip(target["code"], target["name"], strict=True))
    parents = dict(zip(target["code"], target["wijk_code"], strict=True))
    rows = []
    for t, key in enumerate(keys):
        overall = shares[key]
        for a, code in enumerate(codes):
            band = est.band(key, code)
            status = str(est.status.at[key, code])
            share = est.limit(key, code) if band else est.published(key, code)
            low = high = math.nan
            if not band and not math.isnan(share):
                half = 196.0 * float(se[a, t])
                low, high = (
                    float(round_half_up(np.array(max(share - half, 0.0)), 0)),
                    float(round_half_up(np.array(min(share + half, 100.0)), 0)),
                )
            index = share / overall if overall > 0 and not math.isnan(share) else math.nan
            if status == "band_low":
                index = math.nan  # "minder dan 5%": its limit would overstate the index
            n_target = float(published_target[code])
            reach = math.nan
            if not band and not math.isnan(share) and not math.isnan(n_target):
                reach = float(round_half_up(np.array(n_target * share / 100.0), 0))
            rows.append(
                (
                    key,
                    code,
                    names[code],
                    parents[code],
                    share,
                    band,
                    low,
                    high,
                    index,
                    n_target,
                    reach,
                    PUBLISHED if (band or not math.isnan(share)) else TOO_FEW,
                )
            )
    return pd.DataFrame(rows, columns=GROUP_COLUMNS), est


def where_they_live(
    households: pd.DataFrame,
    target: pd.DataFrame,
    posterior: NDArray[np.float64],
    keys: Sequence[str],
    sizes: Mapping[str, float],
    shares: Mapping[str, float],
    *,
    catalog: AreaCatalog,
    register: ReleaseRegister,
    population: str,
    target_population: str = "doelgroep",
    unit: str = "household_id",
    levels: Sequence[Level] = ("wijk",),
    merge_small: bool = False,
) -> AreaFigures | None:
    """The target group and its groups per wijk and buurt (see the module docstring).

    ``households``: every household of the file (the denominators); ``target``: the target
    households, rows aligned with ``posterior`` (households x groups, the engine's posterior
    in the order of ``keys``); ``sizes`` and ``shares``: the groups' published sizes and
    shares of the target group. Levels without codes in the file are skipped; ``None``
    without any. Codes the catalogue does not know raise a Dutch error naming them.
    """
    notes: list[str] = []
    modal = posterior.argmax(axis=1)
    bch = bch_matrix(posterior, np.ones(len(posterior)))[1][modal]
    in_target = households[unit].isin(target[unit]).to_numpy()
    inputs = {
        level: built
        for level in levels
        if (
            built := _level_input(
                households,
                in_target,
                level,
                catalog,
                register,
                merge_small,
                population,
                target_population,
                unit,
            )
        )
        is not None
    }
    if "wijk" in inputs and "buurt" in inputs:
        # Top-down (see .hierarchy): a wijk that would pin its small buurten is hidden first.
        wijk, buurt = inputs["wijk"], inputs["buurt"]
        for upper_table, lower_table in zip(wijk.tables, buurt.tables, strict=True):
            flats = wijken_to_hide(lower_table, upper_table, buurt.parents, register.rules)
            if flats:
                upper_table.suppress_more(flats, HIERARCHY_REASON, primary=True)
    published: dict[Level, AreaLevel] = {}
    overall = math.nan
    # Wijken first, then their buurten protected inside them: the register's run-wide check
    # then passes at the first try instead of after many rounds.
    for level in sorted(inputs, key=lambda lv: lv != "wijk"):
        li = inputs[level]
        upper = published.get("wijk") if level == "buurt" else None
        uppers = (upper.households_table, upper.target_table) if upper else (None, None)
        all_table, target_table = (
            _release(table, up, li.parents, register, notes)
            for table, up in zip(li.tables, uppers, strict=True)
        )
        tables = (all_table, target_table)
        if level == "wijk":
            overall = _share(_cell(target_table, TOTAL), _cell(all_table, TOTAL))
        rows = _target_rows(tables, li.order, _names(catalog, level), catalog.parent(), overall)
        target_codes = li.codes[in_target].to_numpy(dtype=object)
        ok = pd.notna(target_codes)
        groups, est = _group_rows(
            target_codes[ok],
            bch[ok],
            keys,
            rows,
            (sizes, shares),
            upper.estimates if upper else None,
            register,
            level=level,
        )
        published[level] = AreaLevel(level, all_table, target_table, rows, groups, est)
    if not published:
        return None
    return AreaFigures(
        catalog=catalog,
        levels=published,
        overall_share=overall,
        group_shares=dict(shares),
        young_children=_young_children(target, register, target_population, unit, notes),
        model_check=_model_check(
            published, target, modal, keys, register, target_population, unit, notes
        ),
        notes=notes,
    )


def _young_children(
    target: pd.DataFrame, register: ReleaseRegister, population: str, unit: str, notes: list[str]
) -> CheckedTable | None:
    """Target households with a child under 4 per wijk: families a consultatiebureau sees."""
    needed = {"wijk_code", "age_youngest_child"}
    if not needed <= set(target.columns):
        return None
    young = pd.to_numeric(target["age_youngest_child"], errors="coerce") < YOUNG_CHILD_AGE
    frame = target.loc[young.fillna(False).to_numpy(), [unit, "wijk_code"]].dropna()
    if frame.empty:
        return None
    return register.try_release(
        frequency_table(
            frame.astype({"wijk_code": "string"}),
            "wijk_code",
            unit=unit,
            rules=register.rules,
            population=f"{population}, met een kind jonger dan {YOUNG_CHILD_AGE} jaar",
            name=f"Doelgroep met een kind onder de {YOUNG_CHILD_AGE} per wijk",
        ),
        notes,
    )


def _model_check(
    levels: Mapping[Level, AreaLevel],
    target: pd.DataFrame,
    modal: NDArray[np.int64],
    keys: Sequence[str],
    register: ReleaseRegister,
    population: str,
    unit: str,
    notes: list[str],
) -> ModelCheck | None:
    """The model check of the area estimates (class sizes and the published area counts), with
    every estimate cell's decision for the checker's log; released in ``register``."""
    category_counts = {
        f"{lv.level} {code}": float(n)
        for lv in levels.values()
        for code, n in zip(lv.target["code"], lv.target["target"], strict=True)
        if not math.isnan(float(n))
    }
    check = check_model(
        name=MODEL_CHECK,
        n_obs=len(target),
        class_counts={k: float(np.sum(modal == t)) for t, k in enumerate(keys)},
        category_counts=category_counts,
        outputs=(
            "samenstelling per wijk",
            "samenstelling per buurt",
            "betrouwbaarheidsintervallen",
        ),
        units=target[unit].to_numpy(),
        population=population,
        kind="drie-stappen (BCH)",
        rules=register.rules,
    )
    for lv in levels.values():
        if lv.estimates is not None:
            check.checks.extend(lv.estimates.checks)
            check.cell_decisions.extend(lv.estimates.decisions())
    # Refused (differencing with earlier outputs): no group figure per area is published.
    return register.try_release(check, notes)
