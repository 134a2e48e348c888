"""Partner organisations and the wijken they work in: places beyond the door.

The outreach plan reaches households at home; a municipality also meets them through
partners (a voedselbank, a buurthuis, schuldhulp, the consultatiebureau). The web app keeps
that list (functioneel beheer, page "Partners") and exports it as a partner file; a
municipality without the web app writes the same file by hand. This module reads and writes it
and says which partners work in a wijk. Organisations, not people: nothing here is personal
data or needs disclosure control.

The file (``docs/gebieden.md``, "Partners"): a CSV with a header row and the columns
``naam`` (required), ``soort``, ``omschrijving`` and ``wijken`` (CBS wijk codes separated by
spaces, commas or semicolons; empty: the whole municipality). Comma or semicolon separated,
UTF-8 or Windows-1252, as Excel writes it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bestaanszekerheid.areas.catalog import AreaCatalog
from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.fileio import atomic_path
from bestaanszekerheid.households.readers import sniff_csv

COLUMNS = ("naam", "soort", "omschrijving", "wijken")
_SPLIT = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class Partner:
    """One partner organisation; ``wijken`` empty: it works in the whole municipality."""

    name: str
    kind: str = ""
    description: str = ""
    wijken: tuple[str, ...] = ()


def parse_wijken(text: str) -> tuple[str, ...]:
    """The wijk codes in a ``wijken`` field, upper case, in order, each once."""
    codes = [c.upper() for c in _SPLIT.split(text.strip()) if c]
    return tuple(dict.fromkeys(codes))


def unknown_wijken(codes: Iterable[str], catalog: AreaCatalog) -> list[str]:
    """The codes the catalogue does not know as a wijk (the web app's form uses this too)."""
    known = set(catalog.names("wijk"))
    return [c for c in codes if c not in known]


def read_partners(path: Path, catalog: AreaCatalog) -> tuple[Partner, ...]:
    """The partners in a partner file, checked against the area catalogue.

    Raises a Dutch :class:`UserFacingError` naming the file, row and value for a missing
    ``naam`` column, an empty name, a name given twice or a wijk code the catalogue lacks."""
    if not path.is_file():
        raise UserFacingError(f"Partnerbestand '{path}' bestaat niet.")
    encoding, separator, _ = sniff_csv(path)
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.DictReader(handle, delimiter=separator)
        header = {(h or "").strip().lower(): h for h in reader.fieldnames or []}
        if "naam" not in header:
            raise UserFacingError(
                f"Partnerbestand '{path}': de kolom 'naam' ontbreekt (kolommen: "
                f"{', '.join(repr(h) for h in header) or 'geen'}). Verwacht: "
                f"{', '.join(COLUMNS)}."
            )
        partners: list[Partner] = []
        seen: dict[str, int] = {}
        for row_no, row in enumerate(reader, start=2):

            def field(name: str, row: dict[str, str | None] = row) -> str:
                key = header.get(name)
                return (row.get(key) or "").strip() if key else ""

            name = field("naam")
            if not name:
                if not any((v or "").strip() for v in row.values()):
                    continue  # an empty line, as spreadsheets leave them
                raise UserFacingError(f"Partnerbestand '{path}', rij {row_no}: naam is leeg.")
            if name.lower() in seen:
                raise UserFacingError(
                    f"Partnerbestand '{path}', rij {row_no}: '{name}' staat er al (rij "
                    f"{seen[name.lower()]})."
                )
            seen[name.lower()] = row_no
            wijken = parse_wijken(field("wijken"))
            unknown = unknown_wijken(wijken, catalog)
            if unknown:
                raise UserFacingError(
                    f"Partnerbestand '{path}', rij {row_no} ('{name}'): wijkcode(s) "
                    f"{', '.join(unknown)} komen niet voor in het gebiedsbestand "
                    f"({catalog.municipality_name}, indeling {catalog.year})."
                )
            partners.append(Partner(name, field("soort"), field("omschrijving"), wijken))
    return tuple(partners)


def partners_csv(partners: Sequence[Partner]) -> str:
    """The partner file's text (semicolon separated, as Dutch Excel opens it)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for p in partners:
        writer.writerow([p.name, p.kind, p.description, " ".join(p.wijken)])
    return out.getvalue()


def write_partners(partners: Sequence[Partner], path: Path) -> Path:
    """Write a partner file (whole or not at all)."""
    with atomic_path(path) as tmp:
        tmp.write_text(partners_csv(partners), encoding="utf-8-sig")
    return path


def local_to(partners: Sequence[Partner], wijk_code: str) -> list[Partner]:
    """The partners whose werkgebied names the wijk (not the city-wide ones)."""
    return [p for p in partners if wijk_code in p.wijken]


def city_wide(partners: Sequence[Partner]) -> list[Partner]:
    """The partners for the whole municipality (no wijken given)."""
    return [p for p in partners if not p.wijken]


#: The demo's partners: invented organisations of common kinds, labelled "(demo)".
_DEMO = (
    ("Voedselbank", "voedselhulp", "Uitdeelpunt voedselpakketten", 4),
    ("Schuldhulp", "schuldhulpverlening", "Gratis en vertrouwelijk advies bij geldzorgen", 0),
    ("Buurtsport", "sport en bewegen", "Sporten in de buurt, ook met kortingspas", 6),
    ("Taalhuis", "taal en digitale vaardigheden", "Hulp bij lezen, schrijven en formulieren", 3),
    ("Consultatiebureau", "jeugdgezondheidszorg", "Ouders met kinderen van 0 tot 4 jaar", 5),
    ("Formulierenbrigade", "formulierenhulp", "Hulp bij toeslagen en regelingen", 8),
)


def demo_partners(catalog: AreaCatalog) -> tuple[Partner, ...]:
    """Invented partners for the synthetic demo (the web app's demo and ``bsz demo``): each
    kind in every n-th wijk of the catalogue, n=0 for a city-wide one; names end in "(demo)"."""
    codes = [a.code for a in catalog.wijken]
    return tuple(
        Partner(
            f"{name} (demo)",
            kind,
            description,
            tuple(codes[i % step :: step]) if step else (),
        )
        for i, (name, kind, description, step) in enumerate(_DEMO)
    )
