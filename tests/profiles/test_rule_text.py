"""Recognisability as two honest numbers, and rules as a person says them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bestaanszekerheid.disclosure import load_rules
from bestaanszekerheid.profiles.recognise import Pct, Recognition, Rule, recognise_groups
from bestaanszekerheid.profiles.rule_text import rule_text, spoken_conditions


def test_rules_read_as_a_person_says_them() -> None:
    conds = spoken_conditions(
        [
            ("income_source", "AOW en pensioen", False),
            ("income_source", "Bijstandsuitkering", False),
            ("income_source", "Loon uit werk", True),
        ]
    )
    assert rule_text(conds) == "geen AOW en geen bijstand, wel loon uit werk"
    conds = spoken_conditions(
        [
            ("income_source", "AOW en pensioen", False),
            ("income_source", "Bijstandsuitkering", True),
            ("household_type", "Eenouderhuishouden", False),
        ]
    )
    assert rule_text(conds) == "geen AOW en geen alleenstaande ouder, wel bijstand"
    assert rule_text(spoken_conditions([("problematic_debts", "Ja", True)])) == (
        "problematische schulden"
    )
    assert rule_text(spoken_conditions([("problematic_debts", "Ja", False)])) == (
        "geen problematische schulden"
    )


def test_recognition_gives_both_numbers_of_the_rule() -> None:
    """A rule that finds the whole group but also many others: 'herkend' alone overstated it."""
    rng = np.random.default_rng(0)
    n = 4000
    source = rng.choice(["Loon uit werk", "Bijstandsuitkering", "AOW en pensioen"], n)
    # The group: 60% of those with work, nobody else.
    modal = np.where((source == "Loon uit werk") & (rng.random(n) < 0.6), 1, 0)
    chars = pd.DataFrame({"income_source": source})
    out, _, _ = recognise_groups(
        chars,
        modal,
        ["Groep 1", "Groep 2"],
        units=np.arange(n),
        rules=load_rules(None),
        population="test",
        max_depth=1,
    )
    rec = out["Groep 2"]
    assert rec.recall.text().startswith("meer dan 9")
    assert 55 <= rec.precision.value <= 65
    assert rec.verdict == "redelijk"
    text = rec.summary()
    assert text.startswith(f"van de groep vindt de regel {rec.recall.text()}; van wie de regel")
    assert f"hoort {rec.precision.text()} bij de groep" in text


def test_verdict_uses_the_lower_number() -> None:
    rule = Rule(("AOW",), Pct(95.0), Pct(90.0))
    assert Recognition(Pct(95.0), (rule,), Pct(90.0)).verdict == "goed"
    assert Recognition(Pct(95.0), (rule,), Pct(40.0)).verdict == "moeilijk"
