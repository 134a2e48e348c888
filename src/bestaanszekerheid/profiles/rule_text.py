"""The decision tree's conditions as a person says them: "geen AOW en geen bijstand, wel
loon uit werk" instead of "niet 'AOW' én niet 'Bijstand' én 'Loon uit werk'".

A condition is (column, level, holds): the household has that level (``holds``) or not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bestaanszekerheid.profiles.features import (
    CHARACTERISTICS_BY_COLUMN,
    MISSED,
    NO,
    USED,
    YES,
)

#: (column, level) -> (what a person says when it holds, when it does not).
SPOKEN: dict[tuple[str, str], tuple[str, str]] = {
    ("household_type", "Alleenstaande"): ("alleenstaand", "niet alleenstaand"),
    ("household_type", "Eenouderhuishouden"): ("alleenstaande ouder", "geen alleenstaande ouder"),
    ("household_type", "Paar zonder kinderen"): (
        "stel zonder kinderen",
        "geen stel zonder kinderen",
    ),
    ("household_type", "Paar met kinderen"): (
        "gezin met twee ouders",
        "geen gezin met twee ouders",
    ),
    ("household_type", "Overig meerpersoonshuishouden"): (
        "ander meerpersoonshuishouden",
        "geen ander meerpersoonshuishouden",
    ),
    ("age_main_earner", "18-26 jaar"): ("jonger dan 27", "27 jaar of ouder"),
    ("age_main_earner", "27-44 jaar"): ("27 tot 45 jaar", "niet tussen 27 en 45 jaar"),
    ("age_main_earner", "45-66 jaar"): ("45 tot 67 jaar", "niet tussen 45 en 67 jaar"),
    ("age_main_earner", "67 jaar of ouder"): ("67 jaar of ouder", "jonger dan 67"),
    ("n_children", "Geen kinderen"): ("geen kinderen", "wel kinderen"),
    ("n_children", "1 kind"): ("één kind", "niet precies één kind"),
    ("n_children", "2 kinderen"): ("twee kinderen", "niet precies twee kinderen"),
    ("n_children", "3 of meer kinderen"): ("drie of meer kinderen", "minder dan drie kinderen"),
    ("income_source", "Loon uit werk"): ("loon uit werk", "geen loon uit werk"),
    ("income_source", "Winst als zelfstandige"): (
        "inkomen als zelfstandige",
        "geen inkomen als zelfstandige",
    ),
    ("income_source", "Bijstandsuitkering"): ("bijstand", "geen bijstand"),
    ("income_source", "Andere uitkering (WW, ziekte, arbeidsongeschiktheid)"): (
        "een WW- of arbeidsongeschiktheidsuitkering",
        "geen WW- of arbeidsongeschiktheidsuitkering",
    ),
    ("income_source", "AOW en pensioen"): ("AOW", "geen AOW"),
    ("income_source", "Overig (studiefinanciering, vermogen, onbekend)"): (
        "studiefinanciering of ander inkomen",
        "geen studiefinanciering of ander inkomen",
    ),
    ("hours_worked", "Geen betaald werk"): ("geen betaald werk", "wel betaald werk"),
    ("hours_worked", "1-19 uur"): ("minder dan 20 uur werk per week", "niet 1 tot 20 uur werk"),
    ("hours_worked", "20-31 uur"): ("20 tot 32 uur werk per week", "niet 20 tot 32 uur werk"),
    ("hours_worked", "32 uur of meer"): ("32 uur of meer werk per week", "minder dan 32 uur werk"),
    ("low_income_years", "Geen eerder jaar"): (
        "pas sinds kort een laag inkomen",
        "al langer een laag inkomen",
    ),
    ("low_income_years", "1-2 jaar"): (
        "één tot twee jaar een laag inkomen",
        "niet één tot twee jaar een laag inkomen",
    ),
    ("low_income_years", "3 jaar of langer"): (
        "al drie jaar of langer een laag inkomen",
        "korter dan drie jaar een laag inkomen",
    ),
    ("tenure", "Sociale huur (woningcorporatie)"): ("sociale huur", "geen sociale huur"),
    ("tenure", "Particuliere huur"): ("particuliere huur", "geen particuliere huur"),
    ("tenure", "Koopwoning"): ("een koopwoning", "geen koopwoning"),
}


def spoken(column: str, level: str, holds: bool, labels: Mapping[str, str] | None = None) -> str:
    """One condition in words."""
    if (column, level) in SPOKEN:
        yes, no = SPOKEN[(column, level)]
        return yes if holds else no
    char = CHARACTERISTICS_BY_COLUMN.get(column)
    label = (labels or {}).get(column) or (char.label if char else column)
    phrase = char.phrases.get(level) if char else None
    if level in (YES, NO) and char is not None:
        # Yes/no characteristics: "problematische schulden" / "geen problematische schulden".
        what = char.phrases.get(YES, label.lower())
        has = (level == YES) == holds
        return what if has else f"geen {what}"
    if level in (USED, MISSED) and phrase:
        return phrase if holds else f"niet: {phrase}"
    if phrase:
        if not holds and phrase.startswith("een "):
            return "geen " + phrase[4:]
        return phrase if holds else f"niet {phrase}"
    return f"{label.lower()} {level}" if holds else f"{label.lower()} niet {level}"


def spoken_conditions(
    conditions: Sequence[tuple[str, str, bool]], labels: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """The path's conditions in words: negative ones first, then the positive ones with
    "wel" ("geen AOW", "geen bijstand", "wel loon uit werk"), as the tree asked them; repeats
    are left out."""
    negatives = [spoken(c, lvl, False, labels) for c, lvl, holds in conditions if not holds]
    positives = [spoken(c, lvl, True, labels) for c, lvl, holds in conditions if holds]
    if negatives and positives:
        positives = [p if p.startswith(("geen ", "wel ")) else f"wel {p}" for p in positives]
    return tuple(dict.fromkeys([*negatives, *positives]))


def rule_text(conditions: Sequence[str]) -> str:
    """The conditions of a rule as one phrase: "geen AOW en geen bijstand, wel loon uit werk"."""
    items = list(conditions)
    if not items:
        return "alle huishoudens"
    negatives = [c for c in items if not c.startswith("wel ")]
    positives = [c for c in items if c.startswith("wel ")]

    def join(parts: list[str]) -> str:
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1]

    if negatives and positives:
        return f"{join(negatives)}, {join(positives)}"
    return join(items)
