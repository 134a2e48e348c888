"""Figures that stay as published until enough has happened: differencing over time.

A page of checked tables (the analyst's figures, a team's programme monitor, a pilot's dose
tables) is released through one register per view, which catches differencing between the
tables of that view. Between two views it cannot: a reader who notes the figures, waits until
one goal is marked reached or one measurement is added, and looks again, subtracts and learns
about that one resident (attacker review, issue 16). So each table is published and kept: a
later view shows the same table, with its date, until at least ``min_count`` (the rules'
minimum group size) of its units have *changed* since its last publication; then the table
of this view is published and kept in its place.

What counts as a change must not depend on what is being protected, or the moment a table
is renewed gives it away (the second attacker review: a rule per cell renewed "goal reached"
exactly when the tenth new goal was reached, so the reader knew the last one was). It is
counted over the whole table: a unit that entered or left it (a trajectory closed, a resident
erased), or whose record in it is another one (another status, category or, for a table of
means, another *measurement*: its version, not its value, so a new score that happens to
equal the old one counts the same). A reader who knows which residents changed learns
nothing from the timing. What a renewal shows is the table over at least ``min_count``
changes since the last one; when those changes are all alike (ten closures that all reached
their goal) their common outcome is visible: the residual risk (ADR 0075).

A table that was never published appears only in a view in which no other table is kept
(the second review: a new pilot table next to a kept route table over the same trajectories
gave one score away). Only the latest publication per page is stored
(:class:`~.models.PublishedPage`): the tables as shown, and per table keyed hashes
(BLAKE2b, 80 bits, keyed with the site's secret and the page key) of its units and their
record versions: enough to count changes, not to find a unit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from bestaanszekerheid.web.casework.analyst_figures import Cell, Figure, Row
from bestaanszekerheid.web.casework.models import PublishedPage

#: Per table slug: keyed hash of each unit -> [keyed hash of its trajectory (or resident,
#: participant: the unit before any ":"), keyed hash of its record's version].
Populations = dict[str, dict[str, list[str]]]


def _digest(secret: bytes, text: str) -> str:
    # Keyed BLAKE2b rather than HMAC-SHA256: the same keyed-hash guarantee in one C call;
    # HMAC's Python wrapper took 2.5 s of a 3.8 s analyst view at 10,000 residents.
    return hashlib.blake2b(text.encode(), key=secret, digest_size=10).hexdigest()


def _secret(key: str) -> bytes:
    """The hash key of page ``key``: derived from the site's secret (BLAKE2b keys are at
    most 64 bytes)."""
    return hashlib.sha256(f"{settings.SECRET_KEY}|published|{key}".encode()).digest()


def hashed_populations(key: str, figures: Iterable[Figure]) -> Populations:
    """Each table's units and record versions, replaced by keyed hashes."""
    secret = _secret(key)
    bases: dict[str, str] = {}  # a trajectory has a unit per measure: hash it once

    def base(unit: str) -> str:
        head = unit.split(":")[0]
        if head not in bases:
            bases[head] = _digest(secret, head)
        return bases[head]

    return {
        f.slug: {
            _digest(secret, unit): [base(unit), _digest(secret, version)]
            for unit, version in f.population.items()
        }
        for f in figures
        if f.population
    }


def changed(
    old: Iterable[str],
    new: Iterable[str],
    before: Mapping[str, list[str]],
    after: Mapping[str, list[str]],
) -> int:
    """Trajectories (or residents, participants) of which a unit entered or left the set, or
    has a record of another version (``before``/``after``: unit -> [its trajectory, version]).
    One measurement changes a unit per measure: one change of one trajectory (third review:
    18 measures renewed a table at once)."""
    old_set, new_set = set(old), set(new)
    units = (old_set ^ new_set) | {u for u in old_set & new_set if before[u][1] != after[u][1]}
    return len({(after[u] if u in after else before[u])[0] for u in units})


def may_renew(
    before: Mapping[str, list[str]], after: Mapping[str, list[str]], min_count: int
) -> bool:
    """True when at least ``min_count`` trajectories changed in the table. None changed:
    the table stands (its values may still drift with the calendar, a rate per month: a
    republication with no change behind it is a difference all the same)."""
    return changed(before, after, before, after) >= min_count


#: Why a cell is hidden when it changed by too few trajectories since the last publication.
DIFFERENCE = "verschil met de vorige publicatie"


def _hashed_cells(secret: bytes, figure: Figure) -> dict[str, tuple[int, list[str]]]:
    return {
        key: (flat, [_digest(secret, u) for u in units])
        for key, (flat, units) in figure.cells.items()
    }


def unsafe_cells(
    reference: Mapping[str, list[str]],
    cells: Mapping[str, tuple[int, list[str]]],
    before: Mapping[str, list[str]],
    after: Mapping[str, list[str]],
    min_count: int,
) -> set[int]:
    """Cells of a renewed table whose difference with their last published version rests on
    1 to ``min_count - 1`` trajectories (third review: ten changes elsewhere in the table let
    one referral's new status through), or, for a share, whose new part is all alike (ten
    closures that all reached their goal). ``reference``: each cell's units when it was last
    shown; ``before``/``after``: the table's populations (unit -> [base, version])."""

    unsafe: set[int] = set()
    for key, (flat, units) in cells.items():
        if key not in reference:
            continue  # never shown: there is nothing to subtract it from
        n = changed(reference[key], units, before, after)
        if 0 < n < min_count:
            unsafe.add(flat)
        label, what = key.rsplit("|", 1)
        if what != "cell" and f"{label}|cell" in cells and f"{label}|cell" in reference:
            # A share: its numerator is checked above; the rest of the cell likewise, and a
            # cell that gained or lost trajectories must have gained in both parts.
            rest_now = set(cells[f"{label}|cell"][1]) - set(units)
            rest_then = set(reference[f"{label}|cell"]) - set(reference[key])
            m = changed(rest_then, rest_now, before, after)
            if (0 < m < min_count) or (
                changed(reference[f"{label}|cell"], cells[f"{label}|cell"][1], before, after) > 0
                and min(n, m) == 0
            ):
                unsafe.add(flat)
    return unsafe


def _shown(figure: Figure) -> dict[str, Any]:
    return {
        "columns": list(figure.columns),
        "rows": [
            [row.label, row.total, [[c.text, c.hidden] for c in row.cells]] for row in figure.rows
        ],
        "message": figure.message,
        "rounded": figure.rounded,
        "csv": figure.csv() if figure.rows else "",
    }


def _restored(figure: Figure, stored: Mapping[str, Any] | None) -> Figure:
    """The current figure's title and text with its table as published (or a placeholder)."""
    figure.table, figure.population, figure.kept = None, {}, True
    if stored is None:
        # A table that cannot be published yet and was not before (a new pilot, a first
        # closed trajectory): it appears when its cells can.
        figure.columns, figure.rows = (), ()
        figure.message = _("Deze tabel komt erbij zodra hij veilig gepubliceerd kan worden.")
        return figure
    shown = stored["shown"]
    figure.columns = tuple(shown["columns"])
    figure.rows = tuple(
        Row(label, tuple(Cell(text, hidden) for text, hidden in cells), total)
        for label, total, cells in shown["rows"]
    )
    figure.message = shown["message"]
    figure.rounded = shown["rounded"]
    figure.stored_csv = shown["csv"]
    figure.published_at = datetime.fromisoformat(stored["published_at"])
    return figure


def _hidden_flats(figure: Figure) -> set[int]:
    if figure.table is None:
        return set()
    return {
        flat
        for flat, cell in enumerate(figure.table.cells())
        if cell.status in ("primary", "secondary")
    }


def settle(
    key: str,
    figures: list[Figure],
    *,
    min_count: int,
    now: datetime,
    log: Callable[[], dict[str, Any]] | None = None,
) -> tuple[list[Figure], dict[str, Any] | None]:
    """The figures to show on page ``key``, each as published now or as kept from before
    (see the module docstring), and the disclosure log of this view (``log`` makes it,
    after the cells hidden for the difference are hidden, so that it lists them) with the
    entries of kept tables replaced by those of their publication."""
    after = hashed_populations(key, figures)
    renewed: list[tuple[Figure, dict[str, list[str]]]] = []
    with transaction.atomic():
        stored = PublishedPage.objects.select_for_update().filter(key=key).first()
        populations: Populations = dict(stored.units) if stored else {}
        tables: dict[str, Any] = dict(stored.figures["tables"]) if stored else {}
        renew = {
            f.slug: stored is None
            or may_renew(populations.get(f.slug, {}), after.get(f.slug, {}), min_count)
            for f in figures
        }
        # A first publication of a table waits while another table on the page is kept.
        any_kept = not all(renew[f.slug] for f in figures if f.slug in tables)
        shown: list[Figure] = []
        secret = _secret(key)
        for figure in figures:
            new_table = stored is not None and figure.slug not in tables
            if not renew[figure.slug] or (new_table and any_kept):
                shown.append(_restored(figure, tables.get(figure.slug)))
                continue
            earlier = tables.get(figure.slug, {})
            cells = _hashed_cells(secret, figure)
            reference: dict[str, list[str]] = dict(earlier.get("cells", {}))
            unsafe = unsafe_cells(
                reference,
                cells,
                populations.get(figure.slug, {}),
                after.get(figure.slug, {}),
                min_count,
            )
            if unsafe and figure.table is not None and figure.rebuild is not None:
                figure.table.suppress_more(sorted(unsafe), DIFFERENCE)
                figure.rebuild()
            # A cell's reference is its units when last shown: a hidden cell keeps its old one.
            hidden = _hidden_flats(figure)
            for cell_key, (flat, units) in cells.items():
                if flat not in hidden or cell_key not in reference:
                    reference[cell_key] = units
            figure.published_at, figure.kept = now, False
            populations[figure.slug] = after.get(figure.slug, {})
            renewed.append((figure, reference))
            shown.append(figure)
        document = log() if log is not None else None
        entries = {e["name"]: e for e in (document or {}).get("outputs", [])}
        for figure, reference in renewed:
            tables[figure.slug] = {
                "shown": _shown(figure),
                "published_at": now.isoformat(),
                "log": entries.get(figure.slug),
                "cells": reference,
            }
        if renewed:  # a view that only shows kept tables changes nothing stored
            PublishedPage.objects.update_or_create(
                key=key,
                defaults={"published_at": now, "figures": {"tables": tables}, "units": populations},
            )
    if document is None:
        return shown, None
    kept = {f.slug for f in shown if f.kept}
    outputs = []
    for entry in document.get("outputs", []):
        if entry["name"] not in kept:
            outputs.append(entry)
        elif (earlier := tables.get(entry["name"], {}).get("log")) is not None:
            outputs.append(earlier)  # a kept table: its log from its publication
    return shown, {**document, "outputs": outputs}
