"""Linked-table attack over a whole run: bound hidden counts using every published count.

Each published count is an equation over *atoms*: groups of units that belong to exactly the
same published and hidden cells. An attacker who combines all published counts of a run, and
knows the rules (a hidden small count lies in 0..9, a hidden secondary one is at least 10),
can bound a hidden cell by minimising and maximising the sum of its atoms (atoms are never
negative). This generalises both in-table secondary suppression and the pairwise checks of the
register; it is used as the register's final verification for unweighted, unrounded count
tables. Integrality is ignored (continuous relaxation), as in tau-ARGUS's attacker problems.

What the register asks first is only *whether* a cell is narrowed (its maximum below the top of
its protection interval, or its minimum above the bottom). A point of the attacker's feasible
set where the cell reaches the top proves that its maximum does too, so every point found on
the way (the true table itself, and the optimum of every programme solved) is checked against
every cell, and a programme is solved only for a cell no point has shown wide enough yet. Two
questions over the total of the open cells usually show most of them at once. The answer for
each cell is the one a programme per cell would give (docs/decisions/0073).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

from bestaanszekerheid.disclosure.lp import IntervalSolver

FloatArray = NDArray[np.float64]

#: A point proves a cell wide enough when it reaches its protection limit within this (ten
#: times stricter than the narrowness test, so a point never decides a case the programme
#: would decide the other way).
_REACH = 1e-7
#: How far a point found by the solver may lie outside the set and still count (absolute, on
#: counts of households: far below one household).
_FEASIBLE = 1e-6
#: Questions over the total of the still open cells, per direction, before one per cell.
_TOTAL_ROUNDS = 4


def _patterns(masks: Sequence[int], n_units: int) -> list[NDArray[np.uint64]]:
    """Every unit's membership pattern over ``masks``, packed into 64-bit words: one array of
    ``n_units`` words per 64 sets (set ``i`` is bit ``i % 64`` of word ``i // 64``).

    Built mask by mask (unpack, shift, or; eight sets to a byte first), so neither a sets x
    units matrix of booleans nor its transpose is ever held: at a million households that
    took a byte per unit and set and most of the check's time."""
    n_bytes = (n_units + 7) // 8
    words = [np.zeros(n_units, dtype=np.uint64) for _ in range(max((len(masks) + 63) // 64, 1))]
    byte = np.zeros(n_units, dtype=np.uint8)
    for i, m in enumerate(masks):
        raw = np.frombuffer(m.to_bytes(n_bytes, "little"), dtype=np.uint8)
        bits = np.unpackbits(raw, count=n_units, bitorder="little")
        if i % 8:
            bits <<= np.uint8(i % 8)
            byte |= bits
        else:
            byte[:] = bits
        if i % 8 == 7 or i == len(masks) - 1:
            words[i // 64] |= byte.astype(np.uint64) << np.uint64(8 * (i % 64 // 8))
    return words


def _membership(words: list[NDArray[np.uint64]], n_sets: int) -> NDArray[np.bool_]:
    """Patterns back as booleans: sets x the entries of ``words``."""
    n = words[0].size if words else 0
    out = np.zeros((n_sets, n), dtype=bool)
    for i in range(n_sets):
        out[i] = (words[i // 64] >> np.uint64(i % 64)) & np.uint64(1)
    return out


def _atoms(words: list[NDArray[np.uint64]]) -> NDArray[np.int64]:
    """Atom id of every unit: units with the same membership pattern share one.

    The packed patterns are sorted with ``lexsort``: exact, and far faster than
    ``np.unique(axis=...)``, which sorts a structured dtype with one field per byte (minutes
    for 100,000 units and a few hundred sets).
    """
    n_units = words[0].size if words else 0
    if n_units == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort(words)
    new = np.zeros(n_units, dtype=bool)
    new[0] = True
    for w in words:
        ordered = w[order]
        new[1:] |= ordered[1:] != ordered[:-1]
    atoms = np.empty(n_units, dtype=np.int64)
    atoms[order] = np.cumsum(new) - 1
    return atoms


class LinkedCheckTooLargeError(Exception):
    """The linked LP would take too long (atoms x hidden cells above the budget)."""


@dataclass
class _Attack:
    """The attacker's programme over atoms, and the points of its feasible set seen so far."""

    member: NDArray[np.bool_]  # sets (published, priors, targets) x atoms
    n_given: int  # sets that are constraints (published and priors); the rest are targets
    matrix: csr_matrix  # constraint rows x atoms
    row_low: FloatArray
    row_high: FloatArray
    goals: csr_matrix  # targets x atoms
    solver: IntervalSolver
    highest: FloatArray = field(init=False)  # per target: highest value seen at a point
    lowest: FloatArray = field(init=False)

    def __post_init__(self) -> None:
        self.highest = np.full(self.goals.shape[0], -np.inf)
        self.lowest = np.full(self.goals.shape[0], np.inf)

    def objective(self, k: int) -> FloatArray:
        goal: FloatArray = self.member[self.n_given + k].astype(float)
        return goal

    def seen_at(self, point: FloatArray | None) -> None:
        """Record what every target reaches at ``point`` (once verified to be in the set)."""
        if point is None or point.min(initial=0.0) < -_FEASIBLE:
            return
        sums = self.matrix @ point
        if (sums < self.row_low - _FEASIBLE).any() or (sums > self.row_high + _FEASIBLE).any():
            return  # outside the set by more than round-off: proves nothing
        reached = self.goals @ point
        np.maximum(self.highest, reached, out=self.highest)
        np.minimum(self.lowest, reached, out=self.lowest)

    def ask_totals(self, need_low: FloatArray, need_high: FloatArray) -> None:
        """Highest and lowest total of the targets not yet shown wide, a few rounds per
        direction while that shows more of them wide."""
        for up in (True, False):
            for _ in range(_TOTAL_ROUNDS):
                open_ = self._open(up, need_low, need_high)
                if not open_.any():
                    break
                total = np.asarray(self.goals[np.flatnonzero(open_)].sum(axis=0)).ravel()
                if up:
                    self.solver.maximum(total)
                else:
                    self.solver.minimum(total)
                self.seen_at(self.solver.solution())
                if self._open(up, need_low, need_high).sum() == open_.sum():
                    break  # no cell shown wide this round: ask per cell

    def _open(self, up: bool, need_low: FloatArray, need_high: FloatArray) -> NDArray[np.bool_]:
        if up:
            return np.asarray(self.highest < need_high - _REACH)
        return np.asarray(self.lowest > need_low + _REACH)


def _attack(
    published: Sequence[tuple[int, float]],
    priors: Sequence[tuple[int, float, float]],
    targets: Sequence[tuple[int, float, float]],
    n_units: int,
    max_work: int | None,
) -> _Attack | None:
    """The programme, or None when no unit is in any set; raises
    :class:`LinkedCheckTooLargeError` over ``max_work``."""
    masks = [m for m, _ in published] + [m for m, _, _ in priors] + [m for m, _, _ in targets]
    words = _patterns(masks, n_units)
    covered = np.zeros(n_units, dtype=bool)
    for w in words:
        covered |= w != 0
    words = [w[covered] for w in words]
    atom_of_unit = _atoms(words)
    n_atoms = int(atom_of_unit.max()) + 1 if atom_of_unit.size else 0
    if n_atoms == 0:
        return None
    if max_work is not None and n_atoms * len(targets) > max_work:
        raise LinkedCheckTooLargeError(f"{n_atoms} atoms x {len(targets)} hidden cells")
    first = np.zeros(n_atoms, dtype=np.int64)
    first[atom_of_unit[::-1]] = np.arange(atom_of_unit.size)[::-1]
    # Membership per atom (sets x atoms), read off one unit of each atom.
    member = _membership([w[first] for w in words], len(masks))
    n_pub, n_pri = len(published), len(priors)
    # The same unit set is often published twice (a total in two tables): keep one row.
    seen: dict[int, int] = {}
    for i, (m, _) in enumerate(published):
        seen.setdefault(m, i)
    keep = sorted(seen.values())
    rows = keep + list(range(n_pub, n_pub + n_pri))
    values = [float(published[i][1]) for i in keep]
    row_low = np.array(values + [low for _, low, _ in priors], dtype=float)
    row_high = np.array(values + [high for _, _, high in priors], dtype=float)
    matrix = csr_matrix(member[rows], dtype=float)
    attack = _Attack(
        member=member,
        n_given=n_pub + n_pri,
        matrix=matrix,
        row_low=row_low,
        row_high=row_high,
        goals=csr_matrix(member[n_pub + n_pri :], dtype=float),
        solver=IntervalSolver(
            matrix, row_low, row_high, np.zeros(n_atoms), np.full(n_atoms, np.inf)
        ),
    )
    attack.seen_at(np.bincount(atom_of_unit, minlength=n_atoms).astype(float))  # the truth
    return attack


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
    primary cells to bound. Returns one (low, high) per target; ``inf`` when unbounded.

    With ``shortcut`` only the comparison with ``need_low`` and ``need_high`` is exact: a
    bound that does not reach its limit (the cell is narrowed) is the exact optimum, one that
    reaches it is reported as a value at or beyond the limit (found at a point of the
    feasible set; see the module docstring), and when the maximum stays below ``need_high``
    the low bound is reported as ``need_low`` (the cell is narrowed anyway). Without
    ``shortcut`` both bounds are the exact optima. Raises :class:`LinkedCheckTooLargeError`
    when atoms x targets exceeds ``max_work``.
    """
    if not targets:
        return []
    attack = _attack(published, priors, targets, n_units, max_work)
    if attack is None:
        return [(0.0, 0.0) for _ in targets]
    if not published and not priors:
        return [(0.0, float("inf")) for _ in targets]
    solver = attack.solver
    out: list[tuple[float, float]] = []
    if not shortcut:
        for k in range(len(targets)):
            hi = solver.maximum(attack.objective(k))
            out.append((max(solver.minimum(attack.objective(k)), 0.0), hi))
        return out
    need_low = np.array([low for _, low, _ in targets], dtype=float)
    need_high = np.array([high for _, _, high in targets], dtype=float)
    attack.ask_totals(need_low, need_high)
    for k in range(len(targets)):
        if attack.highest[k] >= need_high[k] - _REACH:
            hi = float(attack.highest[k])
        else:
            hi = solver.maximum(attack.objective(k))
            attack.seen_at(solver.solution())
            if hi < need_high[k] - 1e-6:
                out.append((float(need_low[k]), hi))
                continue
        if attack.lowest[k] <= need_low[k] + _REACH:
            lo = float(attack.lowest[k])
        else:
            lo = solver.minimum(attack.objective(k))
            attack.seen_at(solver.solution())
        out.append((max(lo, 0.0), hi))
    return out
