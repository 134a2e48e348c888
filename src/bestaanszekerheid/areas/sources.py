"""What the importers of :mod:`.statline`, :mod:`.geometry` and :mod:`.online` share: a
source as ``bron.json`` describes it, municipality codes, and the KWB tables by year."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from bestaanszekerheid.errors import UserFacingError

AreaLevel = Literal["gemeente", "wijk", "buurt"]

#: KWB tables by year (indeling year = KWB year); other years: pass the table id.
KWB_TABLES: Mapping[int, str] = {
    2022: "85318NED",
    2023: "85618NED",
    2024: "85984NED",
    2025: "86165NED",
}
#: The year ``--online`` and ``--geometrie-online`` use without ``--jaar``: the newest KWB
#: with its income figures (CBS adds those to the newest table a year later).
DEFAULT_ONLINE_YEAR = 2024
#: A year in a title or a file name ("Kerncijfers wijken en buurten 2024",
#: "wijkenbuurten_2024.gpkg"), not part of a longer number such as a download date.
YEAR_IN_TEXT = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


@dataclass(frozen=True)
class Source:
    """One source of a catalogue: what ``bron.json`` says about it."""

    description: str
    details: Mapping[str, Any] = field(default_factory=dict)


def normalise_municipality(code: str) -> str:
    """``GM0855`` for 'GM0855', 'gm0855' or '0855'; a Dutch error for anything else."""
    text = code.strip().upper()
    if re.fullmatch(r"\d{4}", text):
        text = "GM" + text
    if not re.fullmatch(r"GM\d{4}", text):
        raise UserFacingError(
            f"--gemeente '{code}' is geen CBS-gemeentecode; gebruik GM en vier cijfers, "
            "bijvoorbeeld GM0855 (Tilburg)."
        )
    return text


def belongs_to(code: str, municipality: str) -> bool:
    """Whether a gemeente, wijk or buurt code is (in) ``municipality`` (GM + 4 digits)."""
    return code == municipality or (code[:2] in ("WK", "BU") and code[2:6] == municipality[2:])


def year_in(hints: Iterable[str]) -> int | None:
    """The first year found in ``hints`` (titles, file names)."""
    for hint in hints:
        found = YEAR_IN_TEXT.search(hint)
        if found:
            return int(found.group(1))
    return None


def year_and_table(
    year: int | None, table: str | None, hints: Iterable[str], where: str
) -> tuple[int, str | None]:
    """The KWB year (given, from the table id, or from a title or file name) and the table."""
    if table is not None:
        table = table.strip().upper()
        if year is None:
            year = next((y for y, t in KWB_TABLES.items() if t == table), None)
    if year is None:
        year = year_in(hints)
    if year is None:
        raise UserFacingError(
            f"{where}: het jaar van de Kerncijfers staat niet in de titel of de bestandsnaam; "
            "geef het op met --jaar, bijvoorbeeld --jaar 2024."
        )
    return year, table or KWB_TABLES.get(year)


def file_details(path: Path, kind: str, today: date | None = None) -> dict[str, Any]:
    """What ``bron.json`` records of a source file: its kind, name, checksum and dates."""
    data = path.read_bytes()
    return {
        "kind": kind,
        "file": path.name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "file_modified": date.fromtimestamp(path.stat().st_mtime).isoformat(),
        "read_on": (today or date.today()).isoformat(),
    }
