"""Compose a run's report tree from its sections (Dutch text, no new numbers).

Every figure placed in the tree comes from an output released in the run's register: counts
from checked tables (``CheckedTable.frame``), group-specific shares from the profile
estimates released as a checked model output, fit statistics from the checked model, the
target group's share per wijk, the maps and the outreach plan from the run's
:class:`~bestaanszekerheid.areas.distribution.AreaFigures` and outreach plans (computed by
the pipeline from checked tables). Each section is arranged by its own module in
:mod:`.sections`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bestaanszekerheid.reports.sections.appendix import report_appendix
from bestaanszekerheid.reports.sections.areas import areas_section
from bestaanszekerheid.reports.sections.common import checked_table_block, date_nl
from bestaanszekerheid.reports.sections.group import per_group_section
from bestaanszekerheid.reports.sections.groups import groups_section
from bestaanszekerheid.reports.sections.methods import methods_section
from bestaanszekerheid.reports.sections.model import INDICATOR_LABELS, model_section
from bestaanszekerheid.reports.sections.summary import summary_section
from bestaanszekerheid.reports.sections.target import target_section
from bestaanszekerheid.reports.tree import Report, Section

if TYPE_CHECKING:
    from bestaanszekerheid.pipeline import AnalysisResult

__all__ = ["INDICATOR_LABELS", "build_report", "checked_table_block"]


def _experiment_sections(result: AnalysisResult) -> tuple[tuple[Section, ...], tuple[Section, ...]]:
    """The experiment's section and its appendix (empty without an experiment)."""
    if result.experiment is None:
        return (), ()
    appendix = result.experiment.disclosure_section(
        "bijlage-onthullingscontrole-experiment",
        "Bijlage: onthullingscontrole van het experiment",
        log="onthullingscontrole_experiment",
    )
    return (result.experiment.section,), (appendix,)


def build_report(result: AnalysisResult) -> Report:
    """The report tree of a run."""
    target = result.target
    experiment, experiment_appendix = _experiment_sections(result)
    areas = areas_section(result)
    return Report(
        title="Wie zijn de huishoudens rond het sociaal minimum?",
        subtitle=(
            f"Doelgroep, groepen en wijken – {result.options.source or 'analyse'}, peildatum "
            f"{date_nl(target.on)}"
        ),
        lang="nl",
        synthetic=result.synthetic,
        created=result.created,
        sections=(
            summary_section(result),
            target_section(result),
            groups_section(result),
            # After the overview of the groups: its group maps name them.
            *((areas,) if areas is not None else ()),
            per_group_section(result),
            *experiment,
            # Model choice (BIC, ARI, residuals) is for the technical reader: after the
            # groups, inside 'Methoden', which says in plain words first what was done.
            methods_section(result, model=model_section(result)),
            report_appendix(result),
            *experiment_appendix,
        ),
        meta={
            "regels": result.register.rules.version,
            "bron": result.options.source,
        },
    )
