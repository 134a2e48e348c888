"""The packaged Tilburg area file, read in one place (areas_lookup)."""

from __future__ import annotations

from bestaanszekerheid.areas_lookup import tilburg_areas, wijk_names


def test_area_file_is_read_as_its_readme_describes() -> None:
    areas = tilburg_areas()
    assert len(areas) == 95 and len({a.wijk_code for a in areas}) == 20
    assert all(a.buurt_code.startswith("BU" + a.wijk_code[2:]) for a in areas)
    first = areas[0]
    assert (first.wijk_code, first.wijk_name, first.buurt_code, first.buurt_name) == (
        "WK085510",
        "Binnenstad",
        "BU08551001",
        "Binnenstad West",
    )
    assert first.status == "cbs"
    # The counts and shares are empty in the file for now: missing, not zero.
    assert all(a.households is None and a.low_income_pct is None for a in areas)


def test_wijk_names_label_every_wijk_code() -> None:
    names = wijk_names()
    assert names["WK085510"] == "Binnenstad"
    assert set(names) == {a.wijk_code for a in tilburg_areas()}
