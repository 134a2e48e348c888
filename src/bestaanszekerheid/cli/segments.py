"""``bsz segmenteer``: latent class analysis from the command line (Dutch for users).

Registered by the ``bsz`` app wrapped in :func:`bestaanszekerheid.cli.console.handle_errors`
(user errors become a Dutch message and exit code 2); ``--klassen``, ``--starts``,
``--bootstrap`` and ``--seed`` are the shared options of :mod:`bestaanszekerheid.cli.options`,
with the same defaults as ``bsz analyse``. Everything written is aggregate (fit table,
class profiles, residuals, summary): no household-level predictions leave the machine, as
disclosure control inside CBS Remote Access requires.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from sklearn.exceptions import ConvergenceWarning

from bestaanszekerheid.cli.options import (
    BOOTSTRAP,
    KLASSEN,
    SEED,
    STARTS,
    Bootstrap,
    Klassen,
    OutDir,
    Seed,
    Starts,
    parse_classes,
)
from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.fileio import atomic_path
from bestaanszekerheid.households.readers import read_table
from bestaanszekerheid.segments.indicators import infer_kind
from bestaanszekerheid.segments.selection import ClassSelection, choose_n_classes


def parse_indicators(names: str, types: str | None) -> tuple[list[str], dict[str, str]]:
    """Indicator names and the kinds given explicitly as 'naam=type,naam=type'."""
    cols = [c.strip() for c in names.split(",") if c.strip()]
    if not cols:
        raise UserFacingError("Geef minstens één indicator op met --indicatoren.")
    kinds: dict[str, str] = {}
    for part in (types or "").split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise UserFacingError(
                f"Ongeldig type '{part}'. Gebruik naam=type, bijvoorbeeld inkomen=continu."
            )
        name, kind = (p.strip() for p in part.split("=", 1))
        kinds[name] = kind
    unknown = sorted(set(kinds) - set(cols))
    if unknown:
        raise UserFacingError("Type opgegeven voor onbekende indicator(en): " + ", ".join(unknown))
    return cols, kinds


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False)


def write_outputs(selection: ClassSelection, data: pd.DataFrame, out: Path) -> list[Path]:
    """Write the aggregate outputs of a class selection to ``out``; return the paths."""
    out.mkdir(parents=True, exist_ok=True)
    model = selection.model
    written = []
    path = out / "fit_tabel.csv"
    _write_csv(selection.table_nl(), path)
    written.append(path)
    long_rows = []
    for name, table in model.parameter_tables().items():
        for klasse, row in table.iterrows():
            for col, value in row.items():
                long_rows.append((name, klasse, str(col), float(value)))
    path = out / f"parameters_{model.n_classes}_klassen.csv"
    _write_csv(pd.DataFrame(long_rows, columns=["indicator", "klasse", "niveau", "waarde"]), path)
    written.append(path)
    path = out / "bivariate_residuen.csv"
    _write_csv(model.bivariate_residuals(data), path)
    written.append(path)
    summary: dict[str, Any] = {
        "aanbevolen_aantal_klassen": selection.recommended,
        "toelichting": selection.explanation,
        "klassen": {
            label: {
                "omvang": float(w),
                "gem_posterior_kans": float(p),
            }
            for label, w, p in zip(model.class_labels(), model.weights_, model.avepp_, strict=True)
        },
        "log_likelihood": model.loglik_,
        "aantal_parameters": model.n_parameters_,
        "bic": model.bic(),
        "entropie_r2": model.entropy_r2_,
        "classificatiefout": model.classification_error_,
        "geconvergeerd": model.converged_,
        "indicatoren": {s.name: s.kind for s in model.indicator_specs_},
    }
    path = out / "samenvatting.json"
    with atomic_path(path) as tmp:
        tmp.write_text(
            json.dumps(summary, ensure_ascii=False, indent=2, default=_json_default),
            encoding="utf-8",
        )
    written.append(path)
    return written


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(type(value).__name__)


def segmenteer(
    input: Annotated[Path, typer.Option("--input", help="Gegevensbestand (.csv, .parquet, .sav).")],
    indicatoren: Annotated[
        str,
        typer.Option("--indicatoren", help="Kolommen die de klassen bepalen, komma-gescheiden."),
    ],
    out: OutDir,
    klassen: Klassen = KLASSEN,
    typen: Annotated[
        str | None,
        typer.Option(
            "--typen",
            help="Type per indicator, bijv. inkomen=continu,schulden=binair (anders afgeleid).",
        ),
    ] = None,
    gewicht: Annotated[
        str | None, typer.Option("--gewicht", help="Kolom met gewichten (optioneel).")
    ] = None,
    starts: Starts = STARTS,
    bootstrap: Bootstrap = BOOTSTRAP,
    seed: Seed = SEED,
) -> None:
    """Zoek groepen huishoudens met latente-klassenanalyse en kies het aantal klassen."""
    data = read_table(input)
    cols, kinds = parse_indicators(indicatoren, typen)
    missing_cols = [c for c in cols if c not in data.columns]
    if missing_cols:
        raise UserFacingError(
            "Deze indicatoren staan niet in het bestand: " + ", ".join(missing_cols) + "."
        )
    weights = None
    if gewicht is not None:
        if gewicht not in data.columns:
            raise UserFacingError(f"De gewichtkolom '{gewicht}' staat niet in het bestand.")
        weights = pd.to_numeric(data[gewicht], errors="coerce").to_numpy(dtype=float)
        if np.any(~np.isfinite(weights)) or np.any(weights < 0):
            raise UserFacingError(
                f"De gewichtkolom '{gewicht}' bevat lege, negatieve of ongeldige waarden."
            )
    frame = data[cols]
    spec = {c: kinds.get(c) or infer_kind(frame[c]) for c in cols}
    with warnings.catch_warnings():
        # Convergence is reported per model in the fit table (column "geconvergeerd")
        # and in the explanation, in Dutch; the English library warning would only
        # confuse users of the command line.
        warnings.simplefilter("ignore", ConvergenceWarning)
        selection = choose_n_classes(
            frame,
            parse_classes(klassen),
            indicators=spec,
            sample_weight=weights,
            n_init=starts,
            n_bootstrap=bootstrap,
            random_state=seed,
        )
    written = write_outputs(selection, frame, out)
    typer.echo(selection.explanation)
    typer.echo("Geschreven: " + ", ".join(str(p) for p in written))
