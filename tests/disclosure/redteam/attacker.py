"""Attacks on what a run publishes: can a count of 1..T-1 units be obtained?

The attacker sees only a :class:`~tests.disclosure.redteam.published.Published` structure
(plus, in worst-case mode, which hidden cells are primary) and the rules: the threshold T
(``min_count``), the protection width, that empty cells are hidden, and that a hidden count
is either primary-small (0..T-1) or has passed the rules (then at least T).

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
d. **Precision leaks** (``attack_precision``): b and c again with only what a reader sees
   (``DISPLAY_SOURCES``); findings that need the extra decimals of the bundle, spreadsheet,
   ``data-waarde`` attributes or chart labels, with the precision found per output.
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

    @classmethod
    def for_run(cls, pub: Published, **kwargs: Any) -> Knowledge:
        """The rules printed in the bundle, else the packaged (public) rules file."""
        values = dict(pub.rules)
        if "min_count" not in values:
            from bestaanszekerheid.disclosure import load_rules

            values = load_rules().as_dict()
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

    kind: str  # "unknown" | "small" | "large" | "empty"
    lo: float
    hi: float
    primary: bool | None  # None: unknown
    why: str


def prior_of(infos: list[HiddenInfo], know: Knowledge) -> Prior:
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
            return Prior("small", 0, t - 1, True, "log: primair, klein of leeg")
    for i in logged:
        if i.status == "primary":
            return Prior("large", t, INF, True, "log: primair om een andere reden")
        if i.status == "secondary":
            return Prior("large", t, INF, False, "log: secundair")
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
        prior = prior_of(pub.hidden_info(ref, worst_case=know.worst_case), know)
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
    if res.prior.kind == "large" and res.prior.primary and hi - lo + _EPS < know.protection_width:
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


def target_size(pub: Published, know: Knowledge) -> tuple[float, float] | None:
    return _count_iv(pub.target_size, know.sources)


def class_sizes(pub: Published, know: Knowledge) -> dict[str, tuple[float, float]]:
    """Estimated households per group: share x N at the precision published, and the size
    rounded to tens; the intersection."""
    n = target_size(pub, know)
    out: dict[str, tuple[float, float]] = {}
    for key, g in pub.groups.items():
        ivs = []
        share = _iv(g.share, know.sources)
        if share is not None and n is not None:
            ivs.append((share[0] * n[0] / 100, share[1] * n[1] / 100))
        size = _iv(g.size, know.sources)
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
                iv = _iv(pub.class_shares.get((label, level, g)), know.sources)
                if iv is None or pub.class_shares[(label, level, g)].banded(know.sources):
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
        iv = _iv(fig, know.sources)
        if iv is None or g not in sizes:
            continue
        est, comp = _estimate(iv, sizes[g])
        exact = not fig.banded(know.sources)
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
        iv = _iv(w.share, know.sources)
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
            published_exact=not w.share.banded(know.sources),
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
                iv = _iv(fig, know.sources)
                if iv is None:
                    unpublished.add((level, g))
                    j = sys.var(("E", level, g), 0.0, s_hi)
                else:
                    if fig is not None and fig.banded(know.sources):
                        banded.add((level, g))
                    est, _ = _estimate(iv, sizes[g])
                    j = sys.var(("E", level, g), est[0], est[1])
                coefs[j] = 1.0
            sys.row(coefs, s_lo, s_hi)
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
            iv = _iv(w.share, know.sources) if w is not None else None
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


def _fraction_candidates(
    fractions: list[tuple[float, float]], lo: int, hi: int, t: int
) -> list[int]:
    """Denominators m in [lo, hi] for which each percentage interval holds some h/m, h >= T."""
    out = []
    for m in range(max(lo, 1), hi + 1):
        ok = True
        for f_lo, f_hi in fractions:
            h_lo = math.ceil(f_lo * m / 100 - 1e-9)
            h_hi = math.floor(f_hi * m / 100 + 1e-9)
            if max(h_lo, t) > min(h_hi, m):
                ok = False
                break
        if ok:
            out.append(m)
    return out


def _part_interval(fig: Figure, m: int, sources: Collection[str] | None, t: int) -> tuple[int, int]:
    """The numerator of a tree percentage of m households (safe_pct semantics: hidden means
    fewer than T, a 'meer dan' band means fewer than T outside)."""
    iv = fig.interval(sources)
    if iv is None:
        return (0, t - 1) if fig.hidden else (0, m)
    if fig.banded(sources):
        lo = max(math.ceil(iv[0] * m / 100 - 1e-9), m - t + 1)
        return (max(lo, 0), m)
    h_lo = math.ceil(iv[0] * m / 100 - 1e-9)
    h_hi = math.floor(iv[1] * m / 100 + 1e-9)
    return (max(h_lo, t), min(h_hi, m))


def modal_sizes(pub: Published, know: Knowledge) -> dict[str, list[int]]:
    """Class sizes of the modal assignment that the tree's percentages (of the group's
    households) allow, searched near share x N."""
    sizes = class_sizes(pub, know)
    n = target_size(pub, know)
    t = know.min_count
    out: dict[str, list[int]] = {}
    for key, tree in pub.trees.items():
        fractions = []
        for fig in [tree.recall, *(r.coverage for r in tree.rules)]:
            iv = fig.interval(know.sources)
            if iv is not None and not fig.banded(know.sources):
                fractions.append(iv)
        if not fractions or key not in sizes or n is None:
            continue
        s_lo, s_hi = sizes[key]
        slack = max(2 * t, 0.3 * s_hi)
        cands = _fraction_candidates(
            fractions, max(t, math.floor(s_lo - slack)), min(int(n[1]), math.ceil(s_hi + slack)), t
        )
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
        iv = _iv(fig, know.sources)
        table = _count_table_for(pub, label)
        n = _level_count(table, level, None)
        if iv is None or n is None or n[0] != n[1] or g not in sizes:
            continue
        others_tiny = True
        for other in sizes:
            if other == g:
                continue
            oiv = _iv(pub.class_shares.get((label, level, other)), know.sources)
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


def _band_whole(value: float, t: int, lo: int, hi: int) -> list[int]:
    """Whole sizes L in [lo, hi] for which safe_pct's 'meer dan' value floor(100 (L-T)/L)
    equals ``value``."""
    return [L for L in range(max(lo, 1), hi + 1) if math.floor(100 * (L - t) / L) == round(value)]


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
            parts = [_part_interval(r.coverage, m, know.sources, t) for r in tree.rules]
            c_lo = sum(p[0] for p in parts)
            c_hi = min(sum(p[1] for p in parts), m)
            r_lo, r_hi = _part_interval(tree.recall, m, know.sources, t)
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
        # precision says fewer than T outsiders, and x = floor(100 (leaf - T) / leaf) is a
        # function of the leaf size alone.
        for rule in tree.rules:
            prec = rule.precision
            band_nums = [n for n in prec.nums(know.sources) if n.band]
            if not band_nums:
                continue
            x = min(n.lo for n in band_nums)
            out_lo, out_hi = INF, -INF
            for m in cands:
                h_lo, h_hi = _part_interval(rule.coverage, m, know.sources, t)
                for leaf in _band_whole(x, t, h_lo, h_hi + t - 1):
                    # hits h with 0 <= leaf - h <= T - 1
                    lo_h, hi_h = max(h_lo, leaf - t + 1), min(h_hi, leaf)
                    if lo_h > hi_h:
                        continue
                    out_lo = min(out_lo, leaf - hi_h)
                    out_hi = max(out_hi, leaf - lo_h)
            if math.isfinite(out_lo):
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
    """d: b and c with only what a reader sees; what needs more decimals is a precision leak."""
    shown = replace(know, sources=DISPLAY_SOURCES)
    rounded = attack_model_tables(pub, shown, results) + attack_differencing(pub, shown, results)
    seen = {_loose_ident(f) for f in rounded}
    findings = []
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
    "run_attacks",
]
