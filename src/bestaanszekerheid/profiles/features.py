"""Which household characteristics a profile describes, and how they read in Dutch.

Every characteristic is turned into a categorical variable with Dutch level labels (numbers
are put into bands), and missing values become an explicit level "Onbekend". One shape for
all characteristics keeps the disclosure tables simple (a count table per characteristic, all
over the same households, so totals agree between tables) and makes every comparison a
comparison of shares.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from bestaanszekerheid.households.schema import COLUMNS_BY_NAME

UNKNOWN = "Onbekend"
YES, NO = "Ja", "Nee"


@dataclass(frozen=True)
class Characteristic:
    """One characteristic of a household as shown in a profile."""

    column: str
    label: str
    #: Upper edges of numeric bands (inclusive) with their labels; empty for categorical.
    bands: tuple[tuple[float, str], ...] = ()
    #: Level label -> phrase used in generated text ("problematische schulden").
    phrases: dict[str, str] = field(default_factory=dict)
    #: Levels never shown as a distinguishing feature (the complement of a yes/no).
    skip_levels: tuple[str, ...] = ()
    #: A characteristic made from several columns (``requires``): the households -> one
    #: text column with these levels. Without one of ``requires`` the column is read as is.
    derive: Callable[[pd.DataFrame], pd.Series] | None = None
    requires: tuple[str, ...] = ()


def _yes_no(column: str, label: str, phrase: str) -> Characteristic:
    return Characteristic(column, label, phrases={YES: phrase}, skip_levels=(NO,))


#: Levels of a scheme's use next to the household's likely entitlement (see
#: ``docs/aanknopingspunten.md``): non-take-up is the second level's share of the first two.
USED = "Gebruikt"
MISSED = "Geen gebruik, wel waarschijnlijk recht"
NOT_ENTITLED = "Geen gebruik, waarschijnlijk geen recht"
SCHEME_LEVELS = (USED, MISSED, NOT_ENTITLED)
#: Income limit (% of the bijstandsnorm) of the municipal minimum-income schemes: Tilburg's
#: collectieve zorgverzekering and meedoenregeling since 2023 (120%, 130% before;
#: werkeninkomentilburg.nl). Assets are not in the data, so entitlement is "likely".
SCHEME_INCOME_LIMIT = 120.0
#: AOW age used for the individuele inkomenstoeslag (21 to AOW age).
AOW_AGE = 67


def below_scheme_limit(households: pd.DataFrame) -> pd.Series:
    """Likely entitled to an income-tested scheme: income up to :data:`SCHEME_INCOME_LIMIT`."""
    pct = pd.to_numeric(households["income_pct_norm"], errors="coerce")
    return pct <= SCHEME_INCOME_LIMIT


def iit_likely_entitled(households: pd.DataFrame) -> pd.Series:
    """Likely entitled to the individuele inkomenstoeslag: aged 21 to AOW age and all five
    of the last five years on a low income (the data count years up to 110% of the social
    minimum; Tilburg asks 60 months at bijstand level, 100%, so this overstates the right)."""
    age = pd.to_numeric(households["age_main_earner"], errors="coerce")
    years = pd.to_numeric(households["low_income_years"], errors="coerce")
    pct = pd.to_numeric(households["income_pct_norm"], errors="coerce")
    return (age >= 21) & (age < AOW_AGE) & (years >= 5) & (pct <= 110)


def scheme_levels(
    households: pd.DataFrame, column: str, entitled: Callable[[pd.DataFrame], pd.Series]
) -> pd.Series:
    """A scheme's use next to likely entitlement: :data:`SCHEME_LEVELS` per household."""
    used = households[column].astype("boolean")
    likely = entitled(households).fillna(False).to_numpy(dtype=bool)
    out = pd.Series(np.where(likely, MISSED, NOT_ENTITLED), index=households.index, dtype=object)
    out[used.fillna(False).to_numpy(dtype=bool)] = USED
    out[used.isna().to_numpy()] = UNKNOWN
    return out


def _scheme(
    column: str,
    label: str,
    scheme: str,
    entitled: Callable[[pd.DataFrame], pd.Series],
    requires: tuple[str, ...],
) -> Characteristic:
    return Characteristic(
        column,
        label,
        phrases={
            USED: f"gebruik van {scheme}",
            MISSED: f"waarschijnlijk recht op {scheme}, maar geen gebruik",
            YES: scheme,
        },
        skip_levels=(NOT_ENTITLED, NO),
        derive=partial(scheme_levels, column=column, entitled=entitled),
        requires=(column, *requires),
    )


#: The default characteristics, in the order a profile shows them.
DEFAULT_CHARACTERISTICS: tuple[Characteristic, ...] = (
    Characteristic(
        "household_type",
        "Huishoudtype",
        phrases={
            "Alleenstaande": "alleenstaanden",
            "Eenouderhuishouden": "alleenstaande ouders",
            "Paar zonder kinderen": "stellen zonder kinderen",
            "Paar met kinderen": "gezinnen met twee ouders",
            "Overig meerpersoonshuishouden": "andere meerpersoonshuishoudens",
        },
    ),
    Characteristic(
        "age_main_earner",
        "Leeftijd hoofdkostwinner",
        # One form for a band everywhere (tables, charts, sentences, cards): "45 tot 67 jaar"
        # is 45 up to and including 66, as "tot" says in Dutch.
        bands=(
            (26, "18 tot 27 jaar"),
            (44, "27 tot 45 jaar"),
            (66, "45 tot 67 jaar"),
            (np.inf, "67 jaar of ouder"),
        ),
        phrases={
            "18 tot 27 jaar": "jongeren tot 27 jaar",
            "27 tot 45 jaar": "huishoudens met een hoofdkostwinner van 27 tot 45 jaar",
            "45 tot 67 jaar": "huishoudens met een hoofdkostwinner van 45 tot 67 jaar",
            "67 jaar of ouder": "mensen van 67 jaar of ouder",
        },
    ),
    Characteristic(
        "n_children",
        "Aantal kinderen",
        bands=(
            (0, "Geen kinderen"),
            (1, "1 kind"),
            (2, "2 kinderen"),
            (np.inf, "3 of meer kinderen"),
        ),
        phrases={
            "Geen kinderen": "huishoudens zonder kinderen",
            "1 kind": "huishoudens met één kind",
            "2 kinderen": "huishoudens met twee kinderen",
            "3 of meer kinderen": "grote gezinnen (drie of meer kinderen)",
        },
    ),
    Characteristic(
        "income_source",
        "Belangrijkste inkomensbron",
        phrases={
            "Loon uit werk": "werk in loondienst als belangrijkste inkomen",
            "Winst als zelfstandige": "zelfstandig ondernemers",
            "Bijstandsuitkering": "een bijstandsuitkering",
            "Andere uitkering (WW, ziekte, arbeidsongeschiktheid)": (
                "een WW-, ziekte- of arbeidsongeschiktheidsuitkering"
            ),
            "AOW en pensioen": "AOW en pensioen als inkomen",
            "Overig (studiefinanciering, vermogen, onbekend)": (
                "studiefinanciering of een ander inkomen"
            ),
        },
    ),
    Characteristic(
        "hours_worked",
        "Gewerkte uren per week",
        bands=(
            (0, "Geen betaald werk"),
            (19, "1-19 uur"),
            (31, "20-31 uur"),
            (np.inf, "32 uur of meer"),
        ),
        phrases={
            "Geen betaald werk": "huishoudens zonder betaald werk",
            "1-19 uur": "huishoudens die samen minder dan 20 uur per week werken",
            "20-31 uur": "huishoudens die samen 20 tot 32 uur per week werken",
            "32 uur of meer": "huishoudens die samen 32 uur of meer per week werken",
        },
    ),
    Characteristic(
        "income_pct_norm",
        "Inkomen als % van het sociaal minimum",
        bands=(
            (90, "tot 90%"),
            (100, "90-100%"),
            (110, "100-110%"),
            (120, "110-120%"),
            (np.inf, "meer dan 120%"),
        ),
        phrases={
            "tot 90%": "een inkomen onder 90% van het sociaal minimum",
            "90-100%": "een inkomen van 90 tot 100% van het sociaal minimum",
            "100-110%": "een inkomen net boven het sociaal minimum (100-110%)",
            "110-120%": "een inkomen van 110 tot 120% van het sociaal minimum",
            "meer dan 120%": "een inkomen boven 120% van het sociaal minimum",
        },
    ),
    Characteristic(
        "low_income_years",
        "Jaren met een laag inkomen",
        bands=((0, "Geen eerder jaar"), (2, "1-2 jaar"), (np.inf, "3 jaar of langer")),
        phrases={
            "Geen eerder jaar": "pas sinds kort een laag inkomen",
            "1-2 jaar": "één tot twee jaar een laag inkomen",
            "3 jaar of langer": "al drie jaar of langer een laag inkomen",
        },
    ),
    _yes_no("problematic_debts", "Problematische schulden", "problematische schulden"),
    Characteristic(
        "debt_assistance",
        "Schuldhulp",
        phrases={
            "Gemeentelijke schuldhulpverlening of minnelijk traject": "schuldhulpverlening",
            "Wettelijke schuldsanering (WSNP)": "wettelijke schuldsanering (WSNP)",
        },
        skip_levels=("Geen schuldhulp",),
    ),
    _yes_no("high_care_costs", "Hoge zorgkosten", "hoge zorgkosten (boven het eigen risico)"),
    Characteristic(
        "tenure",
        "Woonsituatie",
        phrases={
            "Sociale huur (woningcorporatie)": "een sociale huurwoning",
            "Particuliere huur": "een particuliere huurwoning",
            "Koopwoning": "een koopwoning",
        },
    ),
    Characteristic(
        "migration_background",
        "Herkomst",
        phrases={
            "Nederland": "een Nederlandse herkomst",
            "Europa (exclusief Nederland)": "een herkomst elders in Europa",
            "Buiten Europa": "een herkomst buiten Europa",
        },
        skip_levels=(UNKNOWN,),
    ),
    Characteristic(
        "education",
        "Opleiding",
        phrases={
            "Laag (basisonderwijs, vmbo, mbo-1)": "een lage opleiding",
            "Middelbaar (havo, vwo, mbo-2 t/m 4)": "een middelbare opleiding",
            "Hoog (hbo, wo)": "een hoge opleiding",
        },
        skip_levels=(UNKNOWN,),
    ),
    _yes_no("rent_allowance", "Huurtoeslag", "huurtoeslag"),
    _scheme(
        "uses_income_supplement",
        "Individuele inkomenstoeslag",
        "de individuele inkomenstoeslag",
        iit_likely_entitled,
        ("income_pct_norm", "age_main_earner", "low_income_years"),
    ),
    _yes_no("uses_special_assistance", "Bijzondere bijstand", "bijzondere bijstand"),
    _scheme(
        "uses_collective_health_insurance",
        "Collectieve zorgverzekering",
        "de collectieve zorgverzekering",
        below_scheme_limit,
        ("income_pct_norm",),
    ),
    _scheme(
        "uses_participation_scheme",
        "Meedoenregeling",
        "de meedoenregeling",
        below_scheme_limit,
        ("income_pct_norm",),
    ),
)

CHARACTERISTICS_BY_COLUMN = {c.column: c for c in DEFAULT_CHARACTERISTICS}


def _band(values: pd.Series, bands: Sequence[tuple[float, str]]) -> pd.Series:
    numeric = pd.to_numeric(values, errors="coerce").astype("float64")
    out = pd.Series(UNKNOWN, index=values.index, dtype=object)
    assigned = pd.Series(False, index=values.index)
    for upper, label in bands:
        hit = (numeric <= upper) & ~assigned & numeric.notna()
        out[hit] = label
        assigned |= hit
    return out


def level_order(char: Characteristic, data: pd.Series | None = None) -> list[str]:
    """Levels in the order a table shows them (bands and schema codes first, then the rest)."""
    if char.bands:
        order = [label for _, label in char.bands]
    elif char.derive is not None and (data is None or USED in set(data.astype(str))):
        order = list(SCHEME_LEVELS)
    else:
        column = COLUMNS_BY_NAME.get(char.column)
        codes = getattr(column, "codes", None) or {}
        order = [YES, NO] if not codes else list(codes.values())
    if data is not None:
        order += sorted(set(data.dropna().astype(str)) - set(order))
        present = set(data.dropna().astype(str))
        order = [lvl for lvl in order if lvl in present]
    return order


def characteristics_frame(
    households: pd.DataFrame, characteristics: Sequence[Characteristic] = DEFAULT_CHARACTERISTICS
) -> pd.DataFrame:
    """One text column per characteristic with Dutch level labels (no missing values).

    Characteristics whose column is absent from ``households`` are left out.
    """
    out = {}
    for char in characteristics:
        if char.column not in households.columns:
            continue
        if char.derive is not None and all(c in households.columns for c in char.requires):
            out[char.column] = char.derive(households).astype(str)
            continue
        raw = households[char.column]
        if char.bands:
            out[char.column] = _band(raw, char.bands)
            continue
        column = COLUMNS_BY_NAME.get(char.column)
        codes = dict(getattr(column, "codes", None) or {})
        if pd.api.types.is_bool_dtype(raw.dtype):
            mapped = raw.map({True: YES, False: NO})
        else:
            mapped = raw.astype("object").map(lambda v, c=codes: c.get(v, v))
        out[char.column] = mapped.astype(object).where(mapped.notna(), UNKNOWN).astype(str)
    return pd.DataFrame(out, index=households.index)


def phrase(char: Characteristic, level: str) -> str:
    """Dutch phrase for a level, for generated text."""
    return char.phrases.get(level, f"{char.label.lower()}: {level.lower()}")
