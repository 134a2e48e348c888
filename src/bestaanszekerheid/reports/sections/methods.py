"""'Methoden en beperkingen': how the figures were made, and what they cannot say."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bestaanszekerheid.reports.tree import Bullets, Callout, Section

if TYPE_CHECKING:
    from bestaanszekerheid.pipeline import AnalysisResult

LIMITS = (
    "De groepen zijn een vereenvoudiging: binnen elke groep verschillen huishoudens.",
    "Inkomen en regelingen zijn gemeten op één peildatum; wie net boven de grens zit, "
    "valt buiten de doelgroep.",
    "Percentages per groep zijn schattingen met onzekerheid; kleine verschillen "
    "(h onder 0,2) worden niet als onderscheidend genoemd.",
    "Alle cijfers zijn gecontroleerd op onthulling (bijlage): cellen met te weinig "
    "huishoudens zijn weggelaten (x).",
)


PLAIN = (
    "Zo zijn de groepen gevonden, in gewone woorden: een statistisch model zoekt huishoudens "
    "die op een paar kenmerken (zoals huishoudtype, inkomensbron en leeftijd) op elkaar "
    "lijken en zet ze samen in een groep. Het model is doorgerekend met verschillende "
    "aantallen groepen; gekozen is het aantal waarbij meer groepen het beeld nauwelijks "
    "verbeteren, elke groep groot genoeg is en de indeling hetzelfde blijft als je de "
    "berekening op een andere steekproef herhaalt. Daarna is per groep beschreven wat er "
    "vaker en minder vaak voorkomt dan in de hele doelgroep."
)


def methods_section(result: AnalysisResult, *, model: Section | None = None) -> Section:
    """The methods with this run's settings, the limits, and what was left out (notes);
    ``model``: the technical model choice, as the section's subsection after them."""
    opts = result.options
    values_min = result.register.rules.min_count
    items: tuple[str, ...] = (
        "Latente-klassenanalyse met gemengde indicatoren (categorisch, binair, continu); "
        f"{min(result.fit_table.index)} tot {max(result.fit_table.index)} groepen geprobeerd, "
        f"{opts.n_init} willekeurige starts per model, {opts.n_bootstrap_stability} "
        "bootstrapherhalingen voor de stabiliteit.",
        "Het aantal groepen volgt uit de BIC (elleboog), een minimale groepsgrootte en de "
        "stabiliteit; of de groepen inhoudelijk te duiden zijn blijft een oordeel van mensen.",
        "Groepsprofielen zijn geschat met de drie-stappenmethode met BCH-correctie: huishoudens "
        "worden niet hard bij één groep ingedeeld, zodat verschillen niet worden afgezwakt. "
        f"Standaardfouten uit {opts.n_bootstrap_bch} bootstrapherhalingen van stap 3; de "
        "onzekerheid van het model zelf zit daar niet in, dus ze zijn iets te klein.",
        "Onderscheidende kenmerken zijn gerangschikt op effectgrootte (Cohen's h) tussen het "
        "aandeel in de groep en in de hele doelgroep, met een 95%-interval.",
        "Wijken: de geschatte samenstelling van de doelgroep per wijk, vergeleken met de hele "
        "doelgroep. Een index zegt iets over de wijk, niet over individuele bewoners.",
        "Herkenbaarheid: een beslisboom met hoogstens drie vragen en bladeren van minstens "
        f"{values_min} huishoudens en 1% van de doelgroep. De boom beschrijft groepen; hij is "
        "niet bedoeld en niet geschikt om inwoners in te delen.",
        "Namen en beschrijvingen zijn met vaste sjablonen uit de kenmerken gemaakt (geen "
        "taalmodel); dezelfde gegevens geven dezelfde tekst.",
    )
    version = result.target.norm_table_version
    if version:
        items = (
            *items,
            "De normen van het sociaal minimum komen uit de normtabel van dit pakket, met een "
            "bron bij elke norm; controlegetal van de gebruikte tabel: "
            f"{version[:12]} (twee analyses met hetzelfde getal gebruikten dezelfde normen).",
        )
    notes = tuple(Callout(n, "warning") for n in result.profiles.notes)
    return Section(
        "methoden",
        "Methoden en beperkingen",
        (Bullets(items, title="Methoden"), Bullets(LIMITS, title="Beperkingen"), *notes),
        subsections=(model,) if model is not None else (),
        lead=PLAIN,
    )
