"""Social-minimum norms (Participatiewet) by date and household situation."""

from bestaanszekerheid.norms.income import (
    DEFINITION_CBS,
    DEFINITION_MUNICIPAL,
    IncomeAssessment,
    aow_age,
    assess_income,
    norm_categories,
)
from bestaanszekerheid.norms.table import (
    CATEGORY_LABELS,
    NormCategory,
    NormLookup,
    NormRow,
    NormTable,
    load_norm_table,
)

__all__ = [
    "CATEGORY_LABELS",
    "DEFINITION_CBS",
    "DEFINITION_MUNICIPAL",
    "IncomeAssessment",
    "NormCategory",
    "NormLookup",
    "NormRow",
    "NormTable",
    "aow_age",
    "assess_income",
    "load_norm_table",
    "norm_categories",
]
