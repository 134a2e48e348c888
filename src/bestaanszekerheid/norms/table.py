"""The Participatiewet net norms as a versioned data file, and look-ups on a date.

The data file ``data/participatiewet_norms.csv`` has one row per effective date (1 January and
1 July) and category, amounts including and excluding holiday pay, a status (``verified`` or
``unverified``) and a source for every row. Its SHA-256 is the table's version: every output
that used a norm can say exactly which table it came from.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path

from bestaanszekerheid.errors import UserFacingError

# A norm older than this on the requested date means a half-year is missing from the file.
STALE_AFTER = timedelta(days=200)


class NormCategory(StrEnum):
    """Norm categories of the Participatiewet (art. 21 and 22), without cost-sharers."""

    SINGLE_21 = "alleenstaand_21"
    COUPLE_21 = "gehuwden_21"
    SINGLE_AOW = "alleenstaand_aow"
    COUPLE_AOW = "gehuwden_aow"
    SINGLE_18_20 = "alleenstaand_18_20"
    COUPLE_18_20 = "gehuwden_18_20"


CATEGORY_LABELS = {
    NormCategory.SINGLE_21: "alleenstaande of alleenstaande ouder, 21 jaar tot AOW-leeftijd",
    NormCategory.COUPLE_21: "gehuwden / samenwonenden, 21 jaar tot AOW-leeftijd",
    NormCategory.SINGLE_AOW: "alleenstaande of alleenstaande ouder, AOW-leeftijd",
    NormCategory.COUPLE_AOW: "gehuwden / samenwonenden, beiden AOW-leeftijd",
    NormCategory.SINGLE_18_20: "alleenstaande of alleenstaande ouder, 18 tot 21 jaar",
    NormCategory.COUPLE_18_20: "gehuwden, beiden 18 tot 21 jaar, zonder kinderen",
}


@dataclass(frozen=True)
class NormRow:
    """One row of the norms file: a category's norm from ``effective_date`` on."""

    effective_date: date
    category: NormCategory
    incl_vt: float
    excl_vt: float
    derived: str
    status: str
    source: str
    note: str

    @property
    def verified(self) -> bool:
        return self.status == "verified"


@dataclass(frozen=True)
class NormLookup:
    """The norm that applies to a category on a date, and how sure we are of it."""

    category: NormCategory
    on: date
    row: NormRow
    warnings: tuple[str, ...]

    @property
    def amount(self) -> float:
        """Monthly norm including holiday pay (compare with income including holiday pay)."""
        return self.row.incl_vt


@dataclass(frozen=True)
class NormTable:
    """All norm rows, with the file's version (SHA-256) and path."""

    rows: tuple[NormRow, ...]
    version: str
    path: str

    def lookup(self, category: NormCategory | str, on: date) -> NormLookup:
        """The norm for ``category`` on date ``on``: the latest row in effect on that date."""
        category = NormCategory(category)
        candidates = [r for r in self.rows if r.category is category and r.effective_date <= on]
        if not candidates:
            first = min(
                (r.effective_date for r in self.rows if r.category is category), default=None
            )
            raise UserFacingError(
                f"Geen bijstandsnorm voor '{CATEGORY_LABELS[category]}' op {on:%d-%m-%Y}"
                + (f"; de normentabel begint op {first:%d-%m-%Y}." if first else ".")
            )
        row = max(candidates, key=lambda r: r.effective_date)
        warnings: list[str] = []
        if not row.verified:
            warnings.append(
                f"De norm per {row.effective_date:%d-%m-%Y} ({CATEGORY_LABELS[category]}) is "
                f"niet geverifieerd in een officiële bron: {row.note or row.source}."
            )
        if on - row.effective_date > STALE_AFTER:
            warnings.append(
                f"Voor {on:%d-%m-%Y} ontbreekt een nieuwere norm in de tabel; gebruikt is die "
                f"van {row.effective_date:%d-%m-%Y} ({CATEGORY_LABELS[category]})."
            )
        return NormLookup(category=category, on=on, row=row, warnings=tuple(warnings))

    def dates(self) -> list[date]:
        """All effective dates in the table, sorted."""
        return sorted({r.effective_date for r in self.rows})


def _parse_row(record: dict[str, str], line: int, path: str) -> NormRow:
    try:
        return NormRow(
            effective_date=date.fromisoformat(record["effective_date"]),
            category=NormCategory(record["category"]),
            incl_vt=float(record["incl_vt"]),
            excl_vt=float(record["excl_vt"]),
            derived=record.get("derived", "") or "",
            status=record["status"],
            source=record["source"],
            note=record.get("note", "") or "",
        )
    except (KeyError, ValueError) as exc:
        raise UserFacingError(f"Fout in normentabel '{path}', regel {line}: {exc}") from exc


def load_norm_table(path: str | Path | None = None) -> NormTable:
    """Load the norms file (the packaged one unless ``path`` is given)."""
    if path is None:
        return _packaged_table()
    return _load(Path(path).read_bytes(), str(path))


@cache
def _packaged_table() -> NormTable:
    resource = resources.files("bestaanszekerheid.norms") / "data" / "participatiewet_norms.csv"
    return _load(resource.read_bytes(), "bestaanszekerheid/norms/data/participatiewet_norms.csv")


def _load(content: bytes, path: str) -> NormTable:
    text = content.decode("utf-8-sig")
    reader = csv.DictReader(text.splitlines())
    rows = tuple(_parse_row(record, i + 2, path) for i, record in enumerate(reader))
    seen: set[tuple[date, NormCategory]] = set()
    for row in rows:
        key = (row.effective_date, row.category)
        if key in seen:
            raise UserFacingError(
                f"Normentabel '{path}' bevat {row.category} per {row.effective_date} twee keer."
            )
        seen.add(key)
        if row.status not in {"verified", "unverified"}:
            raise UserFacingError(
                f"Normentabel '{path}': onbekende status '{row.status}' bij {row.effective_date}."
            )
    return NormTable(rows=rows, version=hashlib.sha256(content).hexdigest()[:16], path=path)
