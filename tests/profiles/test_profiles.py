"""Profiles on synthetic data with planted groups: ranking, direction, names, overrides."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from bestaanszekerheid.disclosure import RefusedError, ReleaseRegister
from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.profiles import Feature, build_profiles, characteristics_frame, cohens_h
from bestaanszekerheid.profiles.naming import (
    MIXED,
    apply_overrides,
    generate_description,
    generate_name,
    is_strong,
    name_overlap,
    plan_names,
)
from bestaanszekerheid.profiles.recognise import Pct, Recognition, safe_pct

from .conftest import Planted


def _group_of(planted: Planted, code: str) -> str:
    """The group holding most households of a planted archetype (modal assignment)."""
    modal = planted.model.predict(planted.X)
    counts = pd.crosstab(modal, planted.households["planted"])[code]
    return f"Groep {int(counts.idxmax()) + 1}"


def test_planted_single_parents_on_assistance_are_named_and_described(planted: Planted) -> None:
    group = planted.profiles.group(_group_of(planted, "eenouder_bijstand"))
    name = group.name.lower()
    assert "alleenstaande ouders" in name
    assert "bijstand" in name
    assert "schulden" in name
    text = group.description.lower()
    assert "alleenstaande ouders" in text
    assert "bijstandsuitkering" in text
    assert "problematische schulden" in text
    top = {(f.column, f.level) for f in group.more_often[:3]}
    assert ("household_type", "Eenouderhuishouden") in top
    assert ("income_source", "Bijstandsuitkering") in top
    less = {(f.column, f.level) for f in group.less_often}
    assert ("n_children", "Geen kinderen") in less


def test_pensioners_are_named_as_older_people(planted: Planted) -> None:
    group = planted.profiles.group(_group_of(planted, "aow_klein"))
    assert "ouderen" in group.name.lower()
    assert group.more_often[0].column in {"income_source", "age_main_earner", "n_children"}


def test_distinguishing_features_are_ranked_by_effect_in_both_directions(
    planted: Planted,
) -> None:
    for group in planted.profiles.groups:
        more = [f.effect for f in group.more_often]
        less = [f.effect for f in group.less_often]
        assert more == sorted(more, reverse=True)
        assert less == sorted(less)
        assert all(f.effect >= 0.2 and f.low > 0 for f in group.more_often)
        assert all(f.effect <= -0.2 and f.high < 0 for f in group.less_often)
        for f in (*group.more_often, *group.less_often):
            assert (f.share_group > f.share_all) == (f.effect > 0)
            # h from the published (rounded) shares, itself rounded to 2 decimals
            h = cohens_h(f.share_group / 100, f.share_all / 100)
            assert f.effect == pytest.approx(h, abs=0.005 + 1e-9)


def test_estimates_follow_the_planted_truth(planted: Planted) -> None:
    """BCH shares of single parents per group agree with the planted truth."""
    key = _group_of(planted, "eenouder_bijstand")
    comp = planted.profiles.comparison
    row = comp[
        (comp["groep"] == key)
        & (comp["column"] == "household_type")
        & (comp["level"] == "Eenouderhuishouden")
    ].iloc[0]
    truth = planted.households[planted.households["planted"] == "eenouder_bijstand"]
    assert (truth["household_type"] == "single_parent").mean() * 100 == pytest.approx(
        row["share_group"], abs=5
    )
    # a standard error, unless the share is a band (near 100%: its limit, no interval)
    assert row["se"] > 0 if not row["band"] else math.isnan(row["se"])


def test_whole_group_shares_are_the_checked_counts(planted: Planted) -> None:
    """Share in the whole target group = checked count / checked total (recomputed here)."""
    chars = characteristics_frame(planted.households)
    comp = planted.profiles.comparison.drop_duplicates(["column", "level"])
    for row in comp.itertuples():
        n = int((chars[row.column] == row.level).sum())
        if n < 10:
            assert math.isnan(row.share_all) or n == 0
        else:
            expected = 100 * n / len(chars)
            if not math.isnan(row.share_all):  # may be hidden by secondary suppression
                assert row.share_all == pytest.approx(expected, abs=0.05 + 1e-9)  # rounded once
                assert row.share_all == round(row.share_all, 1)


def test_estimates_are_hidden_where_the_level_is_too_small(planted: Planted) -> None:
    chars = characteristics_frame(planted.households)
    comp = planted.profiles.comparison
    for (column, level), part in comp.groupby(["column", "level"]):
        n = int((chars[column] == level).sum())
        if n < 10:
            assert part["share_group"].isna().all(), (column, level, n)
    # the released outputs: every table, the estimates and the tree
    names = [r.name for r in planted.register.releases]
    assert planted.profiles.estimates_check.name in names
    assert planted.profiles.tree_check.name in names
    assert all(t.name in names for t in planted.profiles.checked_tables)


def test_group_sizes_are_model_estimates_of_classes_that_pass_the_check(
    planted: Planted,
) -> None:
    modal = planted.model.predict(planted.X)
    counts = np.bincount(modal, minlength=planted.model.n_classes)
    assert counts.min() >= 10  # the estimates check requires it
    n = len(planted.households)
    for g in planted.profiles.groups:
        # rounded once: the size to tens, the share from that rounded size (one decimal)
        assert g.size % 10 == 0
        assert abs(g.size - planted.model.weights_[g.number - 1] * n) <= 5
        assert g.share == round(100 * g.size / n, 1)
    assert planted.profiles.estimates_check.passed


def test_yaml_override_wins(planted: Planted, tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "groepsnamen.yaml"  # type: ignore[operator]
    first = planted.profiles.groups[0]
    path.write_text(
        "groepen:\n"
        "  Groep 1:\n"
        "    naam: Eigen naam van de analist\n"
        f"  {planted.profiles.groups[1].generated_name}:\n"
        "    beschrijving: Eigen beschrijving.\n",
        encoding="utf-8",
    )
    groups = apply_overrides(planted.profiles.groups, path)
    assert groups[0].name == "Eigen naam van de analist"
    assert groups[0].description == first.generated_description
    assert groups[0].overridden
    assert groups[1].name == planted.profiles.groups[1].generated_name
    assert groups[1].description == "Eigen beschrijving."
    assert not groups[2].overridden
    assert groups[2].name == groups[2].generated_name


def test_override_of_unknown_group_is_a_clear_error(planted: Planted) -> None:
    with pytest.raises(UserFacingError, match="Onbekende groep"):
        apply_overrides(planted.profiles.groups, {"groepen": {"Groep 99": {"naam": "x"}}})
    with pytest.raises(UserFacingError, match="onbekende velden"):
        apply_overrides(planted.profiles.groups, {"groepen": {"Groep 1": {"titel": "x"}}})


def test_text_is_deterministic(planted: Planted) -> None:
    again = build_profiles(
        planted.households.drop(columns=["planted"]),
        planted.model,
        planted.X,
        register=ReleaseRegister(),
        n_bootstrap=30,
        population="test",
    )
    for a, b in zip(planted.profiles.groups, again.groups, strict=True):
        assert (a.name, a.description) == (b.name, b.description)


def _feature(column: str, level: str, group: float, whole: float) -> Feature:
    h = cohens_h(group / 100, whole / 100)
    return Feature(column, column, level, level, group, 1.0, whole, h, h - 0.05, h + 0.05)


def test_names_use_only_strong_features() -> None:
    feats = [
        _feature("household_type", "Eenouderhuishouden", 90.0, 17.0),
        _feature("income_source", "Bijstandsuitkering", 80.0, 26.0),
        _feature("problematic_debts", "Ja", 60.0, 20.0),
    ]
    assert generate_name(feats) == "Alleenstaande ouders in de bijstand met schulden"
    # 49% against 36%: 13 points and 1,36 times as often - not strong, not in the name.
    care = _feature("high_care_costs", "Ja", 49.0, 36.0)
    assert not is_strong(care)
    assert "zorgkosten" not in generate_name([*feats, care])
    assert is_strong(_feature("high_care_costs", "Ja", 77.0, 36.0))
    # A dominant level that is common in the whole target group is not strong either.
    assert generate_name([_feature("household_type", "Alleenstaande", 66.0, 45.0)]) == MIXED


def test_a_group_without_a_strong_profile_is_called_and_described_as_mixed() -> None:
    weak = [
        _feature("household_type", "Alleenstaande", 55.0, 45.0),
        _feature("tenure", "Koopwoning", 30.0, 23.0),
    ]
    plan = plan_names([weak])[0]
    assert plan.mixed and plan.text() == MIXED
    text = generate_description(
        size=1000.0,
        share=10.0,
        more=weak,
        less=[],
        wijken=[],
        recognition=Recognition(Pct(math.nan), ()),
        named=plan.features,
        mixed=plan.mixed,
    )
    assert "Het is een gemengde groep: op geen enkel kenmerk wijkt ze sterk af" in text
    assert "Iets vaker dan gemiddeld" in text


def test_names_that_look_alike_get_the_next_distinguishing_feature() -> None:
    work = _feature("income_source", "Loon uit werk", 90.0, 32.0)
    a = [work, _feature("hours_worked", "32 uur of meer", 85.0, 21.0)]
    b = [
        work,
        _feature("hours_worked", "32 uur of meer", 70.0, 21.0),
        _feature("tenure", "Koopwoning", 66.0, 23.0),
    ]
    plans = plan_names([a, b])
    names = [p.text() for p in plans]
    assert names[0] == "Huishoudens met werk en een voltijdbaan"
    # The shared "voltijdbaan" does not distinguish: the next feature takes its place.
    assert names[1] == "Huishoudens met werk en een koopwoning"
    assert name_overlap(*names) <= 0.5


def test_cohens_h_and_safe_percentages() -> None:
    assert cohens_h(0.5, 0.5) == 0
    assert cohens_h(0.9, 0.1) > 1.5 > 0 > cohens_h(0.1, 0.9)
    assert safe_pct(50, 100, 10).value == 50
    hidden = safe_pct(5, 100, 10)
    assert math.isnan(hidden.value)
    bound = safe_pct(995, 1000, 10)
    assert bound.at_least and bound.value == 99 and bound.text() == "meer dan 99%"
    assert dataclasses.replace(bound, at_least=False).text() == "99%"


def test_a_refused_table_leaves_its_characteristic_out(
    planted: Planted, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the register refuses a table, the run goes on without it and says so."""
    register = ReleaseRegister()
    original = register.release

    def refuse_tenure(output: object, **kwargs: object) -> object:
        if getattr(output, "name", "") == "Doelgroep naar woonsituatie":
            raise RefusedError(str(getattr(output, "name", "")), "geweigerd voor de test")
        return original(output, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(register, "release", refuse_tenure)
    profiles = build_profiles(
        planted.households.drop(columns=["planted"]),
        planted.model,
        planted.X,
        register=register,
        n_bootstrap=5,
        population="test",
    )
    assert "tenure" not in profiles.characteristic_tables
    assert "tenure" not in set(profiles.comparison["column"])
    assert all(f.column != "tenure" for g in profiles.groups for f in g.more_often)
    assert any("woonsituatie" in n for n in profiles.notes)


def test_groups_never_share_a_name(planted: Planted) -> None:
    from bestaanszekerheid.profiles.naming import make_unique

    first, second, third = planted.profiles.groups[:3]
    clash = [
        dataclasses.replace(first, name="Huishoudens met werk"),
        dataclasses.replace(second, name="Huishoudens met werk"),
        third,
    ]
    named = make_unique(clash)
    names = [g.name for g in named]
    assert len(set(names)) == 3
    assert names[0].startswith("Huishoudens met werk – vaak ")
    assert names[2] == third.name
    assert all(g.generated_name == g.name for g in named)
    assert len({g.name for g in planted.profiles.groups}) == len(planted.profiles.groups)


def test_recognition_percentages_are_whole_and_never_0_or_100() -> None:
    """Coverage and precision in whole percents: with four decimals, the coverages of one
    group's rules (hits over the same group size) gave the group's size away."""
    assert safe_pct(40, 53, 10).value == 75.0  # 75.47...
    assert safe_pct(1_995, 2_000, 10).text() == "meer dan 99%"
    assert safe_pct(9_990, 10_000, 10).text() == "meer dan 99%"  # 99,9% would print as 100%
    assert safe_pct(10, 5_000, 10).text() == "minder dan 1%"


def test_no_two_group_names_share_more_than_half_their_words(planted: Planted) -> None:
    names = [g.name for g in planted.profiles.groups]
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert name_overlap(a, b) <= 0.5, (a, b)
    for g in planted.profiles.groups:
        shown = {(f.column, f.level) for f in g.more_often}
        assert all((f.column, f.level) in shown for f in g.name_features)
