"""Readable names for the codes of an experiment: arms, outcomes, characteristics, values and
latent groups.

A participant file names things by code (``coaching_bijverdienen``, ``uitstroom_werk``); a
report shows labels. An analyst gives them in a small YAML file, in the shape of
``groepsnamen.yaml`` (docs/effectmeting.md, "Namen voor de codes")::

    armen:
      controle: Controle
      coaching_bijverdienen: Coaching en bijverdienen
    uitkomsten:
      uitstroom_werk: Uitstroom naar werk
    kenmerken:
      duur_uitkering_jaren: Duur van de uitkering (jaren)
    waarden:
      geslacht:
        v: Vrouw
    groepen:
      ver_van_werk: Ver van werk

Every section is optional. A code without a label is made readable by :func:`readable`
(underscores become spaces, the first letter a capital: ``extra_begeleiding`` reads "Extra
begeleiding"). Labels are written as at the start of a table cell; in the middle of a sentence
the report lowercases the first letter (:func:`in_sentence`) unless the label starts with an
abbreviation ("WW-uitkering" stays).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.fileio import atomic_path

#: The sections of a labels file: Dutch key -> attribute of :class:`Labels`.
SECTIONS = {
    "armen": "arms",
    "uitkomsten": "outcomes",
    "kenmerken": "variables",
    "waarden": "values",
    "groepen": "classes",
}


def readable(code: object) -> str:
    """A code as text: underscores (and runs of spaces) become one space, first letter capital."""
    text = " ".join(re.sub(r"_+", " ", str(code)).split())
    return text[:1].upper() + text[1:] if text else str(code)


def in_sentence(label: str) -> str:
    """A label inside a sentence: the first letter lowercased, unless the label starts with an
    abbreviation or a digit ("WW-uitkering", "50+")."""
    if len(label) >= 2 and label[0].isupper() and not label[1].isupper():
        return label[0].lower() + label[1:]
    return label


@dataclass(frozen=True)
class Labels:
    """Labels per kind of code; every lookup falls back to :func:`readable`."""

    arms: Mapping[str, str] = field(default_factory=dict)
    outcomes: Mapping[str, str] = field(default_factory=dict)
    variables: Mapping[str, str] = field(default_factory=dict)
    #: Per column (a characteristic or a stratum): value -> label.
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    classes: Mapping[str, str] = field(default_factory=dict)

    def arm(self, code: object) -> str:
        """The label of an arm."""
        return self.arms.get(str(code)) or readable(code)

    def outcome(self, code: object) -> str:
        """The label of an outcome."""
        return self.outcomes.get(str(code)) or readable(code)

    def variable(self, code: object) -> str:
        """The label of a baseline characteristic, stratum or subgroup column."""
        return self.variables.get(str(code)) or readable(code)

    def value(self, column: object, value: object) -> str:
        """The label of one value (category) of ``column``."""
        return self.values.get(str(column), {}).get(str(value)) or readable(value)

    def latent(self, code: object) -> str:
        """The label of a latent group (a column of the posterior probabilities)."""
        return self.classes.get(str(code)) or readable(code)

    def check(
        self,
        *,
        arms: Iterable[object] = (),
        outcomes: Iterable[object] = (),
        variables: Iterable[object] = (),
        classes: Iterable[object] = (),
        values: Mapping[str, Iterable[object]] | None = None,
        source: str = "het labelbestand",
    ) -> None:
        """Dutch errors for a label given twice in one kind (two arms shown as one would merge
        them in every table) and for an arm in the file that the experiment does not have (a
        typo would otherwise leave an arm unlabelled without a word). Other codes the
        experiment lacks are allowed: one labels file may serve several analyses."""
        codes = [str(a) for a in arms]
        given: list[tuple[str, list[str], Any]] = [
            ("armen", codes, self.arm),
            ("uitkomsten", [str(o) for o in outcomes], self.outcome),
            ("kenmerken", [str(v) for v in variables], self.variable),
            ("groepen", [str(c) for c in classes], self.latent),
        ]
        unknown = sorted(set(self.arms) - set(codes)) if codes else []
        if unknown:
            raise UserFacingError(
                f"{source}: onder 'armen' staan codes die niet in de gegevens voorkomen: "
                f"{', '.join(unknown)} (wel: {', '.join(codes)})."
            )
        for column, levels in (values or {}).items():
            given.append(
                (
                    f"waarden van {column}",
                    [str(v) for v in levels],
                    lambda v, c=column: self.value(c, v),
                )
            )
        for kind, kind_codes, label in given:
            seen: dict[str, str] = {}
            for code in kind_codes:
                text = label(code)
                other = seen.get(text.casefold())
                if other is not None and other != code:
                    raise UserFacingError(
                        f"{source}: '{other}' en '{code}' ({kind}) krijgen allebei het label "
                        f"'{text}'; geef elk een eigen label."
                    )
                seen[text.casefold()] = code

    def to_yaml(self) -> str:
        """The labels as a labels file (sections in the documented order, empty ones left out)."""
        doc: dict[str, Any] = {}
        for key, attr in SECTIONS.items():
            mapping = getattr(self, attr)
            if mapping:
                doc[key] = (
                    {str(c): dict(v) for c, v in mapping.items()}
                    if attr == "values"
                    else dict(mapping)
                )
        return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=90)


def _text_mapping(entry: object, where: str) -> dict[str, str]:
    if entry is None:
        return {}
    if not isinstance(entry, Mapping):
        raise UserFacingError(f"{where}: verwacht per regel 'code: label'.")
    out: dict[str, str] = {}
    for code, label in entry.items():
        text = " ".join(str(label).split()) if label is not None else ""
        if not text:
            raise UserFacingError(f"{where}: het label van '{code}' is leeg.")
        out[str(code).strip()] = text
    return out


def labels_from_mapping(doc: Mapping[str, Any], where: str = "de labels") -> Labels:
    """:class:`Labels` from a mapping in the shape of the labels file."""
    unknown = sorted(str(k) for k in set(doc) - set(SECTIONS))
    if unknown:
        raise UserFacingError(
            f"{where}: onbekende sectie(s) {', '.join(unknown)} (toegestaan: "
            f"{', '.join(SECTIONS)})."
        )
    parts: dict[str, Any] = {}
    for key, attr in SECTIONS.items():
        entry = doc.get(key)
        if attr != "values":
            parts[attr] = _text_mapping(entry, f"{where}, '{key}'")
            continue
        if entry is not None and not isinstance(entry, Mapping):
            raise UserFacingError(f"{where}, 'waarden': verwacht per kolom 'waarde: label'.")
        parts[attr] = {
            str(column).strip(): _text_mapping(levels, f"{where}, 'waarden' van {column}")
            for column, levels in (entry or {}).items()
        }
    return Labels(**parts)


def read_labels(path: str | Path) -> Labels:
    """Read a labels file (YAML, see the module docstring); Dutch errors name the file."""
    path = Path(path)
    if not path.is_file():
        raise UserFacingError(f"Het labelbestand {path} bestaat niet.")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise UserFacingError(f"{path} is geen geldig YAML-bestand: {exc}") from None
    if not isinstance(doc, Mapping):
        raise UserFacingError(
            f"{path}: verwacht secties zoals 'armen:' en 'uitkomsten:' met per regel 'code: label'."
        )
    return labels_from_mapping(doc, str(path))


LABELS_HEADER = (
    "# Namen voor de codes van het experiment, zoals het rapport ze toont. Pas ze aan en\n"
    "# draai opnieuw met bsz effect ... --labels <dit bestand>. Een code zonder label wordt\n"
    "# leesbaar gemaakt (liggende streepjes worden spaties, eerste letter een hoofdletter).\n"
)


def write_labels(labels: Labels, path: Path) -> Path:
    """Write ``labels`` as a labels file (atomically), with a short Dutch header."""
    with atomic_path(path) as tmp:
        tmp.write_text(LABELS_HEADER + labels.to_yaml(), encoding="utf-8")
    return path
