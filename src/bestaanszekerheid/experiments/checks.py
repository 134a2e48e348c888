"""An experiment's outputs through disclosure control: what its report section may show.

Compute, then check, then arrange (ADR 0040): the estimates come from :mod:`.estimation`,
:mod:`.allocation`, :mod:`.attrition` and :mod:`.power`; :func:`check_experiment` releases
every figure the section shows in a :class:`~bestaanszekerheid.disclosure.ReleaseRegister`;
:mod:`.report` only arranges the result.

- Group sizes, group x subgroup counts and (when an outcome is missing for some) group x
  "outcome measured" counts are checked frequency tables (at least ``min_count`` per cell;
  smaller cells are suppressed, never shown). A table the register refuses for differencing
  is left out, with a public note (:meth:`ReleaseRegister.try_release`); only the group sizes
  are required.
- The effect estimates are one model output (``check_model``): residual degrees of freedom
  and every group behind an estimate at least ``min_count``. A refused model raises a Dutch
  :class:`~bestaanszekerheid.errors.UserFacingError`: no estimate leaves the analysis then.
- The balance table's figures come from checked tables (group x category counts, checked
  means); a figure is shown only where its cell is published.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bestaanszekerheid.disclosure import (
    CheckedTable,
    ModelCheck,
    ReleaseRegister,
    check_model,
    frequency_table,
    magnitude_table,
)
from bestaanszekerheid.experiments.results import (
    AttritionResult,
    BalanceResult,
    DidResult,
    EffectResult,
    PowerResult,
)

#: What a regression publishes (the model check's outputs).
REGRESSION_OUTPUTS = ("coefficients", "standard_errors", "confidence_intervals", "p_values")
#: Who the published figures are about, unless the caller names them.
PARTICIPANTS = "deelnemers aan het experiment"


@dataclass(frozen=True)
class ExperimentInputs:
    """An experiment's results and the participant file they were computed from.

    ``data`` has one row per person, ``unit`` its id column (without one the row number
    identifies a person); ``arm`` is the group column the estimates compared. ``subgroups``
    are categorical columns (usually the strata) whose group x subgroup counts are shown.
    ``population`` names who the figures are about; ``synthetic`` marks them as made up.
    """

    data: pd.DataFrame
    arm: str
    effects: EffectResult
    unit: str | None = None
    subgroups: Sequence[str] = ()
    balance: BalanceResult | None = None
    attrition: Mapping[str, AttritionResult] = field(default_factory=dict)
    power: PowerResult | None = None
    did: DidResult | None = None
    synthetic: bool = False
    population: str = PARTICIPANTS


@dataclass
class BalanceCheck:
    """Which figures of the balance table may be shown, and the checked outputs behind them.

    ``shown[(row, arm)]``: the checked cell behind that mean or share is published (``row``
    is ``"aantal"`` for the group size, else a variable of the balance table).
    """

    shown: dict[tuple[str, str], bool]
    sources: list[str]


@dataclass
class CheckedExperiment:
    """An experiment's results with every output its report section shows released.

    The results (``effects``, ``balance``, ...) are as computed; what may be shown of them is
    in the checked outputs: ``sizes``, ``subgroup_tables``, ``attrition_tables`` (None where
    refused), ``model`` (the effect estimates), ``balance_check``, ``did_model``.
    """

    register: ReleaseRegister
    population: str
    synthetic: bool
    effects: EffectResult
    model: ModelCheck
    sizes: CheckedTable
    #: Participants with an arm, and the number of arms (both as in the sizes table's total).
    n_participants: int
    n_arms: int
    #: Per outcome: whether it is binary (shown in percentage points) or a scale.
    binary: dict[str, bool]
    subgroup_tables: dict[str, CheckedTable] = field(default_factory=dict)
    balance: BalanceResult | None = None
    balance_check: BalanceCheck | None = None
    attrition: dict[str, AttritionResult] = field(default_factory=dict)
    attrition_tables: dict[str, CheckedTable | None] = field(default_factory=dict)
    power: PowerResult | None = None
    did: DidResult | None = None
    did_model: ModelCheck | None = None
    #: Every checked table released, in release order.
    tables: list[CheckedTable] = field(default_factory=list)
    #: Public notes: outputs left out because the register refused them.
    notes: list[str] = field(default_factory=list)

    def release(self, table: CheckedTable) -> CheckedTable | None:
        """Release ``table`` in the register (see :meth:`ReleaseRegister.try_release`)."""
        released = self.register.try_release(table, self.notes)
        if released is not None:
            self.tables.append(released)
        return released


def _is_binary(series: pd.Series) -> bool:
    values = pd.to_numeric(series, errors="coerce").dropna().unique()
    return len(values) > 0 and set(np.unique(values)).issubset({0.0, 1.0})


def published_cells(table: CheckedTable) -> dict[tuple[str, str], bool]:
    """(row, column) -> published, for the interior cells of a checked table."""
    frame = table.frame
    out: dict[tuple[str, str], bool] = {}
    for idx, values in frame.iterrows():
        r = str(idx[-1] if isinstance(idx, tuple) else idx)
        for col, v in values.items():
            c = str(col[-1] if isinstance(col, tuple) else col)
            out[(r, c)] = not (isinstance(v, float) and math.isnan(v))
    return out


def check_experiment(
    inputs: ExperimentInputs, register: ReleaseRegister | None = None
) -> CheckedExperiment:
    """Release every output an experiment's report section shows; see the module docstring.

    All releases go into ``register`` (a new one when None), so that it can compare them with
    what the same run published before. Raises a Dutch :class:`UserFacingError` when the
    estimates may not be published.
    """
    register = register or ReleaseRegister()
    arm, unit, effects = inputs.arm, inputs.unit, inputs.effects
    population = inputs.population + (" (synthetisch)" if inputs.synthetic else "")
    frame = inputs.data[inputs.data[arm].notna()].copy()
    frame[arm] = frame[arm].astype(str)
    # The group sizes are the section's backbone: a refusal raises (nothing to show without).
    sizes = frequency_table(
        frame,
        arm,
        unit=unit,
        rules=register.rules,
        name="Deelnemers per groep",
        population=population,
    )
    register.release(sizes)
    notes: list[str] = []
    subgroup_tables = _subgroup_tables(
        frame, inputs, population=population, register=register, notes=notes
    )
    # Release order as the section reads: sizes, subgroups, estimates, balance, attrition, DiD
    # (the register checks each output against those before it).
    model = _effects_model(frame, effects, unit=unit, population=population, register=register)
    outcomes = list(dict.fromkeys(e.outcome for e in effects.effects))
    checked = CheckedExperiment(
        register=register,
        population=population,
        synthetic=inputs.synthetic,
        effects=effects,
        model=model,
        sizes=sizes,
        n_participants=len(frame),
        n_arms=int(frame[arm].nunique()),
        binary={o: _is_binary(frame[o]) for o in outcomes if o in frame},
        subgroup_tables=subgroup_tables,
        tables=[sizes, *subgroup_tables.values()],
        power=inputs.power,
        notes=notes,
    )
    if inputs.balance is not None:
        checked.balance = inputs.balance
        checked.balance_check = _check_balance(checked, frame, inputs.balance, arm=arm, unit=unit)
    for outcome, att in inputs.attrition.items():
        checked.attrition[outcome] = att
        checked.attrition_tables[outcome] = _attrition_table(checked, frame, outcome, arm, unit)
    if inputs.did is not None:
        checked.did = inputs.did
        checked.did_model = _did_model(inputs.did, population=population, register=register)
    return checked


def _subgroup_tables(
    frame: pd.DataFrame,
    inputs: ExperimentInputs,
    *,
    population: str,
    register: ReleaseRegister,
    notes: list[str],
) -> dict[str, CheckedTable]:
    """Group x subgroup counts, each released or (refused) left out with a note in ``notes``."""
    tables: dict[str, CheckedTable] = {}
    for s in inputs.subgroups:
        table = register.try_release(
            frequency_table(
                frame.assign(**{s: frame[s].astype(str)}),
                inputs.arm,
                s,
                unit=inputs.unit,
                rules=register.rules,
                name=f"Deelnemers per groep en {s}",
                population=population,
            ),
            notes,
        )
        if table is not None:
            tables[s] = table
    return tables


def _effects_model(
    frame: pd.DataFrame,
    effects: EffectResult,
    *,
    unit: str | None,
    population: str,
    register: ReleaseRegister,
) -> ModelCheck:
    """The estimates are one model output: every group behind an estimate has >= min_count
    people (per outcome, since missing outcomes shrink the groups) and enough residual df."""
    category_counts: dict[str, float] = {}
    for e in effects.effects:
        category_counts[f"{e.outcome} / {e.arm}"] = e.n_arm
        category_counts[f"{e.outcome} / {e.control}"] = e.n_control
    model = check_model(
        name="Effectschattingen (intention-to-treat)",
        n_obs=len(frame),
        df_resid=min((e.df for e in effects.effects), default=math.nan),
        category_counts=category_counts,
        outputs=REGRESSION_OUTPUTS,
        units=frame[unit].to_numpy() if unit else None,
        population=population,
        kind="regressie (effectschatting)",
        rules=register.rules,
    )
    register.release(model)
    return model


def _did_model(did: DidResult, *, population: str, register: ReleaseRegister) -> ModelCheck:
    """A DiD estimate is model output too: enough residual df and >= min_count units on
    each side; refused (with a Dutch message) otherwise."""
    model = check_model(
        name=f"Verschil-in-verschillen ({did.outcome})",
        n_obs=did.n_obs,
        df_resid=did.df,
        category_counts={
            "interventie-eenheden": did.n_treated_units,
            "vergelijkingseenheden": did.n_units - did.n_treated_units,
        },
        outputs=REGRESSION_OUTPUTS,
        population=population,
        kind="regressie (verschil-in-verschillen)",
        rules=register.rules,
    )
    register.release(model)
    return model


def _attrition_table(
    checked: CheckedExperiment, frame: pd.DataFrame, outcome: str, arm: str, unit: str | None
) -> CheckedTable | None:
    """Participants per group with and without a measured ``outcome`` (checked counts)."""
    measured = f"{outcome} gemeten"
    return checked.release(
        frequency_table(
            frame.assign(**{measured: np.where(frame[outcome].isna(), "nee", "ja")}),
            arm,
            measured,
            unit=unit,
            rules=checked.register.rules,
            name=f"Deelnemers per groep en meting van {outcome}",
            population=checked.population,
        )
    )


def _check_balance(
    checked: CheckedExperiment,
    frame: pd.DataFrame,
    balance: BalanceResult,
    *,
    arm: str,
    unit: str | None,
) -> BalanceCheck:
    """Release the checked outputs behind every figure of the balance table.

    Group sizes come from the sizes table; a share of a category from the group x category
    count table (released here unless it is already a subgroup table); a mean from a checked
    magnitude table (threshold, dominance and p% rule). Returns which figures may be shown.
    """
    sizes = checked.sizes
    shown: dict[tuple[str, str], bool] = {}
    sources = [sizes.name]
    for (r, _c), ok in published_cells(sizes).items():
        shown[("aantal", r)] = ok
    by_name = {t.name: t for t in checked.tables}
    arms = [str(a) for a in frame[arm].unique()]
    for var in balance.to_frame()["variable"].astype(str):
        column, _, level = var.partition(" = ")
        if var == "aantal" or column not in frame.columns:
            continue
        name = f"Deelnemers per groep en {column}" if level else f"Gemiddelde {column} per groep"
        table = by_name.get(name)
        if table is None:
            table = checked.release(
                _balance_table(frame, column, arm, unit, level=bool(level), name=name, of=checked)
            )
        if table is None:  # refused: none of its figures is shown
            continue
        by_name[name] = table
        cells = published_cells(table)
        for a in arms:
            if level:
                shown[(var, a)] = cells.get((a, level), False)
            else:
                shown[(var, a)] = any(ok for (r, _), ok in cells.items() if r == a)
        sources.append(table.name)
    return BalanceCheck(shown, sources)


def _balance_table(
    frame: pd.DataFrame,
    column: str,
    arm: str,
    unit: str | None,
    *,
    level: bool,
    name: str,
    of: CheckedExperiment,
) -> CheckedTable:
    """The checked table behind one balance row: counts per category, or checked means."""
    rules, population = of.register.rules, of.population
    if level:
        return frequency_table(
            frame.assign(**{column: frame[column].astype(str)}),
            arm,
            column,
            unit=unit,
            rules=rules,
            name=name,
            population=population,
        )
    return magnitude_table(
        frame,
        column,
        arm,
        stat="mean",
        unit=unit,
        rules=rules,
        name=name,
        population=population,
    )
