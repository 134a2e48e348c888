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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.fileio import atomic_path
from bestaanszekerheid.formatting import fmt_int, fmt_pct

if TYPE_CHECKING:
    from bestaanszekerheid.profiles.compute import AreaFeature, Feature, GroupProfile
    from bestaanszekerheid.profiles.recognise import Recognition

#: Share (%) from which a household type, an age band or an income source "dominates" a
#: group and may be its subject ("Alleenstaande ouders") or qualifier ("in de bijstand").
DOMINANT = 50.0
#: A feature is *strong*, and only then may it carry a name, when the group has it at least
#: STRONG_POINTS percentage points more often than the whole target group and at least
#: STRONG_RATIO times as often (49% against 36% is neither: 13 points, 1,36 times).
STRONG_POINTS = 15.0
STRONG_RATIO = 1.5
#: Two names may share at most this part of their content words (of the shorter name).
MAX_OVERLAP = 0.5
#: At most this many extra features in a name ("... met schulden en hoge zorgkosten").
MAX_EXTRAS = 3
#: The name of a group without a strong feature.
MIXED = "Gemengde groep"

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
    "Loon uit werk": "met werk",
    "Winst als zelfstandige": "met een eigen bedrijf",
    "Andere uitkering (WW, ziekte, arbeidsongeschiktheid)": "met een WW- of AO-uitkering",
    "AOW en pensioen": "met AOW",
    "Overig (studiefinanciering, vermogen, onbekend)": "met studiefinanciering of ander inkomen",
}
#: Features that may follow "met" in a name, when strong (strongest first).
_EXTRAS: dict[tuple[str, str], str] = {
    ("problematic_debts", "Ja"): "schulden",
    ("high_care_costs", "Ja"): "hoge zorgkosten",
    ("low_income_years", "Geen eerder jaar"): "pas sinds kort een laag inkomen",
    ("low_income_years", "3 jaar of langer"): "al jaren een laag inkomen",
    ("hours_worked", "32 uur of meer"): "een voltijdbaan",
    ("hours_worked", "1-19 uur"): "weinig werkuren",
    ("hours_worked", "20-31 uur"): "een deeltijdbaan",
    ("tenure", "Koopwoning"): "een koopwoning",
    ("tenure", "Particuliere huur"): "particuliere huur",
    ("tenure", "Sociale huur (woningcorporatie)"): "sociale huur",
    ("n_children", "3 of meer kinderen"): "drie of meer kinderen",
    ("rent_allowance", "Ja"): "huurtoeslag",
    ("debt_assistance", "Gemeentelijke schuldhulpverlening of minnelijk traject"): "schuldhulp",
}
#: Share (%) a feature after "met" needs besides being strong: a name says the group has it.
EXTRA = 40.0
#: Extras a name always carries when strong (a reader expects to hear about problems).
_PROBLEMS = {("problematic_debts", "Ja"), ("high_care_costs", "Ja")}
#: Words that say nothing about a group (not counted when comparing names); "huishoudens"
#: is the subject of a name without household type or age.
_FUNCTION_WORDS = frozenset(
    [
        "de",
        "het",
        "een",
        "en",
        "in",
        "met",
        "of",
        "van",
        "tot",
        "die",
        "als",
        "op",
        "aan",
        "bij",
        "voor",
        "zonder",
        "huishoudens",
    ]
)


def is_strong(f: Feature) -> bool:
    """At least STRONG_POINTS points and STRONG_RATIO times as often as the whole group (a
    band counts at its limit, so "meer dan 99%" counts as 99%)."""
    return (
        f.share_group - f.share_all >= STRONG_POINTS and f.share_group >= STRONG_RATIO * f.share_all
    )


def content_words(name: str) -> set[str]:
    """The words of a name that say something (lower case, no punctuation or function words)."""
    words = {w.strip(".,;:()–-").casefold() for w in name.split()}
    return {w for w in words if w and w not in _FUNCTION_WORDS}


def name_overlap(a: str, b: str) -> float:
    """Share of the shorter name's content words that the other name has too (0-1)."""
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


@dataclass(frozen=True)
class NamePlan:
    """The parts of one group's name: which strong features carry it."""

    subject: Feature | None
    by_type: Feature | None
    qualifier: Feature | None
    #: Strong features that may follow "met", strongest first; the first ``n_extras`` are used.
    extras: tuple[Feature, ...]
    n_extras: int

    @property
    def mixed(self) -> bool:
        return (
            self.subject is None
            and self.by_type is None
            and self.qualifier is None
            and (not self.extras)
        )

    @property
    def features(self) -> tuple[Feature, ...]:
        """The features the name mentions (the card and the description show them)."""
        parts = (self.subject, self.by_type, self.qualifier, *self.extras[: self.n_extras])
        return tuple(f for f in parts if f is not None)

    def text(self) -> str:
        if self.mixed:
            return MIXED
        subject = _SUBJECT_BY_AGE[self.subject.level] if self.subject is not None else None
        by_type = _SUBJECT_BY_TYPE[self.by_type.level] if self.by_type is not None else None
        if subject is None:
            subject = by_type or "Huishoudens"
        elif by_type == "Alleenstaanden":
            subject = f"Alleenstaande {subject.lower()}"
        name = subject
        qualifier = _QUALIFIER_BY_SOURCE[self.qualifier.level] if self.qualifier is not None else ""
        if qualifier:
            name += f" {qualifier}"
        extras = [_EXTRAS[(f.column, f.level)] for f in self.extras[: self.n_extras]]
        if extras:
            joined = _enumerate(extras)
            name += f" en {joined}" if qualifier.startswith("met ") else f" met {joined}"
        return name


def _dominant(feats: Sequence[Feature], column: str, options: Mapping[str, str]) -> Feature | None:
    hits = [
        f
        for f in feats
        if f.column == column and f.level in options and f.share_group >= DOMINANT and is_strong(f)
    ]
    return max(hits, key=lambda f: f.share_group, default=None)


def plan_name(feats: Sequence[Feature]) -> NamePlan:
    """The name parts of one group from all its features (only strong ones are used)."""
    extras = sorted(
        (
            f
            for f in feats
            if (f.column, f.level) in _EXTRAS and is_strong(f) and f.share_group >= EXTRA
        ),
        key=lambda f: -f.effect,
    )
    subject = _dominant(feats, "age_main_earner", _SUBJECT_BY_AGE)
    by_type = _dominant(feats, "household_type", _SUBJECT_BY_TYPE)
    qualifier = _dominant(feats, "income_source", _QUALIFIER_BY_SOURCE)
    problems = sum(1 for f in extras if (f.column, f.level) in _PROBLEMS)
    # Problems first (a reader expects to hear about them), then by strength.
    extras.sort(key=lambda f: ((f.column, f.level) not in _PROBLEMS, -f.effect))
    n_extras = problems
    if subject is None and by_type is None:
        # "Huishoudens ..." says nothing: one more feature says who they are.
        n_extras = max(n_extras, min(1 if qualifier is not None else 2, len(extras)))
    return NamePlan(subject, by_type, qualifier, tuple(extras), min(n_extras, MAX_EXTRAS))


def plan_names(features: Sequence[Sequence[Feature]]) -> list[NamePlan]:
    """Name plans for all groups at once, so that no two names are nearly alike: while two
    names share more than :data:`MAX_OVERLAP` of their content words, each gets its next
    strong feature that the other name does not already say, in place of an extra both names
    say (problems excepted)."""
    plans = [plan_name(f) for f in features]
    for _ in range(MAX_EXTRAS + 1):
        clashes = [
            (i, j)
            for i in range(len(plans))
            for j in range(i + 1, len(plans))
            if name_overlap(plans[i].text(), plans[j].text()) > MAX_OVERLAP
        ]
        if not clashes:
            break
        changed = False
        for i, j in clashes:
            for me, other in ((i, j), (j, i)):
                plan = plans[me]
                if plan.n_extras >= MAX_EXTRAS:
                    continue
                said = content_words(plans[other].text())
                unused = list(plan.extras[plan.n_extras :])
                pick = next(
                    (f for f in unused if not content_words(_EXTRAS[(f.column, f.level)]) <= said),
                    None,
                )
                if pick is None:
                    continue
                # An extra the other name says too does not distinguish: the new one
                # replaces it (problems stay: a reader expects to hear about them).
                used = [
                    f
                    for f in plan.extras[: plan.n_extras]
                    if (f.column, f.level) in _PROBLEMS
                    or not content_words(_EXTRAS[(f.column, f.level)]) <= said
                ]
                dropped = [f for f in plan.extras[: plan.n_extras] if f not in used]
                rest = [f for f in unused if f is not pick]
                plans[me] = dataclasses.replace(
                    plan, extras=(*used, pick, *dropped, *rest), n_extras=len(used) + 1
                )
                changed = True
        if not changed:
            break
    return plans


def generate_name(feats: Sequence[Feature]) -> str:
    """A short name from the strong features of one group (see :func:`plan_names` for all)."""
    return plan_name(feats).text()


def key_features(
    more: Sequence[Feature], n: int = 3, first: Sequence[Feature] = ()
) -> list[Feature]:
    """The features the name mentions (``first``), then the top ``n`` others: a name that
    says "hoge zorgkosten" is backed by how often they occur, on the card and in the text."""
    named = [f for f in first if f in more] + [f for f in first if f not in more]
    return [*named, *(f for f in more[:n] if f not in named)]


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
    named: Sequence[Feature] = (),
    mixed: bool = False,
) -> str:
    """Three to six Dutch sentences from the profile (deterministic). ``named``: the features
    the name mentions (always shown with their shares); ``mixed``: the group has no strong
    feature and is described as a mixed group."""
    sentences = []
    if math.isnan(size):
        sentences.append("Deze groep is klein: het aantal huishoudens wordt niet gepubliceerd.")
    else:
        sentences.append(
            f"Deze groep telt ongeveer {fmt_int(size)} huishoudens: {fmt_pct(share, 1)} van de "
            "doelgroep."
        )
    if mixed:
        sentences.append(
            "Het is een gemengde groep: op geen enkel kenmerk wijkt ze sterk af van de hele "
            f"doelgroep (sterk: minstens {fmt_int(STRONG_POINTS)} procentpunten vaker én "
            "anderhalf keer zo vaak)."
        )
    shown = key_features(more, 3, named)
    if shown:
        sentences.append(
            (
                "Iets vaker dan gemiddeld gaat het om "
                if mixed
                else "Vaker dan gemiddeld in de doelgroep gaat het om "
            )
            + _enumerate([_pair(f) for f in shown])
            + "."
        )
    elif not mixed:
        sentences.append("De groep wijkt op geen enkel kenmerk duidelijk af van de doelgroep.")
    if less:
        sentences.append("Minder vaak: " + _enumerate([_pair(f) for f in less[:2]]) + ".")
    if wijken:
        names = _enumerate([w.wijk_name for w in wijken])
        sentences.append(f"Relatief veel van deze huishoudens wonen in {names}.")
    else:
        sentences.append("De groep woont vrij gelijkmatig verspreid over de wijken.")
    if len(sentences) < 6:
        sentences.append(recognition_sentence(recognition))
    return " ".join(sentences)


def recognition_sentence(recognition: Recognition) -> str:
    """How recognisable the group is, as two numbers: found by the rules, and right."""
    if math.isnan(recognition.recall.value) or not recognition.rules:
        return (
            "De groep is niet aan twee of drie kenmerken te herkennen: ze verschilt op "
            "meerdere kenmerken tegelijk van de rest."
        )
    regel = "de regel" if len(recognition.rules) == 1 else "de regels"
    text = (
        f"Aan een paar kenmerken is de groep {recognition.verdict} te herkennen: van de groep "
        f"vindt {regel} {recognition.recall.text()}"
    )
    if not math.isnan(recognition.precision.value):
        text += f"; van wie {regel} vindt, hoort {recognition.precision.text()} bij de groep"
    return text + "."


def describe_group(
    *,
    key: str,
    size: float,
    share: float,
    more: Sequence[Feature],
    less: Sequence[Feature],
    wijken: Sequence[AreaFeature],
    recognition: Recognition,
    plan: NamePlan,
) -> tuple[str, str]:
    """(name, description) of one group, from its name plan (:func:`plan_names`)."""
    del key  # names depend on the content only, so they survive a change of group order
    return plan.text(), generate_description(
        size=size,
        share=share,
        more=more,
        less=less,
        wijken=wijken,
        recognition=recognition,
        named=plan.features,
        mixed=plan.mixed,
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
