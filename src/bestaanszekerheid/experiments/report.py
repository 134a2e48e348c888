"""The Dutch report section of an experiment, arranged from disclosure-checked outputs only.

Compute, then check, then arrange (ADR 0040): the estimates come from :mod:`.estimation`,
:mod:`.allocation`, :mod:`.attrition` and :mod:`.power`; :mod:`.checks` releases every figure
the section shows in a :class:`~bestaanszekerheid.disclosure.ReleaseRegister`; this module
arranges the checked outputs as report-tree nodes (:mod:`bestaanszekerheid.reports.tree`), so
the HTML, XLSX and JSON renderers of the reports package can show them unchanged. It computes
nothing new: a figure is shown only where its checked cell is published.

The parts: the effects and what the experiment could detect (:mod:`._report_effects`),
effects per latent group (:mod:`._report_groups`), shared cells (:mod:`._report_parts`); the
participants, balance, attrition and DiD here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from bestaanszekerheid.disclosure import CheckedTable, ModelCheck, ReleaseRegister
from bestaanszekerheid.experiments._report_effects import (
    FOREST_KEY,
    effects_section,
    power_section,
)
from bestaanszekerheid.experiments._report_groups import CLASS_FOREST_KEY, by_class_section
from bestaanszekerheid.experiments._report_parts import count_table, num, p_cell
from bestaanszekerheid.experiments.checks import (
    CheckedExperiment,
    ExperimentInputs,
    check_experiment,
)
from bestaanszekerheid.experiments.labels import Labels, in_sentence
from bestaanszekerheid.experiments.results import (
    AttritionResult,
    BalanceResult,
    DidResult,
    format_p,
)
from bestaanszekerheid.formatting import fmt_num
from bestaanszekerheid.reports.sections.appendix import disclosure_appendix
from bestaanszekerheid.reports.tree import (
    Block,
    Callout,
    Cell,
    Paragraph,
    Report,
    Section,
    Table,
)

__all__ = [
    "CLASS_FOREST_KEY",
    "FOREST_KEY",
    "ExperimentSection",
    "arrange_experiment",
    "experiment_section",
]


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
            "deelnemers per arm). Een weggelaten cel staat als x, zonder reden; de "
            f"redenen staan in het log voor de outputcontroleur ({log}.md en "
            f"{log}.json), dat niet voor publicatie is."
        )
        return disclosure_appendix(
            self.register, section_id=section_id, title=title, intro=(intro,), table_key=section_id
        )


def _balance_tables(
    balance: BalanceResult,
    shown: Mapping[tuple[str, str], bool],
    sources: Sequence[str],
    labels: Labels,
) -> tuple[Table, Table]:
    """The balance tables (means, standardised differences) with every figure hidden whose
    checked cell is hidden. Two narrow tables rather than one wide one: a wide table scrolls
    sideways, which is hard to read and to reach with a keyboard. The control arm is the
    first column, once.

    ``shown[(row, arm)]`` says whether the checked output behind that figure publishes it;
    a standardised difference is shown only when both its means are.
    """
    frame = balance.to_frame()
    treated = [a for a in balance.arms if a != balance.control]
    mean_cols = [a for a in (balance.control, *treated) if f"mean_{a}" in frame]
    smd_cols = [a for a in treated if f"smd_{a}" in frame]
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
            num(
                float(row[f"smd_{a}"])
                if shown.get((var, a), False) and shown.get((var, balance.control), False)
                else math.nan
            )
            for a in smd_cols
        ]
        name = "Aantal deelnemers" if var == "aantal" else _variable_label(var, labels)
        rows.append((Cell(name), *means))
        if var != "aantal":
            smd_rows.append((Cell(name), *smds))
    means_table = Table(
        key="effect-balans",
        title="Gemiddelde of aandeel per arm bij de start",
        columns=("Kenmerk", *(labels.arm(a) for a in mean_cols)),
        rows=tuple(rows),
        kind="checked",
        narrow=True,
        sources=tuple(sources),
        note="Gemiddelden en aandelen (0,45 = 45%) komen uit gecontroleerde tabellen; "
        f"de eerste kolom is de controlearm ({in_sentence(labels.arm(balance.control))}); "
        "x = niet gepubliceerd.",
    )
    smd_table = Table(
        key="effect-balans-verschil",
        title="Gestandaardiseerd verschil met de controlearm",
        columns=("Kenmerk", *(labels.arm(a) for a in smd_cols)),
        rows=tuple(smd_rows),
        kind="checked",
        narrow=True,
        sources=tuple(sources),
        note="Gestandaardiseerd verschil = verschil met de controlearm gedeeld door de "
        f"gepoolde standaarddeviatie; boven {fmt_num(balance.threshold, 2)} verdient aandacht. "
        f"Grootste absolute verschil: {fmt_num(balance.max_abs_smd(), 2)}.",
    )
    return means_table, smd_table


def _variable_label(var: str, labels: Labels) -> str:
    """A balance row's label: "Geslacht: vrouw" for a category, the label for a number."""
    column, _, level = var.partition(" = ")
    if not level:
        return labels.variable(column)
    return f"{labels.variable(column)}: {in_sentence(labels.value(column, level))}"


def _attrition_blocks(
    outcome: str,
    att: AttritionResult,
    table: CheckedTable | None,
    model: ModelCheck,
    labels: Labels,
) -> list[Block]:
    """One outcome's attrition: its checked counts (unless refused) and the model figures."""
    name = in_sentence(labels.outcome(outcome))
    blocks: list[Block] = []
    if table is not None:
        blocks.append(
            count_table(
                table,
                key=f"uitval-{outcome}",
                title=f"Deelnemers met en zonder meting van {name}",
                row_label="Arm",
            )
        )
    diff_rows = tuple(
        (
            Cell(labels.arm(d.arm)),
            num(100 * d.estimate),
            num(100 * d.ci_low),
            num(100 * d.ci_high),
            p_cell(d.p_value),
        )
        for d in att.differential
    )
    blocks.append(
        Table(
            key=f"uitval-verschil-{outcome}",
            title=f"Verschil in uitval met de controlearm ({name}), in procentpunten",
            columns=("Arm", "Verschil", "Ondergrens 95%-BI", "Bovengrens 95%-BI", "p"),
            rows=diff_rows,
            sources=(model.name,),
            kind="estimate",
            narrow=True,
            note="Toets op gelijke uitval in alle armen: p = " + format_p(att.joint_p_value) + ".",
        )
    )
    if att.bounds:
        blocks.append(
            Table(
                key=f"lee-grenzen-{outcome}",
                title=f"Lee-grenzen voor het effect op {name}",
                columns=(
                    "Arm",
                    "Ondergrens",
                    "Bovengrens",
                    "Bijgesneden (%)",
                    "Bijgesneden in arm",
                ),
                rows=tuple(
                    (
                        Cell(labels.arm(b.arm)),
                        num(b.lower),
                        num(b.upper),
                        Cell(100 * b.trim_share, "num"),
                        Cell(labels.arm(b.trimmed_group)),
                    )
                    for b in att.bounds
                ),
                sources=(model.name,),
                kind="estimate",
                narrow=True,
                note="Lee-grenzen: het effect als de extra uitvallers in de arm met de "
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
    subsections = [effects_section(checked, section_id)]
    power = power_section(checked, section_id)
    if power is not None:
        subsections.append(power)
    if checked.by_class:
        subsections.append(by_class_section(checked, section_id))
    subsections.append(_arms_section(checked, section_id))
    if checked.balance is not None and checked.balance_check is not None:
        subsections.append(_balance_section(checked, section_id))
    if checked.attrition:
        subsections.append(_attrition_section(checked, section_id))
    if checked.did is not None and checked.did_model is not None:
        subsections.append(_did_section(checked.did, section_id, checked.did_model, checked))
    section = Section(
        section_id,
        title + (" (synthetisch)" if checked.synthetic else ""),
        blocks=tuple(Callout(note, tone="warning") for note in checked.notes),
        subsections=tuple(subsections),
        lead="Resultaten van een gerandomiseerd experiment: per onderzoeksarm het effect ten "
        "opzichte van de controlearm. Een arm is het deel van de deelnemers dat door loting "
        "dezelfde aanpak kreeg"
        + ("; een groep is in dit rapport een latente groep." if checked.by_class else "."),
    )
    return ExperimentSection(
        section=section,
        register=checked.register,
        tables=tuple(checked.tables),
        model=checked.model,
        synthetic=checked.synthetic,
        notes=list(checked.notes),
    )


def _arms_section(checked: CheckedExperiment, section_id: str) -> Section:
    """Participants per arm, and per arm and subgroup (checked counts)."""
    labels = checked.labels
    counts: list[Block] = [
        count_table(
            checked.sizes,
            key="effect-armgrootte",
            title="Deelnemers per arm",
            row_label="Arm",
        )
    ]
    for s, table in checked.subgroup_tables.items():
        counts.append(
            count_table(
                table,
                key=f"effect-arm-{s}",
                title=f"Deelnemers per arm en {in_sentence(labels.variable(s))}",
                row_label="Arm",
            )
        )
    return Section(
        f"{section_id}-armen",
        "Deelnemers per arm",
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
                "Door de loting horen de armen bij de start gemiddeld gelijk te zijn. "
                "Een gestandaardiseerd verschil boven 0,1 verdient aandacht; kleine "
                "verschillen zijn bij loting normaal."
            ),
            *_balance_tables(checked.balance, check.shown, check.sources, checked.labels),
        ),
    )


def _attrition_section(checked: CheckedExperiment, section_id: str) -> Section:
    """Attrition per outcome: who has a measurement, differences, Lee bounds."""
    blocks: list[Block] = [
        Paragraph(
            "Uitval is het ontbreken van een uitkomst (bijvoorbeeld geen antwoord op de "
            "vragenlijst). Verschilt de uitval tussen armen, dan kan het effect vertekend "
            "zijn; de Lee-grenzen laten zien hoe groot die vertekening hooguit is."
        )
    ]
    for outcome, att in checked.attrition.items():
        table = checked.attrition_tables.get(outcome)
        blocks.extend(_attrition_blocks(outcome, att, table, checked.model, checked.labels))
    return Section(f"{section_id}-uitval", "Uitval", tuple(blocks))


def _did_section(
    did: DidResult, section_id: str, model: ModelCheck, checked: CheckedExperiment
) -> Section:
    """DiD results, labelled as weaker evidence (no randomisation behind them)."""
    outcome = checked.labels.outcome(did.outcome)
    table = Table(
        key="verschil-in-verschillen",
        title=f"Verschil-in-verschillen voor {in_sentence(outcome)}",
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
                Cell(outcome),
                num(did.estimate),
                num(did.ci_low),
                num(did.ci_high),
                p_cell(did.p_value),
                p_cell(did.pre_trend_p_value),
            ),
        ),
        sources=(model.name,),
        kind="estimate",
        narrow=True,
        note=" ".join(did.warnings),
    )
    return Section(
        f"{section_id}-did",
        "Verschil-in-verschillen (zwakker bewijs)",
        (Callout(did.evidence, tone="warning"), table),
    )
