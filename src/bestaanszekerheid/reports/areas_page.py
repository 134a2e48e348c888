"""The area outputs on their own (``bsz wijken``): the report's "Waar wonen ze?" section as an
offline page, its tables in a workbook, and the disclosure log of exactly what those publish.

Nothing is arranged anew here: the page is a :class:`~bestaanszekerheid.reports.tree.Report`
with the one section of :mod:`.sections.areas` (the same function the full report calls),
rendered by :mod:`.html` with the report's shell and CSS; the workbook is :mod:`.xlsx`'s. The
three files are written in a temporary folder inside ``out`` and moved into place only when all
are complete: an error leaves no file behind (and an existing file as it was).
"""

from __future__ import annotations

import copy
import dataclasses
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from bestaanszekerheid.disclosure import CheckedTable, ReleaseRegister
from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.reports.html import write_html
from bestaanszekerheid.reports.sections.areas import areas_section, group_figures
from bestaanszekerheid.reports.sections.common import date_nl
from bestaanszekerheid.reports.sections.outreach import TARGET_PLAN
from bestaanszekerheid.reports.tree import Report
from bestaanszekerheid.reports.xlsx import write_xlsx

if TYPE_CHECKING:
    from bestaanszekerheid.pipeline import AnalysisResult

PAGE = "wijken.html"
WORKBOOK = "wijken.xlsx"
#: Not the report's "onthullingscontrole": ``bsz wijken`` may write into the folder of a
#: ``bsz analyse`` run, whose log covers more outputs.
LOG_STEM = "onthullingscontrole_wijken"

NO_AREAS = (
    "Er zijn geen cijfers per wijk: het huishoudbestand heeft geen wijkcodes (kolom "
    "wijk_code). Zonder wijkcodes maakt bsz wijken niets."
)


def build_areas_report(result: AnalysisResult, plan: str = TARGET_PLAN) -> Report:
    """The page: the report's areas section with the outreach plan of ``plan`` ("doelgroep"
    or a group's key, "Groep 3"); a Dutch error when the run has no figures per wijk."""
    section = areas_section(result, plan)
    if section is None:
        raise UserFacingError(NO_AREAS)
    whose = "" if plan == TARGET_PLAN else f", bereikplan voor {plan}"
    return Report(
        title="Waar wonen de huishoudens rond het sociaal minimum?",
        subtitle=(
            f"Doelgroep en groepen per wijk{whose} – {result.options.source or 'analyse'}, "
            f"peildatum {date_nl(result.target.on)}"
        ),
        lang="nl",
        synthetic=result.synthetic,
        created=result.created,
        sections=(section,),
        meta={"regels": result.register.rules.version, "bron": result.options.source},
    )


def published_outputs(result: AnalysisResult, report: Report, plan: str = TARGET_PLAN) -> set[str]:
    """Names of the released outputs the page and the workbook show: every table's sources,
    and the group profiles' estimates when groups are named (their names are drawn from
    them)."""
    names = {source for table in report.tables() for source in table.sources}
    if plan != TARGET_PLAN or group_figures(result.areas) is not None:
        names.add(result.profiles.estimates_check.name)
    return names


def published_register(
    register: ReleaseRegister, names: set[str], files: list[str]
) -> ReleaseRegister:
    """A view of ``register`` for the log: only the releases named in ``names``, each with
    ``files``; the refusals as they are (refused outputs are published nowhere). ``register``
    itself is not changed."""
    view = copy.copy(register)
    view.releases = [
        dataclasses.replace(r, files=list(files)) for r in register.releases if r.name in names
    ]
    view.refused = list(register.refused)
    return view


def write_areas_outputs(
    result: AnalysisResult, out: Path, plan: str = TARGET_PLAN
) -> dict[str, Path]:
    """Write ``wijken.html``, ``wijken.xlsx`` and the disclosure log of what they publish
    into ``out``; returns the paths by key ("wijken", "wijken_xlsx", "log_md", "log_json").

    All or nothing: written in a temporary folder inside ``out``, then moved into place. A
    folder ``out`` (or its parents) created here is removed again when writing fails."""
    report = build_areas_report(result, plan)
    names = published_outputs(result, report, plan)
    tables = [
        r.output
        for r in result.register.releases
        if r.name in names and isinstance(r.output, CheckedTable)
    ]
    out = Path(out)
    created = _missing_ancestors(out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".wijken.", suffix=".tmp", dir=out))
    try:
        written = {
            "wijken": write_html(report, tmp / PAGE),
            "wijken_xlsx": write_xlsx(result, report, tmp / WORKBOOK, tables=tables),
        }
        log = published_register(result.register, names, [PAGE, WORKBOOK])
        for path in log.write_log(tmp, LOG_STEM):
            written["log_md" if path.suffix == ".md" else "log_json"] = path
        files = {}
        for key, path in written.items():
            path.replace(out / path.name)
            files[key] = out / path.name
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        for folder in created:  # deepest first; only if nothing else came in meanwhile
            try:
                folder.rmdir()
            except OSError:
                break
        raise
    shutil.rmtree(tmp, ignore_errors=True)
    result.files.update(files)
    return files


def _missing_ancestors(path: Path) -> list[Path]:
    """``path`` and its parents that do not exist yet, deepest first."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    return missing
