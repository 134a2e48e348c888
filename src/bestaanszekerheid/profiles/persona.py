"""An illustrative persona per group, for the persona cards of a design session.

A persona is a made-up person who has what is most common in the group: the most frequent
household type, age band, income source, housing and hours (each only when at least
:data:`COMMON` of the group has it), the wijk where the group lives relatively often, and
the care costs, debts and schemes left unused that the group's aanknopingspunten name. It is
written from the group's published figures only, deterministically, and always labelled as
invented (:data:`LABEL`): a persona describes a group, never a household.

First names are a fixed, mixed list per age band; which one a group gets depends on its
number only, not on its origin or any other characteristic.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from bestaanszekerheid.profiles.features import CHARACTERISTICS_BY_COLUMN, YES
from bestaanszekerheid.profiles.support import Pointers

#: A level is written into the persona when at least this share (%) of the group has it:
#: most of the group, so that the persona never says what only a minority has.
COMMON = 50.0
LABEL = (
    "Verzonnen persoon, ter illustratie: samengesteld uit wat in deze groep het vaakst "
    "voorkomt. Geen echt huishouden."
)

#: Age band -> (youngest and oldest age shown, women's names, men's names). Eight names
#: each, so that no two groups' personas share a name (the group's number picks one).
_NAMES: dict[str, tuple[int, int, tuple[str, ...], tuple[str, ...]]] = {
    "18 tot 27 jaar": (
        19,
        26,
        ("Lisa", "Amira", "Noor", "Sophie", "Yasmina", "Emma", "Chantal", "Iris"),
        ("Daan", "Youssef", "Milan", "Thijs", "Bilal", "Luuk", "Jayden", "Sem"),
    ),
    "27 tot 45 jaar": (
        28,
        44,
        ("Sanne", "Fatima", "Kim", "Linda", "Hatice", "Esther", "Naima", "Jolanda"),
        ("Mark", "Mehmet", "Kevin", "Dennis", "Rachid", "Bas", "Erwin", "Tim"),
    ),
    "45 tot 67 jaar": (
        46,
        66,
        ("Ingrid", "Samira", "Marion", "Petra", "Khadija", "Anja", "Monique", "Wendy"),
        ("Peter", "Ahmed", "Rob", "Hans", "Mustafa", "Frank", "Ronald", "Marco"),
    ),
    "67 jaar of ouder": (
        68,
        84,
        ("Ria", "Annie", "Gerda", "Truus", "Fatma", "Mien", "Corrie", "Joke"),
        ("Wim", "Henk", "Jan", "Kees", "Ali", "Piet", "Gerrit", "Toon"),
    ),
}
_CHILDREN = {"1 kind": "kind", "2 kinderen": "twee kinderen", "3 of meer kinderen": "drie kinderen"}
_TENURE = {
    "Sociale huur (woningcorporatie)": " in een huurwoning van een corporatie",
    "Particuliere huur": " in een particuliere huurwoning",
    "Koopwoning": " in een eigen huis",
}
_HOURS = {"1-19 uur": 12, "20-31 uur": 24, "32 uur of meer": 36}


@dataclass(frozen=True)
class Persona:
    """A made-up person for a group's card."""

    name: str
    age: int
    text: str
    label: str = LABEL


def _common(rows: pd.DataFrame, column: str) -> str | None:
    """The group's most frequent published level of ``column`` when at least :data:`COMMON`."""
    own = rows[(rows["column"] == column) & rows["share_group"].notna()]
    own = own[~own["band"].fillna("").astype(str).str.startswith("minder")]
    own = own[own["level"] != "Onbekend"]
    if own.empty:
        return None
    best = own.iloc[int(own["share_group"].astype(float).to_numpy().argmax())]
    return str(best["level"]) if float(best["share_group"]) >= COMMON else None


def persona_for(
    comparison: pd.DataFrame, group: str, number: int, pointers: Pointers, wijk: str = ""
) -> Persona:
    """The persona of ``group`` (its number picks the first name) from the published
    comparison frame, its aanknopingspunten and the wijk where it lives relatively often."""
    rows = comparison[comparison["groep"] == group]
    age_band = _common(rows, "age_main_earner") or "45 tot 67 jaar"
    youngest, oldest, women, men = _NAMES.get(age_band, _NAMES["45 tot 67 jaar"])
    # Spread over the band by the group's number, so that the personas differ in age too.
    age = youngest + (number * 7) % (oldest - youngest + 1)
    # Most single parents are mothers (CBS: about eight in ten); otherwise alternate.
    woman = number % 2 == 1 or _common(rows, "household_type") == "Eenouderhuishouden"
    name = (women if woman else men)[(number - 1) % len(women)]
    he, his = ("Zij", "haar") if woman else ("Hij", "zijn")

    kids = _CHILDREN.get(_common(rows, "n_children") or "", "kinderen")
    home = {
        "Alleenstaande": "woont alleen",
        "Eenouderhuishouden": f"woont met {his} {kids}",
        "Paar met kinderen": f"woont met {his} partner en hun {kids}",
        "Paar zonder kinderen": f"woont samen met {his} partner",
        "Overig meerpersoonshuishouden": "woont met anderen samen",
    }.get(_common(rows, "household_type") or "", "woont")
    first = f"{name} ({age}) {home}{_TENURE.get(_common(rows, 'tenure') or '', '')}"
    first += f" in {wijk}." if wijk else "."

    hours = _HOURS.get(_common(rows, "hours_worked") or "")
    couple = _common(rows, "household_type") in ("Paar met kinderen", "Paar zonder kinderen")
    work = f"{he} werkt in loondienst"
    if hours:
        work += f", {'samen ' if couple else ''}ongeveer {hours} uur per week"
    income = {
        "Loon uit werk": work,
        "Winst als zelfstandige": f"{he} heeft een eigen bedrijf",
        "Bijstandsuitkering": f"{he} heeft een bijstandsuitkering",
        "Andere uitkering (WW, ziekte, arbeidsongeschiktheid)": (
            f"{he} heeft een WW- of arbeidsongeschiktheidsuitkering"
        ),
        "AOW en pensioen": f"{he} leeft van de AOW en een klein pensioen",
        "Overig (studiefinanciering, vermogen, onbekend)": (
            f"{he} studeert of heeft een ander klein inkomen"
        ),
    }.get(_common(rows, "income_source") or "")
    since = _common(rows, "low_income_years")
    if income is None:
        when = {"Geen eerder jaar": "pas sinds kort ", "3 jaar of langer": "al jaren "}
        income = f"{he} heeft {when.get(since or '', '')}een laag inkomen"
    elif since == "Geen eerder jaar":
        income += ", en het geld is pas sinds kort krap"
    elif since == "3 jaar of langer":
        income += ", en het inkomen is al jaren laag"
    sentences = [first, income + "."]

    # Only what most of the group has: a pointer can fire on a minority that is clearly
    # larger than in the whole target group, which a single made-up person would overstate.
    marked = {
        (e.column, e.level) for p in pointers.pointers for e in p.evidence if e.share >= COMMON
    }
    if ("high_care_costs", "Ja") in marked:
        sentences.append(f"{his.capitalize()} zorgkosten zijn hoog.")
    if ("problematic_debts", "Ja") in marked:
        sentences.append("Er zijn schulden.")
    unused = [u for u in pointers.left_unused if u.missed is not None and u.missed.share >= COMMON]
    if unused:
        scheme = CHARACTERISTICS_BY_COLUMN[unused[0].column].phrases[YES]
        sentences.append(f"Van {scheme} maakt {he.lower()} geen gebruik.")
    return Persona(name, age, " ".join(sentences))
