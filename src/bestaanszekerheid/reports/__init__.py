"""Outputs of a run: the report tree and its renderers (HTML, persona-card PDF, XLSX, JSON).

Compute -> typed report tree -> renderers, as ydata-profiling and great_tables do: the tree
(:mod:`.tree`) is built from checked results only (:mod:`.build`), and each renderer walks it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bestaanszekerheid.reports.tree import Report

if TYPE_CHECKING:
    from bestaanszekerheid.pipeline import AnalysisResult

__all__ = ["Report", "write_all"]


def write_all(
    result: AnalysisResult, out: Path, *, progress: Callable[[int, str], None] | None = None
) -> dict[str, Path]:
    """Write every output of a run into ``out``; returns (and records in ``result``) the paths."""
    from bestaanszekerheid.reports.build import build_report
    from bestaanszekerheid.reports.bundle import write_bundle
    from bestaanszekerheid.reports.cards import write_cards
    from bestaanszekerheid.reports.html import write_html
    from bestaanszekerheid.reports.xlsx import write_xlsx

    step = progress or (lambda i, text: None)
    step(0, "Rapport (HTML)")
    report = build_report(result)
    files = result.files
    files["rapport"] = write_html(report, out / "rapport.html")
    step(1, "Persona-kaarten (PDF)")
    files["kaarten"] = write_cards(result, out / "persona-kaarten.pdf")
    step(2, "Tabellen (XLSX), bundel (JSON) en controlelog")
    files["xlsx"] = write_xlsx(result, report, out / "tabellen.xlsx")
    files["bundel"] = write_bundle(result, report, out / "bundel.json")
    # Every released output appears in the report, the workbook and the bundle.
    outputs = [files[k].name for k in ("rapport", "xlsx", "bundel")]
    for release in result.register.releases:
        release.files.extend(n for n in outputs if n not in release.files)
    logs = result.register.write_log(out)
    for path in logs:
        files["log_md" if path.suffix == ".md" else "log_json"] = path
    if result.experiment is not None:
        # The experiment has its own register (participants, not households): its own log.
        for release in result.experiment.register.releases:
            release.files.extend(n for n in outputs if n not in release.files)
        for path in result.experiment.register.write_log(out, "onthullingscontrole_experiment"):
            files["log_experiment_md" if path.suffix == ".md" else "log_experiment_json"] = path
    return files
