"""The bsz command line: commands, clean Dutch errors with exit code 2, no tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bestaanszekerheid.cli import LazyGroup, app
from bestaanszekerheid.cli.options import parse_classes
from bestaanszekerheid.errors import UserFacingError
from tests.conftest import minimal_row, own_rules_file

runner = CliRunner()


def test_synth_then_doelgroep(tmp_path: Path) -> None:
    out = tmp_path / "pop.parquet"
    result = runner.invoke(app, ["synth", "--households", "2000", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists() and (tmp_path / "pop.truth.parquet").exists()
    result = runner.invoke(
        app, ["doelgroep", "--input", str(out), "--max-pct", "120", "--peildatum", "2025-01-01"]
    )
    assert result.exit_code == 0, result.output
    assert "SYNTHETISCHE DEMODATA" in result.stdout
    assert "tot en met 120% van het sociaal minimum, peildatum 01-01-2025" in result.stdout
    english = runner.invoke(app, ["doelgroep", "--input", str(out), "--taal", "en"])
    assert "By household type" in english.stdout


def test_doelgroep_with_an_own_rules_file(tmp_path: Path) -> None:
    out = tmp_path / "pop.parquet"
    runner.invoke(app, ["synth", "--households", "2000", "--seed", "3", "--out", str(out)])
    default = runner.invoke(app, ["doelgroep", "--input", str(out)])
    rules = own_rules_file(tmp_path / "regels.toml", min_count=40)
    strict = runner.invoke(app, ["doelgroep", "--input", str(out), "--regels", str(rules)])
    assert default.exit_code == 0 and strict.exit_code == 0, strict.output

    def hidden(output: str) -> int:
        return sum(line.split()[-2] == "x" for line in output.splitlines() if line[:2] == "  ")

    assert hidden(strict.stdout) > hidden(default.stdout)
    for bad, message in (
        (tmp_path / "bestaat_niet.toml", "Kan het regelbestand"),
        (tmp_path / "regels.txt", "geen geldige TOML"),
    ):
        if bad.suffix == ".txt":
            bad.write_text("dit is [geen toml", encoding="utf-8")
        result = runner.invoke(app, ["doelgroep", "--input", str(out), "--regels", str(bad)])
        assert result.exit_code == 2, result.output
        assert result.stderr.count("Fout: ") == 1 and message in result.stderr
        assert "Traceback" not in result.output


def test_demo_writes_outputs(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path), "--huishoudens", "3000"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "huishoudens.parquet").exists()
    assert "synthetisch" in result.output.lower()
    # The demo's invented partners: written as a partner file the run reads (at 3.000
    # households no wijk can be planned; tests/reports shows the partners per wijk).
    assert (tmp_path / "invoer" / "partners.csv").exists()
    assert "partners.csv  (verzonnen partnerorganisaties" in result.output


def test_invalid_file_gives_dutch_error_and_exit_code_2(tmp_path: Path) -> None:
    path = tmp_path / "fout.csv"
    pd.DataFrame([minimal_row(income_source="loterij", net_income_month="-1")]).to_csv(
        path, sep=";", index=False
    )
    result = runner.invoke(app, ["doelgroep", "--input", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "fout.csv" in result.stderr
    assert "income_source" in result.stderr and "'loterij'" in result.stderr
    assert "negatief" in result.stderr


def test_bad_options_are_explained(tmp_path: Path) -> None:
    result = runner.invoke(app, ["doelgroep", "--input", str(tmp_path / "x.csv")])
    assert result.exit_code == 2 and "niet gevonden" in result.stderr
    out = tmp_path / "p.parquet"
    runner.invoke(app, ["synth", "--households", "200", "--out", str(out)])
    result = runner.invoke(app, ["doelgroep", "--input", str(out), "--peildatum", "1-1-2025"])
    assert result.exit_code == 2 and "geen geldige datum" in result.stderr
    # The library's threshold check, phrased with the flag the user typed.
    for command in (["doelgroep"], ["analyse", "--out", str(tmp_path / "uit")]):
        result = runner.invoke(app, [*command, "--input", str(out), "--max-pct", "0"])
        assert result.exit_code == 2, result.output
        assert "Fout: --max-pct moet tussen 0 en 1000 liggen, niet 0.0." in result.stderr
    assert not (tmp_path / "uit").exists()


def test_lazy_commands_report_user_errors_once_in_dutch(tmp_path: Path) -> None:
    """segmenteer and the experiment commands rely on the app's handle_errors."""
    missing = tmp_path / "lijst[b].csv"  # "[b]" would be bold in rich markup
    for args in (
        ["segmenteer", "--input", str(missing), "--indicatoren", "a,b", "--out", str(tmp_path)],
        ["effect", "--input", str(missing), "--uitkomst", "y", "--out", str(tmp_path)],
        [
            "loting",
            "--input",
            str(missing),
            "--id",
            "id",
            "--groepen",
            "a,b",
            "--seed",
            "1",
            "--out",
            str(tmp_path),
        ],
        ["controleer-loting", "--logboek", str(missing)],
        ["power", "--deelnemers", "780", "--basiskans", "1.5"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.count("Fout: ") == 1 and "Traceback" not in result.output
        if args[0] != "power":
            assert "lijst[b].csv" in result.stderr


def test_parse_classes() -> None:
    assert parse_classes("1-4") == [1, 2, 3, 4]
    assert parse_classes("2,5, 3,3") == [2, 3, 5]
    assert parse_classes("1-4", minimum=2) == [2, 3, 4]  # bsz analyse: at least two groups
    with pytest.raises(UserFacingError, match="Ongeldig aantal klassen 'een-twee'"):
        parse_classes("een-twee")
    with pytest.raises(UserFacingError, match="getallen van 1 of meer"):
        parse_classes("0-3")
    with pytest.raises(UserFacingError, match=r"^Geef aantallen groepen van 2 of meer op"):
        parse_classes("1", minimum=2)
    with pytest.raises(UserFacingError, match=r"het bereik 5-2 loopt achteruit\. Bedoel je 2-5\?"):
        parse_classes("5-2")


def test_python_dash_m_runs_the_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bestaanszekerheid", "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0
    assert "doelgroep" in done.stdout and "synth" in done.stdout


def test_shared_options_have_one_default() -> None:
    """`bsz analyse` and `bsz segmenteer` share --klassen, --starts, --bootstrap and --seed,
    with the library's defaults (AnalysisOptions)."""
    import typer
    import typer.main

    from bestaanszekerheid.defaults import DEFAULT_CLASSES
    from bestaanszekerheid.pipeline import AnalysisOptions

    library = AnalysisOptions()
    expected = {
        "klassen": f"{min(library.classes)}-{max(library.classes)}",
        "starts": library.n_init,
        "bootstrap": library.n_bootstrap_stability,
        "seed": library.random_state,
    }
    assert tuple(library.classes) == DEFAULT_CLASSES
    group = typer.main.get_command(app)
    assert isinstance(group, LazyGroup)
    for name in ("analyse", "segmenteer"):
        command = group.get_command(typer.Context(group), name)
        assert command is not None
        defaults = {p.name: p.default for p in command.params}
        helps = {p.name: getattr(p, "help", None) for p in command.params}
        assert {k: defaults[k] for k in expected} == expected, name
        assert helps["klassen"] == "Aantallen groepen om te proberen, bijv. 2-8.", name


def test_help_lists_every_command() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in ("synth", "doelgroep", "demo", "segmenteer", "power", "loting", "effect"):
        assert name in result.stdout


def test_lazy_commands_resolve_and_run() -> None:
    from bestaanszekerheid.cli import LAZY_COMMANDS

    for name in LAZY_COMMANDS:
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "Usage" in result.stdout
    result = runner.invoke(
        app, ["power", "--deelnemers", "780", "--groepen", "4", "--basiskans", "0.2"]
    )
    assert result.exit_code == 0, result.output
    assert "procentpunten" in result.stdout


def test_analyse_area_options_are_checked_before_any_work(tmp_path: Path) -> None:
    # A wrong level is a Dutch error before the file is read (the file does not even exist).
    result = runner.invoke(
        app,
        [
            "analyse",
            "--input",
            str(tmp_path / "geen.parquet"),
            "--out",
            str(tmp_path),
            "--niveau",
            "straat",
        ],
    )
    assert result.exit_code != 0 and "kies 'wijk' of 'buurt'" in result.output
    assert not any(tmp_path.iterdir())
    result = runner.invoke(
        app,
        [
            "analyse",
            "--input",
            str(tmp_path / "geen.parquet"),
            "--out",
            str(tmp_path),
            "--deuren",
            "0",
        ],
    )
    assert result.exit_code != 0


def test_a_bad_partner_file_is_refused_before_the_household_file_is_read(tmp_path: Path) -> None:
    partners = tmp_path / "partners.csv"
    partners.write_text("naam;wijken\nBuurthuis;WK999999\n", encoding="utf-8")
    for command in ("analyse", "wijken"):
        # The household file does not exist: the partner file's error must come first.
        result = runner.invoke(
            app,
            [
                command,
                "--input",
                str(tmp_path / "geen.parquet"),
                "--out",
                str(tmp_path / "uit"),
                "--partners",
                str(partners),
            ],
        )
        assert result.exit_code == 2, result.output
        assert "rij 2 ('Buurthuis'): wijkcode(s) WK999999" in result.stderr
        assert not (tmp_path / "uit").exists()
