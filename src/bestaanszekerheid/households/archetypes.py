"""The planted groups of the synthetic population: who they are and how they are drawn.

Each archetype is a joint distribution over the schema's columns, written as the assumptions of
the demo (documented in ``docs/synthetic.md``). The first seven describe recognisable low-income
groups from the Tilburg programme and the national literature; the last is everyone else. The
shares are tuned so that about 13% of households fall at or below 120% of the social minimum,
as the Rekenkamer Tilburg found in 2023 (about 15,000 of roughly 112,000 households).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final


@dataclass(frozen=True)
class Archetype:
    """One planted group. Probabilities are dicts of code -> weight (normalised on use)."""

    code: str
    label: str
    share: float
    household_type: MappingProxyType[str, float]
    age: tuple[float, float, int, int]  # mean, sd, min, max of the main earner's age
    income_source: MappingProxyType[str, float]
    pct_of_norm: tuple[str, float, float, float, float]  # dist, centre, spread, min, max
    hours_if_working: tuple[float, float]  # mean, sd of weekly hours when income is from work
    migration: MappingProxyType[str, float]
    education: MappingProxyType[str, float]
    tenure: MappingProxyType[str, float]
    rent_allowance: float  # probability among renters at or below 130%
    debts: float
    debt_help: tuple[float, float]  # P(schuldhulp | debts), P(wsnp | debts)
    care_costs: float
    low_income_years: tuple[float, ...]  # weights for 0..5
    schemes: tuple[float, float, float, float]  # IIT, bijzondere bijstand, CZM, meedoen
    children_mean: float  # mean number of children beyond the first, for types with children
    youngest_max: int
    area_pull: float  # how strongly the group concentrates in deprived wijken (see placement)
    partner_earns: float  # probability that a partner contributes income


def _p(**weights: float) -> MappingProxyType[str, float]:
    return MappingProxyType(dict(weights))


_NL: Final = "netherlands"

ARCHETYPES: Final[tuple[Archetype, ...]] = (
    Archetype(
        code="aow_klein",
        label="Gepensioneerden met een kleine AOW",
        share=0.030,
        household_type=_p(single=0.72, couple_no_children=0.28),
        age=(76, 7, 67, 98),
        income_source=_p(state_pension=1.0),
        pct_of_norm=("normal", 111, 9, 88, 160),
        hours_if_working=(0, 0),
        migration=_p(netherlands=0.52, europe=0.16, outside_europe=0.30, unknown=0.02),
        education=_p(low=0.66, middle=0.24, high=0.06, unknown=0.04),
        tenure=_p(social_rent=0.66, private_rent=0.10, owner=0.24),
        rent_allowance=0.72,
        debts=0.03,
        debt_help=(0.3, 0.02),
        care_costs=0.55,
        low_income_years=(0.02, 0.03, 0.05, 0.05, 0.10, 0.75),
        schemes=(0.0, 0.22, 0.48, 0.06),
        children_mean=0.0,
        youngest_max=17,
        area_pull=1.2,
        partner_earns=0.2,
    ),
    Archetype(
        code="werkende_ouders",
        label="Werkende ouders met weinig uren",
        share=0.022,
        household_type=_p(couple_with_children=0.74, single_parent=0.26),
        age=(38, 6, 22, 58),
        income_source=_p(work=1.0),
        pct_of_norm=("normal", 116, 12, 85, 170),
        hours_if_working=(26, 7),
        migration=_p(netherlands=0.48, europe=0.15, outside_europe=0.35, unknown=0.02),
        education=_p(low=0.44, middle=0.44, high=0.08, unknown=0.04),
        tenure=_p(social_rent=0.58, private_rent=0.26, owner=0.16),
        rent_allowance=0.65,
        debts=0.16,
        debt_help=(0.35, 0.05),
        care_costs=0.15,
        low_income_years=(0.10, 0.25, 0.25, 0.20, 0.12, 0.08),
        schemes=(0.03, 0.14, 0.24, 0.42),
        children_mean=1.0,
        youngest_max=12,
        area_pull=1.6,
        partner_earns=0.55,
    ),
    Archetype(
        code="eenouder_bijstand",
        label="Alleenstaande ouders in de bijstand met schulden",
        share=0.018,
        household_type=_p(single_parent=1.0),
        age=(36, 7, 20, 60),
        income_source=_p(social_assistance=1.0),
        pct_of_norm=("normal", 102, 4, 92, 125),
        hours_if_working=(12, 4),
        migration=_p(netherlands=0.45, europe=0.12, outside_europe=0.41, unknown=0.02),
        education=_p(low=0.62, middle=0.30, high=0.03, unknown=0.05),
        tenure=_p(social_rent=0.86, private_rent=0.12, owner=0.02),
        rent_allowance=0.92,
        debts=0.58,
        debt_help=(0.42, 0.12),
        care_costs=0.28,
        low_income_years=(0.0, 0.05, 0.10, 0.15, 0.20, 0.50),
        schemes=(0.32, 0.48, 0.55, 0.62),
        children_mean=0.9,
        youngest_max=17,
        area_pull=2.6,
        partner_earns=0.0,
    ),
    Archetype(
        code="jonge_flex",
        label="Jongeren met een wisselend inkomen",
        share=0.022,
        household_type=_p(single=0.84, other=0.16),
        age=(24, 3, 18, 32),
        income_source=_p(work=0.68, other_benefit=0.14, other=0.18),
        pct_of_norm=("normal", 114, 28, 40, 230),
        hours_if_working=(22, 9),
        migration=_p(netherlands=0.62, europe=0.18, outside_europe=0.18, unknown=0.02),
        education=_p(low=0.30, middle=0.55, high=0.10, unknown=0.05),
        tenure=_p(social_rent=0.38, private_rent=0.58, owner=0.04),
        rent_allowance=0.35,
        debts=0.22,
        debt_help=(0.15, 0.02),
        care_costs=0.08,
        low_income_years=(0.25, 0.35, 0.20, 0.12, 0.05, 0.03),
        schemes=(0.0, 0.05, 0.07, 0.02),
        children_mean=0.0,
        youngest_max=17,
        area_pull=0.8,
        partner_earns=0.0,
    ),
    Archetype(
        code="langdurig_bijstand_gezondheid",
        label="Langdurig in de bijstand, met gezondheidsproblemen",
        share=0.025,
        household_type=_p(single=0.80, couple_no_children=0.20),
        age=(54, 7, 35, 66),
        income_source=_p(social_assistance=1.0),
        pct_of_norm=("normal", 100, 2.5, 92, 112),
        hours_if_working=(0, 0),
        migration=_p(netherlands=0.55, europe=0.10, outside_europe=0.33, unknown=0.02),
        education=_p(low=0.70, middle=0.22, high=0.04, unknown=0.04),
        tenure=_p(social_rent=0.90, private_rent=0.08, owner=0.02),
        rent_allowance=0.93,
        debts=0.36,
        debt_help=(0.40, 0.10),
        care_costs=0.78,
        low_income_years=(0.0, 0.0, 0.02, 0.03, 0.05, 0.90),
        schemes=(0.58, 0.52, 0.66, 0.05),
        children_mean=0.0,
        youngest_max=17,
        area_pull=2.4,
        partner_earns=0.0,
    ),
    Archetype(
        code="zzp_laag",
        label="Zelfstandigen met een laag inkomen",
        share=0.013,
        household_type=_p(
            single=0.40, couple_no_children=0.20, couple_with_children=0.34, single_parent=0.06
        ),
        age=(46, 9, 23, 66),
        income_source=_p(self_employed=1.0),
        pct_of_norm=("normal", 104, 30, 0, 210),
        hours_if_working=(38, 10),
        migration=_p(netherlands=0.70, europe=0.12, outside_europe=0.16, unknown=0.02),
        education=_p(low=0.25, middle=0.45, high=0.26, unknown=0.04),
        tenure=_p(social_rent=0.28, private_rent=0.26, owner=0.46),
        rent_allowance=0.30,
        debts=0.18,
        debt_help=(0.18, 0.06),
        care_costs=0.12,
        low_income_years=(0.15, 0.25, 0.22, 0.18, 0.12, 0.08),
        schemes=(0.02, 0.04, 0.05, 0.08),
        children_mean=0.8,
        youngest_max=17,
        area_pull=0.2,
        partner_earns=0.45,
    ),
    Archetype(
        code="uitkering_ao_ww",
        label="Huishoudens met een WW- of arbeidsongeschiktheidsuitkering",
        share=0.015,
        household_type=_p(
            single=0.40, couple_no_children=0.34, couple_with_children=0.14, single_parent=0.12
        ),
        age=(52, 8, 25, 66),
        income_source=_p(other_benefit=1.0),
        pct_of_norm=("normal", 114, 13, 88, 175),
        hours_if_working=(10, 6),
        migration=_p(netherlands=0.62, europe=0.12, outside_europe=0.24, unknown=0.02),
        education=_p(low=0.52, middle=0.36, high=0.08, unknown=0.04),
        tenure=_p(social_rent=0.60, private_rent=0.14, owner=0.26),
        rent_allowance=0.70,
        debts=0.16,
        debt_help=(0.35, 0.05),
        care_costs=0.52,
        low_income_years=(0.05, 0.10, 0.15, 0.20, 0.20, 0.30),
        schemes=(0.10, 0.30, 0.40, 0.15),
        children_mean=0.6,
        youngest_max=17,
        area_pull=1.4,
        partner_earns=0.35,
    ),
    Archetype(
        code="overig",
        label="Overige huishoudens (meestal boven het sociaal minimum)",
        share=0.855,
        household_type=_p(
            single=0.33,
            single_parent=0.05,
            couple_no_children=0.29,
            couple_with_children=0.26,
            other=0.07,
        ),
        age=(50, 16, 19, 95),
        income_source=_p(
            work=0.69, self_employed=0.06, state_pension=0.21, other_benefit=0.03, other=0.01
        ),
        pct_of_norm=("lognormal", 265, 0.40, 20, 2500),
        hours_if_working=(52, 18),
        migration=_p(netherlands=0.76, europe=0.10, outside_europe=0.13, unknown=0.01),
        education=_p(low=0.20, middle=0.38, high=0.39, unknown=0.03),
        tenure=_p(social_rent=0.30, private_rent=0.14, owner=0.56),
        rent_allowance=0.25,
        debts=0.04,
        debt_help=(0.25, 0.04),
        care_costs=0.22,
        low_income_years=(0.88, 0.06, 0.03, 0.02, 0.01, 0.00),
        schemes=(0.0, 0.03, 0.06, 0.05),
        children_mean=0.7,
        youngest_max=17,
        area_pull=-0.6,
        partner_earns=0.7,
    ),
)

ARCHETYPES_BY_CODE: Final = MappingProxyType({a.code: a for a in ARCHETYPES})
