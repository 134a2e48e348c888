"""Household data: the schema, readers with validation, writers and the synthetic population."""

from bestaanszekerheid.households.readers import read_households, read_table
from bestaanszekerheid.households.schema import COLUMNS, COLUMNS_BY_NAME, REQUIRED_COLUMNS
from bestaanszekerheid.households.validation import (
    HouseholdValidationError,
    Problem,
    validate_households,
)
from bestaanszekerheid.households.writers import write_households

__all__ = [
    "COLUMNS",
    "COLUMNS_BY_NAME",
    "REQUIRED_COLUMNS",
    "HouseholdValidationError",
    "Problem",
    "read_households",
    "read_table",
    "validate_households",
    "write_households",
]
