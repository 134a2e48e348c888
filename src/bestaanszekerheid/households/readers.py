"""Read household data from `.csv`, `.parquet` and SPSS `.sav`, then validate it.

CSV files may follow Dutch conventions (``;`` separator, decimal comma, Windows-1252 from
Excel) or English ones (``,`` and decimal point); the separator is detected from the header
and the decimal mark follows it unless given.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.households.validation import CSV_LINES, RECORDS, validate_households

SUPPORTED_SUFFIXES = (".csv", ".txt", ".parquet", ".sav")
METADATA_KEY = "bestaanszekerheid"
_SEPARATORS = (";", ",", "\t", "|")


def _check_path(path: Path) -> None:
    if not path.exists():
        raise UserFacingError(f"Bestand niet gevonden: '{path}'.")
    if path.is_dir():
        raise UserFacingError(f"'{path}' is een map, geen bestand.")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise UserFacingError(
            f"Bestandstype '{path.suffix or '(geen)'}' van '{path}' wordt niet ondersteund; "
            f"gebruik {', '.join(SUPPORTED_SUFFIXES)}."
        )


def _decode_head(path: Path) -> tuple[str, str]:
    """Return (encoding, first line). UTF-8 first, then Windows-1252 as Excel writes it."""
    raw = path.read_bytes()[:65536]
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding, text.splitlines()[0] if text else ""
    raise UserFacingError(f"Kan de tekens in '{path}' niet lezen (geen UTF-8 of Windows-1252).")


def sniff_csv(path: Path) -> tuple[str, str, str]:
    """Detect (encoding, separator, decimal mark) of a CSV file."""
    encoding, header = _decode_head(path)
    if not header.strip():
        raise UserFacingError(f"Het bestand '{path}' is leeg of heeft geen kopregel.")
    counts = {sep: header.count(sep) for sep in _SEPARATORS}
    separator = max(counts, key=lambda sep: counts[sep])
    if counts[separator] == 0:
        separator = ","
    decimal = "," if separator == ";" else "."
    return encoding, separator, decimal


def _read_csv_text(path: Path, decimal: str | None) -> tuple[pd.DataFrame, str]:
    encoding, separator, sniffed_decimal = sniff_csv(path)
    try:
        frame = pd.read_csv(
            path,
            sep=separator,
            dtype=str,
            keep_default_na=False,
            encoding=encoding,
            comment=None,
        )
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise UserFacingError(f"Kan '{path}' niet als CSV lezen: {exc}") from exc
    return frame, decimal or sniffed_decimal


def _read_sav(path: Path, *, labels: bool = True) -> tuple[pd.DataFrame, dict[str, Any]]:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=labels)
    except Exception as exc:  # pyreadstat raises its own ReadstatError and plain errors
        raise UserFacingError(f"Kan '{path}' niet als SPSS-bestand lezen: {exc}") from exc
    info = {"file_label": meta.file_label or "", "notes": list(meta.notes or [])}
    return frame, info


def _read_parquet(path: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid and OSError subclasses
        raise UserFacingError(f"Kan '{path}' niet als Parquet-bestand lezen: {exc}") from exc
    raw_meta = (table.schema.metadata or {}).get(METADATA_KEY.encode())
    info: dict[str, Any] = json.loads(raw_meta) if raw_meta else {}
    return table.to_pandas(), info


def read_table(path: str | Path, *, decimal: str | None = None) -> pd.DataFrame:
    """Read any table (`.csv`, `.parquet`, `.sav`) without the household schema.

    Numbers in CSV files are converted using the detected decimal mark; SPSS value labels are
    applied. Use :func:`read_households` for household data: it also validates.
    """
    path = Path(path)
    _check_path(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return _read_parquet(path)[0]
    if suffix == ".sav":
        return _read_sav(path)[0]
    encoding, separator, sniffed = sniff_csv(path)
    try:
        return pd.read_csv(path, sep=separator, decimal=decimal or sniffed, encoding=encoding)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise UserFacingError(f"Kan '{path}' niet als CSV lezen: {exc}") from exc


def read_households(path: str | Path, *, decimal: str | None = None) -> pd.DataFrame:
    """Read and validate a household file (`.csv`, `.parquet` or `.sav`).

    Returns a typed DataFrame in the documented schema (see ``docs/schema.md``). The frame's
    ``attrs`` carry ``source`` (the path) and ``file_metadata`` (what the file says about
    itself, e.g. that it is synthetic). Raises :class:`~bestaanszekerheid.errors.UserFacingError`
    with a Dutch message naming file, column, rows and values when anything is wrong.
    """
    path = Path(path)
    _check_path(path)
    suffix = path.suffix.lower()
    info: dict[str, Any] = {}
    if suffix == ".parquet":
        raw, info = _read_parquet(path)
        households = validate_households(raw, source=str(path), numbering=RECORDS)
    elif suffix == ".sav":
        raw, info = _read_sav(path)
        households = validate_households(raw, source=str(path), numbering=RECORDS)
    else:
        raw, used_decimal = _read_csv_text(path, decimal)
        sidecar = metadata_sidecar(path)
        if sidecar.exists():
            info = json.loads(sidecar.read_text(encoding="utf-8"))
        households = validate_households(
            raw, source=str(path), decimal=used_decimal, numbering=CSV_LINES
        )
    households.attrs["source"] = str(path)
    households.attrs["file_metadata"] = info
    return households


def metadata_sidecar(path: Path) -> Path:
    """The JSON file next to a CSV that carries what Parquet and SPSS keep inside the file."""
    return path.with_name(path.name + ".meta.json")
