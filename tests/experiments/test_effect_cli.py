"""The CLI functions, registered on a local Typer app with ``handle_errors``, as the ``bsz`` app
does."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from bestaanszekerheid.cli import experiments as cli
from bestaanszekerheid.cli.console import handle_errors
from bestaanszekerheid.experiments.demo import synthetic_trust_experiment


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    application = typer.Typer()
    application.command("effect")(handle_errors(cli.effect))
    application.command("loting")(handle_errors(cli.loting))
    application.command("controleer-loting")(handle_errors(cli.controleer_loting))
    application.command("power")(handle_errors(cli.power))
    return application


runner = CliRunner()


def test_power_prints_the_plain_dutch_sentence(app: typer.Typer) -> None:
    res = runner.invoke(
        app, ["power", "--deelnemers", "780", "--groepen", "4", "--basiskans", "0.2"]
    )
    assert res.exit_code == 0, res.output
    assert "ongeveer 14 procentpunten" in res.output
    res = runner.invoke(
        app,
        [
            "power",
            "--deelnemers",
            "780",
            "--groepen",
            "4",
            "--basiskans",
            "0.2",
            "--effect",
            "0.05",
        ],
    )
    assert res.exit_code == 0 and "zijn ongeveer" in res.output
    arms = runner.invoke(
        app, ["power", "--deelnemers", "780", "--armen", "4", "--basiskans", "0.2"]
    )
    assert arms.exit_code == 0 and "in vier onderzoeksarmen" in arms.output
    clustered = runner.invoke(
        app,
        [
            *("power", "--deelnemers", "780", "--armen", "4", "--basiskans", "0.2"),
            *("--icc", "0.05", "--clustergrootte", "21"),
        ],
    )
    assert clustered.exit_code == 0 and "design effect 2,00" in clustered.output
    icc = runner.invoke(app, ["power", "--deelnemers", "780", "--basiskans", "0.2", "--icc", "1.5"])
    assert icc.exit_code == 2 and "intraclustercorrelatie (ICC)" in icc.output
    assert "niet 1.5" in icc.output and "R²" not in icc.output
    bad = runner.invoke(app, ["power", "--deelnemers", "780", "--basiskans", "1.5"])
    assert bad.exit_code == 2 and "basiskans" in bad.output


def test_loting_writes_allocation_and_log_and_never_overwrites(
    app: typer.Typer, tmp_path: Path
) -> None:
    people = synthetic_trust_experiment(200, seed=1).data.drop(columns=["groep"])
    src = tmp_path / "deelnemers.csv"
    people.to_csv(src, index=False, sep=";", decimal=",")  # Dutch CSV
    out = tmp_path / "loting"
    args = [
        "loting",
        "--input",
        str(src),
        "--id",
        "deelnemer",
        "--groepen",
        "controle,minder,extra,coaching",
        "--strata",
        "geslacht",
        "--seed",
        "2018",
        "--out",
        str(out),
    ]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    alloc = pd.read_csv(out / "toewijzing.csv", sep=";")
    assert len(alloc) == 200 and set(alloc["groep"]) == {"controle", "minder", "extra", "coaching"}
    assert (out / "balans.csv").exists()
    head = res.output.split("Controlecode")[1].split(":")[-1].strip()
    again = runner.invoke(app, args)
    assert again.exit_code == 2 and "bestaat al" in again.output
    log = out / "lotingslogboek.jsonl"
    ok = runner.invoke(
        app,
        [
            "controleer-loting",
            "--logboek",
            str(log),
            "--controlecode",
            head,
            "--input",
            str(src),
            "--id",
            "deelnemer",
        ],
    )
    assert ok.exit_code == 0, ok.output
    lines = log.read_text(encoding="utf-8").splitlines()
    entry = json.loads(lines[5])
    entry["arm"] = "extra" if entry["arm"] != "extra" else "controle"
    lines[5] = json.dumps(entry, ensure_ascii=False)
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tampered = runner.invoke(app, ["controleer-loting", "--logboek", str(log)])
    assert tampered.exit_code == 1 and "NIET in orde" in tampered.output


def test_effect_on_the_demo_experiment(app: typer.Typer, tmp_path: Path) -> None:
    demo = synthetic_trust_experiment()
    src = tmp_path / "experiment.csv"
    demo.data.to_csv(src, index=False, sep=";", decimal=",")
    out = tmp_path / "uit"
    res = runner.invoke(
        app,
        [
            "effect",
            "--input",
            str(src),
            "--arm",
            "groep",
            "--controle",
            "controle",
            "--uitkomst",
            "uitstroom_werk,welzijn",
            "--covariaten",
            "leeftijd,startkwalificatie",
            "--strata",
            "geslacht,leeftijdsgroep",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    effects = pd.read_csv(out / "effecten.csv", sep=";", decimal=",")
    assert len(effects) == 6 and "p (Holm)" in effects.columns
    assert {"balans.csv", "uitval_welzijn.csv", "samenvatting.txt", "samenvatting.html"} <= {
        p.name for p in out.iterdir()
    }
    assert not any(p.name.endswith(".tmp") or p.name.startswith(".tmp") for p in out.iterdir())


def test_effect_refuses_cells_below_ten(app: typer.Typer, tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    d = pd.DataFrame({"groep": ["c"] * 50 + ["t"] * 50 + ["klein"] * 6, "y": rng.normal(size=106)})
    src = tmp_path / "klein.csv"
    d.to_csv(src, index=False)
    out = tmp_path / "uit"
    res = runner.invoke(
        app,
        ["effect", "--input", str(src), "--uitkomst", "y", "--controle", "c", "--out", str(out)],
    )
    assert res.exit_code == 2
    assert "Export geweigerd" in res.output and "klein" in res.output
    assert not out.exists() or not any(out.iterdir())


def test_effect_reports_a_missing_column_in_dutch(app: typer.Typer, tmp_path: Path) -> None:
    src = tmp_path / "d.csv"
    pd.DataFrame({"groep": ["c", "t"] * 10, "y": range(20)}).to_csv(src, index=False)
    res = runner.invoke(
        app,
        ["effect", "--input", str(src), "--uitkomst", "inkomen", "--out", str(tmp_path / "uit")],
    )
    assert res.exit_code == 2 and "Kolom 'inkomen' ontbreekt" in res.output
