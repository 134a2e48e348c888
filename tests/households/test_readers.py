"""Round trips through every file format, Dutch and English CSV conventions, clear file errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from pandas.testing import assert_frame_equal
from tests.conftest import minimal_row

from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.households import read_households, read_table, write_households
from bestaanszekerheid.households.readers import metadata_sidecar, sniff_csv
from bestaanszekerheid.households.schema import COLUMNS

SCHEMA_NAMES = [c.name for c in COLUMNS]


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """Schema columns only, floats rounded to cents (CSV writes two decimals)."""
    out = frame[[c for c in SCHEMA_NAMES if c in frame.columns]].copy()
    for name in out.columns:
        if pd.api.types.is_float_dtype(out[name].dtype):
            out[name] = out[name].round(2)
    return out.reset_index(drop=True)


@pytest.mark.parametrize("suffix", [".parquet", ".sav", ".csv"])
def test_round_trip(households: pd.DataFrame, tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"huishoudens{suffix}"
    write_households(households, path, metadata={"synthetic": True, "seed": 7})
    back = read_households(path)
    assert_frame_equal(comparable(back), comparable(households), check_categorical=False)
    assert back.attrs["source"] == str(path)


def test_round_trip_english_csv(households: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "households.csv"
    write_households(households, path, dialect="en")
    assert sniff_csv(path)[1:] == (",", ".")
    back = read_households(path)
    assert_frame_equal(comparable(back), comparable(households), check_categorical=False)


def test_file_metadata_says_synthetic(households: pd.DataFrame, tmp_path: Path) -> None:
    meta = {"synthetic": True, "seed": 7}
    parquet = write_households(households, tmp_path / "a.parquet", metadata=meta)
    assert read_households(parquet).attrs["file_metadata"]["synthetic"] is True
    csv = write_households(households, tmp_path / "a.csv", metadata=meta)
    assert json.loads(metadata_sidecar(csv).read_text())["synthetic"] is True
    sav = write_households(households, tmp_path / "a.sav", metadata=meta)
    _, spss_meta = pyreadstat.read_sav(str(sav), metadataonly=True)
    assert spss_meta.file_label.startswith("SYNTHETISCHE DATA")


def test_dutch_csv_from_excel(tmp_path: Path) -> None:
    """Semicolons, decimal commas and Windows-1252 text, as Dutch Excel saves them."""
    rows = [
        minimal_row(net_income_month="1234,56", household_type="Alleenstaande"),
        minimal_row(household_id="H2", net_income_month="987,5", income_source="Loon uit werk"),
    ]
    text = ";".join(rows[0]) + "\n" + "\n".join(";".join(str(v) for v in r.values()) for r in rows)
    path = tmp_path / "excel.csv"
    path.write_bytes(text.encode("cp1252"))
    back = read_households(path)
    assert back["net_income_month"].tolist() == [1234.56, 987.5]
    assert back["household_type"].tolist() == ["single", "single"]


def test_sav_with_cbs_value_labels(tmp_path: Path) -> None:
    """Numeric SPSS codes with CBS-style value labels map onto our codes."""
    raw = pd.DataFrame([minimal_row(), minimal_row(household_id="H2")])
    for name in ("year", "n_adults", "n_children", "age_main_earner", "net_income_month"):
        raw[name] = raw[name].astype(float)
    raw["age_youngest_child"] = float("nan")
    raw["income_source"] = [6.0, 1.0]
    raw["household_type"] = [1.0, 1.0]
    raw["synthetic"] = [0.0, 0.0]
    path = tmp_path / "cbs.sav"
    pyreadstat.write_sav(
        raw,
        str(path),
        variable_value_labels={
            "income_source": {1.0: "Loon", 6.0: "Bijstandsuitkering"},
            "household_type": {1.0: "Eenpersoonshuishouden"},
            "synthetic": {0.0: "Nee", 1.0: "Ja"},
        },
    )
    back = read_households(path)
    assert back["income_source"].tolist() == ["social_assistance", "work"]
    assert back["household_type"].tolist() == ["single", "single"]
    assert back["synthetic"].tolist() == [False, False]


def test_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(UserFacingError, match="niet gevonden"):
        read_households(tmp_path / "bestaat-niet.csv")
    other = tmp_path / "data.xlsx"
    other.write_text("x")
    with pytest.raises(UserFacingError, match=r"'\.xlsx'.*niet ondersteund"):
        read_households(other)
    broken = tmp_path / "kapot.parquet"
    broken.write_text("geen parquet")
    with pytest.raises(UserFacingError, match=r"kapot\.parquet.*Parquet"):
        read_households(broken)
    empty = tmp_path / "leeg.csv"
    empty.write_text("")
    with pytest.raises(UserFacingError, match="leeg"):
        read_households(empty)


def test_failed_write_leaves_previous_file_intact(households: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "h.parquet"
    write_households(households, path)
    before = path.read_bytes()
    bad = households.copy()
    bad["household_id"] = [object()] * len(bad)  # cannot be converted to Arrow
    with pytest.raises(Exception):  # noqa: B017 - any failure will do; the file must survive
        write_households(bad, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["h.parquet"]


def test_read_table_reads_any_table(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a;b\n1,5;x\n2,0;y\n")
    table = read_table(path)
    assert table["a"].tolist() == [1.5, 2.0]


def test_written_files_get_ordinary_permissions(households: pd.DataFrame, tmp_path: Path) -> None:
    import os

    umask = os.umask(0)
    os.umask(umask)
    path = write_households(households.head(20), tmp_path / "h.parquet")
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
