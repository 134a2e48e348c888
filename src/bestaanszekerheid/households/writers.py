"""Write household tables to `.csv`, `.parquet` or `.sav`, with the file's metadata.

Parquet keeps the metadata in the schema, SPSS in the file label and notes, CSV in a JSON file
next to it (``<name>.csv.meta.json``). Every write goes to a temporary file first.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.fileio import atomic_path
from bestaanszekerheid.households.readers import METADATA_KEY, metadata_sidecar
from bestaanszekerheid.households.schema import COLUMNS_BY_NAME, Kind

SYNTHETIC_NOTICE = "SYNTHETISCHE DATA - verzonnen huishoudens, geen echte personen"

CsvDialect = Literal["nl", "en"]


def describe_metadata(metadata: Mapping[str, Any]) -> str:
    """One line for a file label: says first of all whether the data are synthetic."""
    if metadata.get("synthetic"):
        return f"{SYNTHETIC_NOTICE} (seed {metadata.get('seed', '?')})"
    return str(metadata.get("description", "bestaanszekerheid huishoudbestand"))


def write_households(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    metadata: Mapping[str, Any] | None = None,
    dialect: CsvDialect = "nl",
) -> Path:
    """Write ``frame`` to ``path``; the suffix chooses the format. Returns the path."""
    path = Path(path)
    meta = dict(metadata or {})
    if "synthetic" not in meta and "synthetic" in frame.columns:
        meta["synthetic"] = bool(frame["synthetic"].fillna(False).any())
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        _write_parquet(frame, path, meta)
    elif suffix == ".sav":
        _write_sav(frame, path, meta)
    elif suffix == ".csv":
        _write_csv(frame, path, meta, dialect)
    else:
        raise UserFacingError(
            f"Kan niet schrijven naar '{path}': gebruik de extensie .csv, .parquet of .sav."
        )
    return path


def parquet_metadata(meta: Mapping[str, Any]) -> dict[bytes, bytes]:
    """Arrow schema metadata that carries our file metadata (read back by the readers)."""
    return {METADATA_KEY.encode(): json.dumps(meta, ensure_ascii=False).encode()}


def arrow_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals as plain strings, so blocks written one after another share one schema."""
    out = frame.copy()
    for name in out.columns:
        if isinstance(out[name].dtype, pd.CategoricalDtype):
            out[name] = out[name].astype("string")
    return out


def append_csv(
    frame: pd.DataFrame, path: Path, *, header: bool, dialect: CsvDialect = "nl"
) -> None:
    """Write ``frame`` as CSV (booleans as 1/0, two decimals), starting the file when ``header``."""
    separator, decimal = (";", ",") if dialect == "nl" else (",", ".")
    out = arrow_ready(frame)
    for name in out.columns:
        if pd.api.types.is_bool_dtype(out[name].dtype):
            out[name] = out[name].astype("Int8")
    out.to_csv(
        path,
        sep=separator,
        decimal=decimal,
        index=False,
        header=header,
        mode="w" if header else "a",
        float_format="%.2f",
    )


def write_csv_metadata(path: Path, meta: Mapping[str, Any]) -> None:
    """Write the JSON file next to a CSV that carries what Parquet keeps inside the file."""
    with atomic_path(metadata_sidecar(path)) as tmp_meta:
        tmp_meta.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")


def _write_parquet(frame: pd.DataFrame, path: Path, meta: dict[str, Any]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), **parquet_metadata(meta)}
    )
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def _write_csv(frame: pd.DataFrame, path: Path, meta: dict[str, Any], dialect: CsvDialect) -> None:
    with atomic_path(path) as tmp:
        append_csv(frame, tmp, header=True, dialect=dialect)
        write_csv_metadata(path, meta)


def _write_sav(frame: pd.DataFrame, path: Path, meta: dict[str, Any]) -> None:
    import pyreadstat

    out = pd.DataFrame(index=frame.index)
    value_labels: dict[str, dict[float, str]] = {}
    variable_labels: list[str | None] = []
    for name in frame.columns:
        column = COLUMNS_BY_NAME.get(name)
        series = frame[name]
        variable_labels.append(column.label if column else str(name))
        if column is not None and column.kind is Kind.CODE:
            codes = list(column.codes)
            position = {code: float(i + 1) for i, code in enumerate(codes)}
            out[name] = series.astype("string").map(position).astype("float64")
            value_labels[name] = {position[c]: column.codes[c] for c in codes}
        elif pd.api.types.is_bool_dtype(series.dtype):
            out[name] = series.astype("Float64").astype("float64")
            value_labels[name] = {0.0: "Nee", 1.0: "Ja"}
        elif pd.api.types.is_numeric_dtype(series.dtype):
            out[name] = series.astype("Float64").astype("float64")
        else:
            out[name] = series.astype("string").fillna("").astype(object)
    with atomic_path(path) as tmp:
        pyreadstat.write_sav(
            out,
            str(tmp),
            file_label=describe_metadata(meta)[:64],
            column_labels=variable_labels,
            variable_value_labels=value_labels,
            note=_spss_notes(meta),
        )


def _spss_notes(meta: dict[str, Any]) -> list[str]:
    """SPSS document lines (at most 80 characters each): the simple metadata fields."""
    lines = [describe_metadata(meta)]
    for key, value in meta.items():
        if isinstance(value, str | int | float | bool):
            lines.append(f"{key}={json.dumps(value, ensure_ascii=False)}")
    return [line[:80] for line in lines]
