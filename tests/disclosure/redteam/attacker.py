"""Attacks on what a run publishes: can a count of 1..T-1 units be obtained?

The attacker sees only a :class:`~tests.disclosure.redteam.published.Published` structure
(plus, in worst-case mode, the status of each hidden cell from the checker's log) and the
rules: the threshold T (``min_count``), the protection width, that empty cells are hidden, and
the precision model estimates are released at (``estimate_share_decimals``,
``estimate_size_base``, the tree's whole percents and band list). Worst case follows issue
11's attacker model: a primary-small hidden cell lies in 0..T-1, any other hidden cell is only
known to be >= 0 (``Knowledge.paranoid`` adds ">= T" for cells that passed the rules; not
asserted).

a. **Count tables** (``attack_count_tables``): every hidden cell of every count table, with
   the table's totals and the relations between tables that share a population, bounded by
   linear programming (HiGHS via ``scipy.optimize.linprog``) and by integer programming
   (``scipy.optimize.milp``); what is known of a hidden cell's status (printed reasons, or
   the log in worst-case mode) bounds it a priori.
b. **Model outputs as tables** (``attack_model_tables``): class size x class-specific share
   is an estimated count per class and level; the same for the composition of a wijk. An
   estimate or its complement below T, or a share of 0% or 100%, is a finding; so is an
   estimate that is hidden or banded but follows from the level's count minus the other
   classes (a small LP per characteristic and per wijk).
c. **Differencing with model outputs** (``attack_differencing``): hidden counts narrowed by
   the class estimates; class sizes (share x N, or the modal class sizes the decision tree's
   coverage gives away) that differ by 1..T-1 from a published count of a nested population;
   households the tree misclassifies, and households in a leaf outside the group, narrowed
   below 0..T-1 from the tree's percentages.
d. **Precision leaks** (``attack_precision``): model shares, group sizes and tree
   percentages published off the rules' grid (``off_grid``); and b and c again with every
   figure at the rules' precision (older runs: only what a reader sees, ``DISPLAY_SOURCES``):
   findings that need more decimals than that, with the precision found per output.
e. **Small counts in text** (``attack_texts``): every count of 0..T-1 stated in running text
   (report, bundle, console output) or in a count column of a report table.

A finding never carries the true value: tests fill :attr:`Finding.truth` from the microdata.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from tests.disclosure.redteam.published import (
    DISPLAY_SOURCES,
    LOG,
    CellRef,
    CountTable,
    Figure,
    HiddenInfo,
    Num,
    Published,
    precision_by_output,
)

INF = math.inf
_EPS = 1e-6


# ---------------------------------------------------------------------------------------------
# Findings and what the attacker knows
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One way the published figures break a promise."""

    attack: str  # "a" .. "e"
    kind: str
    output: str
    cell: str
    interval: tuple[float, float]
    detail: str = ""
    #: what the interval is about, to look the truth up in the tests:
    #: ("count", table, row, col) | ("estimate", label, level, group) |
    #: ("complement", label, level, group) | ("wijk", group, code) | ("wijk-complement", ...)
    #: | ("class", group) | ("tree-miss", group) | ("tree-outside", group, rule) | ("text",)
    key: tuple[str, ...] = ()
    truth: float | None = None  # filled in by the tests only

    @property
    def ident(self) -> tuple[str, str, str, str]:
        return (self.attack, self.kind, self.output, self.cell)

    def describe(self) -> str:
        lo, hi = self.interval
        iv = f"[{_fmt(lo)}, {_fmt(hi)}]"
        truth = "" if self.truth is None else f" (waarheid {_fmt(self.truth)})"
        return (
            f"[{self.attack}] {self.kind}: {self.output} | {self.cell} | {iv}{truth} {self.detail}"
        )


def _fmt(v: float) -> str:
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if abs(v - round(v)) < 1e-6:
        return str(round(v))
    return f"{v:.3f}"


@dataclass(frozen=True)
class Knowledge:
    """The rules the attacker knows and which extra knowledge it is granted."""

    min_count: int = 10
    protection_width: float = 10.0
    #: also know, from the checker's log, which hidden cells are primary-small
    worst_case: bool = False
    #: read numbers only from these sources (None: every published number)
    sources: frozenset[str] | None = None
    #: integer programming as well as the LP relaxation
    use_milp: bool = True
    #: the rules' precision of model estimates (``estimate_share_decimals``,
    #: ``estimate_size_base``). When the run publishes them, every model share is known only
    #: within half a step of its grid, a group size within half the size base, a group's
    #: share says nothing beyond its rounded size, and the decision tree's percentages are
    #: whole percents with bands from the fixed list. None: an older run; every figure is
    #: read at the precision its source shows.
    share_decimals: int | None = None
    size_base: float | None = None
    #: worst case only, not asserted: also assume that a hidden cell that is not
    #: primary-small (secondary, or primary for another reason) holds at least T
    paranoid: bool = False
    #: read every model share and tree percentage at the rules' precision, even one that is
    #: published with more decimals: the baseline of attack d
    grid_only: bool = False

    @property
    def rules_aware(self) -> bool:
        """The run publishes the precision of its model estimates (issue 11's fix)."""
        return self.share_decimals is not None

    @classmethod
    def for_run(cls, pub: Published, **kwargs: Any) -> Knowledge:
        """The rules printed in the bundle, else the packaged (public) rules file."""
        values = dict(pub.rules)
        if "min_count" not in values:
            from bestaanszekerheid.disclosure import load_rules

            values = load_rules().as_dict()
        decimals = values.get("estimate_share_decimals")
        base = values.get("estimate_size_base")
        kwargs.setdefault("share_decimals", None if decimals is None else int(decimals))
        kwargs.setdefault("size_base", None if base is None else float(base))
        return cls(
            min_count=int(values.get("min_count", 10)),
            protection_width=float(values.get("protection_width_counts", 10.0)),
            **kwargs,
        )


@dataclass
class AttackReport:
    findings: list[Finding]
    precision: dict[str, dict[str, int | None]] = field(default_factory=dict)
    derived: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def by_attack(self, attack: str) -> list[Finding]:
        return [f for f in self.findings if f.attack == attack]

    def counts(self) -> dict[str, int]:
        return {a: len(self.by_attack(a)) for a in "abcde"}

    def render(self, limit: int | None = None) -> str:
        lines = [f"findings per attack: {self.counts()}"]
        for a in "abcde":
            found = self.by_attack(a)
            for f in found[:limit]:
                lines.append("  " + f.describe())
            if limit is not None and len(found) > limit:
                lines.append(f"  ... and {len(found) - limit} more [{a}]")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Linear systems (LP / MILP) over named variables
# ---------------------------------------------------------------------------------------------


@dataclass
class _Var:
    name: Any
    lo: float
    hi: float
    integer: bool = False


@dataclass
class _System:
    """Variables with boxes and rows lb <= a.x <= ub; solved with HiGHS."""

    vars: list[_Var] = field(default_factory=list)
    rows: list[tuple[dict[int, float], float, float]] = field(default_factory=list)
    index: dict[Any, int] = field(default_factory=dict)

    def var(self, name: Any, lo: float, hi: float, *, integer: bool = False) -> int:
        if name in self.index:
            v = self.vars[self.index[name]]
            v.lo, v.hi = max(v.lo, lo), min(v.hi, hi)
            return self.index[name]
        self.index[name] = len(self.vars)
        self.vars.append(_Var(name, lo, hi, integer))
        return self.index[name]

    def row(self, coefs: dict[int, float], lb: float, ub: float) -> None:
        coefs = {k: v for k, v in coefs.items() if v != 0}
        if coefs:
            self.rows.append((coefs, lb, ub))

    def _matrix(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        a = np.zeros((len(self.rows), len(self.vars)))
        lb = np.zeros(len(self.rows))
        ub = np.zeros(len(self.rows))
        for i, (coefs, lo, hi) in enumerate(self.rows):
            for j, v in coefs.items():
                a[i, j] = v
            lb[i], ub[i] = lo, hi
        return a, lb, ub

    def bounds(
        self, target: int | dict[int, float], *, integer: bool, fix: tuple[int, float] | None = None
    ) -> tuple[float, float] | None:
        """Min and max of a linear objective; None when infeasible."""
        obj = np.zeros(len(self.vars))
        if isinstance(target, int):
            obj[target] = 1.0
        else:
            for j, v in target.items():
                obj[j] = v
        lo_b = np.array([v.lo for v in self.vars])
        hi_b = np.array([v.hi for v in self.vars])
        if fix is not None:
            lo_b[fix[0]] = hi_b[fix[0]] = fix[1]
        out = []
        a, lb, ub = self._matrix()
        for sign in (1.0, -1.0):
            if integer:
                res = milp(
                    sign * obj,
                    constraints=[LinearConstraint(a, lb, ub)] if len(self.rows) else [],
                    integrality=np.array([1 if v.integer else 0 for v in self.vars]),
                    bounds=Bounds(lo_b, hi_b),
                    options={"time_limit": 30},
                )
                status, fun = res.status, res.fun
                if status == 2:  # infeasible
                    return None
                if status not in (0,):
                    # unbounded / time limit: fall back to the relaxation for this bound
                    status, fun = self._lp(sign * obj, a, lb, ub, lo_b, hi_b)
            else:
                status, fun = self._lp(sign * obj, a, lb, ub, lo_b, hi_b)
            if status == 2:
                return None
            if status == 3 or fun is None:
                out.append(-INF if sign > 0 else INF)
            else:
                out.append(sign * float(fun))
        return out[0], out[1]

    @staticmethod
    def _lp(
        obj: np.ndarray,
        a: np.ndarray,
        lb: np.ndarray,
        ub: np.ndarray,
        lo_b: np.ndarray,
        hi_b: np.ndarray,
    ) -> tuple[int, float | None]:
        eq = np.isclose(lb, ub)
        a_eq, b_eq = a[eq], lb[eq]
        up = ~eq & np.isfinite(ub)
        dn = ~eq & np.isfinite(lb)
        a_ub = np.vstack([a[up], -a[dn]]) if (up.any() or dn.any()) else None
        b_ub = np.concatenate([ub[up], -lb[dn]]) if a_ub is not None else None
        res = linprog(
            obj,
            A_ub=a_ub,
            b_ub=b_ub,
            A_eq=a_eq if len(a_eq) else None,
            b_eq=b_eq if len(b_eq) else None,
            bounds=list(zip(lo_b, hi_b, strict=True)),
            method="highs",
        )
        return int(res.status), (None if res.status != 0 else float(res.fun))


# ---------------------------------------------------------------------------------------------
# a. Count tables
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prior:
    """What the attacker knows about a hidden count before looking at the totals."""

    kind: str  # "unknown" | "small" | "large" | "empty" | "other" (known status, >= 0)
    lo: float
    hi: float
    primary: bool | None  # None: unknown
    why: str


def prior_of(infos: list[HiddenInfo], know: Knowledge) -> Prior:
    """What the status of a hidden cell tells before the totals are used.

    Printed reasons (older runs printed one per hidden cell) are published facts. The log
    (worst case) gives the issue's attacker model: a primary-small cell (too few units, or
    empty: they look alike) lies in 0..T-1; any other hidden cell is only known to be >= 0.
    ``Knowledge.paranoid`` adds "a cell that passed the primary rules holds at least T"
    (not what the product protects against: with it, hiding one more cell could narrow
    another)."""
    t = know.min_count
    if not infos:
        return Prior("unknown", 0, INF, None, "geen informatie: klein (0..T-1) of minstens T")
    published = [i for i in infos if not i.origin.startswith(LOG)]
    fine = {r for i in published for r in i.reasons}
    if "zeros" in fine:
        return Prior("empty", 0, 0, True, "reden 'lege cel' gepubliceerd")
    if "min_count" in fine:
        return Prior("small", 1, t - 1, True, f"reden 'minder dan {t} eenheden' gepubliceerd")
    if published and fine and fine <= {"secondary"}:
        return Prior("large", t, INF, False, "gepubliceerd als secundair: minstens T")
    if published and fine & {"differencing", "group_all", "dominance", "p_percent"}:
        return Prior("large", t, INF, True, "gepubliceerd als primair om een andere reden")
    logged = [i for i in infos if i.origin.startswith(LOG)]
    for i in logged:
        if i.status == "primary" and set(i.reasons) & {"min_count", "zeros"}:
            return Prior("small", 0, t - 1, True, "log: primair, klein of leeg (0..T-1)")
    for i in logged:
        if i.status in ("primary", "secondary"):
            primary = i.status == "primary"
            what = "primair om een andere reden" if primary else "secundair"
            if know.paranoid:
                return Prior("large", t, INF, primary, f"log: {what}; paranoide aanname >= T")
            return Prior("other", 0, INF, primary, f"log: {what} (>= 0)")
    return Prior("unknown", 0, INF, None, "geen bruikbare informatie")


@dataclass
class CountResult:
    """The attacker's bounds on one hidden count cell."""

    ref: CellRef
    prior: Prior
    lp: tuple[float, float]
    milp: tuple[float, float] | None
    excluded_small: tuple[int, ...]  # values 0..T-1 shown impossible

    @property
    def interval(self) -> tuple[float, float]:
        return self.milp if self.milp is not None else self.lp


def _count_system(
    pub: Published, know: Knowledge
) -> tuple[_System, dict[CellRef, Prior], list[str], float]:
    """One system over every hidden (or rounded) count cell; published exact cells are folded
    into the right-hand sides. (For whole numbers, "small or at least T" excludes nothing:
    only a known status narrows a hidden cell a priori.)"""
    sys = _System()
    priors: dict[CellRef, Prior] = {}
    notes: list[str] = []
    # an upper bound no count can reach: bounds at or above half of it are unbounded
    big = 1e6
    for table in pub.count_tables.values():
        for _, _, v in table.cells():
            if v is not None and math.isfinite(v[1]):
                big = max(big, 10 * v[1])

    def term(ref: CellRef, value: tuple[float, float] | None) -> tuple[int | None, float]:
        if value is not None and value[0] == value[1]:
            return None, value[0]
        if value is not None:
            return sys.var(ref, value[0], value[1], integer=True), 0.0
        infos = pub.hidden_info(ref, worst_case=know.worst_case)
        if not infos:  # a cell equal to another (a linked console table): that cell's status
            for link in pub.links:
                if link.kind == "eq" and ref in (link.a, link.b):
                    other = link.b if ref == link.a else link.a
                    infos = pub.hidden_info(other, worst_case=know.worst_case)
                    if infos:
                        break
        prior = prior_of(infos, know)
        priors[ref] = prior
        return sys.var(ref, prior.lo, min(prior.hi, big), integer=True), 0.0

    refs: dict[CellRef, tuple[int | None, float]] = {}
    for table in pub.count_tables.values():
        for r, c, v in table.cells():
            refs[table.ref(r, c)] = term(table.ref(r, c), v)
        for parts, total in table.lines():
            coefs: dict[int, float] = {}
            const = 0.0
            for (r, c), sign in [*((p, 1.0) for p in parts), (total, -1.0)]:
                j, k = refs[table.ref(r, c)]
                if j is None:
                    const += sign * k
                else:
                    coefs[j] = coefs.get(j, 0.0) + sign
            if coefs:
                sys.row(coefs, -const, -const)
            elif abs(const) > 1e-6:
                notes.append(f"{table.name}: gepubliceerde delen tellen niet op tot het totaal")
    for link in pub.links:
        if link.a not in refs or link.b not in refs:
            continue
        (ja, ka), (jb, kb) = refs[link.a], refs[link.b]
        coefs = {}
        if ja is not None:
            coefs[ja] = 1.0
        if jb is not None:
            coefs[jb] = coefs.get(jb, 0.0) - 1.0
        const = ka - kb
        if not coefs:
            continue
        if link.kind == "eq":
            sys.row(coefs, -const, -const)
        else:
            sys.row(coefs, -INF, -const)
    return sys, priors, notes, big


def count_bounds(pub: Published, know: Knowledge) -> tuple[dict[CellRef, CountResult], list[str]]:
    """LP and (if cheap) MILP bounds of every hidden count cell of the run."""
    sys, priors, notes, big = _count_system(pub, know)
    out: dict[CellRef, CountResult] = {}
    t = know.min_count

    def unbounded(iv: tuple[float, float]) -> tuple[float, float]:
        return (iv[0], INF if iv[1] >= big / 2 else iv[1])

    for ref, prior in priors.items():
        j = sys.index[ref]
        lp = sys.bounds(j, integer=False)
        if lp is None:
            notes.append(f"{ref}: de aannames over verborgen cellen zijn tegenstrijdig (LP)")
            lp = (0.0, INF)
        lp = unbounded(lp)
        mip = sys.bounds(j, integer=True) if know.use_milp else None
        if know.use_milp and mip is None:
            notes.append(f"{ref}: de aannames over verborgen cellen zijn tegenstrijdig (MILP)")
        mip = None if mip is None else unbounded(mip)
        lo, hi = mip if mip is not None else (math.ceil(lp[0] - _EPS), math.floor(lp[1] + _EPS))
        excluded = tuple(v for v in range(t) if v < lo - _EPS or v > hi + _EPS)
        out[ref] = CountResult(ref, prior, lp, mip, excluded)
    return out, notes


def judge_count(
    res: CountResult, know: Knowledge, *, attack: str, interval: tuple[float, float] | None = None
) -> Finding | None:
    """A hidden count's bounds against the protection the rules promise."""
    t = know.min_count
    lo, hi = interval or res.interval
    excluded = res.excluded_small
    name, row, col = res.ref
    cell = row if not col else f"{row} × {col}"
    key = ("count", name, row, col)
    detail = f"LP [{_fmt(res.lp[0])}, {_fmt(res.lp[1])}]; {res.prior.why}"
    if hi - lo < 0.5:
        value = round(lo)
        if value == 0:
            return Finding(attack, "lege cel onthuld", name, cell, (lo, hi), detail, key)
        if value < t:
            return Finding(attack, "aantal teruggerekend", name, cell, (lo, hi), detail, key)
    # a cell known not to be primary-small (worst case: the log's status) is not promised
    # the protection of a small count
    possibly_small = res.prior.kind in ("unknown", "small", "empty") and lo <= t - 1 + _EPS
    if possibly_small and excluded and len(excluded) < t:
        shown = ",".join(str(v) for v in excluded)
        return Finding(
            attack,
            "verborgen aantal ingeperkt",
            name,
            cell,
            (lo, hi),
            f"niet mogelijk: {shown}; " + detail,
            key,
        )
    known_primary = res.prior.kind in ("large", "other") and res.prior.primary
    if known_primary and hi - lo + _EPS < know.protection_width:
        return Finding(
            attack, "smaller dan de beschermingsbreedte", name, cell, (lo, hi), detail, key
        )
    return None


def attack_count_tables(
    pub: Published, know: Knowledge, results: dict[CellRef, CountResult] | None = None
) -> list[Finding]:
    """a: bound every hidden count cell; report recovered, narrowed and empty cells."""
    if results is None:
        results, _ = count_bounds(pub, know)
    findings = []
    for res in results.values():
        f = judge_count(res, know, attack="a")
        if f is not None:
            findings.append(f)
    t = know.min_count
    for table in pub.count_tables.values():
        for r, c, v in table.cells():
            if v is not None and v[0] == v[1] and 0 <= v[0] < t:
                name, row, col = table.ref(r, c)
                findings.append(
                    Finding(
                        "a",
                        "klein aantal gepubliceerd",
                        name,
                        row if not col else f"{row} × {col}",
                        v,
                        table.source,
                        ("count", name, row, col),
                    )
                )
    return findings


# ---------------------------------------------------------------------------------------------
# Model outputs: class sizes, estimated counts
# ---------------------------------------------------------------------------------------------


def _iv(fig: Figure | None, sources: Collection[str] | None) -> tuple[float, float] | None:
    if fig is None:
        return None
    return fig.interval(sources)


def _count_iv(fig: Figure | None, sources: Collection[str] | None) -> tuple[float, float] | None:
    """A published count: an integer, so a shown '25' (25 +- 0,5) is exactly 25."""
    iv = _iv(fig, sources) or _iv(fig, None)
    if iv is None:
        return None
    lo, hi = math.ceil(iv[0] - 1e-9), math.floor(iv[1] + 1e-9)
    return (float(lo), float(hi)) if lo <= hi else iv


# -- reading model figures at the rules' precision ----------------------------------------------
#
# A run that publishes ``estimate_share_decimals`` d rounds every model share once to d
# decimals and writes that same rounded value everywhere: the report text, the xlsx cell, the
# ``data-waarde`` attribute and the chart label may show 8.1 or 8.100000000000001, but the
# truth is only known to lie in [8.05, 8.15]. Reading the float as exact would be an unsound
# inference (the attacker would "know" what was never published), not a stronger attack. So a
# value on the documented grid (ignoring float noise below 1e-9) is widened to half a grid
# step, never narrower than its source says; a value *off* the grid keeps the precision its
# source shows (the product then published more than its rules allow: attack d reports it,
# and b/c may use it). Group sizes are known within half ``estimate_size_base``, and a group's
# share, computed from that rounded size, says nothing more. The decision tree's percentages
# are whole percents (grid 1). Charts and the bundle's feature lists write a band's limit as a
# plain number ("Max of aandeel: 75" for "meer dan 75%"): with the band published for the same
# figure, that number is the band's limit, not a value.

_GRID_NOISE = 1e-9

#: Limits of the tree's 'meer dan x%' bands and of 'minder dan x%' estimates in a run that
#: publishes its rounding rules (``disclosure/estimates.py``: ``BAND_LIMITS``, documented in
#: docs/onthullingscontrole.md); older runs computed the tree's limit from the leaf size.
BAND_LIMITS = (1, 2, 5, 10, 15, 20, 25, 30, 40, 50)


def on_grid(value: float, step: float) -> bool:
    """Whether ``value`` is a multiple of ``step`` up to float noise."""
    return abs(value - round(value / step) * step) < _GRID_NOISE


def grid_step(know: Knowledge, kind: str) -> float | None:
    """The documented grid of a model share ("share") or a tree percentage ("tree")."""
    if know.share_decimals is None:
        return None
    return 10.0**-know.share_decimals if kind == "share" else 1.0


def _band_limit_of(num: Num, bands: list[Num]) -> Num | None:
    """The band whose finite limit a plain number repeats ('75' for 'meer dan 75%')."""
    for b in bands:
        limit = b.lo if b.hi >= 100.0 - 1e-9 else b.hi
        if abs(num.value - limit) < 1e-6:
            return b
    return None


def model_nums(fig: Figure | None, know: Knowledge, kind: str = "share") -> list[Num]:
    """The places of a model share or tree percentage, each with the interval the rules give."""
    if fig is None:
        return []
    nums = fig.nums(know.sources)
    step = grid_step(know, kind)
    if step is None:
        return nums
    bands = [n for n in nums if n.band]
    out = []
    half = step / 2
    for n in nums:
        if not n.band:
            b = _band_limit_of(n, bands)
            if b is not None:
                out.append(Num(n.value, b.lo, b.hi, n.source, None, band=True))
                continue
            v = n.value
            if on_grid(v, step) or know.grid_only:
                r = round(v / step) * step
                n = Num(v, min(n.lo, r - half), max(n.hi, r + half), n.source, n.decimals)
        out.append(n)
    return out


def _intersect(nums: list[Num]) -> tuple[float, float] | None:
    if not nums:
        return None
    lo = max(n.lo for n in nums)
    hi = min(n.hi for n in nums)
    if lo > hi:  # places disagree: trust the narrowest (as Figure.interval)
        best = min(nums, key=lambda n: n.width)
        return best.lo, best.hi
    return lo, hi


def share_iv(
    fig: Figure | None, know: Knowledge, kind: str = "share"
) -> tuple[float, float] | None:
    """The interval of a model share (or tree percentage) at the rules' precision."""
    return _intersect(model_nums(fig, know, kind))


def share_banded(fig: Figure | None, know: Knowledge, kind: str = "share") -> bool:
    nums = model_nums(fig, know, kind)
    return bool(nums) and all(n.band for n in nums)


def band_side(fig: Figure | None, know: Knowledge) -> str | None:
    """'low' for 'minder dan x%', 'high' for 'meer dan x%' when x is a listed band limit of a
    current run: then the rules say fewer than T estimated households are on that side and
    at least T on the other. (A band of one rounding step, 'minder dan 0,1%', only says the
    share rounds to 0%.)"""
    if not know.rules_aware or not share_banded(fig, know):
        return None
    iv = share_iv(fig, know)
    if iv is None:
        return None
    low = iv[1] < 100.0 - 1e-9
    limit = iv[1] if low else 100.0 - iv[0]
    if not any(abs(limit - v) < 1e-6 for v in BAND_LIMITS):
        return None
    return "low" if low else "high"


def size_iv(fig: Figure, know: Knowledge) -> tuple[float, float] | None:
    """A group size: the published size (rounded) within half the size base."""
    if know.size_base is None:
        return _iv(fig, know.sources)
    half = know.size_base / 2
    nums = [
        Num(n.value, n.value - half, n.value + half, n.source, n.decimals, band=True)
        for n in fig.nums(know.sources)
    ]
    return _intersect(nums)


def target_size(pub: Published, know: Knowledge) -> tuple[float, float] | None:
    return _count_iv(pub.target_size, know.sources)


def class_sizes(pub: Published, know: Knowledge) -> dict[str, tuple[float, float]]:
    """Estimated households per group: the size rounded to tens and, for an older run, share
    x N at the precision published; the intersection. A run that publishes its rounding
    rules computes a group's share from the rounded size: share x N then says nothing more
    than the size (deriving 39,852 households from 8,1% x 492 would be unsound)."""
    n = target_size(pub, know)
    out: dict[str, tuple[float, float]] = {}
    for key, g in pub.groups.items():
        ivs = []
        share = None if know.size_base is not None else _iv(g.share, know.sources)
        if share is not None and n is not None:
            ivs.append((share[0] * n[0] / 100, share[1] * n[1] / 100))
        size = size_iv(g.size, know)
        if size is not None:
            ivs.append(size)
        if not ivs:
            continue
        lo, hi = max(i[0] for i in ivs), min(i[1] for i in ivs)
        if lo > hi:  # rounded size and share disagree slightly: trust the share
            lo, hi = ivs[0]
        out[key] = (lo, hi)
    return out


def _estimate(
    share: tuple[float, float], size: tuple[float, float]
) -> tuple[tuple[float, float], tuple[float, float]]:
    """(estimate, complement) of share% x size."""
    p_lo, p_hi = max(share[0], 0.0), min(share[1], 100.0)
    e = (p_lo * size[0] / 100, p_hi * size[1] / 100)
    c = ((100 - p_hi) * size[0] / 100, (100 - p_lo) * size[1] / 100)
    return e, c


def _judge_estimate(
    attack: str,
    output: str,
    cell: str,
    est: tuple[float, float],
    comp: tuple[float, float],
    key_e: tuple[str, ...],
    key_c: tuple[str, ...],
    know: Knowledge,
    *,
    published_exact: bool,
    detail: str,
) -> list[Finding]:
    """Published estimates must not be below T; banded or derived ones must stay compatible
    with every value of 0..T-1 when they are known to be below T."""
    t = know.min_count
    out = []
    for what, iv, key, zero_kind, small_kind in (
        ("schatting", est, key_e, "aandeel 0%", "schatting onder T"),
        ("complement", comp, key_c, "aandeel 100%", "complement onder T"),
    ):
        lo, hi = iv
        if hi >= t - _EPS:
            continue
        if published_exact or hi < 0.5:
            kind = zero_kind if hi < 0.5 else small_kind
            out.append(Finding(attack, kind, output, cell, iv, f"{what}; {detail}", key))
        elif lo > 0.5 or hi < t - 1.5:  # rounded to whole households: not all of 0..T-1
            out.append(
                Finding(
                    attack, f"{small_kind} (ingeperkt)", output, cell, iv, f"{what}; {detail}", key
                )
            )
    return out


def _src_text(fig: Figure, sources: Collection[str] | None) -> str:
    parts = []
    for n in fig.nums(sources):
        dec = "vol" if n.decimals is None else str(n.decimals)
        parts.append(f"{n.source}:{_fmt(n.value)}({'band' if n.band else dec})")
    return ", ".join(dict.fromkeys(parts))


def _count_table_for(pub: Published, label: str) -> CountTable | None:
    return pub.count_tables.get(f"Doelgroep naar {label.lower()}")


def _level_count(
    table: CountTable | None,
    level: str,
    results: dict[CellRef, CountResult] | None,
) -> tuple[float, float] | None:
    if table is None:
        return None
    pos = table.index_of(level)
    if pos is None:
        return None
    v = table.values[pos[0]][pos[1]]
    if v is not None:
        return v
    if results is not None and table.ref(*pos) in results:
        return results[table.ref(*pos)].interval
    return None


def calibrate_delta(pub: Published, know: Knowledge) -> float:
    """How far sum_k share_k x size_k can be from the level count (BCH vs model class sizes,
    clipping), measured on the levels where everything is published."""
    sizes = class_sizes(pub, know)
    groups = sorted(sizes)
    worst = 0.0
    n_rows = 0
    labels = {k[0] for k in pub.class_shares}
    for label in labels:
        table = _count_table_for(pub, label)
        if table is None:
            continue
        for level in table.row_labels:
            n = _level_count(table, level, None)
            if n is None or n[0] != n[1]:
                continue
            total = 0.0
            ok = True
            for g in groups:
                iv = share_iv(pub.class_shares.get((label, level, g)), know)
                if iv is None or share_banded(pub.class_shares[(label, level, g)], know):
                    ok = False
                    break
                total += (iv[0] + iv[1]) / 2 * (sizes[g][0] + sizes[g][1]) / 2 / 100
            if ok:
                n_rows += 1
                worst = max(worst, abs(total - n[0]))
    if n_rows == 0:
        return INF
    return 1.5 * worst + 0.05


def attack_model_tables(
    pub: Published,
    know: Knowledge,
    results: dict[CellRef, CountResult] | None = None,
    derived: dict[str, Any] | None = None,
) -> list[Finding]:
    """b: estimated counts per class and level, and per class and wijk."""
    findings: list[Finding] = []
    sizes = class_sizes(pub, know)
    t = know.min_count
    if derived is not None:
        derived["class_sizes"] = sizes
    for key, size in sizes.items():
        if size[1] < t:
            findings.append(Finding("b", "groep onder T", "groepen", key, size, "", ("class", key)))
    # Direct: share x class size.
    for (label, level, g), fig in sorted(pub.class_shares.items()):
        iv = share_iv(fig, know)
        if iv is None or g not in sizes:
            continue
        est, comp = _estimate(iv, sizes[g])
        exact = not share_banded(fig, know)
        findings += _judge_estimate(
            "b",
            f"aandeel per groep: {label}",
            f"{level} × {g}",
            est,
            comp,
            ("estimate", label, level, g),
            ("complement", label, level, g),
            know,
            published_exact=exact,
            detail=f"aandeel {_src_text(fig, know.sources)}; "
            f"groep {_fmt(sizes[g][0])}-{_fmt(sizes[g][1])}",
        )
    for (g, code), w in sorted(pub.wijk_shares.items()):
        iv = share_iv(w.share, know)
        n = _count_iv(w.households, know.sources)
        if iv is None or n is None:
            continue
        est, comp = _estimate(iv, n)
        findings += _judge_estimate(
            "b",
            "samenstelling per wijk",
            f"{w.name} ({code}) × {g}",
            est,
            comp,
            ("wijk", g, code),
            ("wijk-complement", g, code),
            know,
            published_exact=not share_banded(w.share, know),
            detail=f"aandeel {_src_text(w.share, know.sources)}; doelgroep in de wijk {_fmt(n[0])}",
        )
    # Recovered: the level count minus the other classes (hidden or banded shares).
    findings += _recovered_class_estimates(pub, know, results, derived)
    findings += _recovered_wijk_estimates(pub, know, sizes)
    return findings


@dataclass
class _LevelSystem:
    sys: _System
    label: str
    levels: list[str]
    groups: list[str]
    hidden_levels: dict[str, CellRef]
    unpublished: set[tuple[str, str]]  # (level, group) without an exact published share
    banded: set[tuple[str, str]]


def _level_systems(
    pub: Published,
    know: Knowledge,
    results: dict[CellRef, CountResult] | None,
    delta: float,
) -> list[_LevelSystem]:
    """Per characteristic: sum_k E_kl ~ n_l (within delta), sum_l E_kl = S_k, E boxed by the
    published shares; hidden n_l boxed by the count attack."""
    sizes = class_sizes(pub, know)
    groups = sorted(sizes)
    out = []
    labels = sorted({k[0] for k in pub.class_shares})
    for label in labels:
        table = _count_table_for(pub, label)
        if table is None or not groups:
            continue
        sys = _System()
        levels = [lv for lv in table.row_labels if lv not in ("Totaal", "Total")]
        hidden_levels: dict[str, CellRef] = {}
        unpublished: set[tuple[str, str]] = set()
        banded: set[tuple[str, str]] = set()
        n_vars: dict[str, int] = {}
        for level in levels:
            pos = table.index_of(level)
            assert pos is not None
            n = _level_count(table, level, results)
            if table.values[pos[0]][pos[1]] is None:
                hidden_levels[level] = table.ref(*pos)
            lo, hi = n if n is not None else (0.0, INF)
            n_vars[level] = sys.var(("n", level), lo, hi)
        for g in groups:
            s_lo, s_hi = sizes[g]
            coefs = {}
            for level in levels:
                fig = pub.class_shares.get((label, level, g))
                iv = share_iv(fig, know)
                if iv is None:
                    unpublished.add((level, g))
                    j = sys.var(("E", level, g), 0.0, s_hi)
                else:
                    if fig is not None and share_banded(fig, know):
                        banded.add((level, g))
                    est, _ = _estimate(iv, sizes[g])
                    j = sys.var(("E", level, g), est[0], est[1])
                coefs[j] = 1.0
            sys.row(coefs, s_lo, s_hi)
            # the rule behind a band: fewer than T estimated households with (minder dan)
            # or without (meer dan) the level, and at least T on the other side
            for level in levels:
                side = band_side(pub.class_shares.get((label, level, g)), know)
                if side is None:
                    continue
                own = {sys.index[("E", level, g)]: 1.0}
                rest = {sys.index[("E", lv, g)]: 1.0 for lv in levels if lv != level}
                small, large = (own, rest) if side == "low" else (rest, own)
                sys.row(small, -INF, float(know.min_count))
                sys.row(large, float(know.min_count), INF)
        for level in levels:
            coefs = {sys.index[("E", level, g)]: 1.0 for g in groups}
            coefs[n_vars[level]] = -1.0
            sys.row(coefs, -delta, delta)
        out.append(_LevelSystem(sys, label, levels, groups, hidden_levels, unpublished, banded))
    return out


def _recovered_class_estimates(
    pub: Published,
    know: Knowledge,
    results: dict[CellRef, CountResult] | None,
    derived: dict[str, Any] | None,
) -> list[Finding]:
    delta = calibrate_delta(pub, know)
    if derived is not None:
        derived["delta"] = delta
    if not math.isfinite(delta):
        return []
    findings: list[Finding] = []
    for ls in _level_systems(pub, know, results, delta):
        for level, g in sorted(ls.unpublished | ls.banded):
            if level in ls.hidden_levels:
                continue  # the level's own count is hidden: judged as a count (attack c)
            j = ls.sys.index[("E", level, g)]
            est = ls.sys.bounds(j, integer=False)
            others = {ls.sys.index[("E", lv, g)]: 1.0 for lv in ls.levels if lv != level}
            comp = ls.sys.bounds(others, integer=False)
            if est is None or comp is None:
                continue
            findings += _judge_estimate(
                "b",
                f"aandeel per groep: {ls.label}",
                f"{level} × {g}",
                est,
                comp,
                ("estimate", ls.label, level, g),
                ("complement", ls.label, level, g),
                know,
                published_exact=False,
                detail=f"teruggerekend: niveau min de andere groepen (delta {delta:.3f})",
            )
    return findings


def _recovered_wijk_estimates(
    pub: Published, know: Knowledge, sizes: dict[str, tuple[float, float]]
) -> list[Finding]:
    findings: list[Finding] = []
    groups = sorted(sizes)
    by_wijk: dict[str, dict[str, Any]] = {}
    for (g, code), w in pub.wijk_shares.items():
        by_wijk.setdefault(code, {})[g] = w
    for code, ws in sorted(by_wijk.items()):
        n = None
        for w in ws.values():
            n = _count_iv(w.households, know.sources)
            if n is not None:
                break
        if n is None or not groups:
            continue
        sys = _System()
        coefs = {}
        unpublished = []
        for g in groups:
            w = ws.get(g)
            iv = share_iv(w.share, know) if w is not None else None
            if iv is None:
                unpublished.append(g)
                j = sys.var(g, 0.0, min(sizes[g][1], n[1]))
            else:
                est, _ = _estimate(iv, n)
                j = sys.var(g, est[0], est[1])
            coefs[j] = 1.0
        sys.row(coefs, n[0], n[1])
        name = next(iter(ws.values())).name
        for g in unpublished:
            j = sys.index[g]
            est = sys.bounds(j, integer=False)
            comp = sys.bounds({sys.index[o]: 1.0 for o in groups if o != g}, integer=False)
            if est is None or comp is None:
                continue
            findings += _judge_estimate(
                "b",
                "samenstelling per wijk",
                f"{name} ({code}) × {g}",
                est,
                comp,
                ("wijk", g, code),
                ("wijk-complement", g, code),
                know,
                published_exact=False,
                detail="teruggerekend: de wijk min de gepubliceerde groepen",
            )
    return findings


# ---------------------------------------------------------------------------------------------
# c. Differencing with model outputs
# ---------------------------------------------------------------------------------------------


def band_limit(t: int, base: float) -> float | None:
    """The smallest listed limit (%) that covers 0..T-1 of ``base`` (None: none does)."""
    if base <= 0:
        return None
    need = 100.0 * t / base
    return next((float(v) for v in BAND_LIMITS if v >= need - 1e-12), None)


def _rounding_band(x: float, m: int, t: int) -> bool:
    """'meer dan 99%' can also be a percentage that rounds to 100% with T or more outside
    (then at least 200 T households)."""
    return abs(x - 99.0) < 1e-6 and m >= 200 * t


def _part_interval(fig: Figure, m: int, know: Knowledge) -> tuple[int, int]:
    """The numerator of a tree percentage of m households (an empty interval, lo > hi, when
    m is incompatible with it).

    safe_pct: a part of fewer than T is hidden; fewer than T outside gives 'meer dan x%'
    (x from the fixed list in a current run: then x itself is a function of m); an exact
    percentage has at least T inside and outside. A current run also hides the smallest exact
    coverage of a group whose recall is a band, so there a hidden coverage says nothing."""
    t = know.min_count
    nums = model_nums(fig, know, "tree")
    iv = _intersect(nums)
    if iv is None:
        if fig.hidden and not know.rules_aware:
            return (0, t - 1)
        return (0, m)
    if all(n.band for n in nums):
        if iv[1] < 100.0 - 1e-9:  # 'minder dan x%' (rounds to 0%): at least T inside
            return (t, min(m, math.floor(iv[1] * m / 100 + 1e-9)))
        x = max(n.lo for n in nums)
        lo = math.ceil(iv[0] * m / 100 - 1e-9)
        if not _rounding_band(round(x), m, t):
            if know.rules_aware and band_limit(t, m) != 100.0 - round(x):
                return (1, 0)  # this band is not the one m households would get
            lo = max(lo, m - t + 1)
        return (max(lo, 0), m)
    h_lo = math.ceil(iv[0] * m / 100 - 1e-9)
    h_hi = math.floor(iv[1] * m / 100 + 1e-9)
    return (max(h_lo, t), min(h_hi, m - t, m))


def modal_sizes(pub: Published, know: Knowledge) -> dict[str, list[int]]:
    """Class sizes of the modal assignment that the tree's percentages (of the group's
    households) allow, searched near the group's size."""
    sizes = class_sizes(pub, know)
    n = target_size(pub, know)
    t = know.min_count
    out: dict[str, list[int]] = {}
    for key, tree in pub.trees.items():
        figs = [tree.recall, *(r.coverage for r in tree.rules)]
        exact = [
            f
            for f in figs
            if share_iv(f, know, "tree") is not None and not share_banded(f, know, "tree")
        ]
        if not exact or key not in sizes or n is None:
            continue
        s_lo, s_hi = sizes[key]
        slack = max(2 * t, 0.3 * s_hi)
        lo, hi = max(t, math.floor(s_lo - slack)), min(int(n[1]), math.ceil(s_hi + slack))
        cands = []
        for m in range(max(lo, 1), hi + 1):
            parts = [_part_interval(f, m, know) for f in figs]
            if all(p[0] <= p[1] for p in parts):
                cands.append(m)
        if cands:
            out[key] = cands
    return out


def attack_differencing(
    pub: Published,
    know: Knowledge,
    results: dict[CellRef, CountResult] | None = None,
    derived: dict[str, Any] | None = None,
) -> list[Finding]:
    """c: hidden counts narrowed by class estimates; class sizes that differ by 1..T-1 from a
    nested published count; tree percentages that narrow small counts."""
    if results is None:
        results, _ = count_bounds(pub, know)
    findings: list[Finding] = []
    t = know.min_count
    delta = calibrate_delta(pub, know)
    # c1: hidden level counts bounded by the class estimates.
    if math.isfinite(delta):
        for ls in _level_systems(pub, know, results, delta):
            for level, ref in ls.hidden_levels.items():
                j = ls.sys.index[("n", level)]
                b = ls.sys.bounds(j, integer=False)
                if b is None or ref not in results:
                    continue
                res = results[ref]
                lo = max(math.ceil(b[0] - 1e-6), res.interval[0])
                hi = min(math.floor(b[1] + 1e-6), res.interval[1])
                if (lo, hi) == tuple(res.interval):
                    continue
                excluded = tuple(v for v in range(t) if v < lo or v > hi or v in res.excluded_small)
                narrowed = replace(res, excluded_small=excluded)
                f = judge_count(narrowed, know, attack="c", interval=(lo, hi))
                if f is not None and judge_count(res, know, attack="a") is None:
                    findings.append(
                        replace(
                            f,
                            detail=f"met de schattingen per groep (delta {delta:.3f}); " + f.detail,
                        )
                    )
    # c2: class sizes against nested published counts.
    sizes = class_sizes(pub, know)
    modal = modal_sizes(pub, know)
    if derived is not None:
        derived["modal_sizes"] = {k: (min(v), max(v)) for k, v in modal.items()}
    size_sources: dict[str, list[tuple[str, tuple[float, float]]]] = {}
    for g, s in sizes.items():
        size_sources.setdefault(g, []).append(("aandeel × N", s))
    for g, cands in modal.items():
        size_sources.setdefault(g, []).append(
            ("modale grootte uit de beslisboom", (min(cands), max(cands)))
        )
    for (label, level, g), fig in sorted(pub.class_shares.items()):
        iv = share_iv(fig, know)
        table = _count_table_for(pub, label)
        n = _level_count(table, level, None)
        if iv is None or n is None or n[0] != n[1] or g not in sizes:
            continue
        others_tiny = True
        for other in sizes:
            if other == g:
                continue
            oiv = share_iv(pub.class_shares.get((label, level, other)), know)
            if oiv is None or oiv[1] * sizes[other][1] / 100 >= 0.5:
                others_tiny = False
        class_inside = iv[0] >= 99.5
        if not (class_inside or others_tiny):
            continue
        for how, s in size_sources.get(g, []):
            # class inside the level: n - S households of the level are outside the class;
            # level inside the class: S - n households of the class are not of the level.
            d = (n[0] - s[1], n[1] - s[0]) if class_inside else (s[0] - n[1], s[1] - n[0])
            if d[0] >= 0.5 and d[1] <= t - 0.5:
                findings.append(
                    Finding(
                        "c",
                        "verschil 1..T-1 met een groepsgrootte",
                        f"aandeel per groep: {label}",
                        f"{level} × {g}",
                        d,
                        f"{how} {_fmt(s[0])}-{_fmt(s[1])} tegen {_fmt(n[0])} "
                        + (
                            "(groep valt binnen het niveau)"
                            if class_inside
                            else "(niveau valt binnen de groep)"
                        ),
                        ("difference", label, level, g, "inside" if class_inside else "contains"),
                    )
                )
    # c3: the tree's percentages.
    findings += _tree_attack(pub, know, modal)
    return findings


def _small_judgement(
    attack: str,
    kind: str,
    output: str,
    cell: str,
    lo: int,
    hi: int,
    key: tuple[str, ...],
    detail: str,
    t: int,
) -> Finding | None:
    """A count known to be below T must stay compatible with every value 0..T-1."""
    if hi > t - 1:
        return None
    if lo == hi:
        what = "lege cel onthuld" if lo == 0 else "aantal teruggerekend"
        return Finding(attack, f"{kind}: {what}", output, cell, (lo, hi), detail, key)
    if lo > 0 or hi < t - 1:
        return Finding(attack, f"{kind}: ingeperkt", output, cell, (lo, hi), detail, key)
    return None


def _band_whole(x: float, know: Knowledge, lo: int, hi: int) -> list[int]:
    """Whole leaf sizes L in [lo, hi] that get the precision band 'meer dan x%' when fewer than
    T of the leaf are outside the group: x = 100 - the listed limit for L (current runs) or
    x = floor(100 (L - T) / L) (older runs)."""
    t = know.min_count
    x = round(x)
    if know.rules_aware:
        return [L for L in range(max(lo, 1), hi + 1) if band_limit(t, L) == 100.0 - x]
    return [L for L in range(max(lo, 1), hi + 1) if math.floor(100 * (L - t) / L) == x]


def _tree_attack(pub: Published, know: Knowledge, modal: dict[str, list[int]]) -> list[Finding]:
    findings: list[Finding] = []
    t = know.min_count
    for key, tree in sorted(pub.trees.items()):
        cands = modal.get(key)
        if not cands or len(cands) > 50:
            continue
        # misclassified = m - correct; correct = sum of the group's leaves (its rules)
        miss_lo, miss_hi = INF, -INF
        for m in cands:
            parts = [_part_interval(r.coverage, m, know) for r in tree.rules]
            r_lo, r_hi = _part_interval(tree.recall, m, know)
            if any(p[0] > p[1] for p in parts) or r_lo > r_hi:
                continue
            c_lo = sum(p[0] for p in parts)
            c_hi = min(sum(p[1] for p in parts), m)
            c_lo, c_hi = max(c_lo, r_lo), min(c_hi, r_hi)
            if c_lo > c_hi:
                continue
            miss_lo = min(miss_lo, m - c_hi)
            miss_hi = max(miss_hi, m - c_lo)
        if math.isfinite(miss_lo):
            f = _small_judgement(
                "c",
                "beslisboom: verkeerd ingedeelde huishoudens",
                "herkenbaarheid",
                key,
                int(miss_lo),
                int(miss_hi),
                ("tree-miss", key),
                f"modale groepsgrootte {min(cands)}-{max(cands)} uit de dekkingspercentages",
                t,
            )
            if f is not None:
                findings.append(f)
        # households in a leaf that are not in the group: leaf - hit. A 'meer dan x%'
        # precision says fewer than T outsiders, and x is a function of the leaf size alone.
        for rule in tree.rules:
            band_nums = [
                n
                for n in model_nums(rule.precision, know, "tree")
                if n.band and n.hi >= 100.0 - 1e-9
            ]
            if not band_nums:
                continue
            x = max(n.lo for n in band_nums)
            out_lo, out_hi = INF, -INF
            sound = True
            for m in cands:
                h_lo, h_hi = _part_interval(rule.coverage, m, know)
                if h_lo > h_hi:
                    continue
                if _rounding_band(round(x), h_hi + t - 1, t):
                    sound = False  # 'meer dan 99%' may be rounding: T or more outside
                    break
                for leaf in _band_whole(x, know, h_lo, h_hi + t - 1):
                    # hits h with 0 <= leaf - h <= T - 1
                    lo_h, hi_h = max(h_lo, leaf - t + 1), min(h_hi, leaf)
                    if lo_h > hi_h:
                        continue
                    out_lo = min(out_lo, leaf - hi_h)
                    out_hi = max(out_hi, leaf - lo_h)
            if sound and math.isfinite(out_lo):
                f = _small_judgement(
                    "c",
                    "beslisboom: huishoudens in het blad buiten de groep",
                    "herkenbaarheid",
                    f"{key}: {' én '.join(rule.conditions)}",
                    int(out_lo),
                    int(out_hi),
                    ("tree-outside", key, " én ".join(rule.conditions)),
                    "uit de dekking en de band van de precisie",
                    t,
                )
                if f is not None:
                    findings.append(f)
    return findings


# ---------------------------------------------------------------------------------------------
# d. Precision leaks
# ---------------------------------------------------------------------------------------------


def attack_precision(
    pub: Published,
    know: Knowledge,
    full: list[Finding],
    results: dict[CellRef, CountResult],
) -> tuple[list[Finding], dict[str, dict[str, int | None]]]:
    """d: (1) a model share or group size off the rules' grid, or a tree percentage that is
    not whole, in any source; (2) b and c again at the rules' precision (older runs, without
    rounding rules: with only what a reader sees): a finding that needs more decimals than
    that is a precision leak."""
    findings = off_grid(pub, know) if know.rules_aware else []
    if know.rules_aware:
        baseline = replace(know, grid_only=True)
    else:
        baseline = replace(know, sources=DISPLAY_SOURCES)
    rounded = attack_model_tables(pub, baseline, results) + attack_differencing(
        pub, baseline, results
    )
    seen = {_loose_ident(f) for f in rounded}
    precision = precision_by_output(pub)
    for f in full:
        if f.attack not in ("b", "c") or _loose_ident(f) in seen:
            continue
        findings.append(
            Finding(
                "d",
                f"alleen met extra decimalen: {f.kind}",
                f.output,
                f.cell,
                f.interval,
                f"[{f.attack}] {f.detail}",
                f.key,
            )
        )
    return findings, precision


def _model_figures(pub: Published) -> list[tuple[str, str, str, Figure]]:
    """(kind, output, cell, figure) of every published model share and tree percentage."""
    out: list[tuple[str, str, str, Figure]] = []
    for (label, level, g), fig in sorted(pub.class_shares.items()):
        out.append(("share", f"aandeel per groep: {label}", f"{level} × {g}", fig))
    for (g, code), w in sorted(pub.wijk_shares.items()):
        out.append(("share", "samenstelling per wijk", f"{w.name} ({code}) × {g}", w.share))
    for key, g in sorted(pub.groups.items()):
        out.append(("share", "groepen: aandeel", key, g.share))
    for k, row in sorted(pub.fit.items()):  # the smallest class, from its rounded size
        out.append(("share", "fit: kleinste groep", f"{k} groepen", row.smallest))
    for key, tree in sorted(pub.trees.items()):
        out.append(("tree", "herkenbaarheid", f"{key}: herkend", tree.recall))
        for rule in tree.rules:
            where = f"{key}: {' én '.join(rule.conditions)}"
            out.append(("tree", "herkenbaarheid", f"{where}: dekking", rule.coverage))
            out.append(("tree", "herkenbaarheid", f"{where}: precisie", rule.precision))
    return out


def off_grid(pub: Published, know: Knowledge) -> list[Finding]:
    """d (1): figures published with more precision than the rules allow: a model share with
    more than ``estimate_share_decimals`` decimals, a tree percentage that is not whole, a
    group size that is not a multiple of ``estimate_size_base`` (float noise below 1e-9 is
    ignored; a band's limit written as a plain number is the band)."""
    findings: list[Finding] = []
    for kind, output, cell, fig in _model_figures(pub):
        step = grid_step(know, kind)
        if step is None:
            continue
        nums = fig.nums(know.sources)
        bands = [n for n in nums if n.band]
        bad = [
            n
            for n in nums
            if not n.band and _band_limit_of(n, bands) is None and not on_grid(n.value, step)
        ]
        if bad:
            shown = ", ".join(dict.fromkeys(f"{n.source}: {n.value!r}" for n in bad))
            findings.append(
                Finding(
                    "d",
                    "meer decimalen dan de regels toestaan",
                    output,
                    cell,
                    (min(n.lo for n in bad), max(n.hi for n in bad)),
                    f"raster {step:g}; {shown}",
                    ("precision", output, cell),
                )
            )
    if know.size_base is not None:
        for key, g in sorted(pub.groups.items()):
            bad = [n for n in g.size.nums(know.sources) if not on_grid(n.value, know.size_base)]
            if bad:
                shown = ", ".join(dict.fromkeys(f"{n.source}: {n.value!r}" for n in bad))
                findings.append(
                    Finding(
                        "d",
                        "groepsgrootte niet afgerond volgens de regels",
                        "groepen: grootte",
                        key,
                        (min(n.value for n in bad), max(n.value for n in bad)),
                        f"veelvoud van {know.size_base:g}; {shown}",
                        ("precision", "groepen: grootte", key),
                    )
                )
    return findings


def _loose_ident(f: Finding) -> tuple[str, str, str]:
    # the same cell found at display precision, maybe classified differently (0% vs small)
    return (f.attack, f.output, f.cell)


# ---------------------------------------------------------------------------------------------
# e. Small counts in text
# ---------------------------------------------------------------------------------------------

_COUNT_COLUMNS = ("aantal", "huishoudens", "in de doelgroep", "doelgroep in de wijk", "deelnemers")


def attack_texts(pub: Published, know: Knowledge) -> list[Finding]:
    """e: counts of 0..T-1 stated anywhere in text, console output or a count column."""
    t = know.min_count
    findings = []
    seen: set[tuple[str, str, str]] = set()
    for s in pub.stated_counts:
        if 0 <= s.value < t:
            ident = (s.source, s.where, s.context)
            if ident in seen:
                continue
            seen.add(ident)
            findings.append(
                Finding(
                    "e",
                    "klein aantal in tekst",
                    s.source,
                    s.where,
                    (s.value, s.value),
                    repr(s.context),
                    ("text", s.source, s.where, s.context),
                )
            )
    for key, table in pub.report_tables.items():
        cols = [
            i
            for i, c in enumerate(table.columns)
            if any(c.lower().startswith(p) for p in _COUNT_COLUMNS)
        ]
        for row in table.rows:
            for i in cols:
                cell = row[i] if i < len(row) else None
                if cell is None or cell.fig is None:
                    continue
                iv = _count_iv(cell.fig, None)
                if iv is None or cell.fig.banded():
                    continue
                v = cell.fig.point()
                if v is not None and 0 <= v < t - 0.5 and iv[1] < t:
                    findings.append(
                        Finding(
                            "e",
                            "klein aantal in een tabel van het rapport",
                            f"tabel {key}",
                            f"{row[0].text} × {table.columns[i]}",
                            iv,
                            "",
                            ("report-count", key, row[0].text or "", table.columns[i]),
                        )
                    )
    return findings


# ---------------------------------------------------------------------------------------------
# Everything
# ---------------------------------------------------------------------------------------------


def run_attacks(
    pub: Published,
    know: Knowledge | None = None,
    *,
    only: Iterable[str] = "abcde",
    progress: Callable[[str], None] | None = None,
) -> AttackReport:
    """Every attack on one run's published structure."""
    know = know or Knowledge.for_run(pub)
    wanted = set(only)
    say = progress or (lambda _: None)
    say("a: tellingen")
    results, notes = count_bounds(pub, know)
    derived: dict[str, Any] = {}
    findings: list[Finding] = []
    if "a" in wanted:
        findings += attack_count_tables(pub, know, results)
    full_bc: list[Finding] = []
    if wanted & {"b", "d"}:
        say("b: modeluitvoer")
        full_bc += attack_model_tables(pub, know, results, derived)
    if wanted & {"c", "d"}:
        say("c: verschillen")
        full_bc += attack_differencing(pub, know, results, derived)
    findings += [f for f in full_bc if f.attack in wanted]
    precision: dict[str, dict[str, int | None]] = {}
    if "d" in wanted:
        say("d: precisie")
        d, precision = attack_precision(pub, know, full_bc, results)
        findings += d
    if "e" in wanted:
        say("e: tekst")
        findings += attack_texts(pub, know)
    report = AttackReport(findings, precision, derived, notes + pub.warnings)
    report.derived["count_results"] = results
    return report


__all__ = [
    "AttackReport",
    "CountResult",
    "Finding",
    "Knowledge",
    "Num",
    "Prior",
    "attack_count_tables",
    "attack_differencing",
    "attack_model_tables",
    "attack_precision",
    "attack_texts",
    "count_bounds",
    "off_grid",
    "run_attacks",
]
