"""Figures that stay as published until enough has changed: differencing over time.

A page of checked tables (the analyst's figures, the team's programme monitor) is released
through one register per view, which catches differencing between the tables of that view.
Between two views it cannot: a reader who notes the figures, waits until one goal is marked
reached or one measurement is added, and looks again, subtracts and learns about that one
resident (attacker review, issue 16). So each page is published as a whole and kept: a later
view shows the same figures, with their date, until *every* cell (hidden ones, and rows or
columns that appear or go, too) has changed by zero units or by at least the minimum group
size (``min_count`` of the rules);
then the new figures are published and kept in their place. A change is a unit that entered
or left the cell, or, in a table of means, a unit whose value changed. The difference
between two publications is then itself a table whose cells are empty or cover at least
``min_count`` units, as the rules ask of any table (ADR 0075).

Only the latest publication per page is stored (:class:`~.models.PublishedPage`): the
figures as shown, and keyed hashes of the units per cell (HMAC-SHA256 with the site's secret
and the page key, truncated): enough to count changes, not to find a unit.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from bestaanszekerheid.web.casework.analyst_figures import Cell, Figure, Row
from bestaanszekerheid.web.casework.models import PublishedPage

#: Per table slug, per published cell: unit -> value ("" in a count table).
UnitSets = dict[str, dict[str, dict[str, str]]]


def _digest(secret: bytes, text: str) -> str:
    return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()[:20]


def hashed_units(key: str, figures: Iterable[Figure]) -> UnitSets:
    """The figures' cell memberships with units and values replaced by keyed hashes."""
    secret = f"{settings.SECRET_KEY}|published|{key}".encode()
    return {
        f.slug: {
            cell: {
                _digest(secret, unit): _digest(secret, value) if value else ""
                for unit, value in members.items()
            }
            for cell, members in f.units.items()
        }
        for f in figures
        if f.units
    }


def changed_units(before: Mapping[str, str], after: Mapping[str, str]) -> int:
    """Units that entered or left a cell, or whose value in it changed."""
    moved = len(before.keys() ^ after.keys())
    return moved + sum(1 for u in before.keys() & after.keys() if before[u] != after[u])


def may_publish(before: UnitSets, after: UnitSets, min_count: int) -> bool:
    """True when every cell of every table changed by 0 or >= ``min_count`` units.

    Hidden cells count too, and a cell (a row or column) that appears or disappears is
    compared with an empty one: a new column "geaccepteerd" full of x says that someone's
    referral was accepted as plainly as a number would."""
    for slug in before.keys() | after.keys():
        earlier, now = before.get(slug, {}), after.get(slug, {})
        for cell in earlier.keys() | now.keys():
            if 0 < changed_units(earlier.get(cell, {}), now.get(cell, {})) < min_count:
                return False
    return True


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
    figure.table, figure.units, figure.kept = None, {}, True
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


def settle(
    key: str,
    figures: list[Figure],
    *,
    min_count: int,
    now: datetime,
    log: dict[str, Any] | None = None,
) -> tuple[list[Figure], dict[str, Any] | None]:
    """The figures to show on page ``key``, each as published now or as kept from before
    (see the module docstring), and the disclosure ``log`` of this view with the entries of
    kept tables replaced by those of their publication.

    Per table, not per page: one slowly changing cell (a mean over few residents) would
    otherwise hold every table back for months. Between tables the register of each view
    applies; a kept table next to a new one combines two differences that each cover at
    least ``min_count`` units (ADR 0075).
    """
    after = hashed_units(key, figures)
    entries = {e["name"]: e for e in (log or {}).get("outputs", [])}
    with transaction.atomic():
        stored = PublishedPage.objects.select_for_update().filter(key=key).first()
        units: UnitSets = dict(stored.units) if stored else {}
        tables: dict[str, Any] = dict(stored.figures["tables"]) if stored else {}
        shown: list[Figure] = []
        for figure in figures:
            before = {figure.slug: units.get(figure.slug, {})}
            now_units = {figure.slug: after.get(figure.slug, {})}
            if stored is not None and not may_publish(before, now_units, min_count):
                shown.append(_restored(figure, tables.get(figure.slug)))
                continue
            figure.published_at, figure.kept = now, False
            units[figure.slug] = after.get(figure.slug, {})
            tables[figure.slug] = {
                "shown": _shown(figure),
                "published_at": now.isoformat(),
                "log": entries.get(figure.slug),
            }
            shown.append(figure)
        PublishedPage.objects.update_or_create(
            key=key,
            defaults={"published_at": now, "figures": {"tables": tables}, "units": units},
        )
    if log is not None:
        kept = {f.slug for f in shown if f.kept}
        log = dict(log)
        outputs = []
        for entry in log.get("outputs", []):
            if entry["name"] not in kept:
                outputs.append(entry)
            elif (earlier := tables.get(entry["name"], {}).get("log")) is not None:
                outputs.append(earlier)  # a kept table: its log from its publication
        log["outputs"] = outputs
    return shown, log
