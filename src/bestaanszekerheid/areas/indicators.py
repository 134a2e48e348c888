"""The CBS Kerncijfers Wijken en Buurten indicators the toolkit reads, with their definitions.

One place for three uses: the names of the figure columns in ``gebieden.csv`` (``kwb<year>_``
plus :attr:`Indicator.key`), the StatLine keys that ``bsz gebieden`` maps from (table
85984NED, KWB 2024; other years use the same key stems with other numbers), and the Dutch
definitions that reports print beside our own figures.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    """One KWB indicator: our column stem, CBS's key stem, label, unit and definition."""

    key: str
    #: StatLine key without its number suffix (``HuishoudensTotaal`` for ``HuishoudensTotaal_29``).
    statline: str
    label: str
    unit: str
    definition: str


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "aantal_inwoners",
        "AantalInwoners",
        "Inwoners",
        "aantal",
        "Personen ingeschreven in de BRP op 1 januari.",
    ),
    Indicator(
        "huishoudens",
        "HuishoudensTotaal",
        "Particuliere huishoudens",
        "aantal",
        "Particuliere huishoudens op 1 januari (BRP); institutionele huishoudens tellen niet mee.",
    ),
    Indicator(
        "gem_huishoudensgrootte",
        "GemiddeldeHuishoudensgrootte",
        "Gemiddelde huishoudensgrootte",
        "personen",
        "Personen in particuliere huishoudens gedeeld door het aantal particuliere huishoudens.",
    ),
    Indicator(
        "pct_eenpersoonshuishoudens",
        "Eenpersoonshuishoudens",
        "Eenpersoonshuishoudens",
        "% van huishoudens",
        "Huishoudens van één persoon, als deel van alle particuliere huishoudens.",
    ),
    Indicator(
        "pct_huishoudens_met_kinderen",
        "HuishoudensMetKinderen",
        "Huishoudens met kinderen",
        "% van huishoudens",
        "Huishoudens met minstens één thuiswonend kind (elke leeftijd).",
    ),
    Indicator(
        "woningvoorraad",
        "Woningvoorraad",
        "Woningvoorraad",
        "aantal",
        "Woningen op 1 januari (BAG).",
    ),
    Indicator(
        "gem_woz_waarde_x1000_eur",
        "GemiddeldeWOZWaardeVanWoningen",
        "Gemiddelde WOZ-waarde",
        "x 1 000 euro",
        "Gemiddelde WOZ-waarde van woningen.",
    ),
    Indicator(
        "pct_koopwoningen",
        "Koopwoningen",
        "Koopwoningen",
        "% van woningen",
        "Woningen bewoond door de eigenaar.",
    ),
    Indicator(
        "pct_huurwoningen",
        "HuurwoningenTotaal",
        "Huurwoningen",
        "% van woningen",
        "Woningen in bezit van een corporatie of een andere verhuurder.",
    ),
    Indicator(
        "gem_inkomen_per_inwoner_x1000_eur",
        "GemiddeldInkomenPerInwoner",
        "Gemiddeld inkomen per inwoner",
        "x 1 000 euro",
        "Persoonlijk bruto-inkomen, gedeeld door alle inwoners (ook zonder inkomen).",
    ),
    Indicator(
        "netto_arbeidsparticipatie_pct",
        "Nettoarbeidsparticipatie",
        "Netto arbeidsparticipatie",
        "% van 15-75 jaar",
        "Werkzame beroepsbevolking als deel van de bevolking van 15 tot 75 jaar.",
    ),
    Indicator(
        "pct_huish_onder_of_rond_sociaal_minimum",
        "HuishOnderOfRondSociaalMinimum",
        "Huishoudens onder of rond het sociaal minimum",
        "% van huishoudens",
        "Huishoudens met een inkomen tot 101% van het sociaal minimum (CBS-definitie, "
        "standaardinkomen; studenten en huishoudens zonder volledig jaarinkomen tellen niet mee).",
    ),
    Indicator(
        "pct_huish_tot_120pct_sociaal_minimum",
        "HuishoudensTot120VanSociaalMinimum",
        "Huishoudens tot 120% van het sociaal minimum",
        "% van huishoudens",
        "Huishoudens met een inkomen tot 120% van het sociaal minimum (CBS-definitie).",
    ),
    Indicator(
        "pct_huish_laag_inkomen",
        "HuishoudensMetEenLaagInkomen",
        "Huishoudens met een laag inkomen",
        "% van huishoudens",
        "Huishoudens onder de lage-inkomensgrens van CBS (vaste koopkracht).",
    ),
)

BY_KEY = {i.key: i for i in INDICATORS}
BY_STATLINE = {i.statline: i for i in INDICATORS}


def column(indicator: str, year: int) -> str:
    """The ``gebieden.csv`` column of ``indicator`` in KWB year ``year``."""
    return f"kwb{year}_{indicator}"
