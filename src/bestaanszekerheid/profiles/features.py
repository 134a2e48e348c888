"""Which household characteristics a profile describes, and how they read in Dutch.

Every characteristic is turned into a categorical variable with Dutch level labels (numbers
are put into bands), and missing values become an explicit level "Onbekend". One shape for
all characteristics keeps the disclosure tables simple (a count table per characteristic, all
over the same households, so totals agree between tables) and makes every comparison a
comparison of shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

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


def _yes_no(column: str, label: str, phrase: str) -> Characteristic:
    return Characteristic(column, label, phrases={YES: phrase}, skip_levels=(NO,))


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
        bands=(
            (26, "18-26 jaar"),
            (44, "27-44 jaar"),
            (66, "45-66 jaar"),
            (np.inf, "67 jaar of ouder"),
        ),
        phrases={
            "18-26 jaar": "jongeren tot 27 jaar",
            "27-44 jaar": "huishoudens met een hoofdkostwinner van 27 tot 45 jaar",
            "45-66 jaar": "huishoudens met een hoofdkostwinner van 45 tot 67 jaar",
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
    _yes_no(
        "uses_income_supplement", "Individuele inkomenstoeslag", "de individuele inkomenstoeslag"
    ),
    _yes_no("uses_special_assistance", "Bijzondere bijstand", "bijzondere bijstand"),
    _yes_no(
        "uses_collective_health_insurance",
        "Collectieve zorgverzekering",
        "de collectieve zorgverzekering",
    ),
    _yes_no(
        "uses_participation_scheme",
        "Kindpakket / meedoenregeling",
        "het kindpakket of de meedoenregeling",
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
