"""The synthetic trust experiment runs through the whole analysis with sensible results."""

from __future__ import annotations

import pytest

from bestaanszekerheid.experiments import (
    attrition_analysis,
    balance_table,
    effects_by_class,
    estimate_effects,
    minimum_detectable_effect,
)
from bestaanszekerheid.experiments.demo import (
    ARMS,
    TRUE_WELLBEING_EFFECTS,
    analyse_demo,
    synthetic_trust_experiment,
)


def test_demo_is_reproducible_and_analysable() -> None:
    demo = synthetic_trust_experiment()
    again = synthetic_trust_experiment()
    assert demo.data.equals(again.data)
    d = demo.data
    assert len(d) == 780 and set(d["groep"]) == set(ARMS)
    assert demo.allocation.log.verify().ok

    res = estimate_effects(
        d,
        outcomes=["uitstroom_werk", "welzijn"],
        arm="groep",
        control="controle",
        covariates=["leeftijd", "startkwalificatie"],
        strata=["geslacht", "leeftijdsgroep"],
    )
    assert len(res.effects) == 6
    for e in res.effects:
        assert e.ci_low < e.ci_high and 0 <= e.p_value <= 1
        if e.outcome == "welzijn":
            # 95% intervals; a 4-SE margin keeps this from failing by chance.
            truth = TRUE_WELLBEING_EFFECTS[e.arm]
            assert abs(e.estimate - truth) < 4 * e.std_error
    mde = minimum_detectable_effect(780, n_arms=4, baseline=0.2)
    # The demo's exit effects (2-6 pp) lie far below the MDE: the point of the demo.
    assert all(abs(e.estimate) < mde.effect for e in res.effects if e.outcome == "uitstroom_werk")

    bal = balance_table(d, arm="groep", covariates=["leeftijd", "geslacht"], control="controle")
    assert bal.max_abs_smd() < 0.3
    att = attrition_analysis(d, outcome="welzijn", arm="groep", control="controle")
    assert att.rates.set_index("arm").loc["controle", "attrition"] == pytest.approx(
        d.loc[d.groep == "controle", "welzijn"].isna().mean()
    )
    cls = effects_by_class(
        d, demo.posteriors, outcome="uitstroom_werk", arm="groep", control="controle"
    )
    assert len(cls.effects) == 3 * 3
    assert "Effecten per groep" in cls.summary().html


def test_analyse_demo_bundles_the_report_inputs() -> None:
    res = analyse_demo(reps=19)
    assert "ongeveer 14 procentpunten" in res.power.uitleg()
    assert len(res.effects.effects) == 6
    assert all(e.p_randomisation is not None for e in res.effects.effects)
    for part in (res.balance, res.effects, res.attrition, res.by_profile):
        s = part.summary()
        assert s.text and s.html.startswith("<section>") and not s.frame.empty
