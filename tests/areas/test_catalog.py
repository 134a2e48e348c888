"""The packaged Tilburg areas and the catalogue reader (real CBS data, ../shared/data/areas)."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import pytest

from bestaanszekerheid.areas import read_catalog, tilburg
from bestaanszekerheid.errors import UserFacingError


def test_tilburg_has_the_2024_indeling_with_real_names() -> None:
    cat = tilburg()
    assert (cat.municipality_code, cat.year) == ("GM0855", 2024)
    assert len(cat.wijken) == 59 and len(cat.buurten) == 254
    assert cat.names("wijk")["WK085510"] == "Binnenstad"
    assert not any("generieke naam" in a.name for a in (*cat.wijken, *cat.buurten))
    # Every buurt's parent follows the CBS code structure and is a known wijk.
    wijken = set(cat.names("wijk"))
    assert all(b.wijk_code == "WK" + b.code[2:8] in wijken for b in cat.buurten)
    assert "Bron: CBS" in cat.attribution


def test_wijk_household_counts_add_up_to_the_municipality() -> None:
    cat = tilburg()
    total = sum(cat.households(w.code) for w in cat.wijken)
    # Wijk figures are rounded to 5 by CBS (README: 111,865 vs 111,851 in 2022).
    assert total == pytest.approx(cat.municipality_figures["kwb2022_huishoudens"], abs=60)
    assert cat.figures("wijk").loc["WK085510", "kwb2022_huishoudens"] == 5120


def test_geometry_is_there_for_both_levels() -> None:
    cat = tilburg()
    for level, n in (("wijk", 59), ("buurt", 254)):
        features = cat.geometry[level]["features"]  # type: ignore[index]
        assert len(features) == n
        assert {f["properties"]["code"] for f in features} == set(cat.names(level))  # type: ignore[arg-type]


def test_unknown_codes_are_named_and_counted() -> None:
    with pytest.raises(UserFacingError) as err:
        tilburg().check_codes(
            ["WK085510", "WK099901", "WK099901", None], "wijk", source="huishoudens.csv"
        )
    text = str(err.value)
    assert "huishoudens.csv" in text and "WK099901 (2)" in text and "1 wijkcode" in text


def _copy_tilburg(tmp_path: Path) -> Path:
    src = resources.files("bestaanszekerheid.areas") / "data" / "tilburg"
    folder = tmp_path / "gebied"
    folder.mkdir()
    for name in ("gebieden.csv", "bron.json"):
        (folder / name).write_text((src / name).read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def test_a_folder_reads_back_and_bad_files_name_the_row(tmp_path: Path) -> None:
    folder = _copy_tilburg(tmp_path)
    cat = read_catalog(folder)
    assert len(cat.buurten) == 254 and not cat.geometry and cat.origin == str(folder)

    lines = (folder / "gebieden.csv").read_text(encoding="utf-8").splitlines()
    level, code, rest = lines[5].split(",", 2)
    lines[5] = f"{level},{code[:-1]},{rest}"  # a wijk code one digit short
    (folder / "gebieden.csv").write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(UserFacingError, match="regel 6"):
        read_catalog(folder)

    shutil.rmtree(folder)
    with pytest.raises(UserFacingError, match="bestaat niet"):
        read_catalog(folder)


def test_a_folder_without_bron_json_says_what_a_catalogue_is(tmp_path: Path) -> None:
    folder = _copy_tilburg(tmp_path)
    (folder / "bron.json").unlink()
    with pytest.raises(UserFacingError, match=r"bron\.json"):
        read_catalog(folder)
    meta = resources.files("bestaanszekerheid.areas") / "data" / "tilburg" / "bron.json"
    assert json.loads(meta.read_text(encoding="utf-8"))["year"] == 2024
