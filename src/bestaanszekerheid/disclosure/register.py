"""The release register: all outputs of a run, checked against each other for differencing.

Every published figure covers a set of units. Two figures whose unit sets differ by 1 to
``min_count - 1`` units reveal, by subtraction, a group that is too small (the same population
cut two ways with a few units left out; a table with and without a small group). A total minus
the published parts of another table inside it does the same (a city total next to a wijk table
with a suppressed wijk; a wijk next to its buurten). The register keeps, for each released
output, the unit set of every published cell and of every sum of published cells along a row,
a column and the whole table, as bitmaps over an internal numbering of the units. Unit ids and
bitmaps stay in memory and never reach the log.

On a conflict the register suppresses further cells in the *new* output (already released
outputs cannot be taken back) and repeats the table's secondary suppression, or — with
``on_conflict="refuse"``, or when the new output cannot be changed (a model) — refuses it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NoReturn, TypeVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from bestaanszekerheid.disclosure.checked import CheckedTable
from bestaanszekerheid.disclosure.linked import LinkedCheckTooLargeError, linked_bounds
from bestaanszekerheid.disclosure.models import ModelCheck
from bestaanszekerheid.disclosure.rules import DisclosureRules, load_rules
from bestaanszekerheid.errors import UserFacingError

Output = CheckedTable | ModelCheck
_O = TypeVar("_O", CheckedTable, ModelCheck)
_MAX_ROUNDS = 200


@dataclass(frozen=True)
class Finding:
    """A differencing risk found between two outputs, and what was done about it."""

    output: str
    cell: str
    other_output: str
    other_cell: str
    kind: Literal["verschil", "totaal_min_delen", "gekoppeld"]
    action: Literal["extra onderdrukt", "geweigerd"]


@dataclass(frozen=True)
class _LinkedSets:
    """Count tables as the run-level attacker sees them (unit bitmasks, never exported)."""

    published: list[tuple[int, float]]  # (mask, exact count)
    priors: list[tuple[int, float, float]]  # hidden cell: (mask, a priori low, high)
    targets: list[tuple[int, float, float, str, str]]  # primary: mask, need, output, cell


@dataclass(frozen=True)
class Refusal:
    """An output the register refused, and the findings that made it refuse."""

    name: str
    findings: tuple[Finding, ...]


class RefusedError(UserFacingError):
    """The register refused an output: with what was published before, it would give a
    small group away. The message names cells (for the analyst); a published note must not
    (use :attr:`public_note`)."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.output_name = name

    @property
    def public_note(self) -> str:
        """A note that may be published: which output is left out, not which cells."""
        return (
            f"Niet gepubliceerd: '{self.output_name}'. Samen met andere uitvoer van deze "
            "analyse zou een kleine groep terug te rekenen zijn (onthullingscontrole); het "
            "controlelog voor de outputcontroleur zegt waarom."
        )


@dataclass
class Release:
    """One released output with the files written from it."""

    name: str
    output: Output
    files: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Known:
    """A unit set whose count can be read or computed from the published figures."""

    release: int
    label: str
    mask: int
    size: int
    flats: tuple[int, ...]  # the cells it is made of (one for a cell, several for a sum)
    interior: bool  # an interior cell of a table (a candidate part of a total)


class ReleaseRegister:
    """Register of everything a run publishes. Use one per run and write its log at the end."""

    def __init__(
        self,
        rules: DisclosureRules | None = None,
        *,
        on_conflict: Literal["suppress", "refuse"] = "suppress",
        linked_max_work: int | None = 10_000_000,
    ) -> None:
        self.rules = rules or load_rules()
        self.on_conflict = on_conflict
        # Budget for the linked-table LP (atoms x hidden cells); None = always run it. Ten
        # times the 1,000,000 of 0030 since 0073: a release of a million-household run with
        # buurten (152,000 atoms x 27 cells) takes about 20 s, less than 1,000,000 took before.
        self.linked_max_work = linked_max_work
        self.releases: list[Release] = []
        #: Outputs refused for differencing (for the checker's log; never published).
        self.refused: list[Refusal] = []
        # Unit ids in the order first seen: a unit's position is its bit in every mask.
        self._ids: pd.Index = pd.Index([], dtype=object)
        # Ids seen since the index was last rebuilt (-> their positions, which follow it).
        self._pending: dict[Any, int] = {}
        # During a release: id(unit array) -> (the array, its mask, its size).
        self._mask_cache: dict[int, tuple[Any, int, int]] | None = None
        self._known: list[_Known] = []
        # For the linked-table LP: published exact counts and hidden cells of count tables.
        self._linked = _LinkedSets([], [], [])

    # -- public ------------------------------------------------------------------------------
    def release(self, output: Output, *, name: str | None = None) -> Release:
        """Check ``output`` against everything released before and register it.

        Tables may get extra suppressed cells (recorded as ``differencing``); a model, or any
        output when ``on_conflict="refuse"``, is refused with a :class:`UserFacingError`.
        """
        # Every round of the checks below asks the masks of the same cells again: keep them
        # for this release only (a table's masks, not the run's).
        self._mask_cache = {}
        try:
            return self._release(output, name)
        finally:
            self._mask_cache = None

    def _release(self, output: Output, name: str | None) -> Release:
        for existing in self.releases:
            if existing.output is output:
                return existing
        if not _same_rules(output.rules, self.rules):
            theirs, ours = _rules_label(output.rules), _rules_label(self.rules)
            if theirs == ours:
                theirs += " met andere waarden"
            raise UserFacingError(
                f"Uitvoer '{output.name}' is gecontroleerd met regels {theirs}, "
                f"deze run gebruikt {ours}: controleer opnieuw met dezelfde regels."
            )
        if isinstance(output, ModelCheck):
            output.require()
        else:
            self._check_unit(output)
        index = len(self.releases)
        release = Release(name=name or output.name, output=output)
        findings: list[Finding] = []
        if self.rules.differencing:
            for _ in range(_MAX_ROUNDS):
                known = self._known_sets(index, output)
                conflicts = self._conflicts(known, release.name)
                as_primary = True
                if not conflicts and isinstance(output, CheckedTable):
                    # Pairwise checks pass: now the attacker who combines every count.
                    conflicts = self._linked_conflicts(output, release)
                    as_primary = False
                if not conflicts:
                    break
                if self.on_conflict == "refuse" or not isinstance(output, CheckedTable):
                    refused = [
                        Finding(f.output, f.cell, f.other_output, f.other_cell, f.kind, "geweigerd")
                        for f, _ in conflicts
                    ]
                    self._refuse(release.name, refused)
                to_hide: set[int] = set()
                for finding, flats in conflicts:
                    findings.append(finding)
                    to_hide.update(flats)
                if not to_hide:
                    self._refuse(release.name, [f for f, _ in conflicts])
                output.suppress_more(sorted(to_hide), "differencing", primary=as_primary)
            else:  # pragma: no cover - suppression only grows, so this needs >200 rounds
                raise UserFacingError(
                    f"Uitvoer '{release.name}' kon niet veilig worden gemaakt tegen verschillen "
                    "met eerdere uitvoer."
                )
        release.findings = findings
        self._known.extend(self._known_sets(index, output))
        if isinstance(output, CheckedTable):
            sets = self._linked_sets(output, release.name)
            self._linked.published.extend(sets.published)
            self._linked.priors.extend(sets.priors)
            self._linked.targets.extend(sets.targets)
        self.releases.append(release)
        return release

    def try_release(self, output: _O, notes: list[str], *, name: str | None = None) -> _O | None:
        """:meth:`release` ``output``; if the register refuses it, leave it out instead.

        Returns ``output`` (possibly with extra suppressed cells) when released, ``None`` when
        refused; a refusal appends its :attr:`RefusedError.public_note` to ``notes`` (which
        output is left out, not which cells clashed: that is in the checker's log only), so a
        report can say what is missing. Other errors (other rules, another unit column, a
        model that fails its own check) still raise: they are mistakes in the analysis, not
        risks of this particular combination of outputs.
        """
        try:
            self.release(output, name=name)
        except RefusedError as exc:
            notes.append(exc.public_note)
            return None
        return output

    def export_csv(self, table: CheckedTable, path: str | Path, lang: str = "nl") -> Path:
        """Release ``table`` (if not yet released) and write its safe CSV; record the file."""
        release = self.release(table)
        written = table.write_csv(path, lang)
        release.files.append(Path(written).name)
        return written

    def write_log(self, directory: str | Path, stem: str = "onthullingscontrole") -> list[Path]:
        """Write the output log (JSON + Dutch Markdown) for the run; see :mod:`.log`."""
        from bestaanszekerheid.disclosure.log import write_log

        return write_log(self, Path(directory), stem)

    # -- internals ---------------------------------------------------------------------------
    def _refuse(self, name: str, findings: Sequence[Finding]) -> NoReturn:
        self.refused.append(Refusal(name, tuple(findings)))
        raise RefusedError(name, _refusal_text(name, findings, self.rules.min_count))

    def _linked_sets(self, table: CheckedTable, name: str) -> _LinkedSets:
        counts = table.published_counts()
        if counts is None:
            return _LinkedSets([], [], [])
        published = [(self._mask(table.cell_units(f))[0], value) for f, value in counts]
        priors: list[tuple[int, float, float]] = []
        targets: list[tuple[int, float, float, str, str]] = []
        # Empty cells are left to the table's own protection: the unit-based model below knows
        # which combinations are empty, which an attacker does not.
        for f, ids, low, high, primary, need_low, need_high in table.hidden_count_knowledge():
            if not len(ids):
                continue
            mask = self._mask(ids)[0]
            priors.append((mask, low, high))
            # Targets: the small cells (a priori 0..9). A cell hidden for differencing or
            # group disclosure is large; what it protects (a small difference with another
            # output) is the pairwise checks' business, and its own +-5 would over-protect.
            if primary and math.isfinite(high):
                targets.append((mask, need_low, need_high, name, table.cell_label(f)))
        return _LinkedSets(published, priors, targets)

    def _linked_conflicts(
        self, table: CheckedTable, release: Release
    ) -> list[tuple[Finding, tuple[int, ...]]]:
        """Primary cells of any count table of the run that the published counts of all count
        tables, this one included, narrow below their protection interval (an attacker who
        knows the rules: hidden small counts lie in 0..9, hidden secondary ones are >= 10)."""
        name = release.name
        counts = table.published_counts()
        if counts is None or not self._linked.published:
            return []
        new = self._linked_sets(table, name)
        targets = self._linked.targets + new.targets
        if not targets:
            return []
        published = self._linked.published + new.published
        priors = self._linked.priors + new.priors
        try:
            bounds = linked_bounds(
                published,
                [t[:3] for t in targets],
                self._n_units,
                priors=priors,
                max_work=self.linked_max_work,
            )
        except LinkedCheckTooLargeError as exc:
            note = (
                f"gekoppelde LP-controle over alle tabellen overgeslagen (te groot: {exc}); "
                "alleen de paarsgewijze verschilcontroles zijn gedaan"
            )
            if note not in release.notes:
                release.notes.append(note)
            return []
        sizes = dict(counts)
        cell_masks = {f: self._mask(table.cell_units(f))[0] for f, _ in counts}
        interior = set(table.interior_cells())
        narrow = [
            (t, (low, high))
            for t, (low, high) in zip(targets, bounds, strict=True)
            if low > t[1] + 1e-6 or high < t[2] - 1e-6
        ]
        if not narrow:
            return []
        # Only what this table adds counts: the unit-based model knows which combinations are
        # empty (an attacker does not), so a cell can look narrow from earlier outputs alone;
        # those were accepted by their own table's protection. Compare exact intervals.
        now = linked_bounds(
            published,
            [t[:3] for t, _ in narrow],
            self._n_units,
            priors=priors,
            shortcut=False,
        )
        before = linked_bounds(
            self._linked.published,
            [t[:3] for t, _ in narrow],
            self._n_units,
            priors=self._linked.priors,
            shortcut=False,
        )
        narrow = [(t, exact) for (t, _), exact in zip(narrow, now, strict=True)]
        found: list[tuple[Finding, tuple[int, ...]]] = []
        for ((mask, _, _, output, cell), (low, high)), (low0, high0) in zip(
            narrow, before, strict=True
        ):
            if low0 >= low - 1e-6 and high0 <= high + 1e-6:
                continue  # this table did not narrow the cell further
            # Hide the smallest published cell of the new table that overlaps the narrowed
            # cell (an interior one if possible); the table's own protection then follows.
            touching = [f for f, m in cell_masks.items() if m & mask]
            pool = [f for f in touching if f in interior] or touching or list(cell_masks)
            flats = (min(pool, key=lambda f: (sizes[f], f)),) if pool else ()
            label = table.cell_label(flats[0]) if flats else "(geen)"
            finding = Finding(name, label, output, cell, "gekoppeld", "extra onderdrukt")
            found.append((finding, flats))
        return found

    def _check_unit(self, table: CheckedTable) -> None:
        # Differencing is found by comparing unit ids; tables identified by different columns
        # (or by the row index) would silently never match.
        for earlier in self.releases:
            if isinstance(earlier.output, CheckedTable) and earlier.output.unit != table.unit:
                raise UserFacingError(
                    f"Uitvoer '{table.name}' gebruikt eenheid "
                    f"{table.unit or '(rijnummer)'}, eerdere uitvoer "
                    f"{earlier.output.unit or '(rijnummer)'}: gebruik in een run overal "
                    "dezelfde identificatiekolom (unit=...)."
                )

    def _mask(self, ids: Iterable[Any]) -> tuple[int, int]:
        cache = self._mask_cache
        if cache is not None and isinstance(ids, np.ndarray):
            hit = cache.get(id(ids))
            if hit is not None and hit[0] is ids:
                return hit[1], hit[2]
        positions = self._positions_of(ids)
        if not positions.size:
            mask, size = 0, 0
        else:
            bits = np.zeros(self._n_units, dtype=bool)
            bits[positions] = True
            packed = np.packbits(bits, bitorder="little").tobytes()
            mask, size = int.from_bytes(packed, "little"), int(positions.size)
        if cache is not None and isinstance(ids, np.ndarray):
            cache[id(ids)] = (ids, mask, size)  # the array is held: its id is not reused
        return mask, size

    @property
    def _n_units(self) -> int:
        return len(self._ids) + len(self._pending)

    def _positions_of(self, ids: Iterable[Any]) -> NDArray[np.intp]:
        """Position of every id; ids not seen before get the next ones, in the order they
        first appear, as a Python loop over a dict gave them. Known ids are looked up in
        pandas (one hash lookup per id: the loop took 8 s of the areas step at 112,000
        households); new ones go to a dict, folded into the index once it holds as many
        ids as the index (so the index is rebuilt a logarithmic number of times)."""
        values = ids if isinstance(ids, np.ndarray) else np.asarray(list(ids), dtype=object)
        values = values.ravel()
        if not values.size:
            return np.zeros(0, dtype=np.intp)
        positions = np.asarray(self._ids.get_indexer(pd.Index(values)), dtype=np.intp)
        missing = np.flatnonzero(positions < 0)
        if missing.size:
            pending = self._pending
            found = []
            for u in values[missing].tolist():
                p = pending.get(u)
                if p is None:
                    p = pending[u] = self._n_units
                found.append(p)
            positions[missing] = found
            if len(pending) >= max(len(self._ids), 4096):
                self._ids = self._ids.append(pd.Index(list(pending), dtype=object))
                self._pending = {}
        return positions

    def _known_sets(self, index: int, output: Output) -> list[_Known]:
        out: list[_Known] = []
        if isinstance(output, ModelCheck):
            if output.units is not None:
                mask, size = self._mask(output.units)
                out.append(_Known(index, "modelpopulatie", mask, size, (), False))
            # Classes are known sets too: a published class size (or share x population) is a
            # count of its members, so a class that nearly coincides with a published cell,
            # or a cell minus the classes inside it, gives a small group away.
            for label, ids in output.unit_sets.items():
                mask, size = self._mask(ids)
                out.append(_Known(index, label, mask, size, (), output.partition))
            return out
        interior = set(output.interior_cells())
        cell_sets: list[tuple[int, NDArray[Any]]] = []
        for flat, what, ids in output.published_unit_sets():
            mask, size = self._mask(ids)
            label = output.cell_label(flat) + ("" if what == "cell" else f" ({what})")
            is_cell = what == "cell" and flat in interior
            out.append(_Known(index, label, mask, size, (flat,), is_cell))
            if is_cell:
                cell_sets.append((flat, ids))
        # Sums of published interior cells are known too (per row, per column, whole table).
        n_cols = output.layout.shape[1]
        groups: dict[str, list[int]] = {"som van gepubliceerde cellen": [f for f, _ in cell_sets]}
        if output.layout.two_d:
            for flat, _ in cell_sets:
                r, c = divmod(flat, n_cols)
                groups.setdefault(f"som rij {r}", []).append(flat)
                groups.setdefault(f"som kolom {c}", []).append(flat)
        by_flat = {k.flats[0]: k for k in out if k.interior}
        for label, flats in groups.items():
            if len(flats) < 2:
                continue
            mask = 0
            for f in flats:
                mask |= by_flat[f].mask
            out.append(_Known(index, label, mask, mask.bit_count(), tuple(flats), False))
        return out

    def _conflicts(self, new: list[_Known], name: str) -> list[tuple[Finding, tuple[int, ...]]]:
        """Differencing risks between ``new`` sets and everything registered before."""
        low, high = 1, self.rules.min_count - 1
        found: list[tuple[Finding, tuple[int, ...]]] = []
        old = self._known
        size_of = {k.flats[0]: k.size for k in new if k.interior and k.flats}

        def cheapest(k: _Known) -> tuple[int, ...]:
            # Hiding one part of a sum removes the sum: take its smallest cell.
            if len(k.flats) <= 1:
                return k.flats
            return (min(k.flats, key=lambda f: (size_of.get(f, 0), f)),)

        for k in new:
            for o in old:
                if abs(k.size - o.size) > high:
                    continue
                diff = (k.mask ^ o.mask).bit_count()
                if low <= diff <= high:
                    found.append((self._finding(name, k, o, "verschil"), cheapest(k)))
        # A known set minus the published parts of another output inside it.
        for outer, parts, fix_outer in [(o, new, False) for o in old] + [
            (k, old, True) for k in new
        ]:
            by_release: dict[int, list[_Known]] = {}
            for p in parts:
                if p.interior and p.size <= outer.size and (p.mask & outer.mask) == p.mask:
                    by_release.setdefault(p.release, []).append(p)
            for inside in by_release.values():
                union = 0
                for p in inside:
                    union |= p.mask
                rest = outer.size - union.bit_count()
                if low <= rest <= high:
                    if fix_outer:
                        finding = self._finding(name, outer, inside[0], "totaal_min_delen")
                        found.append((finding, cheapest(outer)))
                    else:
                        smallest = min(inside, key=lambda p: (p.size, p.flats))
                        finding = self._finding(name, smallest, outer, "totaal_min_delen")
                        found.append((finding, smallest.flats))
        return found

    def _finding(self, name: str, new: _Known, old: _Known, kind: str) -> Finding:
        other = self.releases[old.release].name if old.release < len(self.releases) else name
        return Finding(
            output=name,
            cell=new.label,
            other_output=other,
            other_cell=old.label,
            kind="verschil" if kind == "verschil" else "totaal_min_delen",
            action="extra onderdrukt",
        )


def _same_rules(a: DisclosureRules, b: DisclosureRules) -> bool:
    # The checksum tells two files with the same version apart; the values catch rules changed
    # in code (dataclasses.replace keeps the file's version and checksum).
    return a.version == b.version and a.checksum == b.checksum and a == b


def _rules_label(rules: DisclosureRules) -> str:
    if not rules.checksum:
        return rules.version
    return f"{rules.version} (sha256 {rules.checksum[:12]}…)"


def _refusal_text(name: str, findings: Sequence[Finding], min_count: int) -> str:
    def one(f: Finding) -> str:
        if f.cell == "(geen)":  # nothing left to hide in the new output
            return f"'{f.other_cell}' in '{f.other_output}'"
        return f"'{f.cell}' tegenover '{f.other_cell}' in '{f.other_output}'"

    shown = "; ".join(one(f) for f in findings[:5])
    more = f" (en nog {len(findings) - 5})" if len(findings) > 5 else ""
    advice = (
        "Er is in deze uitvoer niets meer te verbergen dat dit voorkomt: publiceer een "
        "grovere indeling (voeg kleine gebieden of categorieën samen) of laat deze uitvoer weg."
        if all(f.cell == "(geen)" for f in findings)
        else "Gebruik dezelfde populatie en indeling, of publiceer maar één van beide."
    )
    return (
        f"Uitvoer '{name}' geweigerd: samen met eerder gepubliceerde uitvoer is door aftrekken "
        f"een groep van minder dan {min_count} eenheden te herleiden: {shown}{more}. {advice}"
    )
