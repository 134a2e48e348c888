"""``bsz gebieden``: make, write out and show area catalogues; Dutch errors, exit code 2."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bestaanszekerheid.areas import read_catalog
from bestaanszekerheid.cli import app
from tests.areas import builders, servers

runner = CliRunner()


def test_without_a_source_it_explains_that_tilburg_is_packaged() -> None:
    result = runner.invoke(app, ["gebieden"])
    assert result.exit_code == 0, result.output
    assert "Tilburg (GM0855" in result.stdout and "is ingebouwd" in result.stdout
    assert "--statline" in result.stdout and "--geometrie-online" in result.stdout
    other = runner.invoke(app, ["gebieden", "--gemeente", "GM0363"])
    assert other.exit_code == 2
    assert other.stderr.count("Fout: ") == 1 and "Geen bron voor GM0363" in other.stderr


def test_the_packaged_catalogue_is_written_out_and_shown(tmp_path: Path) -> None:
    out = tmp_path / "tilburg_gebieden"
    result = runner.invoke(app, ["gebieden", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert read_catalog(out).municipality_code == "GM0855"
    shown = runner.invoke(app, ["gebieden", "--toon", str(out)])
    assert shown.exit_code == 0, shown.output
    packaged = runner.invoke(app, ["gebieden", "--toon", "ingebouwd"])
    lines = packaged.stdout.splitlines()
    assert lines[0] == "Gebiedsbestand: Tilburg (GM0855), indeling 2024"
    assert "Wijken: 59, buurten: 254" in lines
    assert "Grenzen: wijken: 59; buurten: 254 (2 zonder vlak)" in lines
    assert any(
        line.startswith("  kwb2022_huishoudens (Particuliere huishoudens): gemeente, 59 wijken")
        for line in lines
    )
    assert any(line.startswith("  S1: ") for line in lines) and lines[-1].startswith("Bron: CBS")
    # The same catalogue, read from the folder.
    assert shown.stdout.splitlines()[2:] == lines[2:]


def test_an_import_from_an_export_prints_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "g"
    result = runner.invoke(
        app,
        [
            "gebieden",
            "--gemeente",
            "GM0855",
            "--statline",
            str(builders.TITLE_EXPORT),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Wijken: 3, buurten: 6" in result.stdout
    assert "Grenzen: wijken: geen; buurten: geen" in result.stdout
    assert f"Geschreven: {out}" in result.stdout
    assert "Let op: kwb2024_pct_eenpersoonshuishoudens is berekend" in result.stderr


@pytest.mark.skipif(
    find_spec("pyogrio") is None, reason="pyogrio (the 'geo' extra) is not installed"
)
def test_an_import_with_a_geopackage(tmp_path: Path) -> None:
    gpkg = builders.write_geopackage(tmp_path / "wijkenbuurten_2024.gpkg")
    args = ["gebieden", "--gemeente", "GM0855", "--statline", str(builders.KEY_EXPORT)]
    result = runner.invoke(app, [*args, "--geometrie", str(gpkg), "--out", str(tmp_path / "g")])
    assert result.exit_code == 0, result.output
    assert "Grenzen: wijken: 3; buurten: 6" in result.stdout


def test_errors_are_dutch_name_the_file_and_exit_2(tmp_path: Path) -> None:
    args = ["gebieden", "--gemeente", "GM9999", "--statline", str(builders.KEY_EXPORT)]
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "g")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.count("Fout: ") == 1
    assert str(builders.KEY_EXPORT) in result.stderr and "'GM9999' komt niet voor" in result.stderr
    for extra, message in (
        ([], "Geef met --out de map op"),
        (["--out", str(tmp_path / "g"), "--online"], "Kies --statline (een bestand) of --online"),
    ):
        failed = runner.invoke(app, [*args[:2], "GM0855", *args[3:], *extra])
        assert failed.exit_code == 2 and message in failed.stderr, failed.output
    missing = runner.invoke(app, ["gebieden", "--toon", str(tmp_path / "bestaat_niet")])
    assert missing.exit_code == 2 and "bestaat niet of is geen map" in missing.stderr


@pytest.mark.skipif(
    find_spec("cbsodata") is None, reason="cbsodata (the 'geo' extra) is not installed"
)
def test_online_against_local_servers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with servers.statline() as stat, servers.pdok() as pdok:
        monkeypatch.setenv("BSZ_STATLINE_URL", stat.url)
        monkeypatch.setenv("BSZ_PDOK_URL", pdok.url + servers.PDOK_BASE)
        result = runner.invoke(
            app,
            [
                "gebieden",
                "--gemeente",
                "GM0855",
                "--online",
                "--geometrie-online",
                "--out",
                str(tmp_path / "g"),
            ],
        )
    assert result.exit_code == 0, result.output
    assert "Gebiedsbestand: Tilburg (GM0855), indeling 2024" in result.stdout
    assert "Grenzen: wijken: 3; buurten: 6" in result.stdout
