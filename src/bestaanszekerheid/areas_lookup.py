"""Tilburg's wijken and buurten from the packaged area file, and their names for labelling
tables (codes stay the key).

The file is ``households/data/tilburg_areas.csv``; its README says what is real and what is
generic. This module only reads it: the synthetic generator adds its own demo assumptions.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Area:
    """A buurt with its wijk, as the area file lists it."""

    wijk_code: str
    wijk_name: str
    buurt_code: str
    buurt_name: str
    #: ``cbs``, ``afgeleid`` or ``generiek`` (see the file's README).
    status: str
    #: Number of private households, where the file has it.
    households: float | None
    #: Percentage of households up to 120% of the social minimum (or else with a low income
    #: by CBS' line), where the file has it.
    low_income_pct: float | None


def _number(text: str | None) -> float | None:
    return float(text) if text else None


@cache
def tilburg_areas() -> tuple[Area, ...]:
    """Tilburg's buurten from the packaged area file, in file order."""
    resource = resources.files("bestaanszekerheid.households") / "data" / "tilburg_areas.csv"
    rows = csv.DictReader(resource.read_text(encoding="utf-8").splitlines())
    return tuple(
        Area(
            wijk_code=row["wijk_code"],
            wijk_name=row["wijk_naam"],
            buurt_code=row["buurt_code"],
            buurt_name=row["buurt_naam"],
            status=row["status"],
            households=_number(row.get("huishoudens")),
            low_income_pct=_number(
                row.get("aandeel_tot_120pct") or row.get("aandeel_laag_inkomen")
            ),
        )
        for row in rows
    )


@cache
def wijk_names() -> dict[str, str]:
    """Map wijk code -> name for the packaged Tilburg area list."""
    return {area.wijk_code: area.wijk_name for area in tilburg_areas()}
