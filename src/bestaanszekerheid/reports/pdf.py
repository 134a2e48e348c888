"""HTML to a tagged PDF with WeasyPrint, in this process or in another one.

WeasyPrint takes seconds for the persona cards and holds the GIL, so :func:`write_all
<bestaanszekerheid.reports.write_all>` has it run in a second process while the report is
built. This module imports nothing heavy, so that the second process starts quickly (it
imports WeasyPrint only).
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path

from bestaanszekerheid.fileio import atomic_path


def write_pdf(html: str, path: Path) -> Path:
    """Write ``html`` as a tagged PDF (PDF/UA-1) at ``path``; returns ``path``.

    Raises OSError where WeasyPrint cannot load its system libraries (Pango, GObject)."""
    from weasyprint import HTML

    with atomic_path(path) as tmp:
        HTML(string=html).write_pdf(tmp, pdf_variant="pdf/ua-1")
    return path


def pdf_pool() -> Executor | None:
    """A one-worker process pool for :func:`write_pdf` on a machine with more than one core
    (None on one core: a second process would only add its start-up). Spawned, not forked:
    the parent runs threads (the EM's, vl-convert's)."""
    if (os.cpu_count() or 1) < 2:
        return None
    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
