"""The partner file: read as Excel writes it, checked against the areas, written back whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from bestaanszekerheid.areas import tilburg
from bestaanszekerheid.areas.partners import (
    Partner,
    city_wide,
    demo_partners,
    local_to,
    read_partners,
    write_partners,
)
from bestaanszekerheid.errors import UserFacingError

CAT = tilburg()
W1, W2 = CAT.wijken[0].code, CAT.wijken[1].code


def _write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "partners.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_reads_a_semicolon_file_from_excel_in_windows_1252(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        f"Naam;Soort;Omschrijving;Wijken\r\nBuurthuis Café;buurthuis;Koffie;{W1.lower()}, {W2}\r\n"
        ";;;\r\nWerkplein;werk;;\r\n",
        "cp1252",
    )
    partners = read_partners(path, CAT)
    assert partners == (
        Partner("Buurthuis Café", "buurthuis", "Koffie", (W1, W2)),
        Partner("Werkplein", "werk", "", ()),
    )
    assert [p.name for p in local_to(partners, W2)] == ["Buurthuis Café"]
    assert local_to(partners, CAT.wijken[2].code) == []
    assert [p.name for p in city_wide(partners)] == ["Werkplein"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("organisatie,wijken\nA,\n", "de kolom 'naam' ontbreekt"),
        (f"naam,wijken\nA,{W1}\n,{W2}\n", "rij 3: naam is leeg"),
        ("naam,wijken\nA,\na,\n", "rij 3: 'a' staat er al (rij 2)"),
        ("naam,wijken\nA,WK999999 WK085510\n", "rij 2 ('A'): wijkcode(s) WK999999"),
    ],
)
def test_bad_files_get_a_dutch_error_naming_row_and_value(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(UserFacingError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_partners(_write(tmp_path, text), CAT)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UserFacingError, match="bestaat niet"):
        read_partners(tmp_path / "geen.csv", CAT)


def test_written_file_reads_back_and_demo_partners_are_labelled(tmp_path: Path) -> None:
    partners = demo_partners(CAT)
    assert partners and all(p.name.endswith("(demo)") for p in partners)
    assert any(not p.wijken for p in partners) and any(p.wijken for p in partners)
    path = write_partners(partners, tmp_path / "uit" / "partners.csv")
    assert read_partners(path, CAT) == partners
    assert [p.name for p in tmp_path.joinpath("uit").iterdir()] == ["partners.csv"]
