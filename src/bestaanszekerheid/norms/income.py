"""A household's applicable norm and its income as a percentage of it (municipal convention).

The convention municipalities use for their minimum-income schemes (see ``docs/norms.md``):

* the Participatiewet norm for the household's situation (single or couple, age band, AOW age),
  **without** the cost-sharers' reduction (kostendelersnorm);
* compared with the household's **net** income including the partner's income and holiday pay;
* housing and health-care allowances, child benefit and the child-related budget are not income.

The CBS percentage of the "beleidsmatig minimum" (INHARMSOC) is a different definition; when
the input carries it, the target group uses it and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from bestaanszekerheid.norms.table import NormCategory, NormTable, load_norm_table

# AOW age (years, months) per calendar year, from the Algemene Ouderdomswet as amended
# (SVB, "AOW-leeftijd"). From 2028 on the age follows life expectancy; 2028 is set by law.
AOW_AGE: dict[int, tuple[int, int]] = {
    2013: (65, 1),
    2014: (65, 2),
    2015: (65, 3),
    2016: (65, 6),
    2017: (65, 9),
    2018: (66, 0),
    2019: (66, 4),
    2020: (66, 4),
    2021: (66, 4),
    2022: (66, 7),
    2023: (66, 10),
    2024: (67, 0),
    2025: (67, 0),
    2026: (67, 0),
    2027: (67, 0),
    2028: (67, 3),
}

DEFINITION_MUNICIPAL = (
    "Gemeentelijke definitie: netto huishoudinkomen (inclusief vakantiegeld en partnerinkomen, "
    "zonder toeslagen en kinderbijslag) als percentage van de toepasselijke Participatiewet-norm "
    "inclusief vakantietoeslag, zonder kostendelersnorm."
)
DEFINITION_CBS = (
    "CBS-definitie: besteedbaar huishoudinkomen als percentage van het beleidsmatig minimum "
    "(INHARMSOC uit INHATAB), zoals aangeleverd in het invoerbestand."
)


def aow_age(on: date) -> tuple[int, int]:
    """AOW age (years, months) in force on ``on``; after 2028 the last known age is used."""
    years = sorted(AOW_AGE)
    year = min(max(on.year, years[0]), years[-1])
    return AOW_AGE[year]


def at_aow_age(age_years: np.ndarray, on: date) -> np.ndarray:
    """Whether people of these whole-year ages have reached the AOW age on ``on``.

    Ages are whole years, so someone in the year in which they reach a non-whole AOW age
    (e.g. 66 when it is 66 years and 4 months) counts as not yet there.
    """
    years, months = aow_age(on)
    ages = np.asarray(age_years, dtype="float64")
    return np.asarray((ages > years) | ((ages == years) & (months == 0)), dtype=bool)


def norm_categories(households: pd.DataFrame, on: date) -> pd.Series:
    """The norm category of every household on date ``on`` (missing where no norm applies).

    Singles and single parents by the main earner's age; couples and other households with two
    or more adults get the couple norm (the norm without cost-sharers); a household counts as
    AOW-age when its main earner has reached the AOW age. Main earners under 18 get no norm.
    """
    htype = households["household_type"].astype("string").fillna("").to_numpy(dtype=object)
    adults = households["n_adults"].astype("float64").to_numpy()
    age = households["age_main_earner"].astype("float64").to_numpy()
    alone = np.isin(htype, ["single", "single_parent"]) | ((htype == "other") & (adults == 1))
    aow = at_aow_age(age, on)
    youth = (age >= 18) & (age < 21)
    adult = (age >= 21) & ~aow
    result = np.full(len(households), None, dtype=object)
    result[alone & aow] = NormCategory.SINGLE_AOW.value
    result[alone & adult] = NormCategory.SINGLE_21.value
    result[alone & youth] = NormCategory.SINGLE_18_20.value
    together = ~alone & (age >= 18)
    result[together & aow] = NormCategory.COUPLE_AOW.value
    # Couples with a main earner under 21 get the adult couple norm: the youth couple norms
    # depend on both partners' ages and on children, which the schema does not carry.
    result[together & ~aow] = NormCategory.COUPLE_21.value
    return pd.Series(result, index=households.index, dtype="string", name="norm_category")


@dataclass(frozen=True)
class IncomeAssessment:
    """Norms and income percentages for a set of households on one date."""

    on: date
    norm_category: pd.Series
    norm_month: pd.Series
    income_pct_norm: pd.Series
    definition: str
    norm_table_version: str
    norm_dates: dict[str, date]
    warnings: tuple[str, ...]


def assess_income(
    households: pd.DataFrame, on: date, *, norms: NormTable | None = None
) -> IncomeAssessment:
    """Each household's norm on ``on`` and its net income as a percentage of that norm."""
    table = norms or load_norm_table()
    categories = norm_categories(households, on)
    norm = pd.Series(np.nan, index=households.index, dtype="float64", name="norm_month")
    warnings: list[str] = []
    dates: dict[str, date] = {}
    for category in categories.dropna().unique():
        found = table.lookup(str(category), on)
        norm[categories == category] = found.amount
        dates[str(category)] = found.row.effective_date
        warnings.extend(w for w in found.warnings if w not in warnings)
    income = households["net_income_month"].astype("float64")
    pct = (income / norm * 100.0).rename("income_pct_norm")
    return IncomeAssessment(
        on=on,
        norm_category=categories,
        norm_month=norm,
        income_pct_norm=pct,
        definition=DEFINITION_MUNICIPAL,
        norm_table_version=table.version,
        norm_dates=dates,
        warnings=tuple(warnings),
    )
