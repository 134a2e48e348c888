"""The household schema: one row per household.

This module is the single source of truth for the input data. ``docs/schema.md`` is generated
from it (``python -m bestaanszekerheid.households.schema_doc``) and a test keeps the two in sync.
Column names and codes are English identifiers; labels and descriptions are Dutch, because
analysts read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Final


class Kind(StrEnum):
    """Storage kind of a column."""

    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    CODE = "code"


@dataclass(frozen=True)
class Column:
    """One column of the household schema.

    ``codes`` maps each allowed code to its Dutch label (code columns only). ``aliases`` maps
    further accepted spellings (English labels, CBS value labels) to a code; matching is
    case-insensitive and ignores surrounding spaces.
    """

    name: str
    kind: Kind
    label: str
    description: str
    unit: str = ""
    required: bool = False
    nullable: bool = True
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    codes: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))
    aliases: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))
    derived: bool = False


def _codes(**items: str) -> MappingProxyType[str, str]:
    return MappingProxyType(dict(items))


def _aliases(mapping: dict[str, str]) -> MappingProxyType[str, str]:
    return MappingProxyType({key.casefold(): value for key, value in mapping.items()})


HOUSEHOLD_TYPES: Final = _codes(
    single="Alleenstaande",
    single_parent="Eenouderhuishouden",
    couple_no_children="Paar zonder kinderen",
    couple_with_children="Paar met kinderen",
    other="Overig meerpersoonshuishouden",
)
MIGRATION_BACKGROUNDS: Final = _codes(
    netherlands="Nederland",
    europe="Europa (exclusief Nederland)",
    outside_europe="Buiten Europa",
    unknown="Onbekend",
)
EDUCATION_LEVELS: Final = _codes(
    low="Laag (basisonderwijs, vmbo, mbo-1)",
    middle="Middelbaar (havo, vwo, mbo-2 t/m 4)",
    high="Hoog (hbo, wo)",
    unknown="Onbekend",
)
INCOME_SOURCES: Final = _codes(
    work="Loon uit werk",
    self_employed="Winst als zelfstandige",
    social_assistance="Bijstandsuitkering",
    other_benefit="Andere uitkering (WW, ziekte, arbeidsongeschiktheid)",
    state_pension="AOW en pensioen",
    other="Overig (studiefinanciering, vermogen, onbekend)",
)
DEBT_ASSISTANCE: Final = _codes(
    none="Geen schuldhulp",
    schuldhulp="Gemeentelijke schuldhulpverlening of minnelijk traject",
    wsnp="Wettelijke schuldsanering (WSNP)",
)
TENURES: Final = _codes(
    social_rent="Sociale huur (woningcorporatie)",
    private_rent="Particuliere huur",
    owner="Koopwoning",
)

# Accepted spellings besides the codes and Dutch labels: English labels and the value labels
# of the CBS microdata files (INHBBIHJ, INHEHALGR, TYPHH, herkomst), so that a `.sav` built in
# Remote Access maps onto our codes without hand work.
_ALIASES: Final[dict[str, dict[str, str]]] = {
    "household_type": {
        "alleenstaand": "single",
        "eenpersoonshuishouden": "single",
        "single person": "single",
        "single": "single",
        "eenouder": "single_parent",
        "eenoudergezin": "single_parent",
        "single parent": "single_parent",
        "paar zonder kind": "couple_no_children",
        "paar zonder kinderen": "couple_no_children",
        "niet-gehuwd paar zonder kinderen": "couple_no_children",
        "gehuwd paar zonder kinderen": "couple_no_children",
        "couple without children": "couple_no_children",
        "paar met kind(eren)": "couple_with_children",
        "paar met kinderen": "couple_with_children",
        "niet-gehuwd paar met kinderen": "couple_with_children",
        "gehuwd paar met kinderen": "couple_with_children",
        "couple with children": "couple_with_children",
        "overig": "other",
        "overig huishouden": "other",
        "other": "other",
    },
    "migration_background": {
        "nederlands": "netherlands",
        "nederland": "netherlands",
        "the netherlands": "netherlands",
        "europa": "europe",
        "europe": "europe",
        "buiten europa": "outside_europe",
        "outside europe": "outside_europe",
        "onbekend": "unknown",
        "unknown": "unknown",
    },
    "education": {
        "laag": "low",
        "middelbaar": "middle",
        "midden": "middle",
        "hoog": "high",
        "low": "low",
        "middle": "middle",
        "high": "high",
        "onbekend": "unknown",
        "unknown": "unknown",
    },
    "income_source": {
        "loon": "work",
        "loon dga": "work",
        "loon directeur-grootaandeelhouder": "work",
        "wages": "work",
        "work": "work",
        "winst zelfstandig ondernemer": "self_employed",
        "inkomen overige zelfstandige": "self_employed",
        "self-employed": "self_employed",
        "bijstandsuitkering": "social_assistance",
        "bijstand": "social_assistance",
        "social assistance": "social_assistance",
        "werkloosheidsuitkering": "other_benefit",
        "uitkering ziekte/ao": "other_benefit",
        "uitkering ziekte/arbeidsongeschiktheid": "other_benefit",
        "uitkering sociale voorziening overig": "other_benefit",
        "other benefit": "other_benefit",
        "pensioenuitkering": "state_pension",
        "aow": "state_pension",
        "state pension": "state_pension",
        "studiefinanciering": "other",
        "inkomen uit vermogen": "other",
        "huishoudensinkomen onbekend": "other",
        "overig": "other",
        "other": "other",
    },
    "debt_assistance": {
        "geen": "none",
        "nee": "none",
        "none": "none",
        "schuldhulpverlening": "schuldhulp",
        "minnelijk traject": "schuldhulp",
        "debt assistance": "schuldhulp",
        "wettelijke schuldsanering": "wsnp",
        "debt restructuring": "wsnp",
    },
    "tenure": {
        "sociale huur": "social_rent",
        "huurwoning corporatie": "social_rent",
        "social rent": "social_rent",
        "particuliere huur": "private_rent",
        "private rent": "private_rent",
        "eigen woning": "owner",
        "koop": "owner",
        "koopwoning": "owner",
        "owner": "owner",
        "owner-occupied": "owner",
    },
}


def _code(
    name: str,
    label: str,
    description: str,
    codes: MappingProxyType[str, str],
    *,
    required: bool = False,
) -> Column:
    return Column(
        name=name,
        kind=Kind.CODE,
        label=label,
        description=description,
        codes=codes,
        aliases=_aliases(_ALIASES.get(name, {})),
        required=required,
        nullable=not required,
    )


def _flag(name: str, label: str, description: str, *, required: bool = False) -> Column:
    return Column(
        name=name,
        kind=Kind.BOOLEAN,
        label=label,
        description=description,
        unit="ja/nee",
        required=required,
        nullable=not required,
    )


COLUMNS: Final[tuple[Column, ...]] = (
    Column(
        "household_id",
        Kind.STRING,
        "Huishouden-id",
        "Uniek, niet-herleidbaar nummer van het huishouden (in CBS Remote Access: een eigen "
        "volgnummer, nooit de RIN van de hoofdkostwinner).",
        required=True,
        nullable=False,
    ),
    Column(
        "year",
        Kind.INTEGER,
        "Jaar",
        "Verslagjaar van inkomen en samenstelling.",
        unit="jaar",
        required=True,
        nullable=False,
        minimum=2000,
        maximum=2100,
    ),
    Column(
        "wijk_code",
        Kind.STRING,
        "Wijkcode",
        "CBS-wijkcode van het woonadres (WK + gemeentecode + wijknummer), in één vaste "
        "indeling (jaar); bijvoorbeeld WK085510.",
        required=True,
        nullable=False,
        pattern=r"WK\d{6}",
    ),
    Column(
        "buurt_code",
        Kind.STRING,
        "Buurtcode",
        "CBS-buurtcode van het woonadres (BU + wijkcode-cijfers + buurtnummer); moet binnen de "
        "wijk liggen. Bijvoorbeeld BU08551001.",
        pattern=r"BU\d{8}",
    ),
    _code(
        "household_type",
        "Huishoudtype",
        "Samenstelling van het huishouden.",
        HOUSEHOLD_TYPES,
        required=True,
    ),
    Column(
        "n_adults",
        Kind.INTEGER,
        "Aantal volwassenen",
        "Aantal personen van 18 jaar en ouder in het huishouden.",
        unit="personen",
        required=True,
        nullable=False,
        minimum=1,
        maximum=20,
    ),
    Column(
        "n_children",
        Kind.INTEGER,
        "Aantal kinderen",
        "Aantal minderjarige kinderen (jonger dan 18) in het huishouden.",
        unit="personen",
        required=True,
        nullable=False,
        minimum=0,
        maximum=20,
    ),
    Column(
        "age_youngest_child",
        Kind.INTEGER,
        "Leeftijd jongste kind",
        "Leeftijd van het jongste minderjarige kind; leeg als er geen kinderen zijn.",
        unit="jaar",
        minimum=0,
        maximum=17,
    ),
    Column(
        "age_main_earner",
        Kind.INTEGER,
        "Leeftijd hoofdkostwinner",
        "Leeftijd van de hoofdkostwinner op 1 januari van het verslagjaar.",
        unit="jaar",
        required=True,
        nullable=False,
        minimum=15,
        maximum=115,
    ),
    _code(
        "migration_background",
        "Herkomst",
        "Herkomst van de hoofdkostwinner volgens de CBS-indeling van 2022 (geboorteland van de "
        "persoon en de ouders). Alleen gebruiken om groepen te beschrijven, nooit om te "
        "selecteren.",
        MIGRATION_BACKGROUNDS,
    ),
    _code(
        "education",
        "Hoogst behaalde opleiding",
        "Hoogst behaalde opleidingsniveau van de hoofdkostwinner (SOI 2021, 3 niveaus).",
        EDUCATION_LEVELS,
    ),
    _code(
        "income_source",
        "Belangrijkste inkomensbron",
        "Belangrijkste inkomensbron van het huishouden in het verslagjaar.",
        INCOME_SOURCES,
        required=True,
    ),
    Column(
        "hours_worked",
        Kind.NUMBER,
        "Gewerkte uren",
        "Betaalde arbeidsuren per week van alle volwassenen samen (contracturen).",
        unit="uur per week",
        minimum=0,
        maximum=200,
    ),
    Column(
        "net_income_month",
        Kind.NUMBER,
        "Netto huishoudinkomen",
        "Netto inkomen van het hele huishouden per maand, inclusief vakantiegeld (jaarinkomen "
        "gedeeld door 12), inclusief het inkomen van de partner. Toeslagen (huur-, zorg-, "
        "kinderopvangtoeslag), kinderbijslag en kindgebonden budget tellen niet mee.",
        unit="euro per maand",
        required=True,
        nullable=False,
        minimum=0,
    ),
    Column(
        "partner_income_month",
        Kind.NUMBER,
        "Netto inkomen partner",
        "Het deel van het netto huishoudinkomen dat de partner verdient; leeg of 0 bij "
        "huishoudens zonder partner.",
        unit="euro per maand",
        minimum=0,
    ),
    Column(
        "norm_month",
        Kind.NUMBER,
        "Bijstandsnorm",
        "De toepasselijke Participatiewet-norm van het huishouden op de peildatum, inclusief "
        "vakantietoeslag, zonder kostendelersnorm. Wordt berekend als deze kolom ontbreekt.",
        unit="euro per maand",
        minimum=0,
        derived=True,
    ),
    Column(
        "income_pct_norm",
        Kind.NUMBER,
        "Inkomen als % van de norm",
        "Netto huishoudinkomen als percentage van de bijstandsnorm (gemeentelijke definitie). "
        "Wordt berekend als deze kolom ontbreekt.",
        unit="procent",
        minimum=0,
        derived=True,
    ),
    Column(
        "pct_social_minimum_cbs",
        Kind.NUMBER,
        "Inkomen als % van het sociaal minimum (CBS)",
        "Het CBS-percentage ten opzichte van het beleidsmatig minimum (INHARMSOC in INHATAB). "
        "Als deze kolom gevuld is, selecteert de doelgroep hierop en vermeldt de uitvoer dat de "
        "CBS-definitie is gebruikt.",
        unit="procent",
        minimum=0,
    ),
    Column(
        "low_income_years",
        Kind.INTEGER,
        "Jaren met laag inkomen",
        "Aantal van de laatste vijf jaar (inclusief het verslagjaar) met een inkomen tot 110% "
        "van het sociaal minimum.",
        unit="jaren (0-5)",
        minimum=0,
        maximum=5,
    ),
    _flag(
        "problematic_debts",
        "Problematische schulden",
        "Geregistreerde problematische schulden bij een lid van het huishouden (CBS-definitie: "
        "WSNP, BKR-achterstand, zorgpremie-wanbetaler, CJIB, belasting- en toeslagschulden, DUO).",
    ),
    _code(
        "debt_assistance",
        "Schuldhulp",
        "Lopend traject voor schulden: gemeentelijke schuldhulp / minnelijk traject, of WSNP.",
        DEBT_ASSISTANCE,
    ),
    _flag(
        "high_care_costs",
        "Zorgkosten boven eigen risico",
        "De zorgkosten (Zvw) van een lid van het huishouden liggen boven het verplicht eigen "
        "risico.",
    ),
    _code("tenure", "Woonsituatie", "Eigendom van de woning.", TENURES),
    _flag("rent_allowance", "Huurtoeslag", "Het huishouden ontvangt huurtoeslag."),
    _flag(
        "uses_income_supplement",
        "Individuele inkomenstoeslag",
        "Gebruik van de individuele inkomenstoeslag (Participatiewet art. 36) in het verslagjaar.",
    ),
    _flag(
        "uses_special_assistance",
        "Bijzondere bijstand",
        "Gebruik van bijzondere bijstand (art. 35) in het verslagjaar.",
    ),
    _flag(
        "uses_collective_health_insurance",
        "Collectieve zorgverzekering",
        "Deelname aan de gemeentelijke collectieve zorgverzekering voor minima.",
    ),
    _flag(
        "uses_participation_scheme",
        "Kindpakket / meedoenregeling",
        "Gebruik van het kindpakket of de meedoenregeling.",
    ),
    _flag(
        "synthetic",
        "Synthetisch",
        "Waar als het huishouden door het model is verzonnen (demodata), onwaar bij echte "
        "gegevens. Elke uitvoer van synthetische gegevens vermeldt dat.",
        required=True,
    ),
)

COLUMNS_BY_NAME: Final[MappingProxyType[str, Column]] = MappingProxyType(
    {column.name: column for column in COLUMNS}
)
REQUIRED_COLUMNS: Final[tuple[str, ...]] = tuple(c.name for c in COLUMNS if c.required)

# Which household types need which composition; checked by validation and used by the generator.
COMPOSITION_RULES: Final[MappingProxyType[str, tuple[tuple[int, int], tuple[int, int]]]] = (
    MappingProxyType(
        {
            # type: ((min adults, max adults), (min children, max children))
            "single": ((1, 1), (0, 0)),
            # Adult children living at home count as adults: a single parent or a couple with
            # minor children may have more adults. Households whose children are all adults
            # are "other" (docs/cbs_mapping.md).
            "single_parent": ((1, 20), (1, 20)),
            "couple_no_children": ((2, 2), (0, 0)),
            "couple_with_children": ((2, 20), (1, 20)),
            "other": ((1, 20), (0, 20)),
        }
    )
)
HOUSEHOLDS_WITHOUT_PARTNER: Final = frozenset({"single", "single_parent"})


def label_for(column: str, code: str) -> str:
    """Dutch label of ``code`` in code column ``column`` (the code itself if unknown)."""
    return COLUMNS_BY_NAME[column].codes.get(code, code)
