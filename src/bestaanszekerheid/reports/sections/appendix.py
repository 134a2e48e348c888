"""The disclosure appendix: every checked output with its check, and the rules applied.

One renderer for every report section that publishes checked outputs: the run's appendix
(:func:`report_appendix`) and the experiment's (``ExperimentSection.disclosure_section``)
differ only in their introduction. The table is built from
:func:`~bestaanszekerheid.disclosure.publication_summary` (what may be published about the
checks: no reason or status per cell) and the register's refusals (whose names the report's
notes publish already).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from bestaanszekerheid.disclosure import ReleaseRegister, publication_summary
from bestaanszekerheid.reports.tree import Block, Bullets, Cell, Paragraph, Section, Table

if TYPE_CHECKING:
    from bestaanszekerheid.pipeline import AnalysisResult

COLUMNS = ("Uitvoer", "Soort", "Cellen", "Weggelaten cellen", "Controle")
PASSED = "in orde"
FAILED = "geweigerd"
REFUSED = "geweigerd (niet gepubliceerd)"


def _row(out: Mapping[str, Any]) -> tuple[Cell, ...]:
    """One released output: a table's cells and hidden cells, a model's own verdict."""
    if out["type"] == "table":
        kind, cells, hidden = "tabel", str(out["cells"]), str(out["hidden"])
    else:
        kind, cells, hidden = f"model: {out['kind']}", "–", "–"
    return (
        Cell(out["name"]),
        Cell(kind),
        Cell(cells),
        Cell(hidden),
        Cell(PASSED if out["passed"] else FAILED),
    )


def outputs_table(register: ReleaseRegister, *, key: str) -> Table:
    """Every output of ``register`` with the true result of its check.

    Released outputs in release order (a table passed once it is released; a model shows its
    own check), then the outputs the register refused for differencing, which are left out
    of every figure.
    """
    doc = publication_summary(register)
    rows = [_row(out) for out in doc["outputs"]]
    released = {out["name"] for out in doc["outputs"]}
    for refusal in register.refused:
        if refusal.name not in released:
            rows.append((Cell(refusal.name), Cell("–"), Cell("–"), Cell("–"), Cell(REFUSED)))
    return Table(
        key=key,
        title="Gecontroleerde uitvoer van deze analyse",
        columns=COLUMNS,
        rows=tuple(rows),
        sources=(),
        kind="model",
        # A line per output: folded on the screen and summarised on paper (the log has all).
        collapsed=True,
    )


def rule_items(register: ReleaseRegister) -> tuple[str, ...]:
    """The rules applied, one item each, with their source in Dutch (a rules file without
    a Dutch source shows none here: its English source is in the log)."""
    rules = publication_summary(register)["rules"]
    return tuple(
        text["nl"] + (f" (bron: {text['bron']})" if text.get("bron") else "")
        for text in rules["descriptions"].values()
        if text.get("nl")
    )


def disclosure_appendix(
    register: ReleaseRegister,
    *,
    section_id: str,
    title: str,
    intro: Sequence[Block],
    table_key: str,
) -> Section:
    """The appendix of a report section: ``intro``, the outputs table and the rules."""
    return Section(
        section_id,
        title,
        (
            *intro,
            outputs_table(register, key=table_key),
            Bullets(rule_items(register), title="Toegepaste regels"),
        ),
    )


def report_appendix(result: AnalysisResult) -> Section:
    """The run's disclosure appendix (households)."""
    rules = publication_summary(result.register)["rules"]
    values = rules["values"]
    intro = (
        Paragraph(
            f"Alle cijfers in dit rapport zijn gecontroleerd met de regels "
            f"'{rules['name']}' (versie {rules['version']}, sha256 {rules['sha256'][:12]}…): "
            f"minimaal {values['min_count']} huishoudens per cel, geen groepsonthulling, "
            "secundaire onderdrukking en een controle op verschillen tussen tabellen. "
            "Groepsprofielen zijn schattingen van een model, gecontroleerd als tabellen van "
            f"geschatte aantallen: elke groep telt minstens {values['min_count']} huishoudens, "
            f"een aandeel dat op minder dan {values['min_count']} geschatte huishoudens rust "
            "(met of zonder het kenmerk) staat als band ('minder dan 5%', 'meer dan 90%' en "
            "dergelijke), "
            "nooit als 0% of 100%, en groepsgroottes en aandelen zijn één keer afgerond "
            f"(op {values['estimate_size_base']} huishoudens en "
            f"{values['estimate_share_decimals']} decimaal) en overal hetzelfde."
        ),
        Paragraph(
            "Een weggelaten cel staat als x in de tabellen, zonder reden: een reden als "
            f"'minder dan {values['min_count']}' of 'lege cel' zou iets over de verborgen "
            "waarde verraden. De redenen staan in het log voor de outputcontroleur "
            "(onthullingscontrole.md en onthullingscontrole.json); dat log is niet voor "
            "publicatie."
        ),
    )
    return disclosure_appendix(
        result.register,
        section_id="bijlage-onthullingscontrole",
        title="Bijlage: onthullingscontrole",
        intro=intro,
        table_key="onthullingscontrole",
    )
