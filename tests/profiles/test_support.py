"""Aanknopingspunten: routes, prevention and schemes from a group's published figures."""

from __future__ import annotations

import math
import re

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from bestaanszekerheid.households.synthetic import generate_population
from bestaanszekerheid.profiles import characteristics_frame
from bestaanszekerheid.profiles.features import (
    MISSED,
    NOT_ENTITLED,
    SCHEME_INCOME_LIMIT,
    USED,
)
from bestaanszekerheid.profiles.shares import cohens_h
from bestaanszekerheid.profiles.support import MIN_H, MOST, pointers_for

LEVELS = {
    "age_main_earner": ("18 tot 27 jaar", "27 tot 45 jaar", "45 tot 67 jaar", "67 jaar of ouder"),
    "income_source": (
        "Loon uit werk",
        "Winst als zelfstandige",
        "Bijstandsuitkering",
        "Andere uitkering (WW, ziekte, arbeidsongeschiktheid)",
        "AOW en pensioen",
    ),
    "hours_worked": ("Geen betaald werk", "1-19 uur", "20-31 uur", "32 uur of meer"),
    "n_children": ("Geen kinderen", "1 kind", "2 kinderen"),
    "household_type": ("Alleenstaande", "Eenouderhuishouden", "Paar met kinderen"),
    "low_income_years": ("Geen eerder jaar", "1-2 jaar", "3 jaar of langer"),
    "problematic_debts": ("Ja", "Nee"),
    "high_care_costs": ("Ja", "Nee"),
    "tenure": ("Sociale huur (woningcorporatie)", "Particuliere huur", "Koopwoning"),
    "uses_collective_health_insurance": (USED, MISSED, NOT_ENTITLED),
    "uses_participation_scheme": (USED, MISSED, NOT_ENTITLED),
}


def comparison(
    group: dict[str, dict[str, float]], whole: dict[str, dict[str, float]]
) -> pd.DataFrame:
    """A comparison frame as the profiles publish it, for one group 'Groep 1'."""
    rows = []
    for column, levels in group.items():
        for level, share in levels.items():
            share_all = whole[column][level]
            rows.append(
                {
                    "groep": "Groep 1",
                    "column": column,
                    "label": column,
                    "level": level,
                    "share_group": share,
                    "band": "",
                    "se": 1.0,
                    "share_all": share_all,
                    "effect": cohens_h(share / 100, share_all / 100),
                    "low": math.nan,
                    "high": math.nan,
                }
            )
    return pd.DataFrame(rows)


def spread(column: str, main: str, share: float) -> dict[str, float]:
    """``share`` % at ``main``, the rest evenly over the other levels."""
    levels = LEVELS[column]
    rest = (100.0 - share) / (len(levels) - 1)
    return {lvl: share if lvl == main else rest for lvl in levels}


def even(column: str) -> dict[str, float]:
    levels = LEVELS[column]
    return {lvl: 100.0 / len(levels) for lvl in levels}


#: The whole target group: even over the levels, but as in a real target group most
#: households have no children and most of the likely entitled use the schemes.
WHOLE = {
    **{c: even(c) for c in LEVELS},
    "n_children": {"Geen kinderen": 66.0, "1 kind": 17.0, "2 kinderen": 17.0},
    "uses_collective_health_insurance": {USED: 40.0, MISSED: 30.0, NOT_ENTITLED: 30.0},
    "uses_participation_scheme": {USED: 40.0, MISSED: 30.0, NOT_ENTITLED: 30.0},
}


def group(**mains: tuple[str, float]) -> dict[str, dict[str, float]]:
    """A group like the whole target group except at the given (level, share)."""
    return {c: spread(c, *mains[c]) if c in mains else dict(WHOLE[c]) for c in LEVELS}


def test_pensioners_get_no_prompt_about_more_hours_and_are_pointed_to_the_aow_supplement() -> None:
    g = group(
        age_main_earner=("67 jaar of ouder", 99.0),
        income_source=("AOW en pensioen", 98.0),
        hours_worked=("Geen betaald werk", 97.0),
    )
    p = pointers_for(comparison(g, WHOLE), "Groep 1")
    text = " ".join(p.prompts).lower()
    assert "uren" not in text
    # No work route, not even "a first step to work" ("welzijnswerk" is fine).
    assert not re.search(r"\b(werk|werken)\b", text), text
    assert "AIO" in " ".join(p.prompts)
    assert p.routes[0] == "inkomen"
    assert any("contacten" in q.title for q in p.pointers)


def test_part_time_workers_are_asked_about_hours_full_time_workers_about_pay() -> None:
    part = group(income_source=("Loon uit werk", 80.0), hours_worked=("20-31 uur", 60.0))
    p = pointers_for(comparison(part, WHOLE), "Groep 1")
    work = next(q for q in p.pointers if q.route == "inkomen")
    assert "Meer uren" in work.title
    assert any(e.level == "20-31 uur" for e in work.evidence)
    assert any("meer uren" in q.lower() for q in work.prompts)

    full = group(income_source=("Loon uit werk", 80.0), hours_worked=("32 uur of meer", 85.0))
    p = pointers_for(comparison(full, WHOLE), "Groep 1")
    work = next(q for q in p.pointers if q.route == "inkomen")
    assert "de uren zijn er al" in work.title
    assert not any("meer uren" in q.lower() for q in work.prompts)


def test_a_recent_low_income_is_a_pointer_to_prevention_with_its_figure() -> None:
    g = group(low_income_years=("Geen eerder jaar", 60.0))
    p = pointers_for(comparison(g, WHOLE), "Groep 1")
    assert p.preventive
    prevention = next(q for q in p.pointers if q.route == "preventie")
    assert prevention.evidence[0].text() == (
        "60% heeft pas sinds kort een laag inkomen (hele doelgroep 33%)"
    )


def test_a_group_like_the_whole_target_group_gets_no_pointer() -> None:
    p = pointers_for(comparison(group(), WHOLE), "Groep 1")
    assert p.pointers == ()
    assert p.prompts == ()


def test_non_take_up_of_a_scheme_is_the_missed_share_of_the_likely_entitled() -> None:
    g = group(uses_collective_health_insurance=(MISSED, 60.0))  # 20% used, 20% not entitled
    p = pointers_for(comparison(g, WHOLE), "Groep 1")
    czm = next(s for s in p.schemes if s.column == "uses_collective_health_insurance")
    assert czm.non_take_up == 75.0  # 60 / (20 + 60)
    assert czm.left_unused
    assert "75% van wie waarschijnlijk recht heeft" in czm.text()
    assert any(q.title == "Regelingen die blijven liggen" for q in p.pointers)

    rows = comparison(g, WHOLE)
    hidden = (rows["column"] == "uses_collective_health_insurance") & (rows["level"] == USED)
    rows.loc[hidden, "share_group"] = math.nan  # suppressed: the rate is unknown
    czm = next(s for s in pointers_for(rows, "Groep 1").schemes if s.column == czm.column)
    assert math.isnan(czm.non_take_up)
    assert not czm.left_unused
    assert "gebruik niet gepubliceerd" in czm.text()


def test_a_scheme_used_by_most_of_the_entitled_is_not_left_unused() -> None:
    g = group(uses_participation_scheme=(USED, 70.0))  # 70% used, 15% missed
    p = pointers_for(comparison(g, WHOLE), "Groep 1")
    meedoen = next(s for s in p.schemes if s.column == "uses_participation_scheme")
    assert not meedoen.left_unused
    assert p.left_unused == ()


shares = st.floats(min_value=1.0, max_value=98.0)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(LEVELS)), st.tuples(st.integers(0, 3), shares)))
def test_every_prompt_rests_on_a_published_figure_that_sets_the_group_apart(
    mains: dict[str, tuple[int, float]],
) -> None:
    """Each pointer (and so each prompt on a card) names figures of this group that are
    kenmerkend: clearly above the whole target group, or held by most of the group, or (for
    a scheme) left unused by most of those in the group who are likely entitled."""
    g = group(**{c: (LEVELS[c][i % len(LEVELS[c])], share) for c, (i, share) in mains.items()})
    rows = comparison(g, WHOLE)
    p = pointers_for(rows, "Groep 1")
    published = {(r["column"], r["level"]): r for r in rows.to_dict("records")}
    for pointer in p.pointers:
        assert pointer.evidence and pointer.prompts
        marked = 0
        for e in pointer.evidence:
            if e.level == "kinderen":  # derived: 100% minus "Geen kinderen"
                row = published[(e.column, "Geen kinderen")]
                assert e.share == 100 - row["share_group"]
                marked += e.share > MOST
                continue
            row = published[(e.column, e.level)]
            assert e.share == row["share_group"]
            if e.level == MISSED:  # a scheme left unused: the rate among the entitled
                scheme = next(u for u in p.schemes if u.column == e.column)
                marked += scheme.left_unused
                continue
            marked += e.share > MOST or e.effect >= MIN_H
        assert marked >= 1, pointer


def test_scheme_levels_follow_use_and_likely_entitlement() -> None:
    households = generate_population(3000, seed=3).households
    chars = characteristics_frame(households)
    levels = chars["uses_collective_health_insurance"]
    used = households["uses_collective_health_insurance"].astype(bool)
    assert (levels[used] == USED).all()
    below = households["income_pct_norm"] <= SCHEME_INCOME_LIMIT
    assert (levels[~used & below] == MISSED).all()
    assert (levels[~used & ~below] == NOT_ENTITLED).all()
    iit = chars["uses_income_supplement"]
    old = households["age_main_earner"] >= 67
    assert not (iit[old & ~households["uses_income_supplement"].astype(bool)] == MISSED).any()
    assert set(chars["hours_worked"]) <= {
        "Geen betaald werk",
        "1-19 uur",
        "20-31 uur",
        "32 uur of meer",
        "Onbekend",
    }
