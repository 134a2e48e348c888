"""Linked-table attack over a whole run: bound hidden counts using every published count.

Each published count is an equation over *atoms*: groups of units that belong to exactly the
same published and hidden cells. An attacker who combines all published counts of a run, and
knows the rules (a hidden small count lies in 0..9, a hidden secondary one is at least 10),
can bound a hidden cell by minimising and maximising the sum of its atoms (atoms are never
negative). This generalises both in-table secondary suppression and the pairwise checks of the
register; it is used as the register's final verification for unweighted, unrounded count
tables. Integrality is ignored (continuous relaxation), as in tau-ARGUS's attacker problems.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bestaanszekerheid.disclosure.lp import IntervalSolver, stack

FloatArray = NDArray[np.float64]


def _bits(mask: int, n_units: int) -> NDArray[np.bool_]:
    n_bytes = (n_units + 7) // 8
    raw = np.frombuffer(mask.to_bytes(n_bytes, "little"), dtype=np.uint8)
    return np.unpackbits(raw, bitorder="little")[:n_units].astype(bool)


def _atoms(columns: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Atom id of every unit: units with the same membership pattern (column) share one.

    The patterns are packed into 64-bit words and sorted with ``lexsort``: exact, and far
    faster than ``np.unique(axis=1)``, which sorts a structured dtype with one field per byte
    (minutes for 100,000 units and a few hundred sets).
    """
    n_units = columns.shape[1]
    if n_units == 0:
        return np.zeros(0, dtype=np.int64)
    packed = np.packbits(columns, axis=0)  # bytes x units
    pad = (-packed.shape[0]) % 8
    if pad:
        packed = np.vstack([packed, np.zeros((pad, n_units), dtype=np.uint8)])
    words = np.ascontiguousarray(packed.T).view(np.uint64)  # units x words
    order = np.lexsort(words.T[::-1])
    ordered = words[order]
    new = np.ones(n_units, dtype=bool)
    new[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    atoms = np.empty(n_units, dtype=np.int64)
    atoms[order] = np.cumsum(new) - 1
    return atoms


class LinkedCheckTooLargeError(Exception):
    """The linked LP would take too long (atoms x hidden cells above the budget)."""


def linked_bounds(
    published: Sequence[tuple[int, float]],
    targets: Sequence[tuple[int, float, float]],
    n_units: int,
    *,
    priors: Sequence[tuple[int, float, float]] = (),
    max_work: int | None = None,
    shortcut: bool = True,
) -> list[tuple[float, float]]:
    """Lowest and highest count each target unit set can have given ``published`` counts.

    ``published``: (unit bitmask, published count). ``priors``: (bitmask, low, high) of hidden
    cells: what an attacker who knows the rules knows of them (a small primary count lies in
    0..9, a secondary one is at least 10). ``targets``: (bitmask, need_low, need_high), the
    primary cells to bound. Returns one (low, high) per target; ``inf`` when unbounded. With
    ``shortcut``, the minimum is only computed when the maximum reaches ``need_high``
    (otherwise the cell is narrowed anyway and the low bound is reported as ``need_low``). Raises
    :class:`LinkedCheckTooLargeError` when atoms x targets exceeds ``max_work``.
    """
    if not targets:
        return []
    masks = [m for m, _ in published] + [m for m, _, _ in priors] + [m for m, _, _ in targets]
    membership = np.vstack([_bits(m, n_units) for m in masks])  # sets x units
    covered = membership.any(axis=0)
    columns = membership[:, covered]
    atom_of_unit = _atoms(columns)
    n_atoms = int(atom_of_unit.max()) + 1 if atom_of_unit.size else 0
    if n_atoms == 0:
        return [(0.0, 0.0) for _ in targets]
    if max_work is not None and n_atoms * len(targets) > max_work:
        raise LinkedCheckTooLargeError(f"{n_atoms} atoms x {len(targets)} hidden cells")
    first = np.zeros(n_atoms, dtype=np.int64)
    first[atom_of_unit[::-1]] = np.arange(atom_of_unit.size)[::-1]
    atom_rows = columns[:, first].astype(float)  # sets x atoms (membership per atom)
    n_pub, n_pri = len(published), len(priors)
    blocks: list[Any] = []
    row_low: list[FloatArray] = []
    row_high: list[FloatArray] = []
    if n_pub:
        # The same unit set is often published twice (a total in two tables): keep one row.
        _, keep = np.unique(atom_rows[:n_pub], axis=0, return_index=True)
        keep = np.sort(keep)
        values = np.array([float(v) for _, v in published])[keep]
        blocks.append(atom_rows[:n_pub][keep])
        row_low.append(values)
        row_high.append(values)
    if n_pri:
        blocks.append(atom_rows[n_pub : n_pub + n_pri])
        row_low.append(np.array([low for _, low, _ in priors], dtype=float))
        row_high.append(np.array([high for _, _, high in priors], dtype=float))
    if not blocks:
        return [(0.0, float("inf")) for _ in targets]
    solver = IntervalSolver(
        stack(blocks, n_atoms),
        np.concatenate(row_low),
        np.concatenate(row_high),
        np.zeros(n_atoms),
        np.full(n_atoms, np.inf),
    )
    out: list[tuple[float, float]] = []
    for k, (_, need_low, need_high) in enumerate(targets):
        objective = atom_rows[n_pub + n_pri + k]
        hi = solver.maximum(objective)
        if shortcut and hi < need_high - 1e-6:
            out.append((float(need_low), hi))
            continue
        out.append((max(solver.minimum(objective), 0.0), hi))
    return out
