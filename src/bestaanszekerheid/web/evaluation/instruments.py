"""The outcome instruments: which scores a measurement holds, in code, not in the database.

Two instruments (docs/web/metingen.md):

* **Zelfredzaamheid-Matrix (ZRM)**: the 13 domains of the ZRM 2017, each a score from 1
  (acute problemen) to 5 (volledig zelfredzaam). Only the domain names and the score are
  stored; the ZRM's level descriptions per domain are licensed and not part of this software
  (the consultant uses the team's own matrix). A domain may be left unscored.
* **Pilotschalen**: five short scales for the outcomes Tilburg's personal-guidance pilots
  report (practical barriers, attitude to participation, self-direction, taking action,
  feeling heard). The wording is ours, written for this app, not a validated instrument:
  two statements per scale, each answered 1 (helemaal niet mee eens) to 5 (helemaal mee eens);
  the scale score is the mean of its two answers. For "praktische belemmeringen" a higher score
  means *more* barriers; for the other four a higher score is better.

Every scored thing has a stable code (``zrm_financien``, ``schaal_regie``): a pilot names
its outcome measures by these codes and the evaluation export uses them as column names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

SCORE_MIN, SCORE_MAX = 1, 5


@dataclass(frozen=True)
class Item:
    """One scored question: a ZRM domain or one statement of a pilot scale."""

    code: str
    label: str | Promise


@dataclass(frozen=True)
class Measure:
    """Something a pilot can name as an outcome: a ZRM domain or a pilot scale.

    ``items``: the item codes whose mean is the measure's score (one for a ZRM domain, two
    for a scale). ``higher_is_better`` tells how to read a change.
    """

    code: str
    label: str | Promise
    instrument: str
    items: tuple[str, ...]
    higher_is_better: bool = True


ZRM = "zrm"
PILOT_SCALES = "pilotschalen"
INSTRUMENT_LABELS: dict[str, str | Promise] = {
    ZRM: _("Zelfredzaamheid-Matrix (ZRM)"),
    PILOT_SCALES: _("Pilotschalen"),
}

ZRM_DOMAINS: tuple[Item, ...] = (
    Item("zrm_financien", _("financiën")),
    Item("zrm_werk_opleiding", _("werk en opleiding")),
    Item("zrm_tijdsbesteding", _("tijdsbesteding")),
    Item("zrm_huisvesting", _("huisvesting")),
    Item("zrm_huiselijke_relaties", _("huiselijke relaties")),
    Item("zrm_geestelijke_gezondheid", _("geestelijke gezondheid")),
    Item("zrm_lichamelijke_gezondheid", _("lichamelijke gezondheid")),
    Item("zrm_middelengebruik", _("middelengebruik")),
    Item("zrm_basale_adl", _("basale ADL (zelfverzorging)")),
    Item("zrm_instrumentele_adl", _("instrumentele ADL (huishouden, post, vervoer)")),
    Item("zrm_sociaal_netwerk", _("sociaal netwerk")),
    Item("zrm_maatschappelijke_participatie", _("maatschappelijke participatie")),
    Item("zrm_justitie", _("justitie")),
)

# The scales' statements (our wording, docs/web/metingen.md), two per scale.
SCALE_ITEMS: tuple[Item, ...] = (
    Item("belemmeringen_1", _("Praktische zaken (vervoer, opvang, papierwerk) houden mij tegen.")),
    Item("belemmeringen_2", _("Er is te veel tegelijk aan mijn hoofd om verder te komen.")),
    Item(
        "participatie_1",
        _("Ik wil graag (meer) meedoen: werk, vrijwilligerswerk of een cursus."),
    ),
    Item("participatie_2", _("Meedoen levert mij iets op.")),
    Item("regie_1", _("Ik heb zelf in de hand wat er met mijn geld en mijn tijd gebeurt.")),
    Item("regie_2", _("Ik weet waar ik hulp kan vragen als ik die nodig heb.")),
    Item(
        "actie_1",
        _("De afgelopen weken heb ik zelf iets ondernomen om mijn situatie te verbeteren."),
    ),
    Item("actie_2", _("Ik maak plannen en voer ze ook uit.")),
    Item("gehoord_1", _("Ik voel me gehoord door de gemeente.")),
    Item("gehoord_2", _("Mijn consulent neemt mijn eigen wensen serieus.")),
)

MEASURES: tuple[Measure, ...] = (
    *(Measure(d.code, d.label, ZRM, (d.code,)) for d in ZRM_DOMAINS),
    Measure(
        "schaal_belemmeringen",
        _("praktische belemmeringen"),
        PILOT_SCALES,
        ("belemmeringen_1", "belemmeringen_2"),
        higher_is_better=False,
    ),
    Measure(
        "schaal_participatie",
        _("houding tegenover participatie"),
        PILOT_SCALES,
        ("participatie_1", "participatie_2"),
    ),
    Measure("schaal_regie", _("eigen regie"), PILOT_SCALES, ("regie_1", "regie_2")),
    Measure("schaal_actie", _("actie ondernemen"), PILOT_SCALES, ("actie_1", "actie_2")),
    Measure("schaal_gehoord", _("zich gehoord voelen"), PILOT_SCALES, ("gehoord_1", "gehoord_2")),
)

ITEMS: dict[str, Item] = {i.code: i for i in (*ZRM_DOMAINS, *SCALE_ITEMS)}
MEASURES_BY_CODE: dict[str, Measure] = {m.code: m for m in MEASURES}
ITEM_CHOICES: list[tuple[str, str | Promise]] = [(i.code, i.label) for i in ITEMS.values()]
MEASURE_CHOICES: list[tuple[str, str | Promise]] = [(m.code, m.label) for m in MEASURES]


def measure_scores(item_scores: Mapping[str, int]) -> dict[str, float]:
    """The score of every measure all of whose items were answered (mean of its items)."""
    out: dict[str, float] = {}
    for m in MEASURES:
        values = [item_scores[c] for c in m.items if c in item_scores]
        if len(values) == len(m.items):
            out[m.code] = sum(values) / len(values)
    return out
