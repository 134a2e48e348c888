"""`bsz segmenteer`, registered on a local Typer app as the ``bsz`` app does (with
``handle_errors``)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from bestaanszekerheid.cli.console import handle_errors
from bestaanszekerheid.cli.segments import segmenteer
from bestaanszekerheid.segments.simulate import simulate_households


@pytest.fixture()
def app() -> typer.Typer:
    app = typer.Typer()
    app.command("segmenteer")(handle_errors(segmenteer))
    app.command("andere")(lambda: None)  # two commands, so the sub-command name is required
    return app


@pytest.fixture()
def input_csv(tmp_path: Path) -> Path:
    frame = simulate_households(
        800, shares=(0.6, 0.4), n_categorical=4, n_continuous=1, separation=0.6, seed=8
    ).frame
    path = tmp_path / "huishoudens.csv"
    frame.to_csv(path, index=False)
    return path


def test_segmenteer_writes_aggregate_outputs(
    app: typer.Typer, input_csv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "uit"
    result = CliRunner().invoke(
        app,
        [
            "segmenteer",
            "--input",
            str(input_csv),
            "--indicatoren",
            "c01,c02,c03,c04,x1",
            "--klassen",
            "1-3",
            "--bootstrap",
            "0",
            "--starts",
            "3",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Aanbevolen:" in result.output
    files = sorted(p.name for p in out.iterdir())
    summary = json.loads((out / "samenvatting.json").read_text(encoding="utf-8"))
    k = summary["aanbevolen_aantal_klassen"]
    assert files == sorted(
        [
            "fit_tabel.csv",
            f"parameters_{k}_klassen.csv",
            "bivariate_residuen.csv",
            "samenvatting.json",
        ]
    )
    assert summary["indicatoren"]["x1"] == "continuous"
    assert summary["indicatoren"]["c01"] == "categorical"
    fit = pd.read_csv(out / "fit_tabel.csv")
    assert list(fit["aantal klassen"]) == [1, 2, 3]
    # Disclosure control: nothing household-level, every output is far smaller than the data.
    for name in files:
        if name.endswith(".csv"):
            assert len(pd.read_csv(out / name)) < 100
    assert not any(p.name.endswith(".tmp") for p in out.iterdir())


def test_segmenteer_reports_unknown_column_in_dutch(
    app: typer.Typer, input_csv: Path, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        app,
        [
            "segmenteer",
            "--input",
            str(input_csv),
            "--indicatoren",
            "c01,bestaat_niet",
            "--out",
            str(tmp_path / "uit"),
        ],
    )
    assert result.exit_code == 2
    assert "bestaat_niet" in result.output
    assert "staan niet in het bestand" in result.output
    assert not (tmp_path / "uit").exists()
