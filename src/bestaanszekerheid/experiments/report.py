"""The Dutch report section of an experiment, arranged from disclosure-checked outputs only.

Compute, then check, then arrange (ADR 0040): the estimates come from :mod:`.estimation`,
:mod:`.allocation`, :mod:`.attrition` and :mod:`.power`; :mod:`.checks` releases every figure
the section shows in a :class:`~bestaanszekerheid.disclosure.ReleaseRegister`; this module
arranges the checked outputs as report-tree nodes (:mod:`bestaanszekerheid.reports.tree`), so
the HTML, XLSX and JSON renderers of the reports package can show them unchanged. It computes
nothing new: a figure is shown only where its checked cell is published.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from bestaanszekerheid.disclosure import CheckedTable, ModelCheck, ReleaseRegister
from bestaanszekerheid.experiments.checks import (
    CheckedExperiment,
    ExperimentInputs,
    check_experiment,
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
from bestaanszekerheid.reports.charts import forest_plot
from bestaanszekerheid.reports.sections.appendix import disclosure_appendix
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
    #: Public notes: outputs left out because the register refused them.
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
        rules = self.register.rules
        intro = Paragraph(
            f"Alle cijfers zijn gecontroleerd met de regels versie {rules.version}: "
            f"minstens {rules.min_count} deelnemers per cel, secundaire onderdrukking "
            "en een controle op verschillen tussen tabellen; de effecten als "
            "modeluitvoer (minstens "
            f"{rules.min_residual_df} residuele vrijheidsgraden en {rules.min_count} "
            "deelnemers per groep). Een weggelaten cel staat als x, zonder reden; de "
            f"redenen staan in het log voor de outputcontroleur ({log}.md en "
            f"{log}.json), dat niet voor publicatie is."
        )
        return disclosure_appendix(
            self.register, section_id=section_id, title=title, intro=(intro,), table_key=section_id
        )


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


def _attrition_blocks(
    outcome: str, att: AttritionResult, table: CheckedTable | None, model: ModelCheck
) -> list[Block]:
    """One outcome's attrition: its checked counts (unless refused) and the model figures."""
    blocks: list[Block] = []
    if table is not None:
        blocks.append(
            _count_table(
                table,
                key=f"uitval-{outcome}",
                title=f"Deelnemers met en zonder meting van {outcome}",
                row_label="Groep",
            )
        )
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
    inputs: ExperimentInputs,
    register: ReleaseRegister | None = None,
    *,
    section_id: str = "effectmeting",
    title: str = "Effectmeting: werken de interventies?",
) -> ExperimentSection:
    """Check every figure of an experiment's analysis and arrange the Dutch report section.

    :func:`~bestaanszekerheid.experiments.checks.check_experiment` releases the outputs in
    ``register``, :func:`arrange_experiment` arranges them. Raises a Dutch
    :class:`UserFacingError` when the estimates may not be published.
    """
    checked = check_experiment(inputs, register)
    return arrange_experiment(checked, section_id=section_id, title=title)


def arrange_experiment(
    checked: CheckedExperiment,
    *,
    section_id: str = "effectmeting",
    title: str = "Effectmeting: werken de interventies?",
) -> ExperimentSection:
    """The report section of a checked experiment (arranging only)."""
    subsections = [_effects_section(checked, section_id), _groups_section(checked, section_id)]
    if checked.balance is not None and checked.balance_check is not None:
        subsections.append(_balance_section(checked, section_id))
    if checked.attrition:
        subsections.append(_attrition_section(checked, section_id))
    if checked.power is not None:
        subsections.append(_power_section(checked.power, section_id))
    if checked.did is not None and checked.did_model is not None:
        subsections.append(_did_section(checked.did, section_id, checked.did_model))
    section = Section(
        section_id,
        title + (" (synthetisch)" if checked.synthetic else ""),
        blocks=tuple(Callout(note, tone="warning") for note in checked.notes),
        subsections=tuple(subsections),
        lead="Resultaten van een gerandomiseerd experiment: per groep het effect ten opzichte "
        "van de controlegroep.",
    )
    return ExperimentSection(
        section=section,
        register=checked.register,
        tables=tuple(checked.tables),
        model=checked.model,
        synthetic=checked.synthetic,
        notes=list(checked.notes),
    )


def _effects_section(checked: CheckedExperiment, section_id: str) -> Section:
    """The forest plot with the effects table, how to read it and what it could detect."""
    effects, binary = checked.effects, checked.binary
    blocks: list[Block] = []
    if checked.synthetic:
        blocks.append(
            Callout(
                "Synthetische gegevens: dit experiment is verzonnen (vorm als het "
                "Tilburgse vertrouwensexperiment) en zegt niets over echte deelnemers.",
                tone="warning",
            )
        )
    blocks.append(
        Paragraph(
            f"{checked.n_participants} deelnemers zijn door loting verdeeld over "
            f"{checked.n_arms} groepen; elke groep wordt vergeleken met de controlegroep "
            f"({effects.effects[0].control if effects.effects else ''}). {effects.evidence}"
        )
    )
    blocks.append(
        Chart(
            key=FOREST_KEY,
            title="Effect per groep en uitkomst, met 95%-betrouwbaarheidsinterval",
            svg=forest_plot(_forest_data(effects, binary)),
            alt="Forest plot: per uitkomst en groep het geschatte effect ten opzichte van de "
            "controlegroep met 95%-betrouwbaarheidsinterval en een nullijn; de cijfers staan "
            "in de tabel eronder.",
            table=_effects_table(effects, binary, checked.model),
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
    return Section(f"{section_id}-effecten", "Effecten", tuple(blocks))


def _groups_section(checked: CheckedExperiment, section_id: str) -> Section:
    """Participants per group, and per group and subgroup (checked counts)."""
    counts: list[Block] = [
        _count_table(
            checked.sizes,
            key="effect-groepsgrootte",
            title="Deelnemers per groep",
            row_label="Groep",
        )
    ]
    for s, table in checked.subgroup_tables.items():
        counts.append(
            _count_table(
                table,
                key=f"effect-groep-{s}",
                title=f"Deelnemers per groep en {s}",
                row_label="Groep",
            )
        )
    return Section(
        f"{section_id}-groepen",
        "Deelnemers per groep",
        (
            Paragraph(
                f"Aantallen zijn gecontroleerd: elke cel telt minstens "
                f"{checked.register.rules.min_count} deelnemers; kleinere cellen zijn "
                "weggelaten (x)."
            ),
            *counts,
        ),
    )


def _balance_section(checked: CheckedExperiment, section_id: str) -> Section:
    """Balance at the start: means and standardised differences, where published."""
    assert checked.balance is not None and checked.balance_check is not None
    check = checked.balance_check
    return Section(
        f"{section_id}-balans",
        "Vergelijkbaarheid bij de start (balans)",
        (
            Paragraph(
                "Door de loting horen de groepen bij de start gemiddeld gelijk te zijn. "
                "Een gestandaardiseerd verschil boven 0,1 verdient aandacht; kleine "
                "verschillen zijn bij loting normaal."
            ),
            *_balance_tables(checked.balance, check.shown, check.sources),
        ),
    )


def _attrition_section(checked: CheckedExperiment, section_id: str) -> Section:
    """Attrition per outcome: who has a measurement, differences, Lee bounds."""
    blocks: list[Block] = [
        Paragraph(
            "Uitval is het ontbreken van een uitkomst (bijvoorbeeld geen antwoord op de "
            "vragenlijst). Verschilt de uitval tussen groepen, dan kan het effect vertekend "
            "zijn; de Lee-grenzen laten zien hoe groot die vertekening hooguit is."
        )
    ]
    for outcome, att in checked.attrition.items():
        table = checked.attrition_tables.get(outcome)
        blocks.extend(_attrition_blocks(outcome, att, table, checked.model))
    return Section(f"{section_id}-uitval", "Uitval", tuple(blocks))


def _power_section(power: PowerResult, section_id: str) -> Section:
    """What the experiment could have detected."""
    return Section(
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
