"""The experiment section as a reader meets it (issue 14, item 5): labels instead of codes,
"arm" for trial arms, one control column, intervals that agree with the corrected tests,
one detectable effect per outcome, effects per latent group with their caveats, all checked.
"""

from __future__ import annotations

import base64
import dataclasses
import html as html_lib
import math
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from scipy import stats
from typer.testing import CliRunner

from bestaanszekerheid.disclosure import ModelCheck, ReleaseRegister
from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.experiments import effects_by_class, estimate_effects
from bestaanszekerheid.experiments.checks import ExperimentInputs, check_experiment
from bestaanszekerheid.experiments.demo import DEMO_LABELS, DemoExperiment, demo_section
from bestaanszekerheid.experiments.labels import (
    Labels,
    in_sentence,
    labels_from_mapping,
    read_labels,
    readable,
)
from bestaanszekerheid.experiments.power import minimum_detectable_effect
from bestaanszekerheid.experiments.report import (
    CLASS_FOREST_KEY,
    FOREST_KEY,
    ExperimentSection,
    arrange_experiment,
    experiment_section,
)
from bestaanszekerheid.reports.html import render_html
from bestaanszekerheid.reports.tree import Bullets, Chart, Section, Table

#: A raw code: lower-case words joined by underscores (``coaching_bijverdienen``).
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")
SECTION = "effectmeting"
runner = CliRunner()


class _Visible(HTMLParser):
    """Everything a reader of one ``<section>`` sees or hears: its text, the alt texts and
    ARIA labels, and the text inside its SVG images; per subsection id."""

    def __init__(self, section_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.section_id = section_id
        self.stack: list[str | None] = []
        self.text: dict[str, list[str]] = {}
        self.svgs: list[str] = []

    def _add(self, text: str) -> None:
        if self.section_id in self.stack:
            self.text.setdefault(str(self.stack[-1]), []).append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "section":
            self.stack.append(a.get("id"))
        for name in ("alt", "aria-label", "title"):
            if a.get(name):
                self._add(a[name])
        src = a.get("src", "") or a.get("srcset", "")
        if src.startswith("data:image/svg+xml;base64,") and self.section_id in self.stack:
            svg = base64.b64decode(src.split(",", 1)[1]).decode("utf-8")
            self.svgs.append(svg)
            self._add(svg_text(svg))

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self._add(data)


def svg_text(svg: str) -> str:
    """The text an SVG shows (its ``<text>`` elements) and says (ARIA labels, titles)."""
    shown = re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S)
    said = re.findall(r'aria-label="([^"]*)"', svg)
    titles = re.findall(r"<title>(.*?)</title>", svg, re.S)
    return html_lib.unescape(" ".join([*shown, *said, *titles]))


def visible(page: str, section_id: str = SECTION) -> dict[str, str]:
    parser = _Visible(section_id)
    parser.feed(page)
    return {k: " ".join(" ".join(v).split()) for k, v in parser.text.items()}


@dataclass
class Demo:
    demo: DemoExperiment
    section: ExperimentSection
    html: str

    @property
    def text(self) -> str:
        return " ".join(visible(self.html).values())


@pytest.fixture(scope="module")
def demo() -> Demo:
    # As `bsz demo` builds it (labels, effects per latent group), without resampling.
    experiment, section = demo_section(ReleaseRegister(), reps=0)
    return Demo(experiment, section, render_html(section.report(created="2026-01-01")))


def _blocks(section: Section) -> list[object]:
    out: list[object] = list(section.blocks)
    for sub in section.subsections:
        out.extend(_blocks(sub))
    return out


def _tables(section: ExperimentSection) -> dict[str, Table]:
    found: dict[str, Table] = {}
    for b in _blocks(section.section):
        if isinstance(b, Table):
            found[b.key] = b
        elif isinstance(b, Chart) and b.table is not None:
            found[b.table.key] = b.table
    return found


def _chart(section: ExperimentSection, key: str) -> Chart:
    return next(b for b in _blocks(section.section) if isinstance(b, Chart) and b.key == key)


# ----------------------------------------------------------------------------- labels


def test_no_code_in_the_visible_text_of_the_section(demo: Demo) -> None:
    text = demo.text
    assert "Coaching en bijverdienen" in text and "Uitstroom naar werk" in text
    assert CODE.findall(text) == []
    # The charts' own text too (labels, axis titles, the screen-reader descriptions).
    parser = _Visible(SECTION)
    parser.feed(demo.html)
    assert len(parser.svgs) >= 4  # two forest plots, each wide and narrow
    for svg in parser.svgs:
        assert CODE.findall(svg_text(svg)) == []
    # The test can fail: a code in the section is found.
    changed = visible(demo.html.replace("Extra begeleiding", "extra_begeleiding"))
    found = CODE.findall(" ".join(changed.values()))
    assert found and set(found) == {"extra_begeleiding"}


def test_without_a_labels_file_codes_are_made_readable() -> None:
    assert readable("coaching_bijverdienen") == "Coaching bijverdienen"
    assert readable("uitstroom__werk ") == "Uitstroom werk"
    assert readable("WW_uitkering") == "WW uitkering"
    assert in_sentence("Uitstroom naar werk") == "uitstroom naar werk"
    assert in_sentence("WW-uitkering") == "WW-uitkering" and in_sentence("50+") == "50+"
    labels = Labels(arms={"a_1": "Eerste arm"})
    assert labels.arm("a_1") == "Eerste arm" and labels.arm("b_arm") == "B arm"
    assert labels.value("geslacht", "v") == "V"


def test_labels_file_format_and_its_errors(tmp_path: Path) -> None:
    path = tmp_path / "labels.yaml"
    path.write_text(
        "armen:\n  controle: Controle\n  coaching_bijverdienen: Coaching en bijverdienen\n"
        "uitkomsten:\n  uitstroom_werk: Uitstroom naar werk\n"
        "kenmerken:\n  duur_uitkering_jaren: Duur van de uitkering (jaren)\n"
        "waarden:\n  geslacht:\n    v: Vrouw\n"
        "groepen:\n  ver_van_werk: Ver van werk\n",
        encoding="utf-8",
    )
    labels = read_labels(path)
    assert labels.arm("coaching_bijverdienen") == "Coaching en bijverdienen"
    assert labels.outcome("uitstroom_werk") == "Uitstroom naar werk"
    assert labels.variable("duur_uitkering_jaren") == "Duur van de uitkering (jaren)"
    assert labels.value("geslacht", "v") == "Vrouw"
    assert labels.latent("ver_van_werk") == "Ver van werk"
    # Round trip: what `bsz effect` writes, it reads.
    again = tmp_path / "again.yaml"
    again.write_text(labels.to_yaml(), encoding="utf-8")
    assert read_labels(again) == labels
    with pytest.raises(UserFacingError, match="onbekende sectie"):
        labels_from_mapping({"groepjes": {}})
    with pytest.raises(UserFacingError, match="label van 'a' is leeg"):
        labels_from_mapping({"armen": {"a": ""}})
    with pytest.raises(UserFacingError, match="bestaat niet"):
        read_labels(tmp_path / "geen.yaml")
    with pytest.raises(UserFacingError, match=r"'a' en 'b' .armen. krijgen allebei het label"):
        Labels(arms={"a": "Zelfde", "b": "zelfde"}).check(arms=["a", "b"])
    with pytest.raises(UserFacingError, match=r"niet in de gegevens.*contorle"):
        Labels(arms={"contorle": "Controle"}).check(arms=["controle", "b"])


def test_a_labels_file_naming_an_unknown_arm_is_refused(demo: Demo) -> None:
    d = demo.demo.data
    effects = estimate_effects(d, outcomes="uitstroom_werk", arm="groep", control="controle")
    with pytest.raises(UserFacingError, match="niet in de gegevens"):
        check_experiment(
            ExperimentInputs(
                d, arm="groep", effects=effects, unit="deelnemer", labels=Labels({"x": "X"})
            )
        )


def test_checked_tables_carry_labels_in_the_register_and_log(demo: Demo) -> None:
    names = [r.output.name for r in demo.section.register.releases]
    assert "Deelnemers per arm" in names
    assert "Gemiddelde duur van de uitkering (jaren) per arm" in names
    assert "Deelnemers per arm en meting van welzijn (0-10)" in names
    for release in demo.section.register.releases:
        assert CODE.findall(release.output.name) == [], release.output.name
        if isinstance(release.output, ModelCheck):
            continue
        frame = release.output.to_frame("nl")
        shown = " ".join(map(str, [*frame.index, *frame.columns, *frame.index.names]))
        assert CODE.findall(shown) == [], release.output.name


# ----------------------------------------------------------------------------- arms


def test_arm_not_group_for_trial_arms(demo: Demo) -> None:
    parts = visible(demo.html)
    lead = parts.pop(SECTION)
    # The lead says once what "arm" and "groep" mean; elsewhere "groep" is a latent group.
    assert "een groep is in dit rapport een latente groep" in lead
    per_group = parts.pop(f"{SECTION}-per-groep")
    assert "groep" in per_group
    for key, text in parts.items():
        assert re.findall(r"\bgroep(en)?\b", text, re.I) == [], key
    assert "Deelnemers per arm" in parts[f"{SECTION}-armen"]
    for table in _tables(demo.section).values():
        assert "Groep" not in table.columns or table.key.startswith("effecten-per-groep")


def test_one_control_column_in_the_balance_table(demo: Demo) -> None:
    table = _tables(demo.section)["effect-balans"]
    arms = [DEMO_LABELS.arm(a) for a in ("controle", *sorted(set(demo.demo.data["groep"])))]
    assert table.columns[0] == "Kenmerk"
    assert len(table.columns) == len(set(table.columns)) == 1 + 4
    assert table.columns[1] == "Controle"  # the control arm first, once
    assert sorted(table.columns[1:]) == sorted(set(arms))
    # As rendered: the header row names every arm once.
    header = re.search(r'data-tabel="effect-balans".*?<thead>(.*?)</thead>', demo.html, re.S)
    assert header is not None
    cells = [html_lib.unescape(c) for c in re.findall(r"<th[^>]*>(.*?)</th>", header[1])]
    assert cells.count("Controle") == 1 and len(cells) == len(set(cells))
    # The differences: one column per intervention arm, none for the control arm.
    smd = _tables(demo.section)["effect-balans-verschil"]
    assert "Controle" not in smd.columns and len(smd.columns) == 1 + 3


# ----------------------------------------------------------------------------- intervals


def _shown_intervals(table: Table) -> list[tuple[str, str, float, float, float, str]]:
    """(row label, arm, effect, low, high, p Holm) as the table behind a chart shows them."""
    cols = table.columns
    low = next(i for i, c in enumerate(cols) if c.startswith("Ondergrens gecorrigeerd"))
    high = next(i for i, c in enumerate(cols) if c.startswith("Bovengrens gecorrigeerd"))
    effect, holm = cols.index("Effect"), cols.index("p (Holm)")
    return [
        (
            str(r[0].value),
            str(r[1].value),
            float(r[effect].value),  # type: ignore[arg-type]
            float(r[low].value),  # type: ignore[arg-type]
            float(r[high].value),  # type: ignore[arg-type]
            str(r[holm].value),
        )
        for r in table.rows
    ]


def _p(text: str) -> float:
    return 0.0 if text.startswith("<") else float(text.replace(",", "."))


def test_forest_plot_intervals_agree_with_the_holm_decisions(demo: Demo) -> None:
    chart = _chart(demo.section, FOREST_KEY)
    assert chart.table is not None and chart.table.sources == (demo.section.model.name,)
    rows = _shown_intervals(chart.table)
    assert len(rows) == 6
    for _outcome, arm, effect, low, high, p_holm in rows:
        assert low <= effect <= high
        excludes_zero = low > 0 or high < 0
        # A corrected interval that excludes zero is a Holm rejection: never an interval
        # clear of zero next to "not significant".
        assert not excludes_zero or _p(p_holm) < 0.05, (arm, low, high, p_holm)
    # The demo's case from the review: fewer obligations on wellbeing. Its plain 95%
    # interval excludes zero while Holm says not significant; the chart's interval does not.
    i, row = next(
        (i, r)
        for i, r in enumerate(rows)
        if r[0].startswith("Welzijn") and r[1] == "Minder verplichtingen"
    )
    plain_low = chart.table.rows[i][chart.table.columns.index("Ondergrens 95%-BI per vergelijking")]
    assert isinstance(plain_low.value, float) and plain_low.value > 0
    assert row[3] < 0 < row[4] and _p(row[5]) >= 0.05


def test_adjusted_intervals_are_bonferroni_over_the_family() -> None:
    rng = np.random.default_rng(4)
    n = 400
    d = pd.DataFrame({"groep": rng.choice(["c", "a", "b"], n), "y": rng.normal(size=n)})
    d["z"] = rng.normal(size=n) + 0.3 * (d["groep"] == "a")
    res = estimate_effects(d, outcomes=["y", "z"], arm="groep", control="c")
    assert res.m_tests == 4 and res.adjusted_level == pytest.approx(1 - 0.05 / 4)
    for e in res.effects:
        q = stats.t.ppf(1 - 0.05 / (2 * 4), e.df)
        assert e.ci_low_adjusted == pytest.approx(e.estimate - q * e.std_error, rel=1e-10)
        assert e.ci_high_adjusted == pytest.approx(e.estimate + q * e.std_error, rel=1e-10)
        assert e.ci_low_adjusted < e.ci_low and e.ci_high < e.ci_high_adjusted  # type: ignore[operator]
        excludes = e.ci_low_adjusted > 0 or e.ci_high_adjusted < 0  # type: ignore[operator]
        assert not excludes or (e.p_holm is not None and e.p_holm < 0.05)


def test_the_guide_names_a_holm_rejection_whose_interval_still_touches_zero(
    demo: Demo,
) -> None:
    """Holm can reject where the Bonferroni interval touches zero (Holm is stronger); the
    reading guide then says so by name instead of leaving the reader with a contradiction."""
    d = demo.demo.data
    inputs = ExperimentInputs(
        d,
        arm="groep",
        effects=estimate_effects(
            d, outcomes="uitstroom_werk", arm="groep", control="controle", unit="deelnemer"
        ),
        unit="deelnemer",
        labels=DEMO_LABELS,
    )
    checked = check_experiment(inputs)
    first = checked.effects.effects[0]
    touching = dataclasses.replace(
        first, p_holm=0.04, ci_low_adjusted=-0.01, ci_high_adjusted=0.2, estimate=0.1
    )
    checked.effects = dataclasses.replace(
        checked.effects, effects=(touching, *checked.effects.effects[1:])
    )
    section = arrange_experiment(checked)
    guide = next(
        b
        for b in _blocks(section.section)
        if isinstance(b, Bullets) and b.title == "Zo leest u de effecten"
    )
    text = " ".join(guide.items)
    assert f"dat geldt hier voor {DEMO_LABELS.arm(first.arm)} op uitstroom naar werk" in text
    data = render_html(section.report())
    assert "(hier komt dat niet voor)" not in data


# ----------------------------------------------------------------------------- power


def test_one_minimum_detectable_effect_per_outcome(demo: Demo) -> None:
    tables = _tables(demo.section)
    mde = tables["kleinst-aantoonbaar-effect"]
    outcomes = [str(r[0].value) for r in mde.rows]
    assert outcomes == ["Uitstroom naar werk", "Welzijn (0-10)"]
    d = demo.demo.data
    effects = demo.section.model
    assert effects.passed
    for row, code in zip(mde.rows, ("uitstroom_werk", "welzijn"), strict=True):
        # Recomputed as the section says: 5% over all 6 tests (Bonferroni), 80% power, the
        # realised allocation of those with a measurement, the control arm's distribution.
        measured = d[d[code].notna()]
        counts = measured["groep"].value_counts()
        n_c = float(counts["controle"])
        n_t = float(counts.drop("controle").mean())
        control = measured.loc[measured["groep"] == "controle", code]
        binary = code == "uitstroom_werk"
        expected = minimum_detectable_effect(
            n_per_arm=n_t,
            n_arms=4,
            control_ratio=n_c / n_t,
            baseline=float(control.mean()) if binary else None,
            sd=None if binary else float(control.std(ddof=1)),
            n_outcomes=2,
        ).effect
        assert row[1].value == pytest.approx(expected * (100 if binary else 1), rel=1e-9)
    # Nowhere else a detectable effect with another number: every sentence of the section
    # that names one is in the power subsection, and the design's 14 pp is not shown.
    parts = visible(demo.html)
    for key, text in parts.items():
        if key == f"{SECTION}-vermogen":
            continue
        for sentence in re.split(r"(?<=[.!?])\s", text):
            if "aantoonba" in sentence:
                assert not re.search(r"\d+,\d", sentence), (key, sentence)
    power = parts[f"{SECTION}-vermogen"]
    assert "15,8" in power and "ongeveer 14 procentpunten" not in demo.text
    assert "80% onderscheidend vermogen" in power and "Bonferroni" in power
    assert "6 vergelijkingen" in power


# ----------------------------------------------------------------------------- latent groups


def test_effects_per_latent_group_are_shown_with_their_caveats(demo: Demo) -> None:
    result = demo.demo
    text = visible(demo.html)[f"{SECTION}-per-groep"]
    for caveat in (
        "Verkennend",
        "Kleine groepen",
        "Meervoudig toetsen",
        "Niemand hoort zeker bij één groep",
        "Onthullingscontrole",
    ):
        assert caveat in text
    assert "niet de groepen van de huishoudens" in text
    chart = _chart(demo.section, f"{CLASS_FOREST_KEY}-1")
    assert chart.table is not None and chart.narrow_svg
    rows = _shown_intervals(chart.table)
    assert len(rows) == 3 * 3
    assert {r[0] for r in rows} == {"Dicht bij werk", "Middengroep", "Ver van werk"}
    by_class = effects_by_class(
        result.data, result.posteriors, outcome="uitstroom_werk", arm="groep", control="controle"
    ).effects
    for group, arm, effect, low, high, p_holm in rows:
        code_group = next(c for c in result.posteriors.columns if DEMO_LABELS.latent(c) == group)
        code_arm = next(a for a in set(result.data["groep"]) if DEMO_LABELS.arm(a) == arm)
        ref = by_class[(by_class.arm == code_arm) & (by_class.latent_class == code_group)].iloc[0]
        assert effect == pytest.approx(100 * ref["estimate"])
        assert (low, high) == pytest.approx(
            (100 * ref["ci_low_adjusted"], 100 * ref["ci_high_adjusted"])
        )
        assert not (low > 0 or high < 0) or _p(p_holm) < 0.05
    # Holm over the 9 arm x group tests, intervals Bonferroni over the same 9.
    holm = np.minimum(1, np.maximum.accumulate(np.sort(by_class["p_value"]) * (9 - np.arange(9))))
    assert np.sort(by_class["p_holm"].to_numpy()) == pytest.approx(holm)
    assert (
        "p (toets op gelijk effect in alle groepen)"
        in _tables(demo.section)["effecten-per-groep-toets-1"].columns
    )


def test_effects_per_latent_group_pass_disclosure_control(demo: Demo) -> None:
    register = demo.section.register
    rules = register.rules
    model = next(
        r.output
        for r in register.releases
        if r.output.name == "Effecten per groep op uitstroom naar werk"
    )
    assert isinstance(model, ModelCheck) and model.passed
    assert model.df_resid is not None and model.df_resid >= rules.min_residual_df
    assert model.unit_sets and model.partition
    # Every arm x group cell: at least min_count by posterior sum and by most likely group.
    categories = next(c for c in model.checks if c.note == "dummies")
    assert categories.tested == 4 * 3 and categories.failed == 0
    # The sizes the caveat names are rounded to the estimate size base.
    text = visible(demo.html)[f"{SECTION}-per-groep"]
    sizes = [int(s) for s in re.findall(r"ongeveer (\d+)", text)]
    assert len(sizes) == 3 and all(s % rules.estimate_size_base == 0 for s in sizes)
    for table in _tables(demo.section).values():
        if table.key.startswith("effecten-per-groep"):
            assert table.kind == "estimate" and table.sources == (model.name,)


def test_effects_per_latent_group_with_a_small_cell_are_left_out_with_a_note() -> None:
    rng = np.random.default_rng(7)
    n = 200
    d = pd.DataFrame(
        {
            "id": [f"P{i}" for i in range(n)],
            "groep": ["controle", "interventie"] * (n // 2),
            "y": rng.normal(size=n),
        }
    )
    # A rare group: nearly certain for 12 people, 6 of them in each arm.
    rare = np.zeros(n)
    rare[:12] = 0.97
    post = pd.DataFrame({"gewoon": 1 - rare, "zeldzaam": rare})
    effects = estimate_effects(d, outcomes="y", arm="groep", control="controle")
    by_class = effects_by_class(d, post, outcome="y", arm="groep", control="controle")
    section = experiment_section(
        ExperimentInputs(d, arm="groep", effects=effects, unit="id", by_class={"y": by_class})
    )
    assert f"{SECTION}-per-groep" not in {s.id for s in section.section.subsections}
    assert any("Effecten per groep op Y" in n and "te weinig" in n for n in section.notes)
    assert "Effecten per groep op Y" not in [r.output.name for r in section.register.releases]
    page = render_html(section.report())
    assert "Niet gepubliceerd: &#39;Effecten per groep op Y&#39;" in page
    assert math.isfinite(section.model.df_resid or math.nan)  # the main effects still publish


# ----------------------------------------------------------------------------- bsz effect


def test_bsz_effect_with_labels_and_group_probabilities(
    app: typer.Typer, demo: Demo, tmp_path: Path
) -> None:
    src = tmp_path / "experiment.csv"
    demo.demo.data.to_csv(src, index=False, sep=";", decimal=",")
    labels = tmp_path / "labels.yaml"
    labels.write_text(DEMO_LABELS.to_yaml(), encoding="utf-8")
    chances = tmp_path / "kansen.csv"
    demo.demo.posteriors.assign(deelnemer=demo.demo.data["deelnemer"]).to_csv(
        chances, index=False, sep=";", decimal=","
    )
    out = tmp_path / "uit"
    args = ["effect", "--input", str(src), "--arm", "groep", "--controle", "controle"]
    args += ["--uitkomst", "uitstroom_werk,welzijn", "--covariaten", "leeftijd,startkwalificatie"]
    args += ["--strata", "geslacht,leeftijdsgroep", "--id", "deelnemer", "--out", str(out)]
    args += ["--labels", str(labels), "--groepskansen", str(chances)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    page = (out / "effectmeting.html").read_text(encoding="utf-8")
    parts = visible(page)
    assert CODE.findall(" ".join(parts.values())) == []
    assert f"{SECTION}-per-groep" in parts and "kansen.csv" in parts[f"{SECTION}-per-groep"]
    assert "Coaching en bijverdienen" in parts[f"{SECTION}-effecten"]
    # Effects per latent group for every outcome, not only the first.
    groups = parts[f"{SECTION}-per-groep"]
    assert all(
        f"Effect op {in_sentence(DEMO_LABELS.outcome(o))} per groep" in groups
        for o in ("uitstroom_werk", "welzijn")
    )
    # The CSV files speak the labels; the codes stay beside them for a join.
    effects = pd.read_csv(out / "effecten.csv", sep=";", decimal=",")
    assert set(effects["Arm"]) == {DEMO_LABELS.arm(a) for a in set(effects["Arm (code)"])}
    assert "coaching_bijverdienen" in set(effects["Arm (code)"])
    assert set(effects["Uitkomst"]) == {
        DEMO_LABELS.outcome("uitstroom_werk"),
        DEMO_LABELS.outcome("welzijn"),
    }
    balance = (out / "balans.csv").read_text(encoding="utf-8").splitlines()[0]
    missing = (out / "uitval_welzijn.csv").read_text(encoding="utf-8")
    assert "coaching_bijverdienen" not in balance + missing
    assert "Coaching en bijverdienen" in balance and "Coaching en bijverdienen" in missing
    # The labels file it writes has every code of the run, to edit and pass back.
    written = read_labels(out / "labels.yaml")
    assert written.arm("coaching_bijverdienen") == "Coaching en bijverdienen"
    assert set(written.arms) == set(demo.demo.data["groep"])
    assert set(written.values["geslacht"]) == {"man", "vrouw"}
    assert set(written.classes) == set(demo.demo.posteriors.columns)


def test_bsz_effect_without_labels_shows_readable_codes(
    app: typer.Typer, demo: Demo, tmp_path: Path
) -> None:
    src = tmp_path / "experiment.csv"
    demo.demo.data.to_csv(src, index=False, sep=";", decimal=",")
    out = tmp_path / "uit"
    args = ["effect", "--input", str(src), "--arm", "groep", "--uitkomst", "uitstroom_werk"]
    args += ["--strata", "geslacht", "--id", "deelnemer", "--out", str(out)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    parts = visible((out / "effectmeting.html").read_text(encoding="utf-8"))
    text = " ".join(parts.values())
    assert CODE.findall(text) == []
    assert "Coaching bijverdienen" in text and "Uitstroom werk" in text
    written = read_labels(out / "labels.yaml")
    assert written.arm("coaching_bijverdienen") == "Coaching bijverdienen"


def test_bsz_effect_refuses_group_probabilities_without_every_participant(
    app: typer.Typer, demo: Demo, tmp_path: Path
) -> None:
    src = tmp_path / "experiment.csv"
    demo.demo.data.to_csv(src, index=False, sep=";", decimal=",")
    chances = tmp_path / "kansen.csv"
    demo.demo.posteriors.assign(deelnemer=demo.demo.data["deelnemer"]).iloc[1:].to_csv(
        chances, index=False
    )
    out = tmp_path / "uit"
    args = ["effect", "--input", str(src), "--uitkomst", "uitstroom_werk", "--id", "deelnemer"]
    res = runner.invoke(app, [*args, "--groepskansen", str(chances), "--out", str(out)])
    assert res.exit_code == 2 and "ontbreken de groepskansen" in res.output
    assert not out.exists() or not any(out.iterdir())
