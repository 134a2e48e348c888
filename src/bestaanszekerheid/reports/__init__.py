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

#: The outputs the report links to, in this order, with what each is for (files of the run).
#: Not the disclosure checker's logs: they name the reason per hidden cell and are marked
#: "niet publiceren"; a report that links to them invites sharing them with it.
REPORT_LINKS = {
    "kaarten": "persona-kaarten om te printen",
    "xlsx": "alle tabellen in Excel",
    "groepsnamen": "namen van de groepen aanpassen",
}


def write_all(
    result: AnalysisResult, out: Path, *, progress: Callable[[int, str], None] | None = None
) -> dict[str, Path]:
    """Write every output of a run into ``out``; returns (and records in ``result``) the paths."""
    from bestaanszekerheid.reports.build import build_report
    from bestaanszekerheid.reports.bundle import write_bundle
    from bestaanszekerheid.reports.cards import start_cards
    from bestaanszekerheid.reports.html import output_link, write_html
    from bestaanszekerheid.reports.pdf import pdf_pool
    from bestaanszekerheid.reports.xlsx import write_xlsx

    step = progress or (lambda i, text: None)
    step(0, "Rapport (HTML)")
    pool = pdf_pool()
    try:
        # WeasyPrint writes the cards in a second process while the report is built here.
        cards = start_cards(result, out / "persona-kaarten.pdf", pool)
        report = build_report(result)
        files = result.files
        page = out / "rapport.html"
        files["rapport"] = page  # written last, with links to the files the run did write
        step(1, "Persona-kaarten (PDF)")
        files["kaarten"] = cards()
    finally:
        if pool is not None:
            pool.shutdown()
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
    links = [
        output_link(files[key], out, label)
        for key, label in REPORT_LINKS.items()
        if key in files and files[key].is_file()
    ]
    write_html(report, page, links)
    return files
