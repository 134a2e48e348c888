"""The experiment report section: forest plot, checked counts, refusals, ``bsz effect`` XLSX."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path

import markupsafe
import numpy as np
import pandas as pd
import pytest
import typer
from openpyxl import load_workbook
from typer.testing import CliRunner

from bestaanszekerheid.disclosure import CheckedTable, ReleaseRegister, frequency_table
from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.experiments.checks import ExperimentInputs, check_experiment
from bestaanszekerheid.experiments.demo import (
    DEMO_LABELS,
    DemoAnalysis,
    DemoExperiment,
    analyse_demo,
    synthetic_trust_experiment,
)
from bestaanszekerheid.experiments.did import difference_in_differences
from bestaanszekerheid.experiments.estimation import estimate_effects
from bestaanszekerheid.experiments.report import (
    FOREST_KEY,
    ExperimentSection,
    arrange_experiment,
    experiment_section,
)
from bestaanszekerheid.experiments.results import format_p
from bestaanszekerheid.reports.html import render_html
from bestaanszekerheid.reports.tree import Bullets, Chart, Section, Table

runner = CliRunner()


@dataclass
class Built:
    demo: DemoExperiment
    analysis: DemoAnalysis
    section: ExperimentSection
    html: str


@pytest.fixture(scope="module")
def built() -> Built:
    demo = synthetic_trust_experiment()
    analysis = analyse_demo(demo, reps=0)
    inputs = ExperimentInputs(
        demo.data,
        arm="groep",
        effects=analysis.effects,
        unit="deelnemer",
        subgroups=["geslacht", "leeftijdsgroep"],
        balance=analysis.balance,
        attrition={"welzijn": analysis.attrition},
        power=analysis.power,
        synthetic=True,
        labels=DEMO_LABELS,
        by_class={"uitstroom_werk": analysis.by_profile},
    )
    section = experiment_section(inputs, ReleaseRegister())
    return Built(demo, analysis, section, render_html(section.report()))


def _blocks(section: Section) -> list[object]:
    out: list[object] = list(section.blocks)
    for sub in section.subsections:
        out.extend(_blocks(sub))
    return out


def _svg_of(html: str, key: str) -> str:
    m = re.search(
        rf'<figure class="chart" id="{key}">.*?src="data:image/svg\+xml;base64,([^"]+)"', html, re.S
    )
    assert m, f"geen figuur {key}"
    return base64.b64decode(m.group(1)).decode("utf-8")


def test_forest_plot_shows_every_arm_with_holm_p(built: Built) -> None:
    svg = _svg_of(built.html, FOREST_KEY)
    assert svg.lstrip().startswith("<svg")
    effects = built.analysis.effects.effects
    assert len(effects) == 6
    for e in effects:
        # Every arm on every outcome, by its label, with its Holm-adjusted p-value.
        assert e.p_holm is not None
        assert f">{DEMO_LABELS.arm(e.arm)}  (p Holm {format_p(e.p_holm)})</text>" in svg
    assert "Controle  (p Holm" not in svg
    assert ">0</text>" in svg  # the zero line's tick
    charts = [b for b in _blocks(built.section.section) if isinstance(b, Chart)]
    table = charts[0].table
    assert table is not None and table.kind == "estimate"
    assert table.sources == (built.section.model.name,)
    # The table behind the chart: the estimates in percentage points for the binary outcome.
    e = built.analysis.effects.effect("extra_begeleiding", "uitstroom_werk")
    row = next(
        r
        for r in table.rows
        if r[0].value == "Uitstroom naar werk (in procentpunten)"
        and r[1].value == "Extra begeleiding"
    )
    assert row[3].value == pytest.approx(100 * e.estimate)
    # The phone version: the same effects, at most 320 px wide.
    assert charts[0].narrow_svg.lstrip().startswith("<svg")
    width = float(re.search(r'<svg[^>]* width="([0-9.]+)"', charts[0].narrow_svg)[1])  # type: ignore[index]
    assert width <= 320


def test_forest_plot_for_paper_is_drawn_at_its_printed_size(built: Built) -> None:
    """On paper the panels side by side, within an A4 page's 695 px, every text at 11 px
    or more (8.25 pt printed at its own size); the arms once, each panel's p-values beside
    it (the screen's plot, shrunk to fit, printed at 5.4 pt)."""
    (chart, *_) = [b for b in _blocks(built.section.section) if isinstance(b, Chart)]
    svg = chart.print_svg
    size = re.search(r'<svg[^>]* width="([0-9.]+)" height="([0-9.]+)"', svg)
    assert size is not None and float(size[1]) <= 695 and float(size[2]) < 200
    fonts = [float(f) for f in re.findall(r'font-size="([0-9.]+)px"', svg)]
    assert fonts and min(fonts) >= 11
    effects = built.analysis.effects.effects
    for e in effects:
        assert e.p_holm is not None
        assert f">p Holm {format_p(e.p_holm)}</text>" in svg
    for arm in {DEMO_LABELS.arm(e.arm) for e in effects}:
        assert svg.count(f">{arm}</text>") == 1
    # In the page as the paper's picture, beside the screen's.
    figure = re.search(rf'<figure class="chart" id="{FOREST_KEY}">(.*?)</figure>', built.html, re.S)
    assert figure is not None and 'class="screen-only"' in figure[1]
    assert 'class="print-only"' in figure[1]


def test_reading_guide_power_and_synthetic_mark(built: Built) -> None:
    html = built.html
    assert "Geen significant effect betekent niet: geen effect" in html
    # The design's power calculation (780 people, 20%, three tests) is not shown next to the
    # realised one: one detectable effect per outcome.
    assert str(markupsafe.escape(built.analysis.power.uitleg())) not in html
    assert "Kleinst aantoonbaar effect per uitkomst" in html
    assert "(synthetisch)" in built.section.section.title
    assert 'data-banner="synthetisch"' in html


def test_every_count_is_at_least_ten_and_recomputes_from_the_data(built: Built) -> None:
    data = built.demo.data
    # Labels back to codes: the tables show labels, the data has codes.
    arm_code = {DEMO_LABELS.arm(a): a for a in data["groep"].unique()}
    column_code = {DEMO_LABELS.variable(c): c for c in data.columns}
    released = {r.output.name for r in built.section.register.releases}
    tables = [b for b in _blocks(built.section.section) if isinstance(b, Table)]
    count_tables = [t for t in tables if any(c.fmt == "int" for row in t.rows for c in row)]
    assert len(count_tables) >= 4  # sizes, two subgroup tables, attrition
    seen = 0
    for t in count_tables:
        assert t.kind == "checked" and t.sources and set(t.sources) <= released, t.key
        source = next(
            r.output for r in built.section.register.releases if r.output.name == t.sources[0]
        )
        assert isinstance(source, CheckedTable)
        column = source.cols[0] if source.cols else None
        for row in t.rows:
            for name, cell in zip(t.columns, row, strict=True):
                if cell.fmt != "int":
                    continue
                assert not cell.hidden and isinstance(cell.value, float)
                assert cell.value >= 10
                # Balance: the arm is the column; elsewhere the row.
                arm = name if t.key == "effect-balans" else str(row[0].value)
                rows = data if arm == "Totaal" else data[data["groep"] == arm_code[arm]]
                if t.key == "effect-balans" or column is None or name == "Totaal":
                    expected = len(rows)
                elif column == "Welzijn (0-10) gemeten":
                    expected = int((rows["welzijn"].notna() == (name == "ja")).sum())
                else:
                    code = column_code[column]
                    values = rows[code].astype(str).map(lambda v, c=code: DEMO_LABELS.value(c, v))
                    expected = int((values == name).sum())
                assert cell.value == expected, (t.key, arm, name)
                seen += 1
    assert seen >= 40
    # The same in the rendered HTML: every integer shown is at least 10.
    ints = re.findall(r'data-waarde="([^"]+)" data-opmaak="int"', built.html)
    assert ints and all(float(v) >= 10 for v in ints)


def test_estimates_are_released_as_a_checked_model(built: Built) -> None:
    model = built.section.model
    assert model.passed and model.df_resid is not None and model.df_resid >= 10
    assert any(r.output is model for r in built.section.register.releases)


def _small_cell_data() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 120
    d = pd.DataFrame(
        {
            "id": [f"P{i}" for i in range(n)],
            "groep": ["controle"] * 60 + ["interventie"] * 60,
            # Only 4 people aged 65+ in the intervention group.
            "leeftijdsgroep": ["jong"] * 30 + ["oud"] * 30 + ["jong"] * 56 + ["65+"] * 4,
            "y": rng.normal(size=n),
        }
    )
    return d


def test_small_subgroup_cell_is_suppressed() -> None:
    d = _small_cell_data()
    effects = estimate_effects(d, outcomes="y", arm="groep", control="controle")
    section = experiment_section(
        ExperimentInputs(d, arm="groep", effects=effects, unit="id", subgroups=["leeftijdsgroep"])
    )
    table = next(
        b
        for b in _blocks(section.section)
        if isinstance(b, Table) and b.key == "effect-arm-leeftijdsgroep"
    )
    col = table.columns.index("65+")
    row = next(r for r in table.rows if r[0].value == "Interventie")
    assert row[col].hidden
    assert "x" in render_html(section.report())
    for r in table.rows:
        for cell in r:
            assert cell.fmt != "int" or cell.hidden or float(cell.value or 0) >= 10  # type: ignore[arg-type]


def test_appendix_shows_every_checked_output_with_its_own_check(built: Built) -> None:
    appendix = built.section.disclosure_section()
    table = next(b for b in appendix.blocks if isinstance(b, Table))
    assert table.columns == ("Uitvoer", "Soort", "Cellen", "Weggelaten cellen", "Controle")
    releases = built.section.register.releases
    assert [r[0].value for r in table.rows] == [r.name for r in releases]
    for row, release in zip(table.rows, releases, strict=True):
        out = release.output
        if isinstance(out, CheckedTable):
            assert row[1].value == "tabel"
            assert row[2].value == str(out.status.size)
            hidden = int(out.status.isin(["primary", "secondary"]).to_numpy().sum())
            assert row[3].value == str(hidden) and row[4].value == "in orde"
        else:
            assert row[1].value == f"model: {out.kind}" and row[2].value == "–"
            assert row[4].value == ("in orde" if out.passed else "geweigerd")
    bullets = [b for b in appendix.blocks if isinstance(b, Bullets)]
    assert bullets and bullets[0].title == "Toegepaste regels" and bullets[0].items


def test_a_refused_subgroup_table_is_left_out_with_a_public_note() -> None:
    d = _small_cell_data().drop(columns="leeftijdsgroep")
    d["geslacht"] = ["m", "v"] * 60  # 30 of each in both groups
    # Published before: sex as recorded elsewhere, where 3 men are women; next to it the
    # group x sex table's column "m" would give those 3 away by subtraction.
    elsewhere = d["geslacht"].where(~d.index.isin([0, 2, 4]), "v")
    register = ReleaseRegister(on_conflict="refuse")
    register.release(
        frequency_table(d.assign(g=elsewhere), "g", unit="id", name="Eerder: geslacht")
    )
    effects = estimate_effects(d, outcomes="y", arm="groep", control="controle")
    checked = check_experiment(
        ExperimentInputs(d, arm="groep", effects=effects, unit="id", subgroups=["geslacht"]),
        register,
    )
    name = "Deelnemers per arm en geslacht"
    assert "geslacht" not in checked.subgroup_tables
    assert [r.name for r in register.refused] == [name]
    assert name not in {t.name for t in checked.tables}
    assert len(checked.notes) == 1 and f"'{name}'" in checked.notes[0]
    section = arrange_experiment(checked)
    keys = {b.key for b in _blocks(section.section) if isinstance(b, Table)}
    assert "effect-arm-geslacht" not in keys and "effect-armgrootte" in keys
    assert section.notes == checked.notes
    html = render_html(section.report())
    assert str(markupsafe.escape(checked.notes[0])) in html
    appendix = next(b for b in section.disclosure_section().blocks if isinstance(b, Table))
    row = next(r for r in appendix.rows if r[0].value == name)
    assert row[4].value == "geweigerd (niet gepubliceerd)"


def test_small_arm_refuses_the_estimates_in_dutch() -> None:
    d = _small_cell_data()
    d.loc[d.index[-6:], "groep"] = "klein"
    effects = estimate_effects(d, outcomes="y", arm="groep", control="controle")
    with pytest.raises(UserFacingError, match=r"mag niet worden geëxporteerd.*minder dan 10"):
        experiment_section(ExperimentInputs(d, arm="groep", effects=effects, unit="id"))


def test_difference_in_differences_is_labelled_weaker_and_checked() -> None:
    rng = np.random.default_rng(1)
    units, periods = 40, 4
    panel = pd.DataFrame(
        {
            "eenheid": np.repeat(np.arange(units), periods),
            "periode": np.tile(np.arange(periods), units),
        }
    )
    treated = panel["eenheid"] < 20
    panel["behandeld"] = (treated & (panel["periode"] >= 2)).astype(int)
    panel["y"] = 0.5 * panel["behandeld"] + rng.normal(size=len(panel))
    did = difference_in_differences(
        panel, outcome="y", unit="eenheid", time="periode", treatment="behandeld"
    )
    d = _small_cell_data()
    effects = estimate_effects(d, outcomes="y", arm="groep", control="controle")
    section = experiment_section(
        ExperimentInputs(d, arm="groep", effects=effects, unit="id", did=did)
    )
    html = render_html(section.report())
    assert "Verschil-in-verschillen (zwakker bewijs)" in html
    assert "zwakker bewijs" in did.evidence
    names = [r.output.name for r in section.register.releases]
    assert "Verschil-in-verschillen (y)" in names
    # One treated unit: refused as model output.
    one = panel.assign(behandeld=((panel["eenheid"] == 0) & (panel["periode"] >= 2)).astype(int))
    weak = difference_in_differences(
        one, outcome="y", unit="eenheid", time="periode", treatment="behandeld"
    )
    with pytest.raises(UserFacingError, match="interventie-eenheden"):
        experiment_section(ExperimentInputs(d, arm="groep", effects=effects, unit="id", did=weak))


def test_bsz_effect_writes_xlsx_html_and_disclosure_log(app: typer.Typer, tmp_path: Path) -> None:
    demo = synthetic_trust_experiment()
    src = tmp_path / "experiment.csv"
    demo.data.to_csv(src, index=False, sep=";", decimal=",")
    out = tmp_path / "uit"
    args = ["effect", "--input", str(src), "--arm", "groep", "--controle", "controle"]
    args += ["--uitkomst", "uitstroom_werk,welzijn", "--covariaten", "leeftijd,startkwalificatie"]
    args += ["--strata", "geslacht,leeftijdsgroep", "--id", "deelnemer", "--out", str(out)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    wb = load_workbook(out / "effectmeting.xlsx", read_only=True)
    titles = {str(ws["A1"].value): ws.title for ws in wb.worksheets}
    for name in (
        "Deelnemers per arm",
        "Deelnemers per arm en geslacht",
        "Deelnemers per arm en leeftijdsgroep",
        "Deelnemers per arm en meting van welzijn",
        "Gemiddelde leeftijd per arm",
        "Effecten per arm en uitkomst",
    ):
        assert name in titles, sorted(titles)
    sizes = wb[titles["Deelnemers per arm"]]
    values = {
        str(r[0]): r[1] for r in sizes.iter_rows(min_row=6, values_only=True) if r[0] is not None
    }
    # Without a labels file the codes are made readable: 'controle' reads 'Controle'.
    assert values["Controle"] == int((demo.data["groep"] == "controle").sum())
    html = (out / "effectmeting.html").read_text(encoding="utf-8")
    assert f'id="{FOREST_KEY}"' in html and "Content-Security-Policy" in html
    log = (out / "onthullingscontrole.md").read_text(encoding="utf-8")
    assert "Effectschattingen (intention-to-treat)" in log
    assert "Deelnemers per arm en geslacht" in log


def test_bsz_effect_refuses_a_small_arm_without_writing(app: typer.Typer, tmp_path: Path) -> None:
    d = _small_cell_data()
    d.loc[d.index[-6:], "groep"] = "klein"
    src = tmp_path / "klein.csv"
    d.to_csv(src, index=False)
    out = tmp_path / "uit"
    args = ["effect", "--input", str(src), "--uitkomst", "y", "--controle", "controle"]
    res = runner.invoke(app, [*args, "--id", "id", "--out", str(out)])
    assert res.exit_code == 2 and "Export geweigerd" in res.output
    assert not out.exists() or not any(out.iterdir())
