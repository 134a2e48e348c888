"""docs/schema.md is generated from the schema and must stay in sync."""

from __future__ import annotations

from pathlib import Path

from bestaanszekerheid.households.schema import COLUMNS
from bestaanszekerheid.households.schema_doc import render

DOC = Path(__file__).parents[2] / "docs" / "schema.md"


def test_schema_doc_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/schema.md is verouderd: python -m bestaanszekerheid.households.schema_doc "
        "> docs/schema.md"
    )


def test_every_column_documented_with_label_and_meaning() -> None:
    text = render()
    for column in COLUMNS:
        assert f"`{column.name}`" in text
        assert column.label and len(column.description) > 20
