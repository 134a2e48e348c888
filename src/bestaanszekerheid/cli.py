"""The ``bsz`` command line (Dutch first).

Every command turns our own errors (:class:`bestaanszekerheid.errors.UserFacingError`) into a
clear Dutch message and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="bsz",
    help="bestaanszekerheid: doelgroep, segmenten, wijken en effectmeting voor gemeenten.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def main() -> None:
    """Entry point of the ``bsz`` console script."""
    app()
