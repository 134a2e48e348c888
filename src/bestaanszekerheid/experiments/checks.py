"""An experiment's outputs through disclosure control: what its report section may show.

Compute, then check, then arrange (ADR 0040): the estimates come from :mod:`.estimation`,
:mod:`.allocation`, :mod:`.attrition` and :mod:`.power`; :func:`check_experiment` releases
every figure the section shows in a :class:`~bestaanszekerheid.disclosure.ReleaseRegister`;
:mod:`.report` only arranges the result.

- Arm sizes, arm x subgroup counts and (when an outcome is missing for some) arm x
  "outcome measured" counts are checked frequency tables (at least ``min_count`` per cell;
  smaller cells are suppressed, never shown). A table the register refuses for differencing
  is left out, with a public note (:meth:`ReleaseRegister.try_release`); only the arm sizes
  are required.
- The effect estimates are one model output (``check_model``): residual degrees of freedom
  and every arm behind an estimate at least ``min_count``. A refused model raises a Dutch
  :class:`~bestaanszekerheid.errors.UserFacingError`: no estimate leaves the analysis then.
- The balance table's figures come from checked tables (arm x category counts, checked
  means); a figure is shown only where its cell is published.
- Effects per latent group are a model output of their own: every arm x group cell needs
  ``min_count`` participants both as a posterior sum and by most likely group, every group
  ``min_class_size``; a group size is published rounded to ``estimate_size_base``. When the
  check fails, or the register refuses it, the effects per group are left out with a note.

The checked tables carry labels, not codes (:class:`~.labels.Labels`): the arm column is
"Arm", a characteristic's column its label, every value its label, so that the report, the
workbook and the checker's log read alike.
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
from bestaanszekerheid.disclosure.estimates import round_size
from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.experiments.labels import Labels, in_sentence
from bestaanszekerheid.experiments.results import (
    AttritionResult,
    BalanceResult,
    ClassEffectResult,
    DidResult,
    EffectResult,
    PowerResult,
)

#: What a regression publishes (the model check's outputs).
REGRESSION_OUTPUTS = ("coefficients", "standard_errors", "confidence_intervals", "p_values")
#: Who the published figures are about, unless the caller names them.
PARTICIPANTS = "deelnemers aan het experiment"
#: The arm column of every checked table (its values are the arms' labels).
ARM = "Arm"
SIZES_NAME = "Deelnemers per arm"


@dataclass(frozen=True)
class ExperimentInputs:
    """An experiment's results and the participant file they were computed from.

    ``data`` has one row per person, ``unit`` its id column (without one the row number
    identifies a person); ``arm`` is the arm column the estimates compared. ``subgroups``
    are categorical columns (usually the strata) whose arm x subgroup counts are shown.
    ``population`` names who the figures are about; ``synthetic`` marks them as made up.
    ``labels`` names the codes (arms, outcomes, characteristics, values, latent groups);
    ``by_class`` holds effects per latent group by outcome (:func:`effects_by_class` on
    these ``data``), ``class_source`` says in a sentence where the groups come from.
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
    labels: Labels = field(default_factory=Labels)
    by_class: Mapping[str, ClassEffectResult] = field(default_factory=dict)
    class_source: str = ""


@dataclass
class BalanceCheck:
    """Which figures of the balance table may be shown, and the checked outputs behind them.

    ``shown[(row, arm)]``: the checked cell behind that mean or share is published (``row``
    is ``"aantal"`` for the arm size, else a variable of the balance table; both codes).
    """

    shown: dict[tuple[str, str], bool]
    sources: list[str]


@dataclass
class CheckedExperiment:
    """An experiment's results with every output its report section shows released.

    The results (``effects``, ``balance``, ...) are as computed; what may be shown of them is
    in the checked outputs: ``sizes``, ``subgroup_tables``, ``attrition_tables`` (None where
    refused), ``model`` (the effect estimates), ``balance_check``, ``did_model``,
    ``class_models`` (per outcome whose effects per latent group are released).
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
    labels: Labels = field(default_factory=Labels)
    subgroup_tables: dict[str, CheckedTable] = field(default_factory=dict)
    balance: BalanceResult | None = None
    balance_check: BalanceCheck | None = None
    attrition: dict[str, AttritionResult] = field(default_factory=dict)
    attrition_tables: dict[str, CheckedTable | None] = field(default_factory=dict)
    power: PowerResult | None = None
    did: DidResult | None = None
    did_model: ModelCheck | None = None
    #: Effects per latent group by outcome, with their model check (released ones only),
    #: and per outcome the estimated size of every group (rounded to ``estimate_size_base``).
    by_class: dict[str, ClassEffectResult] = field(default_factory=dict)
    class_models: dict[str, ModelCheck] = field(default_factory=dict)
    class_sizes: dict[str, dict[str, float]] = field(default_factory=dict)
    class_source: str = ""
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


def subgroup_name(labels: Labels, column: str) -> str:
    """The name of the checked arm x ``column`` count table."""
    return f"Deelnemers per arm en {in_sentence(labels.variable(column))}"


def mean_name(labels: Labels, column: str) -> str:
    """The name of the checked table of the mean of ``column`` per arm."""
    return f"Gemiddelde {in_sentence(labels.variable(column))} per arm"


def measured_name(labels: Labels, outcome: str) -> str:
    """The name of the checked arm x "outcome measured" count table."""
    return f"Deelnemers per arm en meting van {in_sentence(labels.outcome(outcome))}"


def class_model_name(labels: Labels, outcome: str) -> str:
    """The name of the model output with the effects per latent group on ``outcome``."""
    return f"Effecten per groep op {in_sentence(labels.outcome(outcome))}"


def _categories(data: pd.DataFrame, column: str) -> list[str]:
    return sorted(data[column].dropna().astype(str).unique())


def _check_labels(inputs: ExperimentInputs, frame: pd.DataFrame) -> None:
    """Every label of this experiment is its own, and the labels file names no code the
    experiment lacks (see :meth:`Labels.check`)."""
    balance_vars = [] if inputs.balance is None else list(_balance_columns(inputs.balance))
    columns = list(dict.fromkeys([*inputs.subgroups, *balance_vars, *inputs.effects.covariates]))
    categorical = [
        c
        for c in columns
        if c in frame and (c in inputs.subgroups or not pd.api.types.is_numeric_dtype(frame[c]))
    ]
    outcomes = list(dict.fromkeys(e.outcome for e in inputs.effects.effects))
    classes = [c for r in inputs.by_class.values() for c in r.classes]
    inputs.labels.check(
        arms=_categories(frame, inputs.arm),
        outcomes=outcomes,
        variables=[c for c in columns if c in frame],
        classes=list(dict.fromkeys(classes)),
        values={c: _categories(frame, c) for c in categorical},
    )
    taken = {ARM.casefold(): ARM, **({inputs.unit.casefold(): inputs.unit} if inputs.unit else {})}
    for c in columns:
        label = inputs.labels.variable(c)
        if c in frame and taken.get(label.casefold(), c) != c:
            raise UserFacingError(
                f"Kenmerk '{c}' krijgt het label '{label}', dat al voor "
                f"'{taken[label.casefold()]}' staat; geef het een eigen label."
            )
        taken[label.casefold()] = c


def _balance_columns(balance: BalanceResult) -> dict[str, None]:
    """The data columns behind the balance table's rows (``"geslacht = man"`` -> geslacht)."""
    variables = balance.to_frame()["variable"].astype(str)
    return {v.partition(" = ")[0]: None for v in variables if v != "aantal"}


def _arm_column(frame: pd.DataFrame, inputs: ExperimentInputs) -> pd.Series:
    """The arms' labels as a categorical column: the control arm first, then the other arms
    in the order of the estimates (so every table lists them in the same order)."""
    effects = inputs.effects.effects
    order = [effects[0].control, *dict.fromkeys(e.arm for e in effects)] if effects else []
    order += sorted(set(frame[inputs.arm]) - set(order))
    categories = [inputs.labels.arm(a) for a in dict.fromkeys(order)]
    return pd.Series(
        pd.Categorical(frame[inputs.arm].map(inputs.labels.arm), categories=categories),
        index=frame.index,
    )


def _published_frame(frame: pd.DataFrame, inputs: ExperimentInputs) -> pd.DataFrame:
    """The participant rows as the checked tables count them: the unit id, the arm's label
    in column :data:`ARM`, and every characteristic the section shows under its label, its
    categories by their labels (numbers stay numbers)."""
    labels = inputs.labels
    out = pd.DataFrame(index=frame.index)
    if inputs.unit is not None:
        out[inputs.unit] = frame[inputs.unit]
    out[ARM] = _arm_column(frame, inputs)
    balance_vars = [] if inputs.balance is None else list(_balance_columns(inputs.balance))
    for column in dict.fromkeys([*inputs.subgroups, *balance_vars]):
        if column not in frame or column in (inputs.unit, inputs.arm):
            continue
        s = frame[column]
        numeric = pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s)
        if numeric and column not in inputs.subgroups:
            out[labels.variable(column)] = s.astype(float)
        else:
            out[labels.variable(column)] = s.map(
                lambda v, c=column: v if pd.isna(v) else labels.value(c, v)
            )
    return out


def check_experiment(
    inputs: ExperimentInputs, register: ReleaseRegister | None = None
) -> CheckedExperiment:
    """Release every output an experiment's report section shows; see the module docstring.

    All releases go into ``register`` (a new one when None), so that it can compare them with
    what the same run published before. Raises a Dutch :class:`UserFacingError` when the
    estimates may not be published, or when the labels are ambiguous.
    """
    register = register or ReleaseRegister()
    arm, unit, effects, labels = inputs.arm, inputs.unit, inputs.effects, inputs.labels
    population = inputs.population + (" (synthetisch)" if inputs.synthetic else "")
    frame = inputs.data[inputs.data[arm].notna()].copy()
    frame[arm] = frame[arm].astype(str)
    _check_labels(inputs, frame)
    published = _published_frame(frame, inputs)
    # The arm sizes are the section's backbone: a refusal raises (nothing to show without).
    sizes = frequency_table(
        published,
        ARM,
        unit=unit,
        rules=register.rules,
        name=SIZES_NAME,
        population=population,
    )
    register.release(sizes)
    notes: list[str] = []
    subgroup_tables = _subgroup_tables(
        published, inputs, population=population, register=register, notes=notes
    )
    # Release order as the section reads: sizes, subgroups, estimates, balance, attrition,
    # effects per latent group, DiD (the register checks each output against those before it).
    model = _effects_model(
        frame, effects, labels, unit=unit, population=population, register=register
    )
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
        labels=labels,
        subgroup_tables=subgroup_tables,
        tables=[sizes, *subgroup_tables.values()],
        power=inputs.power,
        notes=notes,
        class_source=inputs.class_source,
    )
    if inputs.balance is not None:
        checked.balance = inputs.balance
        checked.balance_check = _check_balance(checked, published, inputs.balance, unit=unit)
    for outcome, att in inputs.attrition.items():
        checked.attrition[outcome] = att
        checked.attrition_tables[outcome] = _attrition_table(checked, frame, outcome, inputs)
    for outcome, by_class in inputs.by_class.items():
        _release_by_class(checked, frame, outcome, by_class, inputs)
    if inputs.did is not None:
        checked.did = inputs.did
        checked.did_model = _did_model(inputs.did, population=population, register=register)
    return checked


def _subgroup_tables(
    published: pd.DataFrame,
    inputs: ExperimentInputs,
    *,
    population: str,
    register: ReleaseRegister,
    notes: list[str],
) -> dict[str, CheckedTable]:
    """Arm x subgroup counts, each released or (refused) left out with a note in ``notes``."""
    tables: dict[str, CheckedTable] = {}
    for s in inputs.subgroups:
        column = inputs.labels.variable(s)
        table = register.try_release(
            frequency_table(
                published.assign(**{column: published[column].astype(str)}),
                ARM,
                column,
                unit=inputs.unit,
                rules=register.rules,
                name=subgroup_name(inputs.labels, s),
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
    labels: Labels,
    *,
    unit: str | None,
    population: str,
    register: ReleaseRegister,
) -> ModelCheck:
    """The estimates are one model output: every arm behind an estimate has >= min_count
    people (per outcome, since missing outcomes shrink the arms) and enough residual df."""
    category_counts: dict[str, float] = {}
    for e in effects.effects:
        outcome = labels.outcome(e.outcome)
        category_counts[f"{outcome} / {labels.arm(e.arm)}"] = e.n_arm
        category_counts[f"{outcome} / {labels.arm(e.control)}"] = e.n_control
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
    checked: CheckedExperiment,
    frame: pd.DataFrame,
    outcome: str,
    inputs: ExperimentInputs,
) -> CheckedTable | None:
    """Participants per arm with and without a measured ``outcome`` (checked counts)."""
    labels = inputs.labels
    measured = f"{labels.outcome(outcome)} gemeten"
    counted = pd.DataFrame(
        {
            ARM: _arm_column(frame, inputs),
            measured: np.where(frame[outcome].isna(), "nee", "ja"),
        },
        index=frame.index,
    )
    if inputs.unit is not None:
        counted[inputs.unit] = frame[inputs.unit]
    return checked.release(
        frequency_table(
            counted,
            ARM,
            measured,
            unit=inputs.unit,
            rules=checked.register.rules,
            name=measured_name(labels, outcome),
            population=checked.population,
        )
    )


def _check_balance(
    checked: CheckedExperiment,
    published: pd.DataFrame,
    balance: BalanceResult,
    *,
    unit: str | None,
) -> BalanceCheck:
    """Release the checked outputs behind every figure of the balance table.

    Arm sizes come from the sizes table; a share of a category from the arm x category
    count table (released here unless it is already a subgroup table); a mean from a checked
    magnitude table (threshold, dominance and p% rule). Returns which figures may be shown.
    """
    labels = checked.labels
    sizes = checked.sizes
    arms = list(balance.arms)
    by_label = {labels.arm(a): a for a in arms}
    shown: dict[tuple[str, str], bool] = {}
    sources = [sizes.name]
    for (r, _c), ok in published_cells(sizes).items():
        if r in by_label:
            shown[("aantal", by_label[r])] = ok
    by_name = {t.name: t for t in checked.tables}
    for var in balance.to_frame()["variable"].astype(str):
        column, _, level = var.partition(" = ")
        label = labels.variable(column)
        if var == "aantal" or label not in published.columns:
            continue
        name = subgroup_name(labels, column) if level else mean_name(labels, column)
        table = by_name.get(name)
        if table is None:
            table = checked.release(
                _balance_table(published, label, unit, level=bool(level), name=name, of=checked)
            )
        if table is None:  # refused: none of its figures is shown
            continue
        by_name[name] = table
        cells = published_cells(table)
        for a in arms:
            row = labels.arm(a)
            if level:
                shown[(var, a)] = cells.get((row, labels.value(column, level)), False)
            else:
                shown[(var, a)] = any(ok for (r, _), ok in cells.items() if r == row)
        sources.append(table.name)
    return BalanceCheck(shown, sources)


def _balance_table(
    published: pd.DataFrame,
    column: str,
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
            published.assign(**{column: published[column].astype(str)}),
            ARM,
            column,
            unit=unit,
            rules=rules,
            name=name,
            population=population,
        )
    return magnitude_table(
        published,
        column,
        ARM,
        stat="mean",
        unit=unit,
        rules=rules,
        name=name,
        population=population,
    )


def _class_counts(
    frame: pd.DataFrame, result: ClassEffectResult, arm: str
) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame]:
    """The analysed participants' most likely group, and per arm x group the posterior sums
    (expected counts) and the counts by most likely group."""
    assignment = result.assignment
    if assignment is None or not assignment.index.isin(frame.index).all():
        raise UserFacingError(
            "De effecten per groep horen niet bij deze gegevens: schat ze met "
            "effects_by_class op hetzelfde deelnemersbestand."
        )
    arms = frame.loc[assignment.index, arm].astype(str)
    modal = pd.crosstab(arms, assignment).reindex(columns=list(result.classes), fill_value=0)
    eff = result.effects
    expected = eff.pivot(index="arm", columns="latent_class", values="expected_n_arm")
    control = eff.groupby("latent_class", sort=False)["expected_n_control"].first()
    expected.loc[result.control] = control
    expected = expected.reindex(index=modal.index, columns=list(result.classes)).fillna(0.0)
    return assignment, expected, modal


def _release_by_class(
    checked: CheckedExperiment,
    frame: pd.DataFrame,
    outcome: str,
    result: ClassEffectResult,
    inputs: ExperimentInputs,
) -> None:
    """Check the effects per latent group on ``outcome`` as one model output and release
    it; when it fails its own check or the register refuses it, leave it out with a note."""
    labels, rules = inputs.labels, checked.register.rules
    assignment, expected, modal = _class_counts(frame, result, inputs.arm)
    category_counts = {
        f"{labels.arm(a)} / {labels.latent(c)}": float(
            min(math.floor(expected.loc[a, c]), modal.loc[a, c])
        )
        for a in modal.index
        for c in result.classes
    }
    totals = expected.sum(axis=0)
    ids = frame.loc[assignment.index, inputs.unit] if inputs.unit else assignment.index
    name = class_model_name(labels, outcome)
    model = check_model(
        name=name,
        n_obs=len(assignment),
        df_resid=result.df,
        class_counts={labels.latent(c): float(totals[c]) for c in result.classes},
        category_counts=category_counts,
        outputs=(*REGRESSION_OUTPUTS, "geschatte groepsgrootte"),
        units=np.asarray(ids),
        unit_sets={
            labels.latent(c): np.asarray(ids[(assignment == c).to_numpy()]) for c in result.classes
        },
        partition=True,
        population=checked.population,
        kind="regressie (effect per latente groep)",
        rules=rules,
    )
    if not model.passed:
        checked.notes.append(
            f"Niet gepubliceerd: '{name}'. In minstens één combinatie van arm en groep zitten "
            f"te weinig deelnemers (onthullingscontrole: minstens {rules.min_count})."
        )
        return
    if checked.register.try_release(model, checked.notes) is None:
        return
    checked.by_class[outcome] = result
    checked.class_models[outcome] = model
    checked.class_sizes[outcome] = {
        c: round_size(float(totals[c]), rules.estimate_size_base) for c in result.classes
    }
