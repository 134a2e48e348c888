"""Effect measurement: design (power), randomisation (loting) and evaluation of interventions.

Typical use::

    from bestaanszekerheid import experiments as ex

    ex.minimum_detectable_effect(780, n_arms=4, baseline=0.2).uitleg()
    alloc = ex.randomise(people, unit="deelnemer", arms=["controle", "a", "b", "c"],
                         strata=["geslacht"], seed=2018, log_path="lotingslogboek.jsonl")
    res = ex.estimate_effects(data, outcomes=["uitstroom_werk"], arm="groep",
                              control="controle", covariates=["leeftijd"])
    print(res.summary())

See ``docs/effectmeting.md`` (Dutch) and ``docs/decisions/0020-experiments-estimators.md``.
"""

from bestaanszekerheid.experiments.allocation import (
    Allocation,
    AllocationDesign,
    AllocationLog,
    LogVerification,
    balance_table,
    randomise,
    replay,
)
from bestaanszekerheid.experiments.attrition import attrition_analysis, lee_bounds_arrays
from bestaanszekerheid.experiments.corrections import benjamini_hochberg, holm, romano_wolf
from bestaanszekerheid.experiments.did import difference_in_differences
from bestaanszekerheid.experiments.estimation import estimate_effects
from bestaanszekerheid.experiments.heterogeneity import effects_by_class
from bestaanszekerheid.experiments.power import (
    minimum_detectable_effect,
    power_for_effect,
    sample_size,
    simulate_power,
)
from bestaanszekerheid.experiments.results import (
    ArmEffect,
    AttritionResult,
    BalanceResult,
    ClassEffectResult,
    DidResult,
    EffectResult,
    LeeBounds,
    PowerResult,
    SimulatedPower,
    Summary,
)

__all__ = [
    "Allocation",
    "AllocationDesign",
    "AllocationLog",
    "ArmEffect",
    "AttritionResult",
    "BalanceResult",
    "ClassEffectResult",
    "DidResult",
    "EffectResult",
    "LeeBounds",
    "LogVerification",
    "PowerResult",
    "SimulatedPower",
    "Summary",
    "attrition_analysis",
    "balance_table",
    "benjamini_hochberg",
    "difference_in_differences",
    "effects_by_class",
    "estimate_effects",
    "holm",
    "lee_bounds_arrays",
    "minimum_detectable_effect",
    "power_for_effect",
    "randomise",
    "replay",
    "romano_wolf",
    "sample_size",
    "simulate_power",
]
