"""``bsz wijken``: only the area outputs (page, workbook, log of exactly those), the chosen
group's plan, Dutch errors for an unknown group, and no file left behind on an error.

One run of the command on a small synthetic population (12.000 households, 3 groups, 1 start,
no stability replicates; about 13 s on the project's 2-core machine); the other tests reuse it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from bestaanszekerheid.cli import app
from bestaanszekerheid.households.synthetic import generate_population
from bestaanszekerheid.pipeline import (
    AnalysisOptions,
    AnalysisResult,
    UnknownGroupError,
    _outreach,
    run_analysis,
)
from bestaanszekerheid.reports import areas_page

runner = CliRunner()
FAST = ["--klassen", "3", "--starts", "1", "--bootstrap", "0", "--seed", "1"]
OUTPUTS = {
    "wijken.html",
    "wijken.xlsx",
    "onthullingscontrole_wijken.md",
    "onthullingscontrole_wijken.json",
}


@dataclass
class Wijken:
    households: pd.DataFrame
    input: Path
    out: Path
    stdout: str
    #: The run's result, as the command handed it to the writer.
    result: AnalysisResult

    def html(self) -> str:
        return (self.out / "wijken.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def wijken(tmp_path_factory: pytest.TempPathFactory) -> Wijken:
    folder = tmp_path_factory.mktemp("wijken")
    households = generate_population(12_000, seed=5).households
    path = folder / "huishoudens.parquet"
    households.to_parquet(path)
    out = folder / "uit" / "wijken"
    seen: list[AnalysisResult] = []
    write = areas_page.write_areas_outputs

    def keep(result: AnalysisResult, out: Path, plan: str) -> dict[str, Path]:
        # The pipeline stopped after the areas and wrote nothing, not even the folder.
        assert not out.parent.exists()
        seen.append(result)
        return write(result, out, plan)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(areas_page, "write_areas_outputs", keep)
        result = runner.invoke(
            app, ["wijken", "--input", str(path), "--out", str(out), "--groep", "2", *FAST]
        )
    assert result.exit_code == 0, result.output
    return Wijken(households, path, out, result.stdout, seen[0])


def test_only_the_area_outputs_are_written(wijken: Wijken) -> None:
    # No report, cards, bundle or names template; no temporary folder left.
    assert {p.name for p in wijken.out.iterdir()} == OUTPUTS
    for name in OUTPUTS:
        assert f"{wijken.out / name}" in wijken.stdout or name.endswith(".json")


def test_the_page_holds_the_report_section_offline_and_labelled_synthetic(wijken: Wijken) -> None:
    html = wijken.html()
    assert html.count('<section id="waar-wonen-ze"') == 1
    assert '<section id="waar-wonen-de-groepen"' in html  # the group maps
    assert 'id="kaart-doelgroep-per-wijk"' in html
    assert "Bron: CBS (wijk- en buurtindeling 2024" in html
    # Only that section: none of the report's others.
    for other in ("samenvatting", "modelkeuze", "per-groep", "bijlage-onthullingscontrole"):
        assert f'<section id="{other}"' not in html
    assert html.count('data-banner="synthetisch"') == 1 and "@top-center" in html
    assert not re.search(r"""(src|href)=["'](https?:)?//""", html)
    assert "default-src 'none'" in html


def test_the_chosen_groups_plan_is_on_the_page_and_in_the_workbook(wijken: Wijken) -> None:
    html = wijken.html()
    assert "Waar aanbellen? Het bereikplan voor Groep 2" in html
    assert 'data-tabel="bereikplan-groep-2"' in html
    assert 'data-tabel="bereikplan"' not in html  # not the whole target group's plan
    assert "Bereikplan voor Groep 2:" in wijken.stdout
    wb = load_workbook(wijken.out / "wijken.xlsx", read_only=True)
    rows = list(wb["Inhoud"].iter_rows(values_only=True))
    assert any("SYNTHETISCHE GEGEVENS" in str(r[0]) for r in rows)
    titles = [str(r[1]) for r in rows[3:]]
    assert "Bereikplan voor Groep 2: beste keuze (wijken)" in titles
    assert "Doelgroep per wijk" in titles
    # The workbook holds the page's tables only, not the profiles' characteristic tables.
    assert not any(t.startswith("Doelgroep naar ") for t in titles)


def test_the_log_covers_exactly_the_published_outputs(wijken: Wijken) -> None:
    doc = json.loads((wijken.out / "onthullingscontrole_wijken.json").read_text("utf-8"))
    names = {o["name"] for o in doc["outputs"]}
    assert "Doelgroep per wijk" in names and "Alle huishoudens per wijk" in names
    assert "Groepen per wijk en buurt (BCH-gecorrigeerde schattingen)" in names
    # Not on the page or in the workbook, so not in this log.
    assert "Huishoudens naar doelgroep" not in names
    assert not any(n.startswith("Doelgroep naar ") for n in names)
    assert all(o["files"] == ["wijken.html", "wijken.xlsx"] for o in doc["outputs"])
    md = (wijken.out / "onthullingscontrole_wijken.md").read_text("utf-8")
    assert "(synthetisch)" in md and "niet publiceren" in md


def test_an_unknown_group_is_a_dutch_error_listing_the_choices(
    wijken: Wijken, tmp_path: Path
) -> None:
    out = tmp_path / "uit"
    for groep, message in (
        ("7", "--groep '7' bestaat niet: met --klassen heeft het model hoogstens 3 groepen. "
         "Kies uit: doelgroep, 1, 2 of 3."),
        ("bewoners", "--groep 'bewoners': kies 'doelgroep'"),
    ):  # fmt: skip
        result = runner.invoke(
            app,
            ["wijken", "--input", str(wijken.input), "--out", str(out), "--groep", groep, *FAST],
        )
        assert result.exit_code == 2, result.output
        assert result.stderr.count("Fout: ") == 1 and message in result.stderr, result.stderr
        assert "Traceback" not in result.output
    assert not out.exists()


def test_a_group_the_chosen_model_lacks_is_refused_before_the_profiles(
    wijken: Wijken, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The library: right after the model choice (3 groups), before any slow step.
    options = AnalysisOptions(
        classes=(3,), n_init=1, n_bootstrap_stability=0, outreach_plans=("Groep 4",)
    )
    with pytest.raises(UnknownGroupError) as caught:
        run_analysis(wijken.households, tmp_path / "uit", options)
    assert caught.value.choices == ("doelgroep", "Groep 1", "Groep 2", "Groep 3")
    assert "Kies uit: doelgroep, Groep 1, Groep 2, Groep 3." in str(caught.value)
    # The command line names its flag and the numbers it takes (--klassen 2-8 may choose
    # fewer groups than --groep asks for).
    import bestaanszekerheid.cli.analyse as analyse

    def refuse(*args: object, **kwargs: object) -> AnalysisResult:
        raise caught.value

    monkeypatch.setattr(analyse, "run_with_progress", refuse)
    out = tmp_path / "cli"
    result = runner.invoke(
        app, ["wijken", "--input", str(wijken.input), "--out", str(out), "--groep", "4"]
    )
    assert result.exit_code == 2, result.output
    assert (
        "--groep '4' bestaat niet: het gekozen model heeft 3 groepen. Kies uit: doelgroep, "
        "1, 2 of 3" in result.stderr
    )
    assert not out.exists()


@pytest.fixture()
def result(wijken: Wijken) -> AnalysisResult:
    return wijken.result


def test_a_failure_while_writing_leaves_no_file_behind(
    result: AnalysisResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> Path:
        raise OSError("schijf vol")

    monkeypatch.setattr(areas_page, "write_xlsx", broken)
    new = tmp_path / "nieuw" / "wijken"
    with pytest.raises(OSError, match="schijf vol"):
        areas_page.write_areas_outputs(result, new)
    assert not (tmp_path / "nieuw").exists()  # the folders it made are gone again
    # An existing folder keeps what it had, and gets nothing new (no half set, no temp).
    old = tmp_path / "bestaand"
    old.mkdir()
    (old / "wijken.html").write_text("vorige versie", encoding="utf-8")
    with pytest.raises(OSError):
        areas_page.write_areas_outputs(result, old, "Groep 1")
    assert [p.name for p in old.iterdir()] == ["wijken.html"]
    assert (old / "wijken.html").read_text(encoding="utf-8") == "vorige versie"


def test_the_target_groups_plan_by_default(result: AnalysisResult, tmp_path: Path) -> None:
    # The command made only the plan it was asked for (Groep 2).
    assert list(result.outreach) == ["Groep 2"]
    with_target = replace(
        result, outreach=_outreach(result.areas, result.options.doors, ("doelgroep",))
    )
    files = areas_page.write_areas_outputs(with_target, tmp_path)
    html = files["wijken"].read_text(encoding="utf-8")
    assert "Waar aanbellen? Het bereikplan</h3>" in html
    assert 'data-tabel="bereikplan"' in html
    # The run's register is not changed by the log of the page (another output may follow).
    assert all(not r.files for r in result.register.releases)
