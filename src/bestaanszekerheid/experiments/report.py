"""The Dutch report section of an experiment, built from disclosure-checked outputs only.

Compute, then check, then arrange (ADR 0040): the estimates come from
:mod:`.estimation`, :mod:`.allocation`, :mod:`.attrition` and :mod:`.power`; this module
releases every figure it shows in a :class:`~bestaanszekerheid.disclosure.ReleaseRegister`
and arranges them as report-tree nodes (:mod:`bestaanszekerheid.reports.tree`), so the HTML,
XLSX and JSON renderers of the reports package can show them unchanged.

- Group sizes, group x subgroup counts and (when an outcome is missing for some) group x
  "outcome measured" counts are checked frequency tables (at least ``min_count`` per cell;
  smaller cells are suppressed, never shown).
- The effect estimates are one model output (``check_model``): residual degrees of freedom
  and every group behind an estimate at least ``min_count``. A refused model raises a Dutch
  :class:`~bestaanszekerheid.errors.UserFacingError`: no estimate leaves the analysis then.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import altair as alt
import numpy as np
import pandas as pd

from bestaanszekerheid.disclosure import (
    CheckedTable,
    ModelCheck,
    ReleaseRegister,
    check_model,
    frequency_table,
    magnitude_table,
    publication_summary,
)
from bestaanszekerheid.experiments.results import (
    AttritionResult,
    BalanceResult,
    DidResult,
    EffectResult,
    PowerResult,
    format_p,
)
from bestaanszekerheid.formatting import fmt_num
from bestaanszekerheid.reports.charts import BLUE, GREY, ORANGE, TEXT, to_svg
from bestaanszekerheid.reports.tree import (
    Block,
    Bullets,
    Callout,
    Cell,
    Chart,
    Paragraph,
    Report,
    Section,
    Table,
)

#: Key of the forest plot in the report (``id`` of the figure in the HTML).
FOREST_KEY = "effecten-forestplot"

READING_GUIDE = (
    "Elke stip is het geschatte effect van een groep ten opzichte van de controlegroep; de "
    "lijn eromheen is het 95%-betrouwbaarheidsinterval: de effecten die met de gegevens "
    "verenigbaar zijn. Raakt de lijn de verticale nullijn, dan is het effect niet "
    "significant: het kan ook nul zijn.",
    "Geen significant effect betekent niet: geen effect. Het betekent dat het experiment een "
    "effect van deze omvang niet kon onderscheiden van toeval. Vergelijk het interval met het "
    "kleinste aantoonbare effect hieronder: een smal interval rond nul zegt meer dan een breed.",
    "Met vier groepen en meer uitkomsten is de kans op een toevalstreffer groter. Daarom staat "
    "bij elk effect ook de p-waarde na Holm-correctie (p Holm): lees die, niet de gewone p.",
    "Het effect is het verschil tussen alle deelnemers die in een groep zijn ingeloot en de "
    "controlegroep (intention-to-treat), ook als iemand niet (helemaal) meedeed.",
)


@dataclass
class ExperimentSection:
    """The report section of one experiment and the checked outputs behind it."""

    section: Section
    register: ReleaseRegister
    tables: tuple[CheckedTable, ...]
    model: ModelCheck
    synthetic: bool = False
    notes: list[str] = field(default_factory=list)

    def report(self, title: str = "Effectmeting", created: str = "") -> Report:
        """A stand-alone report with this section and a short disclosure appendix."""
        from datetime import UTC, datetime

        created = created or datetime.now(UTC).isoformat(timespec="seconds")
        return Report(
            title=title,
            subtitle="Effecten van interventies, gemeten met een experiment",
            lang="nl",
            synthetic=self.synthetic,
            created=created,
            sections=(self.section, self.disclosure_section()),
            meta={"regels": self.register.rules.version},
        )

    def disclosure_section(
        self,
        section_id: str = "bijlage-onthullingscontrole",
        title: str = "Bijlage: onthullingscontrole",
        *,
        log: str = "onthullingscontrole",
    ) -> Section:
        """The checked outputs of this experiment and the rules, for a report appendix."""
        rows = []
        for out in publication_summary(self.register)["outputs"]:
            if out["type"] == "table":
                rows.append(
                    (Cell(out["name"]), Cell("tabel"), Cell(str(out["hidden"])), Cell("in orde"))
                )
            else:
                verdict = "in orde" if out["passed"] else "geweigerd"
                rows.append((Cell(out["name"]), Cell("model"), Cell("–"), Cell(verdict)))
        table = Table(
            key=section_id,
            title="Gecontroleerde uitvoer van deze analyse",
            columns=("Uitvoer", "Soort", "Weggelaten cellen", "Controle"),
            rows=tuple(rows),
            kind="model",
        )
        rules = self.register.rules
        return Section(
            section_id,
            title,
            (
                Paragraph(
                    f"Alle cijfers zijn gecontroleerd met de regels versie {rules.version}: "
                    f"minstens {rules.min_count} deelnemers per cel, secundaire onderdrukking "
                    "en een controle op verschillen tussen tabellen; de effecten als "
                    "modeluitvoer (minstens "
                    f"{rules.min_residual_df} residuele vrijheidsgraden en {rules.min_count} "
                    "deelnemers per groep). Een weggelaten cel staat als x, zonder reden; de "
                    f"redenen staan in het log voor de outputcontroleur ({log}.md en "
                    f"{log}.json), dat niet voor publicatie is."
                ),
                table,
            ),
        )


def _is_binary(series: pd.Series) -> bool:
    values = pd.to_numeric(series, errors="coerce").dropna().unique()
    return len(values) > 0 and set(np.unique(values)).issubset({0.0, 1.0})


def _count_table(
    table: CheckedTable, *, key: str, title: str, row_label: str, note: str = ""
) -> Table:
    """A checked (one- or two-way) count table as a report table; hidden cells stay hidden."""
    frame = table.frame
    columns = [str(c[-1]) if isinstance(c, tuple) else str(c) for c in frame.columns]
    if len(columns) == 1:
        columns = ["Aantal deelnemers"]
    columns = ["Totaal" if c == "__total__" else c for c in columns]
    rows = []
    for idx, values in frame.iterrows():
        label = idx[-1] if isinstance(idx, tuple) else idx
        label = "Totaal" if str(label) == "__total__" else str(label)
        rows.append((Cell(label), *(Cell(float(v), "int") for v in values.tolist())))
    return Table(
        key=key,
        title=title,
        columns=(row_label, *columns),
        rows=tuple(rows),
        sources=(table.name,),
        kind="checked",
        note=note,
    )


def _forest_data(effects: EffectResult, binary: Mapping[str, bool]) -> pd.DataFrame:
    rows = []
    for e in effects.effects:
        scale = 100.0 if binary.get(e.outcome, False) else 1.0
        p_holm = e.p_holm if e.p_holm is not None else e.p_value
        unit = "procentpunt" if binary.get(e.outcome, False) else "punten op de schaal"
        rows.append(
            {
                "uitkomst": f"{e.outcome} (effect in {unit})",
                "groep": f"{e.arm}  (p Holm {format_p(p_holm)})",
                "effect": e.estimate * scale,
                "laag": e.ci_low * scale,
                "hoog": e.ci_high * scale,
                "significant": "ja" if p_holm < effects.alpha else "nee",
            }
        )
    return pd.DataFrame(rows)


def forest_plot(data: pd.DataFrame) -> str:
    """Effects with 95% intervals per outcome (one panel each), a zero line, as SVG.

    ``data``: uitkomst, groep, effect, laag, hoog, significant. Panels have their own scale:
    percentage points and a 0-10 scale do not share an axis.
    """
    panels = []
    for outcome, part in data.groupby("uitkomst", sort=False):
        base = alt.Chart(part).encode(
            y=alt.Y("groep:N", sort=None, title=None, axis=alt.Axis(labelLimit=360))
        )
        rule = base.mark_rule(color=GREY, strokeWidth=2).encode(
            x=alt.X("laag:Q", title=str(outcome), axis=alt.Axis(format=",.1f")), x2="hoog:Q"
        )
        points = base.mark_point(filled=True, size=110, opacity=1).encode(
            x="effect:Q",
            color=alt.Color(
                "significant:N",
                title="Significant (Holm)",
                scale=alt.Scale(domain=["ja", "nee"], range=[ORANGE, BLUE]),
                legend=alt.Legend(orient="bottom"),
            ),
        )
        zero = (
            alt.Chart(pd.DataFrame({"x": [0.0]}))
            .mark_rule(color=TEXT, strokeDash=[4, 3])
            .encode(x="x:Q")
        )
        panels.append((rule + points + zero).properties(width=320, height=34 * len(part)))
    return to_svg(alt.vconcat(*panels, spacing=24))


def _num(value: float | None) -> Cell:
    return Cell(math.nan if value is None else float(value), "num2")


def _p(value: float | None) -> Cell:
    return Cell(format_p(value) if value is not None else "–")


def _effects_table(effects: EffectResult, binary: Mapping[str, bool], model: ModelCheck) -> Table:
    extra = [
        (label, attr)
        for label, attr in (
            ("p (Romano-Wolf)", "p_romano_wolf"),
            ("p (lotingstoets)", "p_randomisation"),
        )
        if any(getattr(e, attr) is not None for e in effects.effects)
    ]
    rows = []
    for e in effects.effects:
        scale = 100.0 if binary.get(e.outcome, False) else 1.0
        rows.append(
            (
                Cell(e.outcome),
                Cell(e.arm),
                Cell("procentpunt" if binary.get(e.outcome, False) else "schaalpunten"),
                _num(e.control_mean * scale),
                _num(e.estimate * scale),
                _num(e.ci_low * scale),
                _num(e.ci_high * scale),
                _p(e.p_value),
                _p(e.p_holm),
                _p(e.p_bh),
                *(_p(getattr(e, attr)) for _, attr in extra),
            )
        )
    return Table(
        key="effecten",
        title="Effecten per groep en uitkomst",
        columns=(
            "Uitkomst",
            "Groep",
            "Eenheid",
            "Controlegroep",
            "Effect",
            "Ondergrens 95%-BI",
            "Bovengrens 95%-BI",
            "p",
            "p (Holm)",
            "p (BH)",
            *(label for label, _ in extra),
        ),
        rows=tuple(rows),
        sources=(model.name,),
        kind="estimate",
        header_columns=2,
        note=" ".join(effects.summary().notes),
    )


def _balance_tables(
    balance: BalanceResult, shown: Mapping[tuple[str, str], bool], sources: Sequence[str]
) -> tuple[Table, Table]:
    """The balance tables (means, standardised differences) with every figure hidden whose
    checked cell is hidden. Two narrow tables rather than one wide one: a wide table scrolls
    sideways, which is hard to read and to reach with a keyboard.

    ``shown[(row, arm)]`` says whether the checked output behind that figure publishes it;
    a standardised difference is shown only when both its means are.
    """
    frame = balance.to_frame()
    order = (balance.control, *balance.arms)
    mean_cols = [a for a in order if f"mean_{a}" in frame]
    smd_cols = [a for a in balance.arms if f"smd_{a}" in frame]
    rows = []
    smd_rows = []
    for _, row in frame.iterrows():
        var = str(row["variable"])
        fmt: Literal["int", "num2"] = "int" if var == "aantal" else "num2"
        means = [
            Cell(float(row[f"mean_{a}"]) if shown.get((var, a), False) else math.nan, fmt)
            for a in mean_cols
        ]
        smds = [
            _num(
                float(row[f"smd_{a}"])
                if shown.get((var, a), False) and shown.get((var, balance.control), False)
                else math.nan
            )
            for a in smd_cols
        ]
        rows.append((Cell("Aantal deelnemers" if var == "aantal" else var), *means))
        if var != "aantal":
            smd_rows.append((Cell(var), *smds))
    means_table = Table(
        key="effect-balans",
        title="Gemiddelde of aandeel per groep bij de start",
        columns=("Kenmerk", *mean_cols),
        rows=tuple(rows),
        kind="checked",
        sources=tuple(sources),
        note="Gemiddelden en aandelen (0,45 = 45%) komen uit gecontroleerde tabellen; "
        "x = niet gepubliceerd.",
    )
    smd_table = Table(
        key="effect-balans-verschil",
        title="Gestandaardiseerd verschil met de controlegroep",
        columns=("Kenmerk", *smd_cols),
        rows=tuple(smd_rows),
        kind="checked",
        sources=tuple(sources),
        note=balance.summary().notes[0],
    )
    return means_table, smd_table


def _published(table: CheckedTable) -> dict[tuple[str, str], bool]:
    """(row, column) -> published, for the interior cells of a checked table."""
    frame = table.frame
    out: dict[tuple[str, str], bool] = {}
    for idx, values in frame.iterrows():
        r = str(idx[-1] if isinstance(idx, tuple) else idx)
        for col, v in values.items():
            c = str(col[-1] if isinstance(col, tuple) else col)
            out[(r, c)] = not (isinstance(v, float) and math.isnan(v))
    return out


def _attrition_blocks(
    outcome: str, att: AttritionResult, table: CheckedTable, model: ModelCheck
) -> list[Block]:
    blocks: list[Block] = [
        _count_table(
            table,
            key=f"uitval-{outcome}",
            title=f"Deelnemers met en zonder meting van {outcome}",
            row_label="Groep",
        )
    ]
    diff_rows = tuple(
        (
            Cell(d.arm),
            _num(100 * d.estimate),
            _num(100 * d.ci_low),
            _num(100 * d.ci_high),
            _p(d.p_value),
        )
        for d in att.differential
    )
    blocks.append(
        Table(
            key=f"uitval-verschil-{outcome}",
            title=f"Verschil in uitval met de controlegroep ({outcome}), in procentpunten",
            columns=("Groep", "Verschil", "Ondergrens 95%-BI", "Bovengrens 95%-BI", "p"),
            rows=diff_rows,
            sources=(model.name,),
            kind="estimate",
            note="Toets op gelijke uitval in alle groepen: p = "
            + format_p(att.joint_p_value)
            + ".",
        )
    )
    if att.bounds:
        blocks.append(
            Table(
                key=f"lee-grenzen-{outcome}",
                title=f"Lee-grenzen voor het effect op {outcome}",
                columns=("Groep", "Ondergrens", "Bovengrens", "Bijgesneden (%)", "In groep"),
                rows=tuple(
                    (
                        Cell(b.arm),
                        _num(b.lower),
                        _num(b.upper),
                        Cell(100 * b.trim_share, "num"),
                        Cell(b.trimmed_group),
                    )
                    for b in att.bounds
                ),
                sources=(model.name,),
                kind="estimate",
                note="Lee-grenzen: het effect als de extra uitvallers in de groep met de "
                "minste uitval de hoogste of de laagste uitkomsten zouden hebben gehad. Ligt "
                "nul tussen de grenzen, dan kan de uitval het effect verklaren.",
            )
        )
    return blocks


def experiment_section(
    data: pd.DataFrame,
    *,
    arm: str,
    effects: EffectResult,
    unit: str | None = None,
    subgroups: Sequence[str] = (),
    balance: BalanceResult | None = None,
    attrition: Mapping[str, AttritionResult] | None = None,
    power: PowerResult | None = None,
    did: DidResult | None = None,
    register: ReleaseRegister | None = None,
    synthetic: bool = False,
    population: str = "deelnemers aan het experiment",
    section_id: str = "effectmeting",
    title: str = "Effectmeting: werken de interventies?",
) -> ExperimentSection:
    """Check every figure of an experiment's analysis and arrange the Dutch report section.

    ``data`` is the participant file the estimates were computed from (one row per person,
    ``unit`` its id column; without one the row number identifies a person). ``subgroups``
    are categorical columns (usually the strata) whose group x subgroup counts are shown.
    Raises a Dutch :class:`UserFacingError` when the estimates may not be published.
    """
    register = register or ReleaseRegister()
    rules = register.rules
    if synthetic:
        population += " (synthetisch)"
    frame = data[data[arm].notna()].copy()
    frame[arm] = frame[arm].astype(str)
    tables: list[CheckedTable] = []

    def release(table: CheckedTable) -> CheckedTable:
        register.release(table)
        tables.append(table)
        return table

    sizes = release(
        frequency_table(
            frame, arm, unit=unit, rules=rules, name="Deelnemers per groep", population=population
        )
    )
    blocks_counts: list[Block] = [
        _count_table(
            sizes, key="effect-groepsgrootte", title="Deelnemers per groep", row_label="Groep"
        )
    ]
    for s in subgroups:
        t = release(
            frequency_table(
                frame.assign(**{s: frame[s].astype(str)}),
                arm,
                s,
                unit=unit,
                rules=rules,
                name=f"Deelnemers per groep en {s}",
                population=population,
            )
        )
        blocks_counts.append(
            _count_table(
                t, key=f"effect-groep-{s}", title=f"Deelnemers per groep en {s}", row_label="Groep"
            )
        )

    # The estimates are one model output: every group behind an estimate has >= min_count
    # people (per outcome, since missing outcomes shrink the groups) and enough residual df.
    category_counts: dict[str, float] = {}
    for e in effects.effects:
        category_counts[f"{e.outcome} / {e.arm}"] = e.n_arm
        category_counts[f"{e.outcome} / {e.control}"] = e.n_control
    model = check_model(
        name="Effectschattingen (intention-to-treat)",
        n_obs=len(frame),
        df_resid=min((e.df for e in effects.effects), default=math.nan),
        category_counts=category_counts,
        outputs=("coefficients", "standard_errors", "confidence_intervals", "p_values"),
        units=frame[unit].to_numpy() if unit else None,
        population=population,
        kind="regressie (effectschatting)",
        rules=rules,
    )
    register.release(model)

    outcomes = list(dict.fromkeys(e.outcome for e in effects.effects))
    binary = {o: _is_binary(frame[o]) for o in outcomes if o in frame}
    forest = _forest_data(effects, binary)
    effects_table = _effects_table(effects, binary, model)
    blocks: list[Block] = []
    if synthetic:
        blocks.append(
            Callout(
                "Synthetische gegevens: dit experiment is verzonnen (vorm als het "
                "Tilburgse vertrouwensexperiment) en zegt niets over echte deelnemers.",
                tone="warning",
            )
        )
    blocks.append(
        Paragraph(
            f"{len(frame)} deelnemers zijn door loting verdeeld over {frame[arm].nunique()} "
            f"groepen; elke groep wordt vergeleken met de controlegroep "
            f"({effects.effects[0].control if effects.effects else ''}). {effects.evidence}"
        )
    )
    blocks.append(
        Chart(
            key=FOREST_KEY,
            title="Effect per groep en uitkomst, met 95%-betrouwbaarheidsinterval",
            svg=forest_plot(forest),
            alt="Forest plot: per uitkomst en groep het geschatte effect ten opzichte van de "
            "controlegroep met 95%-betrouwbaarheidsinterval en een nullijn; de cijfers staan "
            "in de tabel eronder.",
            table=effects_table,
        )
    )
    blocks.append(Bullets(READING_GUIDE, title="Zo leest u de effecten"))
    if effects.mde:
        blocks.append(
            Bullets(
                tuple(
                    f"{o}: kleinst aantoonbaar effect met deze groepen ongeveer "
                    + (
                        f"{fmt_num(100 * v, 1)} procentpunt"
                        if binary.get(o, False)
                        else f"{fmt_num(v, 2)} schaalpunten"
                    )
                    + " (80% vermogen, gecorrigeerd voor meervoudig toetsen)."
                    for o, v in effects.mde.items()
                ),
                title="Wat dit experiment kon aantonen",
            )
        )
    subsections = [
        Section(f"{section_id}-effecten", "Effecten", tuple(blocks)),
        Section(
            f"{section_id}-groepen",
            "Deelnemers per groep",
            (
                Paragraph(
                    f"Aantallen zijn gecontroleerd: elke cel telt minstens {rules.min_count} "
                    "deelnemers; kleinere cellen zijn weggelaten (x)."
                ),
                *blocks_counts,
            ),
        ),
    ]
    if balance is not None:
        shown, balance_sources = _check_balance(
            frame, balance, arm=arm, unit=unit, sizes=sizes, released=tables, release=release
        )
        subsections.append(
            Section(
                f"{section_id}-balans",
                "Vergelijkbaarheid bij de start (balans)",
                (
                    Paragraph(
                        "Door de loting horen de groepen bij de start gemiddeld gelijk te zijn. "
                        "Een gestandaardiseerd verschil boven 0,1 verdient aandacht; kleine "
                        "verschillen zijn bij loting normaal."
                    ),
                    *_balance_tables(balance, shown, balance_sources),
                ),
            )
        )
    if attrition:
        att_blocks: list[Block] = [
            Paragraph(
                "Uitval is het ontbreken van een uitkomst (bijvoorbeeld geen antwoord op de "
                "vragenlijst). Verschilt de uitval tussen groepen, dan kan het effect vertekend "
                "zijn; de Lee-grenzen laten zien hoe groot die vertekening hooguit is."
            )
        ]
        for o, att in attrition.items():
            measured = f"{o} gemeten"
            t = release(
                frequency_table(
                    frame.assign(**{measured: np.where(frame[o].isna(), "nee", "ja")}),
                    arm,
                    measured,
                    unit=unit,
                    rules=rules,
                    name=f"Deelnemers per groep en meting van {o}",
                    population=population,
                )
            )
            att_blocks.extend(_attrition_blocks(o, att, t, model))
        subsections.append(Section(f"{section_id}-uitval", "Uitval", tuple(att_blocks)))
    if power is not None:
        subsections.append(
            Section(
                f"{section_id}-vermogen",
                "Onderscheidend vermogen: wat kon dit experiment aantonen?",
                (
                    Paragraph(power.uitleg()),
                    Paragraph(
                        "Een effect kleiner dan dit kan bestaan zonder dat het experiment het "
                        "ziet. Daarom is 'geen significant effect' geen bewijs dat een "
                        "interventie niet werkt."
                    ),
                ),
            )
        )
    if did is not None:
        # A DiD estimate is model output too: enough residual df and >= min_count units on
        # each side; refused (with a Dutch message) otherwise.
        did_model = check_model(
            name=f"Verschil-in-verschillen ({did.outcome})",
            n_obs=did.n_obs,
            df_resid=did.df,
            category_counts={
                "interventie-eenheden": did.n_treated_units,
                "vergelijkingseenheden": did.n_units - did.n_treated_units,
            },
            outputs=("coefficients", "standard_errors", "confidence_intervals", "p_values"),
            population=population,
            kind="regressie (verschil-in-verschillen)",
            rules=rules,
        )
        register.release(did_model)
        subsections.append(_did_section(did, section_id, did_model))
    section = Section(
        section_id,
        title + (" (synthetisch)" if synthetic else ""),
        subsections=tuple(subsections),
        lead="Resultaten van een gerandomiseerd experiment: per groep het effect ten opzichte "
        "van de controlegroep.",
    )
    return ExperimentSection(
        section=section,
        register=register,
        tables=tuple(tables),
        model=model,
        synthetic=synthetic,
    )


def _did_section(did: DidResult, section_id: str, model: ModelCheck) -> Section:
    """DiD results, labelled as weaker evidence (no randomisation behind them)."""
    table = Table(
        key="verschil-in-verschillen",
        title=f"Verschil-in-verschillen voor {did.outcome}",
        columns=(
            "Uitkomst",
            "Effect",
            "Ondergrens 95%-BI",
            "Bovengrens 95%-BI",
            "p",
            "Pre-trend p",
        ),
        rows=(
            (
                Cell(did.outcome),
                _num(did.estimate),
                _num(did.ci_low),
                _num(did.ci_high),
                _p(did.p_value),
                _p(did.pre_trend_p_value),
            ),
        ),
        sources=(model.name,),
        kind="estimate",
        note=" ".join(did.warnings),
    )
    return Section(
        f"{section_id}-did",
        "Verschil-in-verschillen (zwakker bewijs)",
        (Callout(did.evidence, tone="warning"), table),
    )


def _check_balance(
    frame: pd.DataFrame,
    balance: BalanceResult,
    *,
    arm: str,
    unit: str | None,
    sizes: CheckedTable,
    released: Sequence[CheckedTable],
    release: Callable[[CheckedTable], CheckedTable],
) -> tuple[dict[tuple[str, str], bool], list[str]]:
    """Release the checked outputs behind every figure of the balance table.

    Group sizes come from the sizes table; a share of a category from the group x category
    count table (released here unless it is already a subgroup table); a mean from a checked
    magnitude table (threshold, dominance and p% rule). Returns which figures may be shown.
    """
    rules = sizes.rules
    shown: dict[tuple[str, str], bool] = {}
    sources = [sizes.name]
    for (r, _c), ok in _published(sizes).items():
        shown[("aantal", r)] = ok
    by_name = {t.name: t for t in released}
    for var in balance.to_frame()["variable"].astype(str):
        if var == "aantal":
            continue
        column, _, level = var.partition(" = ")
        if column not in frame.columns:
            continue
        if level:
            name = f"Deelnemers per groep en {column}"
            table = by_name.get(name)
            if table is None:
                table = release(
                    frequency_table(
                        frame.assign(**{column: frame[column].astype(str)}),
                        arm,
                        column,
                        unit=unit,
                        rules=rules,
                        name=name,
                        population=sizes.population,
                    )
                )
                by_name[name] = table
            cells = _published(table)
            for a in frame[arm].unique():
                shown[(var, str(a))] = cells.get((str(a), level), False)
        else:
            name = f"Gemiddelde {column} per groep"
            table = by_name.get(name)
            if table is None:
                table = release(
                    magnitude_table(
                        frame,
                        column,
                        arm,
                        stat="mean",
                        unit=unit,
                        rules=rules,
                        name=name,
                        population=sizes.population,
                    )
                )
                by_name[name] = table
            cells = _published(table)
            for a in frame[arm].unique():
                shown[(var, str(a))] = any(ok for (r, _), ok in cells.items() if r == str(a))
        sources.append(table.name)
    return shown, sources
