"""The whole chain: households -> target group -> groups -> profiles -> checked outputs.

``run_analysis`` is the library entry point; ``bsz analyse`` (real data) and ``bsz demo``
(a fresh synthetic Tilburg population, :func:`run_demo`) are thin wrappers around it in
:mod:`bestaanszekerheid.cli.analyse`. This module prints nothing: progress is reported through
a plain callback (:data:`Progress`), which the command line shows as a progress bar. One
:class:`~bestaanszekerheid.disclosure.ReleaseRegister` per run: every table, chart and profile
in the outputs is built from an output released in it, and the run ends by writing the
output log (JSON + Dutch Markdown).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bestaanszekerheid.areas import AreaCatalog, Level, read_catalog
from bestaanszekerheid.areas.distribution import AreaFigures, where_they_live
from bestaanszekerheid.areas.outreach import (
    DEFAULT_CURVE_STEPS,
    DEFAULT_GROUP,
    OutreachPlan,
    plan_outreach,
)
from bestaanszekerheid.areas.partners import Partner, demo_partners, read_partners, write_partners
from bestaanszekerheid.defaults import (
    DEFAULT_CLASSES,
    DEFAULT_DOORS,
    DEFAULT_MAX_PCT,
    DEFAULT_N_BOOTSTRAP_STABILITY,
    DEFAULT_N_INIT,
)
from bestaanszekerheid.disclosure import (
    CheckedTable,
    DisclosureRules,
    ModelCheck,
    ReleaseRegister,
    check_model,
    load_rules,
    round_size,
)
from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.formatting import fmt_plain
from bestaanszekerheid.profiles import (
    ProfileSet,
    WijkShares,
    build_profiles,
    write_overrides_template,
)
from bestaanszekerheid.profiles.compute import group_labels, with_areas
from bestaanszekerheid.profiles.shares import group_sizes
from bestaanszekerheid.profiles.wijk_shares import wijk_shares_from
from bestaanszekerheid.segments.selection import (
    MIN_JACCARD,
    ClassSelection,
    choose_n_classes,
    recommend,
)
from bestaanszekerheid.target import TargetGroup, select_target

if TYPE_CHECKING:
    from bestaanszekerheid.experiments.demo import DemoExperiment
    from bestaanszekerheid.experiments.report import ExperimentSection

#: Indicators of the latent class model: the household's situation, not who they are
#: (origin and education are described afterwards, never used to form groups).
DEFAULT_INDICATORS: dict[str, str] = {
    "household_type": "categorical",
    "income_source": "categorical",
    "age_main_earner": "continuous",
    "low_income_years": "categorical",
    "problematic_debts": "binary",
    "high_care_costs": "binary",
    "tenure": "categorical",
}

#: A progress callback ``(step, steps, text)``: step ``i`` of ``steps`` starts, described by
#: ``text``; the last call has ``step == steps`` ("Klaar").
Progress = Callable[[int, int, str], None]
#: The key of the whole target group's outreach plan (the groups' are "Groep 1" ...).
TARGET_PLAN = DEFAULT_GROUP


@dataclass(frozen=True)
class AnalysisOptions:
    """Choices of a run; the defaults are :mod:`bestaanszekerheid.defaults`' (``bsz``'s too)."""

    max_pct: float = DEFAULT_MAX_PCT
    on: date | None = None
    classes: Sequence[int] = DEFAULT_CLASSES
    indicators: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_INDICATORS))
    n_init: int = DEFAULT_N_INIT
    n_bootstrap_stability: int = DEFAULT_N_BOOTSTRAP_STABILITY
    n_bootstrap_bch: int = 100
    random_state: int = 0
    overrides: Path | None = None
    source: str = ""
    #: An own rules file (TOML) for the disclosure control; None: the packaged CBS rules.
    rules_file: Path | None = None
    #: An area catalogue folder (``bsz gebieden``); None: Tilburg's packaged 2024 areas.
    areas: Path | None = None
    #: Levels to publish: wijk, and buurt where asked (its suppression against the wijk
    #: figures is slow on real buurten: minutes for Tilburg's 254).
    levels: tuple[Level, ...] = ("wijk",)
    #: Pool the buurten with fewer target households than the minimum per wijk.
    merge_small_buurten: bool = False
    #: Door budget of the outreach plan (households to visit).
    doors: int = DEFAULT_DOORS
    #: Stop after the areas step and the outreach plans: no report, cards, workbook, bundle
    #: or log is written (``bsz wijken`` writes its own outputs from the result).
    stop_after_areas: bool = False
    #: Which outreach plans to make: keys of ``AnalysisResult.outreach`` ("doelgroep",
    #: "Groep 3"); None: the whole target group's and every group's. A group the chosen model
    #: does not have is an :class:`UnknownGroupError`, raised right after the model choice.
    outreach_plans: tuple[str, ...] | None = None
    #: A partner file (``bsz wijken --partners``, from the web app's Beheer page): the
    #: outreach part names the partners per wijk of the plan. None: no partners.
    partners: Path | None = None


class UnknownGroupError(UserFacingError):
    """An outreach plan asked for a group the chosen model does not have (Dutch message);
    ``choices`` are the keys that exist ("doelgroep", "Groep 1" ...)."""

    def __init__(self, group: str, choices: Sequence[str]) -> None:
        self.group = group
        self.choices = tuple(choices)
        super().__init__(
            f"'{group}' bestaat niet in deze analyse: het gekozen model heeft "
            f"{len(self.choices) - 1} groepen. Kies uit: {', '.join(self.choices)}."
        )


@dataclass
class AnalysisResult:
    """Everything a run produced; the report tree is built from this."""

    options: AnalysisOptions
    target: TargetGroup
    selection: ClassSelection
    fit_table: pd.DataFrame  # published rows of the fit table (models that passed the check)
    profiles: ProfileSet
    register: ReleaseRegister
    target_table: CheckedTable
    model_check: ModelCheck
    indicators: dict[str, str]
    created: str
    files: dict[str, Path] = field(default_factory=dict)
    #: The experiment's checked report section (the demo's synthetic experiment), if any.
    experiment: ExperimentSection | None = None
    #: Where the target group and its groups live (per wijk and buurt); None without codes.
    areas: AreaFigures | None = None
    #: The target group's share of all households per wijk (from ``areas``), highest first.
    wijk_shares: WijkShares | None = None
    #: Where to ring the doorbell (``options.doors``), per buurt (or wijk without buurt
    #: codes): key "doelgroep" for the whole target group, then "Groep 1" .. "Groep K".
    outreach: dict[str, OutreachPlan] = field(default_factory=dict)
    #: The partner organisations of ``options.partners`` (None: the run had no partner file).
    partners: tuple[Partner, ...] | None = None

    @property
    def synthetic(self) -> bool:
        """True when the input was synthetic (every output then says so)."""
        return bool(self.target.synthetic)


STEPS = (
    "Doelgroep selecteren",
    "Groepen zoeken (latente-klassenanalyse)",
    "Profielen maken (drie-stappenmethode)",
    "Waar wonen ze? (wijken en buurten, onthullingscontrole)",
    "Rapport (HTML)",
    "Persona-kaarten (PDF)",
    "Tabellen (XLSX), bundel (JSON) en controlelog",
)


def progress_steps(options: AnalysisOptions) -> int:
    """The number of steps :func:`run_analysis` reports for ``options`` (for a progress bar).

    One step per number of classes, so that a bar moves during the longest part; without the
    three output steps when the run stops after the areas (``stop_after_areas``)."""
    outputs = 0 if options.stop_after_areas else 3
    return len(STEPS) - 4 + outputs + len(set(options.classes))


def run_analysis(
    households: pd.DataFrame,
    out: Path,
    options: AnalysisOptions | None = None,
    *,
    progress: Progress | None = None,
    experiment: ExperimentSection | Callable[[], ExperimentSection] | None = None,
) -> AnalysisResult:
    """Run the chain on validated households (see :func:`read_households`); write outputs.

    ``experiment`` is a checked experiment section (its own register) that the report, the
    workbook and the bundle include, as the demo's synthetic experiment (:func:`run_demo`);
    or a function that returns it, called when the households' part is done (the demo's is
    analysed in a second process meanwhile).
    With ``options.stop_after_areas`` the run ends after the areas step and the outreach plans
    and writes nothing (``out`` is not even created): the caller writes what it needs from the
    result, and the disclosure log of what it wrote (``result.register``).
    """
    from bestaanszekerheid.reports import write_all

    options = options or AnalysisOptions()
    # Read once, before any work: every output of the run is checked with these rules.
    rules = load_rules(options.rules_file)
    # So is the area catalogue (a bad folder fails here), which the partner file is read against.
    catalog = read_catalog(options.areas)
    partners = read_partners(options.partners, catalog) if options.partners is not None else None
    step = progress or (lambda i, n, text: None)
    ks = sorted(set(options.classes))
    n_steps = progress_steps(options)
    out = Path(out)
    created = datetime.now(UTC).isoformat(timespec="seconds")

    step(0, n_steps, STEPS[0])
    target = select_target(households, max_pct=options.max_pct, on=options.on)
    register = ReleaseRegister(rules)
    synthetic = " (synthetisch)" if target.synthetic else ""
    population = (
        f"doelgroep: huishoudens tot en met {fmt_plain(options.max_pct)}% van het sociaal minimum"
        + synthetic
    )
    target_table = target.status_table(rules)
    register.release(target_table)
    data = target.households.reset_index(drop=True)
    indicators, X = _indicator_matrix(data, options, rules)

    selection = _choose_classes(
        X, indicators, ks, options, rules, lambda j, text: step(1 + j, n_steps, text)
    )
    _check_plans(options.outreach_plans, selection.model.n_classes)
    model_check, fit_table = _check_models(selection, X, data, population, rules)
    register.release(model_check)

    step(len(ks) + 1, n_steps, STEPS[2])
    profiles = build_profiles(
        data,
        selection.model,
        X,
        register=register,
        overrides=options.overrides,
        population=population,
        n_bootstrap=options.n_bootstrap_bch,
        random_state=options.random_state,
    )
    step(len(ks) + 2, n_steps, STEPS[3])
    areas = _where_they_live(
        households, data, X, selection, options, catalog, register, population, synthetic
    )
    if areas is not None:
        profiles = with_areas(profiles, areas)
        profiles.notes.extend(areas.notes)
    result = AnalysisResult(
        options=options,
        target=target,
        selection=selection,
        fit_table=fit_table,
        profiles=profiles,
        register=register,
        target_table=target_table,
        model_check=model_check,
        indicators=indicators,
        created=created,
        areas=areas,
        wijk_shares=wijk_shares_from(areas.levels.get("wijk")) if areas is not None else None,
        outreach=_outreach(areas, options.doors, options.outreach_plans),
        partners=partners,
    )
    result.experiment = experiment() if callable(experiment) else experiment
    if options.stop_after_areas:
        step(n_steps, n_steps, "Klaar")
        return result
    out.mkdir(parents=True, exist_ok=True)
    result.files["groepsnamen"] = write_overrides_template(
        profiles.groups, out / "groepsnamen.yaml"
    )
    write_all(result, out, progress=lambda i, text: step(len(ks) + 3 + i, n_steps, text))
    step(n_steps, n_steps, "Klaar")
    return result


def _indicator_matrix(
    data: pd.DataFrame, options: AnalysisOptions, rules: DisclosureRules
) -> tuple[dict[str, str], pd.DataFrame]:
    """The indicators present in the file and the engine's input matrix (types by kind)."""
    if len(data) < 10 * rules.min_count:
        raise UserFacingError(
            f"De doelgroep telt te weinig huishoudens ({len(data)}) om groepen in te zoeken."
        )
    indicators = {k: v for k, v in options.indicators.items() if k in data.columns}
    if len(indicators) < 3:
        raise UserFacingError(
            "Te weinig indicatoren in het bestand voor een latente-klassenanalyse (minstens 3): "
            + ", ".join(options.indicators)
        )
    X = data[list(indicators)].copy()
    for name, kind in indicators.items():
        if kind == "categorical":
            X[name] = X[name].astype("object").where(X[name].notna(), None)
        elif kind == "binary":
            X[name] = X[name].astype("float64")
        else:
            X[name] = pd.to_numeric(X[name], errors="coerce").astype("float64")
    return indicators, X


def _check_models(
    selection: ClassSelection,
    X: pd.DataFrame,
    data: pd.DataFrame,
    population: str,
    rules: DisclosureRules,
) -> tuple[ModelCheck, pd.DataFrame]:
    """The model check of the fit table and the classes, and the fit table's publishable
    rows: the fit table is model output, so only models whose classes all pass are shown."""
    class_counts: dict[str, float] = {}
    class_sets: dict[str, Any] = {}
    ids = data["household_id"].to_numpy()
    keep = []
    for k, model in selection.models.items():
        modal = model.predict(X)
        counts = np.bincount(modal, minlength=k)
        if counts.min() >= rules.min_class_size:
            keep.append(k)
            class_counts.update({f"K={k}, klasse {i + 1}": float(c) for i, c in enumerate(counts)})
            # The register compares classes with every later table: the chosen model's
            # classes (their sizes are published) and each model's smallest class (its share
            # is in the fit table).
            shown = range(k) if k == selection.recommended else [int(counts.argmin())]
            class_sets.update({f"K={k}, klasse {i + 1}": ids[modal == i] for i in shown})
    if selection.recommended not in keep:
        raise UserFacingError(
            "Het aanbevolen model heeft een groep die te klein is om te publiceren; "
            "kies minder klassen met --klassen."
        )
    model_check = check_model(
        name="Latente-klassenmodellen: fitmaten en klasseprofielen",
        n_obs=len(data),
        class_counts=class_counts,
        outputs=("fitmaten", "klassegrootte", "klasseprofielen"),
        units=ids,
        unit_sets=class_sets,
        population=population,
        kind="latente-klassenanalyse",
        rules=rules,
    )
    return model_check, selection.table.loc[keep]


def _where_they_live(
    households: pd.DataFrame,
    data: pd.DataFrame,
    X: pd.DataFrame,
    selection: ClassSelection,
    options: AnalysisOptions,
    catalog: AreaCatalog,
    register: ReleaseRegister,
    population: str,
    synthetic: str,
) -> AreaFigures | None:
    """The areas step: the target group and its groups per wijk and buurt, over all households
    (CBS publishes households per wijk, so the denominators are every household of the file,
    not only those with a known income)."""
    model = selection.model
    keys = group_labels(model.n_classes)
    sizes = group_sizes(list(model.weights_), keys, len(data), register.rules)
    return where_they_live(
        households,
        data,
        model.predict_proba(X),
        keys,
        sizes.size,
        sizes.share,
        catalog=catalog,
        register=register,
        population="alle huishoudens" + synthetic,
        target_population=population,
        levels=options.levels,
        merge_small=options.merge_small_buurten,
    )


def _check_plans(plans: Sequence[str] | None, n_classes: int) -> None:
    """Every plan asked for is the target group's or a group of the chosen model."""
    choices = [TARGET_PLAN, *group_labels(n_classes)]
    for plan in plans or ():
        if plan not in choices:
            raise UnknownGroupError(plan, choices)


def _outreach(
    areas: AreaFigures | None, doors: int, plans: Sequence[str] | None = None
) -> dict[str, OutreachPlan]:
    """The outreach plans on the published figures of the finest level the data have: the
    whole target group's, and each group's only when the area model check was released (a
    group's reach per area rests on its estimates; refused, they are published nowhere).
    ``plans``: only these keys (None: all).

    The trade-off curve is drawn for the plans a page shows: the whole target group's (the
    report) and those asked for by name (``bsz wijken --groep``). Without ``plans`` the
    groups' plans go into the bundle without their curve (the requested budget only): 21
    solves each that nothing published."""
    if areas is None:
        return {}
    level = areas.plan_level
    groups = [None, *(areas.group_shares if areas.model_check is not None else ())]
    if plans is not None:
        groups = [g for g in groups if (g or TARGET_PLAN) in plans]
    return {
        group or TARGET_PLAN: plan_outreach(
            areas.outreach_input(level, group),
            doors,
            group=group or TARGET_PLAN,
            level=level,
            curve_steps=DEFAULT_CURVE_STEPS if group is None or plans is not None else 0,
        )
        for group in groups
    }


def _choose_classes(
    X: pd.DataFrame,
    indicators: Mapping[str, str],
    ks: Sequence[int],
    options: AnalysisOptions,
    rules: DisclosureRules,
    step: Callable[[int, str], None],
) -> ClassSelection:
    """:func:`choose_n_classes` with a progress step per number of classes, then the
    engine's recommendation again over the fit table as published.

    The smallest class's share is published (fit table, explanation): it is taken from the
    class size rounded as every published group size is, so it says no more than that."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence is in the fit table, in Dutch
        chosen = choose_n_classes(
            X,
            ks,
            indicators=dict(indicators),
            n_init=options.n_init,
            n_bootstrap=options.n_bootstrap_stability,
            random_state=options.random_state,
            progress=lambda k, j: step(
                j, f"{STEPS[1]}: model met {k} groepen ({j + 1} van {len(ks)})"
            ),
        )
    table = chosen.table.copy()
    n = len(X)
    table["smallest_class"] = [
        round_size(float(v) * n, rules.estimate_size_base) / n for v in table["smallest_class"]
    ]
    n_boot = options.n_bootstrap_stability
    recommended, explanation = recommend(
        table, min_jaccard=MIN_JACCARD if n_boot > 0 else None, n_bootstrap=n_boot
    )
    return ClassSelection(table, recommended, explanation, chosen.models, chosen.stability)


#: The demo uses the same settings as ``bsz analyse`` (K = 2..8, 5 starts, 20 stability
#: refits, 100 bootstrap replicates for the profiles).
DEMO_OPTIONS = AnalysisOptions(source="synthetische Tilburg-populatie")


def run_demo(
    households: pd.DataFrame,
    out: Path,
    *,
    options: AnalysisOptions = DEMO_OPTIONS,
    progress: Progress | None = None,
    experiment: Callable[[], tuple[DemoExperiment, ExperimentSection]] | None = None,
) -> AnalysisResult:
    """The demo on synthetic households: :func:`run_analysis` with the synthetic four-arm
    trust experiment as the report's experiment section, and its participant file written.

    The experiment has its own release register (with the run's rules): its units are
    (invented) participants, not households, and a register compares units of one kind only;
    its log is written next to the run's. ``experiment``: a function that returns it, already
    started with ``options.rules_file`` (:func:`~bestaanszekerheid.experiments.demo.
    start_demo_section`, as ``bsz demo`` does); None: it is analysed here.
    """
    from bestaanszekerheid.experiments.demo import DEMO_LABELS, demo_section_with_rules
    from bestaanszekerheid.experiments.labels import write_labels
    from bestaanszekerheid.fileio import atomic_path

    pending = experiment or (lambda: demo_section_with_rules(options.rules_file))
    done: list[tuple[DemoExperiment, ExperimentSection]] = []

    def section() -> ExperimentSection:
        done.append(pending())
        return done[0][1]

    written = None
    if options.partners is None:
        # The demo's invented partners, as the web app's demo has them: a partner file, as a
        # municipality would give it.
        catalog = read_catalog(options.areas)
        written = write_partners(demo_partners(catalog), Path(out) / "invoer" / "partners.csv")
        options = replace(options, partners=written)
    result = run_analysis(households, out, options, progress=progress, experiment=section)
    demo = done[0][0]
    # Unit-level data (invented participants): the input of `bsz effect`, in its own folder
    # so that nobody publishes it with the checked outputs.
    path = Path(out) / "invoer" / "experiment.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        demo.data.to_csv(tmp, index=False, sep=";", decimal=",")
    result.files["experiment"] = path
    # With these two, `bsz effect --labels ... --groepskansen ...` gives the demo's section.
    result.files["experiment_labels"] = write_labels(
        DEMO_LABELS, Path(out) / "invoer" / "experiment_labels.yaml"
    )
    chances = Path(out) / "invoer" / "experiment_groepskansen.csv"
    with atomic_path(chances) as tmp:
        demo.posteriors.round(6).assign(deelnemer=demo.data["deelnemer"])[
            ["deelnemer", *demo.posteriors.columns]
        ].to_csv(tmp, index=False, sep=";", decimal=",")
    result.files["experiment_groepskansen"] = chances
    if written is not None:
        result.files["partners"] = written
    return result
