"""The consoles of ``bsz`` and what is printed on them: errors, progress bars, step lines.

Results go to stdout (:data:`console`); errors and progress to stderr (:data:`err_console`),
so that a command's output can be piped without the progress in it. The library reports
progress through plain callbacks; this module is where they become a rich progress bar.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bestaanszekerheid.errors import UserFacingError

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

P = ParamSpec("P")
R = TypeVar("R")


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Print a :class:`UserFacingError` as a clean message and exit with code 2."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except UserFacingError as exc:
            # The message is text, not markup: '[...]' in it (a file name, a list) stays as is.
            err_console.print(
                "[bold red]Fout:[/bold red] " + escape(str(exc)), highlight=False, markup=True
            )
            raise typer.Exit(code=exc.exit_code) from None

    return wrapper


@contextmanager
def progress_bar(description: str, total: int) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar; yields a callback ``(done, total)``."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    ) as progress:
        task = progress.add_task(description, total=total)

        def update(done: int, total_: int) -> None:
            progress.update(task, completed=done, total=total_)

        yield update


@contextmanager
def step_progress(description: str, total: int) -> Iterator[Callable[[int, int, str], None]]:
    """A progress bar with one line per step; yields the library's ``(step, steps, text)``
    callback (:data:`bestaanszekerheid.pipeline.Progress`)."""
    with progress_bar(description, total) as update:

        def step(i: int, n: int, text: str) -> None:
            update(i, n)
            # The last call (i == n) only completes the bar: there is no step n + 1 to name.
            if i < n:
                err_console.print(f"  {i + 1}/{n} {text}", highlight=False)

        yield step
