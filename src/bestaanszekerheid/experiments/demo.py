"""A synthetic four-arm experiment shaped like Tilburg's trust experiment (for demos and tests).

Everything here is invented: ~780 people on social assistance, randomised within strata of
sex and age group over control, fewer obligations, extra guidance and coaching with keeping
more of extra earnings. True effects are small (a few percentage points on exit to work),
as in the real experiments, so the demo shows what a realistic "not significant" looks like
next to the minimum detectable effect.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from bestaanszekerheid.disclosure import ReleaseRegister
from bestaanszekerheid.experiments.allocation import Allocation, balance_table, randomise
from bestaanszekerheid.experiments.attrition import attrition_analysis
from bestaanszekerheid.experiments.checks import ExperimentInputs
from bestaanszekerheid.experiments.estimation import estimate_effects
from bestaanszekerheid.experiments.heterogeneity import effects_by_class
from bestaanszekerheid.experiments.labels import Labels
from bestaanszekerheid.experiments.power import minimum_detectable_effect
from bestaanszekerheid.experiments.results import (
    AttritionResult,
    BalanceResult,
    ClassEffectResult,
    EffectResult,
    PowerResult,
)

if TYPE_CHECKING:
    # Only for annotations: the report module imports Altair, which the CLI loads lazily.
    from bestaanszekerheid.experiments.report import ExperimentSection

ARMS = ("controle", "minder_verplichtingen", "extra_begeleiding", "coaching_bijverdienen")
TRUE_EXIT_EFFECTS = {
    "controle": 0.0,
    "minder_verplichtingen": 0.02,
    "extra_begeleiding": 0.04,
    "coaching_bijverdienen": 0.06,
}
#: The demo's labels file (``bsz demo`` writes it next to the participant file).
DEMO_LABELS = Labels(
    arms={
        "controle": "Controle",
        "minder_verplichtingen": "Minder verplichtingen",
        "extra_begeleiding": "Extra begeleiding",
        "coaching_bijverdienen": "Coaching en bijverdienen",
    },
    outcomes={"uitstroom_werk": "Uitstroom naar werk", "welzijn": "Welzijn (0-10)"},
    variables={
        "leeftijd": "Leeftijd",
        "geslacht": "Geslacht",
        "leeftijdsgroep": "Leeftijdsgroep",
        "duur_uitkering_jaren": "Duur van de uitkering (jaren)",
        "startkwalificatie": "Startkwalificatie",
    },
    values={"geslacht": {"man": "Man", "vrouw": "Vrouw"}},
    classes={
        "dichtbij_werk": "Dicht bij werk",
        "middengroep": "Middengroep",
        "ver_van_werk": "Ver van werk",
    },
)
#: Where the demo's latent groups come from, for the report.
DEMO_CLASS_SOURCE = (
    "In deze demo zijn de drie groepen verzonnen (naar afstand tot werk) en zijn de kansen op "
    "groepslidmaatschap berekend zoals een latente-klassenmodel op kenmerken bij de start ze "
    "zou geven. Het zijn niet de groepen van de huishoudens elders in dit rapport."
)
TRUE_WELLBEING_EFFECTS = {
    "controle": 0.0,
    "minder_verplichtingen": 0.4,
    "extra_begeleiding": 0.3,
    "coaching_bijverdienen": 0.2,
}


@dataclass(frozen=True)
class DemoExperiment:
    """Synthetic data (one row per person), latent-profile posteriors and the allocation."""

    data: pd.DataFrame
    posteriors: pd.DataFrame
    allocation: Allocation


def synthetic_trust_experiment(n: int = 780, seed: int = 2018) -> DemoExperiment:
    """Generate the synthetic experiment; the same seed always gives the same data."""
    rng = np.random.default_rng(seed)
    profile = rng.choice(3, size=n, p=[0.45, 0.35, 0.20])  # 0 dichtbij werk, 1 midden, 2 ver
    leeftijd = np.clip(rng.normal(42 + 5 * profile, 10), 18, 66).round().astype(int)
    frame = pd.DataFrame(
        {
            "deelnemer": [f"D{i:04d}" for i in range(n)],
            "geslacht": rng.choice(["man", "vrouw"], size=n),
            "leeftijd": leeftijd,
            "leeftijdsgroep": pd.cut(
                leeftijd, [0, 34, 49, 120], labels=["18-34", "35-49", "50+"]
            ).astype(str),
            "duur_uitkering_jaren": np.round(rng.gamma(2.0, 1.5 + profile), 1),
            "startkwalificatie": (rng.random(n) < np.array([0.6, 0.4, 0.2])[profile]).astype(int),
        }
    )
    alloc = randomise(
        frame, unit="deelnemer", arms=ARMS, strata=["geslacht", "leeftijdsgroep"], seed=seed
    )
    frame["groep"] = alloc.assignments["arm"].to_numpy()
    base_exit = np.array([0.30, 0.17, 0.06])[profile]
    # Guidance mainly helps the middle profile; coaching mainly those close to work.
    bonus = np.array([1.3, 1.2, 0.3])[profile]
    eff = frame["groep"].map(TRUE_EXIT_EFFECTS).to_numpy() * bonus
    frame["uitstroom_werk"] = (rng.random(n) < np.clip(base_exit + eff, 0, 1)).astype(int)
    well = 6.0 - 0.6 * profile + frame["groep"].map(TRUE_WELLBEING_EFFECTS).to_numpy()
    frame["welzijn"] = np.round(np.clip(well + rng.normal(0, 1.5, n), 0, 10), 1)
    # The wellbeing survey has non-response, somewhat higher in the control group.
    respond = rng.random(n) < np.where(frame["groep"] == "controle", 0.70, 0.78)
    frame.loc[~respond, "welzijn"] = np.nan
    # Posteriors as a latent-class model on baseline items would give them (calibrated).
    signal = rng.normal(profile, 0.8)
    dens = np.exp(-0.5 * ((signal[:, None] - np.arange(3)[None, :]) / 0.8) ** 2)
    post = dens * np.array([0.45, 0.35, 0.20])
    post = post / post.sum(axis=1, keepdims=True)
    posteriors = pd.DataFrame(
        post, columns=["dichtbij_werk", "middengroep", "ver_van_werk"], index=frame.index
    )
    return DemoExperiment(data=frame, posteriors=posteriors, allocation=alloc)


@dataclass(frozen=True)
class DemoAnalysis:
    """Everything a report section needs for the demo experiment (all pre-export)."""

    power: PowerResult
    balance: BalanceResult
    effects: EffectResult
    attrition: AttritionResult
    by_profile: ClassEffectResult


def analyse_demo(
    demo: DemoExperiment | None = None, *, reps: int = 199, romano_wolf_reps: int = 0
) -> DemoAnalysis:
    """Run the recommended analysis on the synthetic experiment (used by ``make demo``).

    Primary outcome exit to work (Holm over arms), secondary wellbeing (BH), Lin adjustment
    for age and basic qualification, strata as randomised, randomisation-inference p-values
    (``reps`` re-randomisations) and, with ``romano_wolf_reps`` > 0, Romano-Wolf p-values.
    """
    demo = demo or synthetic_trust_experiment()
    d = demo.data
    n_arms = d["groep"].nunique()
    return DemoAnalysis(
        power=minimum_detectable_effect(len(d), n_arms=n_arms, baseline=0.2),
        balance=balance_table(
            d,
            arm="groep",
            covariates=["leeftijd", "geslacht", "duur_uitkering_jaren", "startkwalificatie"],
            control="controle",
        ),
        effects=estimate_effects(
            d,
            outcomes=["uitstroom_werk", "welzijn"],
            arm="groep",
            control="controle",
            covariates=["leeftijd", "startkwalificatie"],
            strata=["geslacht", "leeftijdsgroep"],
            randomisation_reps=reps,
            romano_wolf_reps=romano_wolf_reps,
            design=demo.allocation.design,
            unit="deelnemer",
            seed=1,
        ),
        attrition=attrition_analysis(
            d,
            outcome="welzijn",
            arm="groep",
            control="controle",
            covariates=["leeftijd", "startkwalificatie"],
        ),
        by_profile=effects_by_class(
            d, demo.posteriors, outcome="uitstroom_werk", arm="groep", control="controle"
        ),
    )


#: Repetitions in ``make demo``: 299 re-randomisations and 299 Romano-Wolf bootstrap draws
#: take a few seconds on a busy 2-core machine (p-values to 1/300), keeping the demo under 60 s.
DEMO_REPS = 299


def demo_section(
    register: ReleaseRegister | None = None, *, reps: int = DEMO_REPS
) -> tuple[DemoExperiment, ExperimentSection]:
    """The synthetic experiment, analysed and checked, as a report section for ``make demo``.

    Subgroup counts are shown for the strata (sex and age group), codes by
    :data:`DEMO_LABELS`, effects per latent group for the primary outcome (exit to work); the
    section is marked synthetic throughout.
    """
    from bestaanszekerheid.experiments.report import experiment_section

    demo = synthetic_trust_experiment()
    analysis = analyse_demo(demo, reps=reps, romano_wolf_reps=reps)
    inputs = ExperimentInputs(
        demo.data,
        arm="groep",
        effects=analysis.effects,
        unit="deelnemer",
        subgroups=["geslacht", "leeftijdsgroep"],
        balance=analysis.balance,
        attrition={"welzijn": analysis.attrition},
        power=analysis.power,
        synthetic=True,
        population="deelnemers aan het synthetische vertrouwensexperiment",
        labels=DEMO_LABELS,
        by_class={"uitstroom_werk": analysis.by_profile},
        class_source=DEMO_CLASS_SOURCE,
    )
    section = experiment_section(
        inputs,
        register or ReleaseRegister(),
        title="Effectmeting: een vertrouwensexperiment met vier onderzoeksarmen",
    )
    return demo, section


def demo_section_with_rules(
    rules_file: Path | None = None,
) -> tuple[DemoExperiment, ExperimentSection]:
    """:func:`demo_section` with its own register on the rules of ``rules_file`` (None: the
    packaged rules), as ``run_demo`` makes it; a top-level function, for a second process."""
    from bestaanszekerheid.disclosure import load_rules

    return demo_section(ReleaseRegister(load_rules(rules_file)))


def start_demo_section(
    rules_file: Path | None = None,
) -> Callable[[], tuple[DemoExperiment, ExperimentSection]]:
    """Start :func:`demo_section_with_rules` in a second (spawned) process, so that the
    synthetic experiment is analysed while the demo makes and reads its households; returns
    a function that waits for it. On one core it runs when that function is called."""
    if (os.cpu_count() or 1) < 2:
        return lambda: demo_section_with_rules(rules_file)
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    future = pool.submit(demo_section_with_rules, rules_file)
    pool.shutdown(wait=False)  # the worker finishes its one job, then exits

    def wait() -> tuple[DemoExperiment, ExperimentSection]:
        try:
            return future.result()
        except BrokenExecutor:
            # The second process could not start (a main module it cannot import, such as a
            # script on stdin): the experiment is analysed here.
            return demo_section_with_rules(rules_file)

    return wait
