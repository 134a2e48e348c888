"""Aanknopingspunten: what a group's profile suggests for support.

The Tilburg approach follows a broad conversation with one of three routes (income: more
hours, a better job, growth; costs: lifehacks and schemes not yet used; broad exploration:
health, social contacts, participation, with partners) and aims at prevention. This module
turns a group's *published* figures (the profile's comparison with the whole target group,
already through disclosure control) into pointers to those routes, each with the figures
that triggered it, and into the use of the municipal schemes next to the group's likely
entitlement. The mapping is deterministic and written down in ``docs/aanknopingspunten.md``;
it describes groups, never a household (no household is scored or selected by it).

A rule fires on a level of a characteristic that is *kenmerkend* for the group: its share in
the group is at least a floor (per rule) and clearly higher than in the whole target group
(Cohen's h at least :data:`~bestaanszekerheid.profiles.compute.MIN_EFFECT`), or it holds for
most of the group (:data:`MOST`). A band ("meer dan 95%") counts at its limit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from bestaanszekerheid.formatting import fmt_pct
from bestaanszekerheid.profiles.features import MISSED, NOT_ENTITLED, USED, YES

Route = Literal["inkomen", "kosten", "verkenning", "preventie"]

#: The routes in the order the programme names them, with their Dutch titles.
ROUTES: dict[Route, str] = {
    "inkomen": "Inkomensroute",
    "kosten": "Kostenroute",
    "verkenning": "Brede verkenning",
    "preventie": "Preventie",
}
#: A level that holds for more than this share (%) of a group describes the group.
MOST = 50.0
#: Smallest Cohen's h for "more often than in the whole target group" (as the profiles).
MIN_H = 0.2
#: A scheme "blijft liggen" when at least this share (%) of the group is likely entitled
#: but does not use it, and that is at least half of those likely entitled.
MISSED_FLOOR = 15.0
MISSED_RATE = 50.0

_OLD = ("age_main_earner", "67 jaar of ouder")
_AOW = ("income_source", "AOW en pensioen")
_WORK = ("income_source", "Loon uit werk")
_SELF = ("income_source", "Winst als zelfstandige")
_BIJSTAND = ("income_source", "Bijstandsuitkering")
_BENEFIT = ("income_source", "Andere uitkering (WW, ziekte, arbeidsongeschiktheid)")
_NO_WORK = ("hours_worked", "Geen betaald werk")
_FEW_HOURS = ("hours_worked", "1-19 uur")
_PART_TIME = ("hours_worked", "20-31 uur")
_FULL_TIME = ("hours_worked", "32 uur of meer")
_NO_CHILDREN = ("n_children", "Geen kinderen")
_SINGLE_PARENT = ("household_type", "Eenouderhuishouden")
_YOUNG = ("age_main_earner", "18 tot 27 jaar")
_RECENT = ("low_income_years", "Geen eerder jaar")
_LONG = ("low_income_years", "3 jaar of langer")
_DEBTS = ("problematic_debts", YES)
_NO_DEBT_HELP = ("debt_assistance", "Geen schuldhulp")
_CARE = ("high_care_costs", YES)
_PRIVATE_RENT = ("tenure", "Particuliere huur")
_RENT_ALLOWANCE = ("rent_allowance", YES)

#: The municipal schemes of the profile: name, short name, and how entitlement is judged.
SCHEMES: dict[str, tuple[str, str, str]] = {
    "uses_income_supplement": (
        "individuele inkomenstoeslag",
        "inkomenstoeslag",
        "21 jaar tot de AOW-leeftijd en vijf jaar een laag inkomen",
    ),
    "uses_special_assistance": (
        "bijzondere bijstand",
        "bijzondere bijstand",
        "recht hangt af van bijzondere kosten en is niet uit de gegevens te schatten",
    ),
    "uses_collective_health_insurance": (
        "collectieve zorgverzekering",
        "zorgverzekering",
        "inkomen tot 120% van de bijstandsnorm",
    ),
    "uses_participation_scheme": (
        "meedoenregeling",
        "meedoenregeling",
        "inkomen tot 120% van de bijstandsnorm",
    ),
}


@dataclass(frozen=True)
class Evidence:
    """A published figure of the group behind a pointer."""

    column: str
    level: str
    share: float  # % in the group as published (a band at its limit)
    band: str  # "meer dan 95%" or ""
    share_all: float  # % in the whole target group
    effect: float  # Cohen's h
    what: str  # "pas sinds kort een laag inkomen"

    @property
    def share_text(self) -> str:
        """The group's share as a reader sees it."""
        return self.band or fmt_pct(self.share, 0)

    def text(self) -> str:
        """'60% pas sinds kort een laag inkomen (hele doelgroep 13%)'."""
        return f"{self.share_text} {self.what} (hele doelgroep {fmt_pct(self.share_all, 0)})"


@dataclass(frozen=True)
class Pointer:
    """One aanknopingspunt: a route, why it fits this group, and questions for the table."""

    route: Route
    title: str
    evidence: tuple[Evidence, ...]
    prompts: tuple[str, ...]

    @property
    def route_title(self) -> str:
        """'Inkomensroute', 'Kostenroute', ..."""
        return ROUTES[self.route]


@dataclass(frozen=True)
class SchemeUse:
    """One scheme: its use in the group next to the group's likely entitlement."""

    column: str
    name: str
    short: str  # for a table cell: "zorgverzekering"
    rule: str  # how entitlement is judged, in words
    used: Evidence | None  # None: hidden
    missed: Evidence | None  # likely entitled, not used (None: hidden or not estimable)
    estimable: bool  # whether the data allow a likely entitlement (see ``rule``)

    @property
    def non_take_up(self) -> float:
        """% of the likely entitled in the group who do not use it (NaN when not estimable)."""
        if self.used is None or self.missed is None or self.used.band or self.missed.band:
            return math.nan
        entitled = self.used.share + self.missed.share
        return 100.0 * self.missed.share / entitled if entitled > 0 else math.nan

    @property
    def left_unused(self) -> bool:
        """Whether this scheme 'blijft liggen' in the group: at least :data:`MISSED_FLOOR`%
        of the group likely entitled without using it, and at least :data:`MISSED_RATE`% of
        those likely entitled (a use under a band's limit counts as low; a hidden use as
        unknown)."""
        if self.missed is None or self.missed.band.startswith("minder"):
            return False
        if self.missed.share < MISSED_FLOOR or self.used is None:
            return False
        rate = self.non_take_up
        if math.isnan(rate):
            return self.used.band.startswith("minder")
        return rate >= MISSED_RATE

    def short_text(self) -> str:
        """For a card: 'collectieve zorgverzekering: 30% gebruikt, 55% laat liggen'."""
        parts = [f"{self.used.share_text} gebruikt"] if self.used else []
        if self.estimable and self.missed is not None:
            parts.append(f"{self.missed.share_text} laat liggen")
        return f"{self.name}: {', '.join(parts) or 'niet gepubliceerd'}"

    def text(self) -> str:
        """'collectieve zorgverzekering: 30% gebruikt; 55% heeft waarschijnlijk recht maar
        gebruikt het niet (65% van wie waarschijnlijk recht heeft)'."""
        used = f"{self.used.share_text} gebruikt" if self.used else "gebruik niet gepubliceerd"
        out = f"{self.name}: {used}"
        if not self.estimable:
            return out + f" ({self.rule})"
        if self.missed is None:
            return out + "; hoeveel er recht op hebben is niet gepubliceerd"
        out += f"; {self.missed.share_text} heeft waarschijnlijk recht maar gebruikt het niet"
        rate = self.non_take_up
        if not math.isnan(rate):
            out += f" ({fmt_pct(rate, 0)} van wie waarschijnlijk recht heeft)"
        return out


@dataclass(frozen=True)
class Pointers:
    """All aanknopingspunten of one group."""

    group: str
    pointers: tuple[Pointer, ...]
    schemes: tuple[SchemeUse, ...]

    @property
    def routes(self) -> tuple[Route, ...]:
        """The follow-up routes the group points to (prevention is not a route), in order."""
        found = {p.route for p in self.pointers}
        return tuple(r for r in ROUTES if r in found and r != "preventie")

    @property
    def preventive(self) -> bool:
        """Whether a pointer is about prevention."""
        return any(p.route == "preventie" for p in self.pointers)

    @property
    def left_unused(self) -> tuple[SchemeUse, ...]:
        """Schemes that many in the group likely could use but do not."""
        return tuple(s for s in self.schemes if s.left_unused)

    @property
    def prompts(self) -> tuple[str, ...]:
        """Every question, in pointer order, once."""
        return tuple(dict.fromkeys(q for p in self.pointers for q in p.prompts))


class _Figures:
    """The published figures of one group, looked up by (characteristic, level)."""

    def __init__(self, rows: pd.DataFrame) -> None:
        self._rows = {(str(r["column"]), str(r["level"])): r for r in rows.to_dict("records")}

    def __contains__(self, key: tuple[str, str]) -> bool:
        return key in self._rows

    def has(self, column: str) -> bool:
        """Whether the profile has this characteristic at all."""
        return any(c == column for c, _ in self._rows)

    def get(self, key: tuple[str, str], what: str) -> Evidence | None:
        r = self._rows.get(key)
        if r is None:
            return None
        share = float(r["share_group"])
        if math.isnan(share):
            return None  # hidden
        return Evidence(
            column=key[0],
            level=key[1],
            share=share,
            band=str(r["band"] or ""),
            share_all=float(r["share_all"]),
            effect=float(r["effect"]),
            what=what,
        )

    def marked(self, key: tuple[str, str], what: str, floor: float) -> Evidence | None:
        """The figure when the level is kenmerkend: share >= floor and clearly above the
        whole target group, or held by most of the group."""
        e = self.get(key, what)
        if e is None or e.band.startswith("minder"):
            return None
        above = not math.isnan(e.effect) and e.effect >= MIN_H
        return e if (e.share >= floor and above) or e.share > MOST else None

    def most(self, key: tuple[str, str], what: str) -> Evidence | None:
        e = self.get(key, what)
        return e if e is not None and not e.band.startswith("minder") and e.share > MOST else None


_Rule = Callable[[_Figures], Pointer | None]


def _pointer(
    route: Route, title: str, evidence: Sequence[Evidence | None], prompts: Sequence[str]
) -> Pointer | None:
    found = tuple(e for e in evidence if e is not None)
    return Pointer(route, title, found, tuple(prompts)) if found else None


def _retired(f: _Figures) -> bool:
    return f.most(_OLD, "") is not None or f.most(_AOW, "") is not None


def _work(f: _Figures) -> Pointer | None:
    if _retired(f):
        return None
    work = f.marked(_WORK, "heeft vooral inkomen uit loon", 40)
    if work is None:
        return None
    few = f.marked(_FEW_HOURS, "werkt samen minder dan 20 uur per week", 20)
    part = f.marked(_PART_TIME, "werkt samen 20 tot 32 uur per week", 20)
    full = f.marked(_FULL_TIME, "werkt samen 32 uur of meer per week", 40)
    if full is not None and few is None and part is None:
        # The hours are there already: the income route is about pay and growth.
        return _pointer(
            "inkomen",
            "Een beter betaalde baan of groeien in het werk (de uren zijn er al)",
            (work, full),
            (
                "Welke scholing of volgende stap in het werk past, en wie betaalt die?",
                "Wordt er betaald wat het werk waard is, en komen alle toeslagen binnen?",
            ),
        )
    return _pointer(
        "inkomen",
        "Meer uren, een beter betaalde baan of groeien in het werk",
        (work, few, part),
        (
            "Wat houdt meer uren werken tegen: opvang, gezondheid, rooster of reistijd?",
            "Wat levert een uur extra werk netto op als toeslagen dalen?",
            "Welke scholing of volgende stap in het werk past, en wie betaalt die?",
        ),
    )


def _self_employed(f: _Figures) -> Pointer | None:
    return _pointer(
        "inkomen",
        "Ondernemen met een laag inkomen",
        (f.marked(_SELF, "is zelfstandig ondernemer", 30),),
        (
            "Levert het bedrijf genoeg op, en kent de ondernemer het Bbz en ondernemersadvies?",
            "Hoe zijn tarieven, administratie en belastingen geregeld?",
        ),
    )


def _bijstand(f: _Figures) -> Pointer | None:
    if _retired(f):
        return None
    return _pointer(
        "inkomen",
        "Van de bijstand naar (deeltijd)werk of bijverdienen",
        (f.marked(_BIJSTAND, "heeft een bijstandsuitkering", 40),),
        (
            "Welke stap naar werk is haalbaar, en wat blijft er netto over naast de bijstand?",
            "Wat is er nodig naast werk: opvang, gezondheid, taal of vervoer?",
        ),
    )


def _benefit(f: _Figures) -> Pointer | None:
    return _pointer(
        "inkomen",
        "Passend werk naast of na een WW- of arbeidsongeschiktheidsuitkering",
        (f.marked(_BENEFIT, "heeft een WW-, ziekte- of AO-uitkering", 30),),
        (
            "Wat kan iemand met de eigen gezondheid wel, en welk werk past daarbij?",
            "Welke re-integratie loopt al via het UWV, en sluit die aan?",
        ),
    )


def _no_work(f: _Figures) -> Pointer | None:
    if _retired(f) or f.marked(_BIJSTAND, "", 40) or f.marked(_BENEFIT, "", 30):
        return None  # the bijstand and benefit rules say it for their groups
    return _pointer(
        "inkomen",
        "Een eerste stap naar werk of vrijwilligerswerk, die past bij de gezondheid",
        (f.marked(_NO_WORK, "heeft geen betaald werk", 60),),
        (
            "Wat houdt werken nu tegen, en welke kleine stap is wel haalbaar?",
            "Welk werk of vrijwilligerswerk past bij wat iemand kan en wil?",
        ),
    )


def _pension(f: _Figures) -> Pointer | None:
    if not _retired(f):
        return None
    return _pointer(
        "inkomen",
        "De AOW aanvullen waar die onvolledig is",
        (f.most(_OLD, "is 67 jaar of ouder"), f.most(_AOW, "leeft van AOW en pensioen")),
        (
            "Is de AOW volledig? Zo niet: is de aanvullende inkomensvoorziening ouderen (AIO) "
            "bij de SVB aangevraagd?",
        ),
    )


def _care(f: _Figures) -> Pointer | None:
    return _pointer(
        "kosten",
        "Zorgkosten omlaag",
        (f.marked(_CARE, "heeft zorgkosten boven het eigen risico", 30),),
        (
            "Past de collectieve zorgverzekering met het aanvullende pakket?",
            "Kan het eigen risico gespreid worden betaald, of vergoedt bijzondere bijstand een "
            "deel van de zorgkosten?",
        ),
    )


def _children(f: _Figures) -> Pointer | None:
    none = f.get(_NO_CHILDREN, "")
    if none is None or none.band.startswith("meer") or none.share > 100 - MOST:
        return None
    with_children = Evidence(
        column=none.column,
        level="kinderen",
        share=100.0 - none.share,
        # "minder dan 1%" without children is "meer dan 99%" with children.
        band=f"meer dan {fmt_pct(100.0 - none.share, 0)}" if none.band else "",
        share_all=100.0 - none.share_all,
        effect=-none.effect,
        what="heeft kinderen thuis",
    )
    return _pointer(
        "kosten",
        "De kosten van kinderen",
        (with_children,),
        (
            "Zijn het kindpakket, de meedoenregeling en Stichting Leergeld bekend en gebruikt?",
            "Komen kinderbijslag, kindgebonden budget en kinderopvangtoeslag volledig binnen?",
        ),
    )


def _rent(f: _Figures) -> Pointer | None:
    private = f.marked(_PRIVATE_RENT, "huurt particulier", 30)
    if private is None:
        return None
    return _pointer(
        "kosten",
        "Woonlasten: huur en huurtoeslag nagaan",
        (private, f.get(_RENT_ALLOWANCE, "ontvangt huurtoeslag")),
        ("Is huurtoeslag aangevraagd, en is de huur redelijk voor de woning (Huurcommissie)?",),
    )


def _schemes_unused(schemes: Sequence[SchemeUse]) -> Pointer | None:
    missed = [s for s in schemes if s.left_unused and s.missed is not None]
    if not missed:
        return None
    names = [s.name for s in missed]
    return _pointer(
        "kosten",
        "Regelingen die blijven liggen",
        tuple(s.missed for s in missed),
        (
            "Waarom blijft " + " en ".join(names) + " liggen: onbekend, te ingewikkeld, "
            "of schaamte?",
            "Wie kan helpen met aanvragen, en kan de gemeente het eenvoudiger maken?",
        ),
    )


def _debts(f: _Figures) -> Pointer | None:
    debts = f.marked(_DEBTS, "heeft problematische schulden", 25)
    if debts is None:
        return None
    return _pointer(
        "kosten",
        "Schulden: hulp voordat ze groeien",
        (debts, f.most(_NO_DEBT_HELP, "krijgt (nog) geen schuldhulp")),
        (
            "Is er al schuldhulp, en weet het huishouden hoe die werkt?",
            "Welke vaste lasten kunnen omlaag, en welke betalingsregeling is mogelijk?",
        ),
    )


def _health(f: _Figures) -> Pointer | None:
    life = "meedoen" if _retired(f) else "werk en meedoen"
    return _pointer(
        "verkenning",
        "Gezondheid en meedoen (Positieve Gezondheid)",
        (
            f.marked(_CARE, "heeft zorgkosten boven het eigen risico", 30),
            f.marked(_BENEFIT, "heeft een WW-, ziekte- of AO-uitkering", 30),
        ),
        (
            f"Hoe gaat het met de gezondheid, en wat betekent die voor {life}?",
            "Welke partners zijn er al bij (huisarts, wijkteam, welzijn)?",
        ),
    )


def _elderly(f: _Figures) -> Pointer | None:
    return _pointer(
        "verkenning",
        "Sociale contacten en hulp in en om het huis",
        (f.most(_OLD, "is 67 jaar of ouder"),),
        (
            "Wie helpt als het nodig is, en is er iemand om mee te praten?",
            "Zijn de ouderenadviseur en het welzijnswerk in de wijk bekend?",
        ),
    )


def _single_parents(f: _Figures) -> Pointer | None:
    return _pointer(
        "verkenning",
        "Alles alleen dragen: netwerk, opvang en rust",
        (f.marked(_SINGLE_PARENT, "is een eenoudergezin", 40),),
        (
            "Wie kan bijspringen met de kinderen?",
            "Is er ruimte voor werk, opleiding of rust, en wat is daarvoor nodig?",
        ),
    )


def _young(f: _Figures) -> Pointer | None:
    young = f.marked(_YOUNG, "is jonger dan 27 jaar", 40)
    if young is None:
        return None
    return _pointer(
        "preventie",
        "Jong en een laag inkomen: een goede start",
        (young,),
        (
            "Loopt er een opleiding, en zijn studiefinanciering en zorgtoeslag geregeld?",
            "Weet men wat te doen bij de eerste betalingsachterstand?",
        ),
    )


def _recent(f: _Figures) -> Pointer | None:
    return _pointer(
        "preventie",
        "Pas sinds kort een laag inkomen: nu helpen voorkomt dat het blijft",
        (f.marked(_RECENT, "heeft pas sinds kort een laag inkomen", 25),),
        (
            "Wat veranderde er (baanverlies, scheiding, ziekte), en wie merkt dat als eerste: "
            "werkgever, UWV of school?",
            "Welke regelingen kent men nog niet, omdat men ze nooit nodig had?",
        ),
    )


def _lasting(f: _Figures) -> Pointer | None:
    return _pointer(
        "verkenning",
        "Al jaren een laag inkomen: wat houdt het in stand?",
        (f.marked(_LONG, "heeft al drie jaar of langer een laag inkomen", 60),),
        (
            "Wat is er in de afgelopen jaren al geprobeerd, en wat hielp niet?",
            "Wat zou over een jaar het verschil maken?",
        ),
    )


#: Every rule, in the order the pointers are shown (income, costs, broad, prevention).
RULES: tuple[_Rule, ...] = (
    _work,
    _self_employed,
    _bijstand,
    _benefit,
    _no_work,
    _pension,
    _care,
    _children,
    _rent,
    _debts,
    _health,
    _elderly,
    _single_parents,
    _lasting,
    _recent,
    _young,
)


def scheme_uses(rows: pd.DataFrame) -> tuple[SchemeUse, ...]:
    """The municipal schemes of one group (its rows of the profiles' comparison frame)."""
    f = _Figures(rows)
    out = []
    for column, (name, short, rule) in SCHEMES.items():
        used = f.get((column, USED), "gebruikt " + name) or f.get((column, YES), "gebruikt " + name)
        estimable = any((column, lvl) in f for lvl in (USED, MISSED, NOT_ENTITLED))
        missed = (
            f.get((column, MISSED), f"heeft waarschijnlijk recht op {name}, maar gebruikt het niet")
            if estimable
            else None
        )
        if used is None and missed is None and not f.has(column):
            continue
        out.append(SchemeUse(column, name, short, rule, used, missed, estimable))
    return tuple(out)


def pointers_for(comparison: pd.DataFrame, group: str) -> Pointers:
    """The aanknopingspunten of ``group`` from the profiles' published comparison frame
    (:attr:`bestaanszekerheid.profiles.ProfileSet.comparison`)."""
    rows = comparison[comparison["groep"] == group]
    figures = _Figures(rows)
    schemes = scheme_uses(rows)
    found = [rule(figures) for rule in RULES]
    unused = _schemes_unused(schemes)
    found.insert(RULES.index(_debts), unused)
    order = list(ROUTES)
    pointers = sorted((p for p in found if p is not None), key=lambda p: order.index(p.route))
    return Pointers(group, tuple(pointers), schemes)


__all__ = [
    "ROUTES",
    "Evidence",
    "Pointer",
    "Pointers",
    "SchemeUse",
    "pointers_for",
    "scheme_uses",
]
