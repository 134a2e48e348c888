"""Randomisation (loting): stratified / blocked, several arms, unequal ratios, from a seed.

The same input, design and seed always give the same allocation, whatever the row order of
the input (units are put in a canonical order first). Every allocation can be written to an
append-only, hash-chained log (:class:`AllocationLog`): each entry carries the SHA-256 of the
previous one, so editing, deleting or reordering any entry breaks the chain and
:meth:`AllocationLog.verify` reports it. A chain can of course be recomputed from scratch by
someone who rewrites everything; to rule that out, record the log's ``head`` hash outside the
log (pre-registration, an e-mail to the evaluator, the report) and verify against it, and use
:func:`replay` to check that the logged allocation is exactly what the seed produces.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.experiments.results import BalanceResult

GENESIS = "0" * 64
STRATUM_SEPARATOR = " | "


# ----------------------------------------------------------------------------- design


@dataclass(frozen=True)
class AllocationDesign:
    """How units are randomised: arms with ratios, strata, blocks and clusters.

    ``block_size=None`` means complete randomisation within each stratum with the exact ratio
    (a remainder that does not fill a whole ratio cycle is drawn at random from one cycle).
    A ``block_size`` (a multiple of the sum of the ratios) gives permuted blocks in the order of
    the unit identifiers, for units that enter one by one.
    """

    arms: tuple[str, ...]
    ratios: tuple[int, ...]
    strata: tuple[str, ...] = ()
    block_size: int | None = None
    cluster: str | None = None

    def __post_init__(self) -> None:
        if len(self.arms) < 2:
            raise UserFacingError("Een loting heeft minstens twee groepen nodig.")
        if len(set(self.arms)) != len(self.arms):
            raise UserFacingError(f"Groepsnamen moeten uniek zijn: {', '.join(self.arms)}.")
        if len(self.ratios) != len(self.arms) or any(r < 1 for r in self.ratios):
            raise UserFacingError(
                "Geef voor elke groep een verhouding van minstens 1 (bijvoorbeeld 1,1,1,1)."
            )
        cycle = sum(self.ratios)
        if self.block_size is not None and (self.block_size < cycle or self.block_size % cycle):
            raise UserFacingError(
                f"De blokgrootte ({self.block_size}) moet een veelvoud zijn van de som van de "
                f"verhoudingen ({cycle})."
            )

    @property
    def pattern(self) -> list[str]:
        """One ratio cycle, e.g. ['a', 'a', 'b'] for ratios (2, 1)."""
        return [a for a, r in zip(self.arms, self.ratios, strict=True) for _ in range(r)]

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly description (stored in the log)."""
        return {
            "arms": list(self.arms),
            "ratios": list(self.ratios),
            "strata": list(self.strata),
            "block_size": self.block_size,
            "cluster": self.cluster,
        }

    def _sequence(self, n: int, rng: np.random.Generator) -> list[str]:
        pattern = self.pattern
        cycle = len(pattern)
        if self.block_size is None:
            seq = pattern * (n // cycle) + list(rng.permutation(pattern)[: n % cycle])
            return [str(a) for a in rng.permutation(np.array(seq, dtype=object))]
        out: list[str] = []
        block = pattern * (self.block_size // cycle)
        while len(out) < n:
            out.extend(str(a) for a in rng.permutation(np.array(block, dtype=object)))
        return out[:n]

    def draw(self, frame: pd.DataFrame, unit: str, rng: np.random.Generator) -> pd.Series:
        """One random allocation of the rows of ``frame`` (index aligned with ``frame``)."""
        arms = self.sampler(frame, unit)(rng)
        return pd.Series(arms, index=frame.index, name="arm", dtype=object)

    def sampler(
        self, frame: pd.DataFrame, unit: str
    ) -> Callable[[np.random.Generator], npt.NDArray[np.object_]]:
        """A function that draws one allocation of the rows of ``frame`` (arm names in row
        order) per call, exactly as :meth:`draw` does; the units and strata are sorted once,
        which randomisation inference (hundreds of draws) needs."""
        items = _items(frame, unit, self)
        strata = [grp.index.to_numpy() for _, grp in items.groupby("_stratum", sort=True)]
        key = frame[self.cluster] if self.cluster else frame[unit]
        row_item = pd.Index(items["_item"]).get_indexer(key.to_numpy())

        def draw(rng: np.random.Generator) -> npt.NDArray[np.object_]:
            arms = np.empty(len(items), dtype=object)
            for rows in strata:
                arms[rows] = self._sequence(len(rows), rng)
            drawn: npt.NDArray[np.object_] = arms[row_item]
            return drawn

        return draw


def stratum_labels(frame: pd.DataFrame, strata: Sequence[str]) -> pd.Series:
    """One text label per row combining the stratum variables ('' without strata)."""
    if not strata:
        return pd.Series("", index=frame.index, dtype=object)
    parts = [frame[s].astype(str) for s in strata]
    label = parts[0]
    for p in parts[1:]:
        label = label + STRATUM_SEPARATOR + p
    return label.astype(object)


def _items(frame: pd.DataFrame, unit: str, design: AllocationDesign) -> pd.DataFrame:
    """The units (or clusters) to randomise, in canonical order, with their stratum."""
    key = design.cluster or unit
    stratum = stratum_labels(frame, design.strata)
    items = pd.DataFrame({"_item": frame[key].to_numpy(), "_stratum": stratum.to_numpy()})
    if design.cluster:
        per_cluster = items.groupby("_item", sort=False)["_stratum"].nunique()
        if (per_cluster > 1).any():
            bad = per_cluster[per_cluster > 1].index[0]
            raise UserFacingError(
                f"Cluster '{bad}' (kolom '{design.cluster}') valt in meerdere strata; bij "
                "clusterloting moet elk cluster in één stratum vallen."
            )
        items = items.drop_duplicates("_item")
    # Canonical order: by stratum, then identifier (numbers numerically, otherwise as text),
    # so the row order of the input never changes the allocation.
    ids = items["_item"]
    if not pd.api.types.is_numeric_dtype(ids):
        ids = ids.astype(str)
    items = items.assign(_key=ids.to_numpy())
    return items.sort_values(["_stratum", "_key"], kind="stable").reset_index(drop=True)


# ----------------------------------------------------------------------------- log


def _digest(entry: Mapping[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LogVerification:
    """Outcome of :meth:`AllocationLog.verify`."""

    ok: bool
    n_entries: int
    head: str
    problems: tuple[str, ...]


@dataclass
class AllocationLog:
    """Append-only, hash-chained record of who was allocated to which arm, when and where.

    Entries live in memory and, when ``path`` is set, in a JSON-lines file that is only ever
    appended to. Use :meth:`create` / :meth:`open`, not the constructor.
    """

    entries: list[dict[str, Any]] = field(default_factory=list)
    path: Path | None = None

    @property
    def head(self) -> str:
        """Hash of the last entry: record it elsewhere to make a full rewrite detectable."""
        return str(self.entries[-1]["hash"]) if self.entries else GENESIS

    def _make(self, kind: str, payload: Mapping[str, Any], when: datetime | None) -> dict[str, Any]:
        moment = (when or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
        entry: dict[str, Any] = {
            "seq": len(self.entries),
            "time": moment,
            "kind": kind,
            **payload,
            "prev": self.head,
        }
        entry["hash"] = _digest(entry)
        return entry

    @classmethod
    def create(
        cls,
        design: AllocationDesign,
        seed: int,
        *,
        path: str | Path | None = None,
        note: str = "",
        fingerprint: str = "",
        when: datetime | None = None,
    ) -> AllocationLog:
        """Start a new log with a design entry; refuses to overwrite an existing file."""
        log = cls(path=Path(path) if path is not None else None)
        if log.path is not None and log.path.exists():
            raise UserFacingError(
                f"Het lotingslogboek '{log.path}' bestaat al. Een logboek wordt nooit "
                "overschreven; kies een nieuwe bestandsnaam."
            )
        log.entries.append(
            log._make(
                "ontwerp",
                {
                    "design": design.as_dict(),
                    "seed": seed,
                    "note": note,
                    "participants": fingerprint,
                },
                when,
            )
        )
        if log.path is not None:
            _write_new(log.path, log.entries)
        return log

    def append(
        self, unit: Any, arm: str, stratum: str = "", *, when: datetime | None = None
    ) -> dict[str, Any]:
        """Record one allocation (and append it to the file when there is one)."""
        entry = self._make(
            "toewijzing", {"unit": _jsonable(unit), "arm": arm, "stratum": stratum}, when
        )
        self.entries.append(entry)
        if self.path is not None:
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        return entry

    @classmethod
    def open(cls, path: str | Path) -> AllocationLog:
        """Read a log file (without verifying it: call :meth:`verify`)."""
        p = Path(path)
        if not p.exists():
            raise UserFacingError(f"Lotingslogboek '{p}' bestaat niet.")
        entries: list[dict[str, Any]] = []
        for number, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise UserFacingError(
                    f"Regel {number} van lotingslogboek '{p}' is geen geldige JSON: {exc}"
                ) from exc
        return cls(entries=entries, path=p)

    def verify(self, expected_head: str | None = None) -> LogVerification:
        """Check every link of the chain (and optionally the head recorded elsewhere)."""
        problems: list[str] = []
        prev = GENESIS
        for i, entry in enumerate(self.entries):
            if entry.get("seq") != i:
                problems.append(f"Regel {i + 1}: volgnummer {entry.get('seq')} in plaats van {i}.")
            if entry.get("prev") != prev:
                problems.append(f"Regel {i + 1}: verwijst niet naar de vorige regel.")
            if entry.get("hash") != _digest(entry):
                problems.append(f"Regel {i + 1}: inhoud is gewijzigd (hash klopt niet).")
            prev = str(entry.get("hash"))
        if expected_head is not None and self.head != expected_head:
            problems.append("De laatste hash wijkt af van de elders vastgelegde waarde.")
        return LogVerification(not problems, len(self.entries), self.head, tuple(problems))

    def to_frame(self) -> pd.DataFrame:
        """The allocation entries as a table (unit, arm, stratum, time, hash)."""
        rows = [e for e in self.entries if e.get("kind") == "toewijzing"]
        return pd.DataFrame(rows, columns=["seq", "time", "unit", "arm", "stratum", "hash"])


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def _write_new(path: Path, entries: Sequence[Mapping[str, Any]]) -> None:
    """Write a new file atomically (temp file + rename) and never replace an existing one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for e in entries:
                fh.write(json.dumps(e, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        # os.link fails if the target exists, unlike os.replace: no silent overwrite.
        os.link(tmp, path)
    except FileExistsError as exc:
        raise UserFacingError(f"Het lotingslogboek '{path}' bestaat al.") from exc
    finally:
        Path(tmp).unlink(missing_ok=True)


# ----------------------------------------------------------------------------- randomise


@dataclass(frozen=True)
class Allocation:
    """Result of :func:`randomise`: one row per unit with its arm and stratum, plus the log."""

    assignments: pd.DataFrame  # columns: unit column, "arm", "stratum" (and cluster column)
    design: AllocationDesign
    seed: int
    unit: str
    log: AllocationLog

    def counts(self) -> pd.DataFrame:
        """Number of units per stratum and arm."""
        return (
            self.assignments.groupby(["stratum", "arm"])
            .size()
            .unstack(fill_value=0)
            .reindex(columns=list(self.design.arms), fill_value=0)
        )


def randomise(
    frame: pd.DataFrame,
    *,
    unit: str,
    arms: Sequence[str],
    ratios: Sequence[int] | None = None,
    strata: Sequence[str] = (),
    block_size: int | None = None,
    cluster: str | None = None,
    seed: int,
    log_path: str | Path | None = None,
    when: datetime | None = None,
) -> Allocation:
    """Randomly allocate the units in ``frame`` to ``arms`` and log every allocation.

    Example::

        alloc = randomise(df, unit="bsn_pseudo", arms=["controle", "minder_verplichtingen",
                          "extra_begeleiding", "coaching"], strata=["leeftijdsgroep"], seed=2018)
    """
    missing = [c for c in (unit, *strata, *([cluster] if cluster else [])) if c not in frame]
    if missing:
        raise UserFacingError(f"Kolom '{missing[0]}' ontbreekt in het invoerbestand.")
    if frame[unit].isna().any() or frame[unit].duplicated().any():
        dup = frame[unit][frame[unit].duplicated()]
        example = dup.iloc[0] if len(dup) else "(leeg)"
        raise UserFacingError(
            f"Kolom '{unit}' moet elke deelnemer precies één keer bevatten; "
            f"probleemwaarde: {example}."
        )
    for s in strata:
        if frame[s].isna().any():
            raise UserFacingError(f"Stratumkolom '{s}' heeft lege waarden; vul die eerst in.")
    design = AllocationDesign(
        arms=tuple(str(a) for a in arms),
        ratios=tuple(int(r) for r in (ratios or [1] * len(arms))),
        strata=tuple(strata),
        block_size=block_size,
        cluster=cluster,
    )
    rng = np.random.default_rng(seed)
    arm = design.draw(frame, unit, rng)
    out = pd.DataFrame({unit: frame[unit].to_numpy()}, index=frame.index)
    if cluster:
        out[cluster] = frame[cluster].to_numpy()
    out["arm"] = arm
    out["stratum"] = stratum_labels(frame, strata)
    log = AllocationLog.create(
        design, seed, when=when, fingerprint=participant_fingerprint(frame, unit, design)
    )
    for u, a, st in zip(out[unit], out["arm"], out["stratum"], strict=True):
        log.append(u, str(a), str(st), when=when)
    if log_path is not None:
        path = Path(log_path)
        if path.exists():
            raise UserFacingError(
                f"Het lotingslogboek '{path}' bestaat al. Een logboek wordt nooit "
                "overschreven; kies een nieuwe bestandsnaam."
            )
        _write_new(path, log.entries)
        log.path = path
    return Allocation(assignments=out, design=design, seed=seed, unit=unit, log=log)


def participant_fingerprint(frame: pd.DataFrame, unit: str, design: AllocationDesign) -> str:
    """SHA-256 of the sorted (unit, stratum, cluster) list: binds a log to its participant list."""
    rows = zip(
        frame[unit].astype(str),
        stratum_labels(frame, design.strata),
        frame[design.cluster].astype(str) if design.cluster else [""] * len(frame),
        strict=True,
    )
    text = json.dumps(sorted([list(r) for r in rows]), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def replay(log: AllocationLog, frame: pd.DataFrame, unit: str) -> bool:
    """True when ``frame`` is the logged participant list and re-running the logged design and
    seed on it reproduces every logged allocation."""
    first = log.entries[0] if log.entries else {}
    if first.get("kind") != "ontwerp":
        return False
    d = first["design"]
    design = AllocationDesign(
        arms=tuple(d["arms"]),
        ratios=tuple(d["ratios"]),
        strata=tuple(d["strata"]),
        block_size=d["block_size"],
        cluster=d["cluster"],
    )
    recorded = first.get("participants", "")
    if recorded and recorded != participant_fingerprint(frame, unit, design):
        return False  # a different participant list than the one that was randomised
    arm = design.draw(frame, unit, np.random.default_rng(int(first["seed"])))
    expected = {str(u): str(a) for u, a in zip(frame[unit], arm, strict=True)}
    logged = {str(e["unit"]): str(e["arm"]) for e in log.entries if e["kind"] == "toewijzing"}
    return expected == logged


# ----------------------------------------------------------------------------- balance


def balance_table(
    frame: pd.DataFrame,
    *,
    arm: str,
    covariates: Sequence[str],
    control: str | None = None,
    threshold: float = 0.1,
) -> BalanceResult:
    """Means per arm and standardised differences against control for baseline covariates.

    Numeric covariates are compared on their mean; other covariates are split into one 0/1
    row per category (the share in each arm). The standardised difference is
    (mean_arm - mean_control) / sqrt((var_arm + var_control) / 2).
    """
    for c in (arm, *covariates):
        if c not in frame:
            raise UserFacingError(f"Kolom '{c}' ontbreekt in de gegevens.")
    arms = [str(a) for a in pd.unique(frame[arm].dropna())]
    if control is None:
        control = "controle" if "controle" in arms else sorted(arms)[0]
    control = str(control)
    if control not in arms:
        raise UserFacingError(f"Controlegroep '{control}' komt niet voor in kolom '{arm}'.")
    treated = [a for a in arms if a != control]
    order = [control, *sorted(treated)]
    labels = frame[arm].astype(str)
    columns: dict[str, pd.Series] = {}
    for c in covariates:
        s = frame[c]
        if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            columns[c] = s.astype(float)
        else:
            for level in sorted(s.dropna().astype(str).unique()):
                columns[f"{c} = {level}"] = (s.astype(str) == level).astype(float).where(s.notna())
    rows = []
    for name, values in columns.items():
        row: dict[str, Any] = {"variable": name}
        stats = {a: values[labels == a].dropna() for a in order}
        for a in order:
            row[f"mean_{a}"] = float(stats[a].mean()) if len(stats[a]) else float("nan")
        for a in order[1:]:
            pooled = np.sqrt((stats[a].var(ddof=1) + stats[control].var(ddof=1)) / 2)
            diff = row[f"mean_{a}"] - row[f"mean_{control}"]
            row[f"smd_{a}"] = float(diff / pooled) if pooled > 0 else 0.0
        rows.append(row)
    n_row: dict[str, Any] = {"variable": "aantal"}
    for a in order:
        n_row[f"mean_{a}"] = int((labels == a).sum())
    table = pd.DataFrame([n_row, *rows])
    return BalanceResult(table=table, control=control, arms=tuple(order), threshold=threshold)
