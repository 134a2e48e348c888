"""``bsz analyse`` and ``bsz demo`` end to end (small data, fast settings)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import load_workbook
from typer.testing import CliRunner

from bestaanszekerheid.cli import LAZY_COMMANDS, app
from bestaanszekerheid.households.synthetic import generate_population
from bestaanszekerheid.target import select_target
from tests.conftest import own_rules_file

runner = CliRunner()
FAST = ["--klassen", "3-5", "--starts", "2", "--bootstrap", "1"]


def test_analyse_on_real_looking_data_has_no_synthetic_banner(tmp_path: Path) -> None:
    households = generate_population(15_000, seed=9).households.copy()
    households["synthetic"] = False  # as if it were a municipality's own file
    path = tmp_path / "huishoudens.parquet"
    households.to_parquet(path)
    out = tmp_path / "uit"
    result = runner.invoke(app, ["analyse", "--input", str(path), "--out", str(out), *FAST])
    assert result.exit_code == 0, result.output
    html = (out / "rapport.html").read_text(encoding="utf-8")
    assert "data-banner" not in html
    assert "ynthetisch" not in html
    assert "@top-center" not in html
    assert "Hoe de doelgroep is bepaald" in html
    for name in (
        "rapport.html",
        "persona-kaarten.pdf",
        "tabellen.xlsx",
        "bundel.json",
        "onthullingscontrole.md",
        "onthullingscontrole.json",
        "groepsnamen.yaml",
    ):
        assert (out / name).exists(), name
        if name != "onthullingscontrole.json":
            assert str(out / name) in result.output  # the paths to open are printed
    umask = os.umask(0)
    os.umask(umask)
    for output in out.iterdir():  # shareable: the umask's permissions, not mkstemp's 0600
        if output.is_file():
            assert output.stat().st_mode & 0o777 == 0o666 & ~umask, output.name
    # the analyst renames a group and runs again: the report uses the new name
    names = out / "groepsnamen.yaml"
    names.write_text("groepen:\n  Groep 1:\n    naam: Onze eigen naam\n", encoding="utf-8")
    again = runner.invoke(
        app, ["analyse", "--input", str(path), "--out", str(out), "--namen", str(names), *FAST]
    )
    assert again.exit_code == 0, again.output
    assert "Onze eigen naam" in (out / "rapport.html").read_text(encoding="utf-8")


def test_analyse_reports_user_errors_in_dutch(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["analyse", "--input", str(tmp_path / "x.csv"), "--out", "u"])
    assert missing.exit_code == 2
    households = generate_population(2_000, seed=1).households
    path = tmp_path / "h.parquet"
    households.to_parquet(path)
    bad = runner.invoke(
        app, ["analyse", "--input", str(path), "--out", str(tmp_path), "--klassen", "a-b"]
    )
    assert bad.exit_code == 2
    assert "Ongeldig aantal klassen" in bad.output
    names = tmp_path / "namen.yaml"
    names.write_text("groepen:\n  Groep 42:\n    naam: x\n", encoding="utf-8")
    unknown = runner.invoke(
        app,
        ["analyse", "--input", str(path), "--out", str(tmp_path), "--namen", str(names), *FAST],
    )
    assert unknown.exit_code == 2
    assert "Onbekende groep" in unknown.output


def test_analyse_with_an_own_rules_file(tmp_path: Path) -> None:
    households = generate_population(4_000, seed=9).households.copy()
    path = tmp_path / "h.parquet"
    households.to_parquet(path)
    rules = own_rules_file(tmp_path / "regels.toml", min_count=15)
    out = tmp_path / "uit"
    result = runner.invoke(
        app, ["analyse", "--input", str(path), "--out", str(out), "--regels", str(rules), *FAST]
    )
    assert result.exit_code == 0, result.output
    log = json.loads((out / "onthullingscontrole.json").read_text(encoding="utf-8"))
    assert log["rules"]["version"] == "eigen-15"
    assert log["rules"]["sha256"] == hashlib.sha256(rules.read_bytes()).hexdigest()
    assert log["rules"]["values"]["min_count"] == 15
    assert {o["rules_version"] for o in log["outputs"]} == {"eigen-15"}
    # Wijken with 10-14 households in the target group pass the default rules, not these.
    counts = select_target(households).households["wijk_code"].value_counts()
    between = {str(code) for code, n in counts.items() if 10 <= n < 15}
    assert between
    per_wijk = next(o for o in log["outputs"] if o["name"] == "Doelgroep per wijk")
    hidden = {c["row"][0] for c in per_wijk["suppressed_cells"] if "min_count" in c["reasons"]}
    assert between <= hidden
    assert "minder dan 15 eenheden" in (out / "onthullingscontrole.md").read_text(encoding="utf-8")


def test_analyse_refuses_a_missing_or_invalid_rules_file(tmp_path: Path) -> None:
    households = generate_population(2_000, seed=1).households
    path = tmp_path / "h.parquet"
    households.to_parquet(path)
    invalid = tmp_path / "ongeldig.toml"
    invalid.write_text('version = "x"\n[rules.min_kount]\nvalue = 10\n', encoding="utf-8")
    for rules, message in (
        (tmp_path / "bestaat_niet.toml", "Kan het regelbestand"),
        (invalid, "Onbekende regel(s)"),
    ):
        out = tmp_path / "uit"
        result = runner.invoke(
            app, ["analyse", "--input", str(path), "--out", str(out), "--regels", str(rules)]
        )
        assert result.exit_code == 2, result.output
        assert result.stderr.count("Fout: ") == 1 and message in result.stderr
        assert "Traceback" not in result.output
        assert not out.exists()  # refused before anything was written


class _Tables(HTMLParser):
    """Tables of the HTML report: key, kind, sources, column names and rows of cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, Any]] = []
        self._in: str | None = None
        self._attrs: dict[str, str] = {}
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "table":
            self.tables.append({**a, "columns": [], "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("th", "td") and self.tables:
            self._in, self._attrs, self._text = tag, a, ""

    def handle_data(self, data: str) -> None:
        if self._in:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._in:
            t = self.tables[-1]
            if self._attrs.get("scope") == "col":
                t["columns"].append(self._text.strip())
            else:
                fmt = self._attrs.get("data-opmaak")
                t["rows"][-1].append((self._text.strip(), fmt, self._attrs.get("data-waarde")))
            self._in = None


def _check_demo_experiment(out: Path, html: str) -> None:
    """The experiment section: forest plot SVG, every count >= 10 and from a checked table,
    labels instead of codes, effects per latent group."""
    from bestaanszekerheid.experiments.demo import DEMO_LABELS
    from bestaanszekerheid.experiments.labels import read_labels

    start = html.index('<section id="effectmeting"')
    section = html[start : html.index('<section id="methoden"')]
    assert "(synthetisch)" in section and "Synthetische gegevens" in section
    m = re.search(r'id="effecten-forestplot"><figcaption>.*?base64,([^"]+)"', section, re.S)
    assert m is not None
    svg = base64.b64decode(m.group(1)).decode("utf-8")
    assert svg.lstrip().startswith("<svg") and "p Holm" in svg
    assert "Geen significant effect betekent niet" in section
    assert 'id="effecten-per-groep-forestplot-1"' in section
    text = re.sub(r"<[^>]+>", " ", re.sub(r'src(set)?="data:[^"]*"', "", section))
    assert re.findall(r"\b[a-z]+_[a-z_]+\b", text) == []
    data = pd.read_csv(out / "invoer" / "experiment.csv", sep=";", decimal=",")
    assert read_labels(out / "invoer" / "experiment_labels.yaml") == DEMO_LABELS
    chances = pd.read_csv(out / "invoer" / "experiment_groepskansen.csv", sep=";", decimal=",")
    assert list(chances["deelnemer"]) == list(data["deelnemer"])
    arm_code = {DEMO_LABELS.arm(a): a for a in data["groep"].unique()}
    log = json.loads((out / "onthullingscontrole_experiment.json").read_text(encoding="utf-8"))
    released = {o["name"] for o in log["outputs"]}
    assert "Effectschattingen (intention-to-treat)" in released
    assert "Effecten per groep op uitstroom naar werk" in released
    parser = _Tables()
    parser.feed(section)
    checked = 0
    for t in parser.tables:
        counts = [
            (r[0][0], col, v)
            for r in t["rows"]
            if r
            for col, (_, fmt, v) in zip(t["columns"][1:], r[1:], strict=True)
            if fmt == "int"
        ]
        if t["data-soort"] != "checked":
            continue
        assert set(t["data-bron"].split(" | ")) <= released, t["data-tabel"]
        for row, col, value in counts:
            if t["data-tabel"] == "effect-balans":
                if row != "Aantal deelnemers":
                    continue
                row, col = col, "Totaal"
            assert value != "x", (t["data-tabel"], row, col)  # nothing is suppressed in the demo
            rows = data if row == "Totaal" else data[data["groep"] == arm_code[row]]
            if col in ("Totaal", "Aantal deelnemers"):
                expected = len(rows)
            elif t["data-tabel"] == "uitval-welzijn":
                expected = int((rows["welzijn"].notna() == (col == "ja")).sum())
            else:
                column = t["data-tabel"].removeprefix("effect-arm-")
                values = rows[column].astype(str).map(lambda v, c=column: DEMO_LABELS.value(c, v))
                expected = int((values == col).sum())
            assert float(value) == expected >= 10, (t["data-tabel"], row, col)
            checked += 1
    assert checked >= 40
    wb = load_workbook(out / "tabellen.xlsx", read_only=True)
    titles = {str(ws["A1"].value) for ws in wb.worksheets}
    assert {"Deelnemers per arm", "Effecten per arm en uitkomst"} <= titles


def test_demo_writes_the_report_and_prints_paths(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path), "--huishoudens", "12000"])
    assert result.exit_code == 0, result.output
    assert str(tmp_path / "rapport.html") in result.output
    html = (tmp_path / "rapport.html").read_text(encoding="utf-8")
    assert 'data-banner="synthetisch"' in html
    _check_demo_experiment(tmp_path, html)


def test_analyse_is_registered_lazily() -> None:
    """The command lives in the CLI package; `bsz --help` loads neither the pipeline nor
    pandas (the pipeline is imported when `bsz analyse` runs)."""
    assert LAZY_COMMANDS["analyse"][0] == "bestaanszekerheid.cli.analyse"
    code = (
        "import sys; from bestaanszekerheid.cli import main; sys.argv=['bsz','--help'];\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert 'bestaanszekerheid.pipeline' not in sys.modules\n"
        "assert 'pandas' not in sys.modules\n"
        "assert 'altair' not in sys.modules and 'weasyprint' not in sys.modules\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "analyse" in out.stdout


def test_households_without_income_are_counted_as_unknown() -> None:
    import numpy as np

    from bestaanszekerheid.target import select_target

    households = generate_population(3_000, seed=2).households.copy()
    households.loc[households.index[:25], "net_income_month"] = np.nan
    target = select_target(households, max_pct=130.0)
    status = target.status["doelgroep"].value_counts()
    assert target.unknown_income_count == 25
    assert status["Inkomen onbekend"] == 25
    assert status["In de doelgroep"] == target.count
    assert status.sum() == len(households)
    table = target.status_table().frame["count"]
    assert table["Inkomen onbekend"] == 25 and table["Totaal"] == len(households)


def test_a_few_households_without_income_stay_hidden_in_doelgroep_and_analyse(
    tmp_path: Path,
) -> None:
    """The audit's case: the CBS percentage column present and empty for 3 households.
    `bsz doelgroep` printed "3 huishoudens zonder bekend inkomenspercentage"; `bsz analyse`
    hid "In de doelgroep" to protect them and crashed on formatting it."""
    import numpy as np

    from bestaanszekerheid.norms import assess_income

    households = generate_population(3_000, seed=1).households.copy()
    pct = assess_income(households, date(2025, 1, 1)).income_pct_norm.to_numpy(dtype=float)
    pct[:3] = np.nan
    households["pct_social_minimum_cbs"] = pct
    path = tmp_path / "huishoudens.parquet"
    households.to_parquet(path)
    result = runner.invoke(app, ["doelgroep", "--input", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 huishoudens" not in result.output
    assert "zonder bekend inkomenspercentage: x" in result.output
    # The total of all households is public (CBS's Kerncijfers), so it stays and "above the
    # threshold" is hidden with the three: otherwise total minus the two others gives 3.
    from bestaanszekerheid.target import select_target

    table = select_target(households).status_table().frame["count"]
    assert table["Totaal"] == 3_000 and not np.isnan(table["In de doelgroep"])
    assert np.isnan(table["Inkomen onbekend"]) and np.isnan(table["Boven de grens"])
    assert "van de 3.000 huishoudens" in result.output
    out = tmp_path / "uit"
    result = runner.invoke(app, ["analyse", "--input", str(path), "--out", str(out), *FAST])
    assert result.exit_code == 0, result.output
    bundle = json.loads((out / "bundel.json").read_text(encoding="utf-8"))
    assert bundle["doelgroep"]["huishoudens"] > 0
