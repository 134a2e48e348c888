"""The synthetic households live in Tilburg's real wijken and buurten, sized as CBS counts them,
and the target group lives where CBS's wijk figures say a low income is likelier."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bestaanszekerheid.areas import tilburg
from bestaanszekerheid.households.archetypes import ARCHETYPES
from bestaanszekerheid.households.placement import (
    ASSUMPTIONS,
    buurt_shares,
    compare_with_kwb,
    fit_conditional,
    placement,
    quotas,
    wijk_deprivation,
)
from bestaanszekerheid.households.synthetic import (
    BLOCK_SIZE,
    SyntheticPopulation,
    generate_population,
)
from bestaanszekerheid.target import select_target

#: About Tilburg's number of households (the demo's size): two blocks.
N_TILBURG = 112_000


@pytest.fixture(scope="module")
def tilburg_sized() -> SyntheticPopulation:
    return generate_population(N_TILBURG, seed=2)


def test_households_per_wijk_follow_kwb(tilburg_sized: SyntheticPopulation) -> None:
    check = compare_with_kwb(tilburg_sized.households)
    assert len(check.per_wijk) == 59
    # Each block's wijk counts are whole-household roundings of the KWB shares: at most one
    # household off per block, so within 2% wherever a wijk has 100 households or more.
    n_blocks = -(-N_TILBURG // BLOCK_SIZE)
    assert check.max_absolute_deviation < n_blocks
    assert check.max_relative_deviation <= 0.02
    assert check.per_wijk["households"].sum() == N_TILBURG


def test_target_group_lives_where_kwb_says_incomes_are_low(
    tilburg_sized: SyntheticPopulation,
) -> None:
    h = tilburg_sized.households
    target = select_target(h, max_pct=130)
    in_target = h["household_id"].isin(target.households["household_id"])
    check = compare_with_kwb(h, in_target)
    # Measured (docs/synthetic.md): about -0.94 with income, +0.89 with rented homes.
    assert check.spearman_income < -0.8
    assert check.spearman_rent > 0.7
    assert check.spearman_woz < -0.7
    # Concentrated, not everywhere alike: the residential wijken differ severalfold.
    residential = check.per_wijk[check.per_wijk["expected"] >= 1000]
    assert residential["target_share"].max() > 4 * residential["target_share"].min()


def test_codes_are_the_catalogues_and_no_name_is_generic(
    tilburg_sized: SyntheticPopulation,
) -> None:
    h = tilburg_sized.households
    catalog = tilburg()
    assert set(h["wijk_code"].astype(str)) == set(catalog.names("wijk"))
    parent = catalog.parent()
    buurt, wijk = h["buurt_code"].astype(str), h["wijk_code"].astype(str)
    assert (buurt.map(parent) == wijk).all()
    assert buurt.nunique() > 240  # nearly all 254 buurten hold households at this size
    labels = [catalog.label(code) for code in {*wijk.unique(), *buurt.unique()}]
    assert not any("generieke naam" in label for label in labels)


def test_metadata_names_the_areas_and_labels_the_buurt_sizes_an_assumption(
    tilburg_sized: SyntheticPopulation,
) -> None:
    meta = tilburg_sized.metadata
    assert "indeling 2024" in meta["areas"] and "Bron: CBS" in meta["areas"]
    assert meta["area_assumptions"] == dict(ASSUMPTIONS)
    assert meta["area_assumptions"]["buurtgrootte"].startswith("AANNAME")


def test_quotas_add_up_and_stay_within_one() -> None:
    shares = placement(
        tuple(a.area_pull for a in ARCHETYPES), tuple(a.share for a in ARCHETYPES)
    ).wijk_shares
    for n in (1, 7, 3_000, BLOCK_SIZE):
        counts = quotas(n, shares)
        assert counts.sum() == n and (counts >= 0).all()
        assert np.abs(counts - n * shares).max() < 1


def test_fitted_chances_keep_the_kwb_margins_and_the_pulls() -> None:
    pulls = tuple(a.area_pull for a in ARCHETYPES)
    mix = np.array([a.share for a in ARCHETYPES])
    where = placement(pulls, tuple(mix))
    expected = (mix / mix.sum()) @ where.conditional
    assert np.abs(expected - where.wijk_shares).max() < 1e-9
    # A group that pulls harder lives, on average, in more deprived wijken.
    mean_score = where.conditional @ where.deprivation
    order = np.argsort(pulls)
    assert (np.diff(mean_score[order]) > 0).all()
    # Without pulls the fit is the KWB shares themselves.
    flat = fit_conditional(np.tile(where.wijk_shares, (3, 1)), np.ones(3), where.wijk_shares)
    assert np.allclose(flat, where.wijk_shares[None, :])


def test_deprivation_follows_the_indicators_and_fills_gaps_with_the_city_mean() -> None:
    catalog = tilburg()
    score = wijk_deprivation(catalog)
    figures = catalog.figures("wijk")
    assert score.index.tolist() == figures.index.tolist()
    assert score.abs().max() <= 2.0
    # Wandelbos Noord (lowest income per inhabitant) is more deprived than De Blaak (highest).
    assert score["WK085539"] > 1 > -1 > score["WK085535"]
    none = (
        figures[
            [
                "kwb2022_gem_inkomen_per_inwoner_x1000_eur",
                "kwb2022_pct_huurwoningen",
                "kwb2022_gem_woz_waarde_x1000_eur",
            ]
        ]
        .isna()
        .all(axis=1)
    )
    assert none.any() and (score[none] == 0).all()


def test_buurt_shares_are_fixed_and_business_parks_are_small() -> None:
    catalog = tilburg()
    shares = buurt_shares(catalog)
    by_wijk = shares.groupby(pd.Series(catalog.parent())).sum()
    assert np.allclose(by_wijk, 1.0) and len(by_wijk) == 59
    names = catalog.names("buurt")
    # Het Zand has no business park: its buurten's shares stay within 0.5-1.5 of an equal one.
    zand = shares[[c for c in shares.index if c.startswith("BU085538")]]
    assert (zand * len(zand)).between(0.5 / 1.5, 1.5 / 0.5).all()
    # In Kanaalzone the industrial estates get far less than the residential buurten.
    kanaal = shares[[c for c in shares.index if c.startswith("BU085529")]]
    industrial = kanaal.index.map(lambda c: names[c].startswith("Ind.terrein"))
    assert industrial.any() and kanaal[industrial].max() < kanaal[~industrial].min()
    pd.testing.assert_series_equal(shares, buurt_shares(catalog))
