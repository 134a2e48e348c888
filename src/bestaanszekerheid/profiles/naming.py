"""Short Dutch names and descriptions for groups, from templates (no language model).

The same profile always gives the same text. An analyst who knows better overrides a name or
a description in a small YAML file (``groepsnamen.yaml``)::

    groepen:
      Groep 3:
        naam: Alleenstaande moeders in de bijstand
        beschrijving: >
          Eigen tekst voor het rapport en de persona-kaart.

A group is found by its key (``Groep 3``, or just ``3``) or by its generated name.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml

from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.fileio import atomic_path
from bestaanszekerheid.formatting import fmt_int, fmt_pct

if TYPE_CHECKING:
    from bestaanszekerheid.profiles.compute import AreaFeature, Feature, GroupProfile
    from bestaanszekerheid.profiles.recognise import Recognition

#: Share (%) from which a level "dominates" a group and may carry its name.
DOMINANT = 50.0
#: Share (%) from which debts or care costs are added to a name.
EXTRA = 40.0

_SUBJECT_BY_TYPE = {
    "Alleenstaande": "Alleenstaanden",
    "Eenouderhuishouden": "Alleenstaande ouders",
    "Paar zonder kinderen": "Stellen zonder kinderen",
    "Paar met kinderen": "Gezinnen",
    "Overig meerpersoonshuishouden": "Meerpersoonshuishoudens",
}
_SUBJECT_BY_AGE = {"67 jaar of ouder": "Ouderen", "18 tot 27 jaar": "Jongeren"}
_QUALIFIER_BY_SOURCE = {
    "Bijstandsuitkering": "in de bijstand",
    "Loon uit werk": "met werk en een laag inkomen",
    "Winst als zelfstandige": "met een eigen bedrijf",
    "Andere uitkering (WW, ziekte, arbeidsongeschiktheid)": "met een WW- of AO-uitkering",
    "AOW en pensioen": "met AOW",
    "Overig (studiefinanciering, vermogen, onbekend)": "met studiefinanciering of ander inkomen",
}


def _share(shares: pd.DataFrame, column: str, level: str) -> float:
    hit = shares[(shares["column"] == column) & (shares["level"] == level)]
    if hit.empty:
        return math.nan
    return float(hit["share_group"].iloc[0])


def _effect(shares: pd.DataFrame, column: str, level: str) -> float:
    hit = shares[(shares["column"] == column) & (shares["level"] == level)]
    if hit.empty:
        return math.nan
    return float(hit["effect"].iloc[0])


def _dominant(shares: pd.DataFrame, column: str, options: Mapping[str, str]) -> str | None:
    best, best_share = None, DOMINANT
    for level, text in options.items():
        s = _share(shares, column, level)
        if not math.isnan(s) and s >= best_share:
            best, best_share = text, s
    return best


def generate_name(shares: pd.DataFrame) -> str:
    """A short name from the dominant household type or age, income source and problems."""
    subject = _dominant(shares, "age_main_earner", _SUBJECT_BY_AGE)
    by_type = _dominant(shares, "household_type", _SUBJECT_BY_TYPE)
    if subject is None:
        subject = by_type or "Huishoudens"
    elif by_type == "Alleenstaanden":
        subject = f"Alleenstaande {subject.lower()}"
    qualifier = _dominant(shares, "income_source", _QUALIFIER_BY_SOURCE)
    if qualifier is None:
        qualifier = "met verschillende inkomensbronnen"
    extras = []
    for column, text in (("problematic_debts", "schulden"), ("high_care_costs", "hoge zorgkosten")):
        s, h = _share(shares, column, "Ja"), _effect(shares, column, "Ja")
        if not math.isnan(s) and s >= EXTRA and h >= 0.2:
            extras.append(text)
    name = f"{subject} {qualifier}"
    if extras:
        joined = " en ".join(extras)
        name += f" en {joined}" if qualifier.startswith("met ") else f" met {joined}"
    return name


_NAMED_PROBLEMS = ("problematic_debts", "high_care_costs")


def key_features(more: Sequence[Feature], n: int = 3) -> list[Feature]:
    """The top ``n`` features, plus debts or care costs when they are distinguishing too
    (names mention them, so descriptions and cards should say how often they occur)."""
    extra = [f for f in more[n:] if f.column in _NAMED_PROBLEMS and f.level == "Ja"]
    return [*more[:n], *extra]


def _pair(f: Feature) -> str:
    return f"{f.phrase} ({f.share_text()} tegen {fmt_pct(f.share_all, 1)})"


def _enumerate(items: Sequence[str]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " en " + items[-1]


def generate_description(
    *,
    size: float,
    share: float,
    more: Sequence[Feature],
    less: Sequence[Feature],
    wijken: Sequence[AreaFeature],
    recognition: Recognition,
) -> str:
    """Three to five Dutch sentences from the profile (deterministic)."""
    sentences = []
    if math.isnan(size):
        sentences.append("Deze groep is klein: het aantal huishoudens wordt niet gepubliceerd.")
    else:
        sentences.append(
            f"Deze groep telt ongeveer {fmt_int(size)} huishoudens: {fmt_pct(share, 1)} van de "
            "doelgroep."
        )
    if more:
        shown = [
            *more[:3],
            *(f for f in more[3:] if f.column in _NAMED_PROBLEMS and f.level == "Ja"),
        ]
        sentences.append(
            "Vaker dan gemiddeld in de doelgroep gaat het om "
            + _enumerate([_pair(f) for f in shown])
            + "."
        )
    else:
        sentences.append("De groep wijkt op geen enkel kenmerk duidelijk af van de doelgroep.")
    if less:
        sentences.append("Minder vaak: " + _enumerate([_pair(f) for f in less[:2]]) + ".")
    if wijken:
        names = _enumerate([w.wijk_name for w in wijken])
        sentences.append(f"Relatief veel van deze huishoudens wonen in {names}.")
    else:
        sentences.append("De groep woont vrij gelijkmatig verspreid over de wijken.")
    if len(sentences) < 5:
        if math.isnan(recognition.recall.value) or not recognition.rules:
            sentences.append(
                "De groep is niet aan twee of drie kenmerken te herkennen: ze verschilt op "
                "meerdere kenmerken tegelijk van de rest."
            )
        else:
            sentences.append(
                f"Aan een paar kenmerken is de groep {recognition.verdict} te herkennen: een "
                f"eenvoudige beslisboom deelt {recognition.recall.text()} van deze "
                "huishoudens bij de juiste groep in."
            )
    return " ".join(sentences)


def describe_group(
    *,
    key: str,
    size: float,
    share: float,
    shares: pd.DataFrame,
    more: Sequence[Feature],
    less: Sequence[Feature],
    wijken: Sequence[AreaFeature],
    recognition: Recognition,
) -> tuple[str, str]:
    """(name, description) of one group."""
    del key  # names depend on the content only, so they survive a change of group order
    return generate_name(shares), generate_description(
        size=size, share=share, more=more, less=less, wijken=wijken, recognition=recognition
    )


def make_unique(groups: Sequence[GroupProfile]) -> list[GroupProfile]:
    """Groups that would share a name get their most distinguishing other feature added
    ("... – vaak een koopwoning"), and the group key if that is not enough."""
    from collections import Counter

    counts = Counter(g.name for g in groups)
    out = []
    for g in groups:
        name = g.name
        if counts[name] > 1:
            extra = next((f for f in g.more_often if f.phrase.lower() not in name.lower()), None)
            if extra is not None:
                name = f"{name} – vaak {extra.phrase}"
        out.append(name)
    again = Counter(out)
    named = [
        dataclasses.replace(
            g,
            name=n if again[n] == 1 else f"{n} ({g.key})",
            generated_name=n if again[n] == 1 else f"{n} ({g.key})",
        )
        for g, n in zip(groups, out, strict=True)
    ]
    return named


def load_overrides(source: str | Path | Mapping[str, Any] | None) -> dict[str, dict[str, str]]:
    """Read ``groepsnamen.yaml`` (or a dict in the same shape): key -> {naam, beschrijving}."""
    if source is None:
        return {}
    if isinstance(source, Mapping):
        doc: Any = dict(source)
        where = "de opgegeven namen"
    else:
        path = Path(source)
        where = str(path)
        if not path.exists():
            raise UserFacingError(f"Het namenbestand {path} bestaat niet.")
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise UserFacingError(f"{path} is geen geldig YAML-bestand: {exc}") from None
    if not isinstance(doc, Mapping) or not isinstance(doc.get("groepen", {}), Mapping):
        raise UserFacingError(
            f"{where}: verwacht een sectie 'groepen:' met per groep 'naam' en/of 'beschrijving'."
        )
    out: dict[str, dict[str, str]] = {}
    for key, entry in (doc.get("groepen") or {}).items():
        if entry is None:
            continue
        if not isinstance(entry, Mapping):
            raise UserFacingError(
                f"{where}: groep '{key}' moet 'naam' en/of 'beschrijving' hebben."
            )
        unknown = sorted(set(entry) - {"naam", "beschrijving"})
        if unknown:
            raise UserFacingError(
                f"{where}: onbekende velden bij groep '{key}': {', '.join(map(str, unknown))} "
                "(toegestaan: naam, beschrijving)."
            )
        out[str(key).strip()] = {k: " ".join(str(v).split()) for k, v in entry.items() if v}
    return out


def apply_overrides(
    groups: Sequence[GroupProfile], source: str | Path | Mapping[str, Any] | None
) -> list[GroupProfile]:
    """Replace generated names/descriptions by the analyst's own; unknown groups are an error."""
    overrides = load_overrides(source)
    lookup: dict[str, GroupProfile] = {}
    for g in groups:
        for alias in (g.key, str(g.number), f"klasse {g.number}", g.generated_name):
            lookup.setdefault(alias.casefold(), g)
    unknown = [k for k in overrides if k.casefold() not in lookup]
    if unknown:
        valid = ", ".join(g.key for g in groups)
        raise UserFacingError(
            f"Onbekende groep(en) in het namenbestand: {', '.join(unknown)}. Gebruik {valid}."
        )
    chosen = {lookup[k.casefold()].key: v for k, v in overrides.items()}
    out = []
    for g in groups:
        entry = chosen.get(g.key)
        if not entry:
            out.append(g)
            continue
        out.append(
            dataclasses.replace(
                g,
                name=entry.get("naam", g.name),
                description=entry.get("beschrijving", g.description),
                overridden=True,
            )
        )
    return out


def write_overrides_template(groups: Sequence[GroupProfile], path: Path) -> Path:
    """Write the current names and descriptions as a ``groepsnamen.yaml`` to edit."""
    doc = {
        "groepen": {g.key: {"naam": g.name, "beschrijving": g.description} for g in groups},
    }
    header = (
        "# Namen en beschrijvingen van de groepen. Pas ze aan en draai opnieuw met\n"
        "# bsz analyse ... --namen groepsnamen.yaml. Laat een veld weg om de gegenereerde\n"
        "# tekst te houden.\n"
    )
    with atomic_path(path) as tmp:
        tmp.write_text(
            header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=90),
            encoding="utf-8",
        )
    return path
