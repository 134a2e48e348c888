"""Reading StatLine CSV exports of a KWB table: real CBS format, built from packaged figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from bestaanszekerheid.areas import tilburg
from bestaanszekerheid.areas.statline import parse_number, read_statline_csv
from bestaanszekerheid.errors import UserFacingError
from tests.areas import builders


def _copy(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def test_the_committed_exports_are_built_from_the_packaged_figures() -> None:
    # The fixtures are files on disk, as a user has them; they must not drift from the
    # packaged Tilburg figures they were made of.
    assert builders.KEY_EXPORT.read_bytes().decode("utf-8") == builders.key_export()
    assert builders.TITLE_EXPORT.read_bytes().decode("utf-8") == builders.title_export()
    assert builders.KEY_EXPORT.read_bytes().count(b";") > 100  # semicolons, as CBS writes


def test_a_key_export_gives_codes_names_parents_and_figures() -> None:
    areas = read_statline_csv(builders.KEY_EXPORT, "GM0855", year=2024)
    cat = tilburg()
    assert (areas.municipality_code, areas.municipality_name) == ("GM0855", "Tilburg")
    assert (areas.year, areas.table_id) == (2024, "85984NED")
    # Nederland (NL00) is not an area of the municipality; padding is gone.
    assert [r.code for r in areas.records] == [
        "GM0855",
        *[c for c, _n, k in builders.rows() if k in ("Wijk", "Buurt")],
    ]
    for record in areas.areas("wijk"):
        assert record.name == cat.names("wijk")[record.code]
        assert record.figures == {
            "kwb2024_aantal_inwoners": cat.figures("wijk").loc[
                record.code, "kwb2024_aantal_inwoners"
            ],
            "kwb2024_woningvoorraad": cat.figures("wijk").loc[
                record.code, "kwb2024_woningvoorraad"
            ],
        }
    assert all(r.figures == {} for r in areas.areas("buurt"))  # all '.' in the export
    gemeente = areas.areas("gemeente")[0].figures
    packaged = cat.municipality_figures
    for key in ("aantal_inwoners", "huishoudens", "gem_huishoudensgrootte", "woningvoorraad"):
        assert gemeente[f"kwb2024_{key}"] == packaged[f"kwb2024_{key}"]
    # KWB 2024 has counts where the toolkit keeps shares: turned back into the same shares.
    assert gemeente["kwb2024_pct_eenpersoonshuishoudens"] == 47.0
    assert gemeente["kwb2024_pct_huishoudens_met_kinderen"] == 28.0
    assert any("Eenpersoonshuishoudens_30" in n and "berekend" in n for n in areas.notes)
    assert "kwb2024_mannen" not in gemeente  # not one of the toolkit's indicators


def test_a_title_export_from_the_website_gives_the_same_areas() -> None:
    # Year from the file name (Kerncijfers_wijken_en_buurten_2024_...), columns by title.
    by_title = read_statline_csv(builders.TITLE_EXPORT, "gm0855")
    by_key = read_statline_csv(builders.KEY_EXPORT, "0855", year=2024)
    assert by_title.year == 2024 and by_title.table_id == "85984NED"
    strip = [(r.level, r.code, r.name, dict(r.figures)) for r in by_title.records]
    assert strip == [(r.level, r.code, r.name, dict(r.figures)) for r in by_key.records]
    assert by_title.figure_columns == by_key.figure_columns


def test_an_unknown_municipality_is_named_with_those_the_file_has() -> None:
    with pytest.raises(UserFacingError) as err:
        read_statline_csv(builders.KEY_EXPORT, "GM9999", year=2024)
    text = str(err.value)
    assert str(builders.KEY_EXPORT) in text
    assert "kolom 'Codering_3'" in text and "'GM9999' komt niet voor" in text
    assert "GM0855 Tilburg" in text


def test_a_bad_municipality_option_is_explained() -> None:
    with pytest.raises(UserFacingError, match=r"--gemeente 'Tilburg' is geen CBS-gemeentecode"):
        read_statline_csv(builders.KEY_EXPORT, "Tilburg", year=2024)


def test_a_file_without_the_code_column_names_what_it_has(tmp_path: Path) -> None:
    lines = builders.key_export().splitlines()
    cut = [";".join(c for i, c in enumerate(line.split(";")) if i != 4) for line in lines]
    path = _copy(tmp_path, "zonder_codes_2024.csv", "\r\n".join(cut))
    with pytest.raises(UserFacingError) as err:
        read_statline_csv(path, "GM0855")
    text = str(err.value)
    assert str(path) in text and "de kolom met gebiedscodes ontbreekt" in text
    assert "'Codering_3'" in text  # what is expected
    assert "De kolom 'WijkenEnBuurten' bevat namen" in text and "regel 2: 'Nederland'" in text


def test_a_malformed_code_names_file_row_column_and_value(tmp_path: Path) -> None:
    text = builders.key_export().replace('"WK085511  "', '"WK08551   "')
    path = _copy(tmp_path, "kwb_2024.csv", text)
    with pytest.raises(UserFacingError) as err:
        read_statline_csv(path, "GM0855")
    message = str(err.value)
    assert message.startswith(f"{path}, regel 7, kolom 'Codering_3': 'WK08551' is geen CBS-")


def test_a_value_that_is_no_number_names_its_cell(tmp_path: Path) -> None:
    text = builders.key_export().replace('"    6235"', '"zesduizend"')
    path = _copy(tmp_path, "kwb_2024.csv", text)
    with pytest.raises(UserFacingError) as err:
        read_statline_csv(path, "GM0855")
    assert str(err.value).startswith(
        f"{path}, regel 7, kolom 'AantalInwoners_5' (WK085511): 'zesduizend' is geen getal"
    )


def test_a_buurt_without_its_wijk_is_refused(tmp_path: Path) -> None:
    lines = [line for line in builders.key_export().splitlines() if '"WK085512  "' not in line]
    path = _copy(tmp_path, "kwb_2024.csv", "\r\n".join(lines))
    with pytest.raises(UserFacingError, match=r"regel 10, kolom 'Codering_3': buurt 'BU08551201'"):
        read_statline_csv(path, "GM0855")


def test_a_transposed_table_and_a_missing_year_are_explained(tmp_path: Path) -> None:
    transposed = (
        '"Kerncijfers wijken en buurten 2024"\r\n""\r\n"";"";"Wijken en buurten"\r\n'
        '"Onderwerp";"";"Tilburg";"Binnenstad"\r\n'
        '"Regioaanduiding|Codering";"code";"GM0855";"WK085510"\r\n'
    )
    path = _copy(tmp_path, "gedraaid.csv", transposed)
    with pytest.raises(UserFacingError, match=r"regel 5: de tabel staat gedraaid"):
        read_statline_csv(path, "GM0855")
    plain = _copy(tmp_path, "export.csv", builders.key_export())
    with pytest.raises(UserFacingError, match=r"--jaar"):
        read_statline_csv(plain, "GM0855")
    assert read_statline_csv(plain, "GM0855", table="85984NED").year == 2024


def test_cbs_symbols_and_decimal_commas_are_understood() -> None:
    assert parse_number("       .") is None
    assert parse_number(" x ") is None
    assert parse_number("-") == 0.0  # CBS: nihil
    assert parse_number("  229836") == 229836.0
    assert parse_number("1,9") == 1.9 and parse_number("1.9") == 1.9
    assert parse_number("1.234,5") == 1234.5 and parse_number(7) == 7.0
    with pytest.raises(ValueError):
        parse_number("ongeveer 3")
