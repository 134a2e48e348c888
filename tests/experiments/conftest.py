"""Shared fixtures of the experiment tests."""

from __future__ import annotations

import pytest
import typer


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    """The ``bsz`` app itself: user errors become 'Fout: ...' and exit code 2."""
    from bestaanszekerheid.cli import app as bsz

    return bsz
