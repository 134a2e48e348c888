"""Where the synthetic households live: Tilburg's real wijken and buurten (indeling 2024).

The wijk margins are CBS's: every block of synthetic households is split over the wijken in
proportion to the KWB 2022 number of households per wijk, as exactly as whole households allow.
Within those margins the planted groups concentrate where CBS's wijk figures say a low income is
likelier (lower income per inhabitant, more rented homes, lower WOZ value), each group as
strongly as its ``area_pull``. CBS publishes no buurt figures for Tilburg in the packaged
catalogue, so how a wijk's households spread over its buurten is a demo assumption
(:func:`buurt_shares`), written in the files' metadata and in ``docs/synthetic.md``.

Everything here but the draws is fixed by the catalogue: the same buurten are the larger ones,
and the same wijken the deprived ones, for every seed and every population size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Final

import numpy as np
import pandas as pd

from bestaanszekerheid.areas import AreaCatalog, tilburg

#: The KWB figure that sizes the wijken.
HOUSEHOLDS_FIGURE: Final = "kwb2022_huishoudens"
#: The KWB figures that make a wijk's deprivation score, with the sign that makes a higher
#: score mean "a low income is likelier here".
DEPRIVATION_FIGURES: Final[Mapping[str, float]] = MappingProxyType(
    {
        "kwb2022_gem_inkomen_per_inwoner_x1000_eur": -1.0,
        "kwb2022_pct_huurwoningen": 1.0,
        "kwb2022_gem_woz_waarde_x1000_eur": -1.0,
    }
)
#: Scores are capped here: a few tiny wijken (business parks with a handful of homes and a WOZ
#: value of 750 thousand) would otherwise get a score several times that of any residential
#: wijk, and with it a near-zero chance of any low-income household.
DEPRIVATION_CAP: Final = 2.0
#: How strongly a group's ``area_pull`` acts on the score: the weight of a wijk for a group is
#: multiplied by ``exp(area_pull * PULL_SCALE * score)``. Chosen so that the target group's share
#: (up to 130%) ranges over the residential wijken from about a third to about three times the
#: city's, as CBS's low-income shares per wijk do in Dutch cities.
PULL_SCALE: Final = 0.55
#: Buurt names that mark a business park or industrial estate: these get a tenth of a residential
#: buurt's share of their wijk's households (few people live there).
INDUSTRIAL_PREFIXES: Final = ("Bedrijventerrein", "Ind.terrein")
INDUSTRIAL_WEIGHT: Final = 0.1

#: The assumptions the placement makes beyond the CBS figures, for the files' metadata (Dutch,
#: as users read them there).
ASSUMPTIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "wijkgrootte": (
            "Huishoudens per wijk volgen CBS Kerncijfers Wijken en Buurten 2022 "
            f"({HOUSEHOLDS_FIGURE}), geschaald naar het gevraagde aantal."
        ),
        "achterstandsscore": (
            "Per wijk het gemiddelde van de gestandaardiseerde CBS-cijfers (KWB 2022): "
            "-inkomen per inwoner, +% huurwoningen, -gemiddelde WOZ-waarde (gewogen naar "
            "huishoudens); een ontbrekend cijfer telt niet mee, een wijk zonder cijfers krijgt "
            f"het stadsgemiddelde (0); begrensd op ±{DEPRIVATION_CAP:g}. De geplante groepen "
            "met een laag inkomen wonen vaker in wijken met een hoge score (elke groep naar "
            "zijn 'area_pull'), binnen de CBS-aantallen per wijk."
        ),
        "buurtgrootte": (
            "AANNAME: CBS heeft geen buurtcijfers in het gebiedsbestand. De huishoudens van een "
            "wijk zijn over de buurten verdeeld in gelijke delen, per buurt vermenigvuldigd met "
            "een vaste factor tussen 0,5 en 1,5 uit een hash van de buurtcode; "
            "bedrijventerreinen krijgen een tiende daarvan. Binnen een wijk wonen de groepen "
            "niet geconcentreerd in bepaalde buurten."
        ),
    }
)


@dataclass(frozen=True)
class Placement:
    """The fixed part of placing households: wijken, buurten and the groups' wijk chances."""

    wijk_codes: np.ndarray
    #: KWB share of the city's households per wijk (sums to 1).
    wijk_shares: np.ndarray
    #: Deprivation score per wijk (see :func:`wijk_deprivation`).
    deprivation: np.ndarray
    #: P(wijk | group), groups in the order of the pulls given to :func:`placement`.
    conditional: np.ndarray
    buurt_codes: np.ndarray
    #: Per buurt, ``wijk index + cumulative share within the wijk`` (buurten ordered by wijk),
    #: so that ``searchsorted(bounds, wijk + u)`` picks a buurt for ``u`` uniform in [0, 1).
    buurt_bounds: np.ndarray
    #: Per wijk, the index of its last buurt in ``buurt_codes`` (a float sum ``wijk + u`` can
    #: round up onto the wijk's upper bound).
    buurt_last: np.ndarray


def wijk_deprivation(catalog: AreaCatalog) -> pd.Series:
    """Deprivation score per wijk: the mean of the standardised :data:`DEPRIVATION_FIGURES`.

    Each figure is standardised with the household-weighted mean and standard deviation over the
    wijken that have it, so 0 is the city's average household. A wijk's score is the mean over
    the figures CBS published for it; a wijk without any gets 0 (CBS suppresses figures for
    areas with few inhabitants). Capped at ±:data:`DEPRIVATION_CAP`.
    """
    figures = catalog.figures("wijk")
    size = figures[HOUSEHOLDS_FIGURE].fillna(0.0)
    scores = []
    for column, sign in DEPRIVATION_FIGURES.items():
        values = figures[column] if column in figures else pd.Series(np.nan, index=figures.index)
        known = values.notna() & (size > 0)
        mean = np.average(values[known], weights=size[known])
        sd = np.sqrt(np.average((values[known] - mean) ** 2, weights=size[known]))
        scores.append(sign * (values - mean) / sd)
    score: pd.Series = pd.concat(scores, axis=1).mean(axis=1, skipna=True).fillna(0.0)
    return score.clip(-DEPRIVATION_CAP, DEPRIVATION_CAP).rename("deprivation")


def buurt_shares(catalog: AreaCatalog) -> pd.Series:
    """The assumed share of each buurt in its wijk's households (see ``ASSUMPTIONS``).

    Equal shares, each times a factor in [0.5, 1.5] from the SHA-256 of the buurt code (stable,
    so the same buurten are the larger ones in every population), and times
    :data:`INDUSTRIAL_WEIGHT` for a business park; normalised within the wijk.
    """
    weights = {}
    for buurt in catalog.buurten:
        factor = 0.5 + hashlib.sha256(buurt.code.encode()).digest()[0] / 255.0
        if buurt.name.startswith(INDUSTRIAL_PREFIXES):
            factor *= INDUSTRIAL_WEIGHT
        weights[buurt.code] = factor
    raw = pd.Series(weights, dtype="float64")
    parent = pd.Series(catalog.parent())
    return (raw / raw.groupby(parent).transform("sum")).rename("share")


def fit_conditional(
    base: np.ndarray, group_shares: np.ndarray, wijk_shares: np.ndarray, iterations: int = 500
) -> np.ndarray:
    """P(wijk | group) proportional to ``base`` times a factor per group and one per wijk, such
    that the group mix ``group_shares`` puts ``wijk_shares`` of the households in each wijk.

    Iterative proportional fitting of the joint table (groups x wijken) to both margins; the
    factors keep the odds ratios of ``base``, i.e. how much more one group than another leans
    towards a wijk.
    """
    rows = group_shares / group_shares.sum()
    joint = base / base.sum(axis=1, keepdims=True) * rows[:, None]
    for _ in range(iterations):
        joint *= (wijk_shares / joint.sum(axis=0))[None, :]
        joint *= (rows / joint.sum(axis=1))[:, None]
        if np.abs(joint.sum(axis=0) - wijk_shares).max() < 1e-12:
            break
    conditional: np.ndarray = joint / joint.sum(axis=1, keepdims=True)
    return conditional


@cache
def placement(pulls: tuple[float, ...], group_shares: tuple[float, ...]) -> Placement:
    """The placement of groups with these ``area_pull`` values and mix in Tilburg's areas."""
    catalog = tilburg()
    figures = catalog.figures("wijk")
    households = figures[HOUSEHOLDS_FIGURE]
    if households.isna().any():
        missing = ", ".join(households.index[households.isna()])
        raise ValueError(f"{HOUSEHOLDS_FIGURE} is missing for wijk(en) {missing}")
    wijk_shares = (households / households.sum()).to_numpy()
    deprivation = wijk_deprivation(catalog).reindex(figures.index).to_numpy()
    pull = np.asarray(pulls, dtype="float64")
    base = wijk_shares[None, :] * np.exp(pull[:, None] * PULL_SCALE * deprivation[None, :])
    conditional = fit_conditional(base, np.asarray(group_shares, dtype="float64"), wijk_shares)

    wijk_index = {code: i for i, code in enumerate(figures.index)}
    shares = buurt_shares(catalog)
    order = sorted(catalog.buurten, key=lambda b: wijk_index[b.wijk_code])
    if {b.wijk_code for b in order} != set(wijk_index):
        raise ValueError("every wijk needs at least one buurt to place households in")
    codes = np.array([b.code for b in order], dtype=object)
    owner = np.array([wijk_index[b.wijk_code] for b in order])
    within = shares.reindex(codes).to_numpy()
    bounds = np.empty(len(order))
    for k in range(len(wijk_index)):
        mine = owner == k
        cumulative = np.cumsum(within[mine])
        cumulative[-1] = 1.0  # exact, so that wijk + u (u < 1) never falls past the last buurt
        bounds[mine] = k + cumulative
    return Placement(
        wijk_codes=figures.index.to_numpy(dtype=object),
        wijk_shares=wijk_shares,
        deprivation=deprivation,
        conditional=conditional,
        buurt_codes=codes,
        buurt_bounds=bounds,
        buurt_last=np.array([np.flatnonzero(owner == k)[-1] for k in range(len(wijk_index))]),
    )


def quotas(n: int, shares: np.ndarray) -> np.ndarray:
    """Whole numbers of households per wijk that add up to ``n``, each within 1 of
    ``n * share`` (largest remainders; ties go to the earlier wijk)."""
    exact = n * shares
    counts: np.ndarray = np.floor(exact).astype("int64")
    short = n - int(counts.sum())
    if short > 0:
        counts[np.argsort(-(exact - counts), kind="stable")[:short]] += 1
    return counts


def place(
    rng: np.random.Generator, groups: np.ndarray, where: Placement
) -> tuple[np.ndarray, np.ndarray]:
    """Draw a wijk and a buurt for each household of a block (``groups``: group index per
    household; the last group is "everyone else").

    The wijk counts of the block are the :func:`quotas` of the KWB shares. The planted groups
    (all but the last) draw their wijken from P(wijk | group), never beyond a wijk's quota; the
    last group fills what is left of every wijk, which in expectation is its own P(wijk | group)
    share, as :func:`fit_conditional` made the margins add up. The buurt is drawn within the
    wijk from :func:`buurt_shares`.
    """
    n = len(groups)
    n_groups, n_wijken = where.conditional.shape
    room = quotas(n, where.wijk_shares)
    wijk = np.empty(n, dtype="int64")
    for g in range(n_groups):
        members = np.flatnonzero(groups == g)
        if g == n_groups - 1:
            counts = room
        else:
            counts = np.zeros(n_wijken, dtype="int64")
            todo = len(members)
            while todo:
                p = where.conditional[g] * (room > counts)
                drawn = rng.multinomial(todo, p / p.sum())
                taken = np.minimum(drawn, room - counts)
                counts += taken
                todo -= int(taken.sum())
            room = room - counts
        wijk[members] = rng.permutation(np.repeat(np.arange(n_wijken), counts))
    buurt = np.searchsorted(where.buurt_bounds, wijk + rng.random(n), side="right")
    buurt = np.minimum(buurt, where.buurt_last[wijk])
    return where.wijk_codes[wijk], where.buurt_codes[buurt]


@dataclass(frozen=True)
class KwbComparison:
    """A synthetic population's wijken against CBS's figures (see :func:`compare_with_kwb`)."""

    #: Per wijk: expected (KWB share times the population), households, deviation (relative),
    #: target_share and the KWB figures compared with.
    per_wijk: pd.DataFrame
    #: Largest |households - expected| over all wijken, in households.
    max_absolute_deviation: float
    #: Largest |households / expected - 1| over the wijken with at least ``min_expected``.
    max_relative_deviation: float
    min_expected: float
    #: Spearman rank correlations of the target share per wijk with KWB's figures, over the
    #: wijken that have the figure.
    spearman_income: float
    spearman_rent: float
    spearman_woz: float


def _spearman(a: pd.Series, b: pd.Series) -> float:
    known = a.notna() & b.notna()
    return float(np.corrcoef(a[known].rank(), b[known].rank())[0, 1])


def compare_with_kwb(
    households: pd.DataFrame,
    in_target: pd.Series | None = None,
    *,
    max_pct: float = 130.0,
    min_expected: float = 100.0,
) -> KwbComparison:
    """Compare the wijken of ``households`` with the packaged KWB figures.

    ``in_target`` marks the target group (default: ``income_pct_norm <= max_pct``, the
    default target rule on data that carry the percentage).
    """
    catalog = tilburg()
    figures = catalog.figures("wijk")
    kwb = figures[HOUSEHOLDS_FIGURE]
    expected = len(households) * kwb / kwb.sum()
    wijk = households["wijk_code"].astype("string")
    counts = wijk.value_counts().reindex(figures.index, fill_value=0).astype("float64")
    target = households["income_pct_norm"] <= max_pct if in_target is None else in_target
    share = target.astype("float64").groupby(wijk).mean().reindex(figures.index)
    income = figures["kwb2022_gem_inkomen_per_inwoner_x1000_eur"]
    rent = figures["kwb2022_pct_huurwoningen"]
    woz = figures["kwb2022_gem_woz_waarde_x1000_eur"]
    per_wijk = pd.DataFrame(
        {
            "expected": expected,
            "households": counts,
            "deviation": counts / expected - 1.0,
            "target_share": share,
            "income_per_inhabitant": income,
            "pct_rented": rent,
            "woz": woz,
        }
    )
    large = expected >= min_expected
    return KwbComparison(
        per_wijk=per_wijk,
        max_absolute_deviation=float((counts - expected).abs().max()),
        max_relative_deviation=float(per_wijk.loc[large, "deviation"].abs().max()),
        min_expected=min_expected,
        spearman_income=_spearman(share, income),
        spearman_rent=_spearman(share, rent),
        spearman_woz=_spearman(share, woz),
    )
