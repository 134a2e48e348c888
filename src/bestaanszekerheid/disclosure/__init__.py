"""Statistical disclosure control: every figure that leaves the analysis is built here.

Tables are computed from unit-level data and checked against versioned rules (CBS Remote Access
by default, see ``data/cbs_remote_access.toml``): minimum counts, group disclosure, dominance and
the p% rule, forbidden statistics, model checks, secondary suppression or rounding, and a release
register for the whole run that catches differencing between outputs.
See docs/onthullingscontrole.md.
"""

from __future__ import annotations

from bestaanszekerheid.disclosure.cells import check_min_cells, small_cells
from bestaanszekerheid.disclosure.checked import CheckedTable, CheckRecord
from bestaanszekerheid.disclosure.estimates import (
    CheckedEstimates,
    band_limit,
    check_estimates,
    round_half_up,
    round_size,
)
from bestaanszekerheid.disclosure.labels import SUPPRESSED_MARK, TOTAL
from bestaanszekerheid.disclosure.log import log_document, publication_summary, render_markdown
from bestaanszekerheid.disclosure.models import ModelCheck, check_fitted_model, check_model
from bestaanszekerheid.disclosure.register import (
    Finding,
    Refusal,
    RefusedError,
    Release,
    ReleaseRegister,
)
from bestaanszekerheid.disclosure.rules import DisclosureRules, load_rules
from bestaanszekerheid.disclosure.tables import (
    frequency_table,
    magnitude_table,
    percentage_table,
    percentile_table,
)

__all__ = [
    "SUPPRESSED_MARK",
    "TOTAL",
    "CheckRecord",
    "CheckedEstimates",
    "CheckedTable",
    "DisclosureRules",
    "Finding",
    "ModelCheck",
    "Refusal",
    "RefusedError",
    "Release",
    "ReleaseRegister",
    "band_limit",
    "check_estimates",
    "check_fitted_model",
    "check_min_cells",
    "check_model",
    "frequency_table",
    "load_rules",
    "log_document",
    "magnitude_table",
    "percentage_table",
    "percentile_table",
    "publication_summary",
    "render_markdown",
    "round_half_up",
    "round_size",
    "small_cells",
]
