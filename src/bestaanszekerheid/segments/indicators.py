"""Indicator specification and one-time encoding of the data for the EM kernels.

Categorical indicators become integer codes once (missing = an extra code whose
log-probability is always 0, so a missing cell does not contribute: full-information ML).
Several categorical indicators are packed into one *block code* (mixed radix), so the
E-step gathers one small table per block instead of one per indicator. Continuous
indicators are standardised and stored as a design ``[observed, x, x**2]`` that turns the
Gaussian log-density into one matrix product.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from bestaanszekerheid.errors import UserFacingError

IndicatorKind = Literal["categorical", "binary", "continuous"]

#: Accepted kind names in a user spec; "ordinal" is modelled as categorical (nominal).
KIND_ALIASES: dict[str, IndicatorKind] = {
    "categorical": "categorical",
    "categorisch": "categorical",
    "nominal": "categorical",
    "nominaal": "categorical",
    "ordinal": "categorical",
    "ordinaal": "categorical",
    "binary": "binary",
    "binair": "binary",
    "continuous": "continuous",
    "continu": "continuous",
    "numeriek": "continuous",
}

#: A numeric column with integer values and at most this many distinct values is inferred
#: to be categorical (codes such as 1..5 read from CSV, possibly as float because of NaN).
MAX_INFERRED_LEVELS = 10

#: Largest number of cells in one block of packed categorical indicators. Small enough that
#: the block's log-probability table (cells x classes) stays in the CPU cache.
MAX_BLOCK_CELLS = 4096

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator as fitted: its name, kind and (for categorical) its levels in order."""

    name: str
    kind: IndicatorKind
    levels: tuple[Any, ...] = ()
    #: Location and scale used to standardise a continuous indicator internally.
    center: float = 0.0
    scale: float = 1.0

    @property
    def is_categorical(self) -> bool:
        return self.kind != "continuous"

    @property
    def n_levels(self) -> int:
        return len(self.levels)


@dataclass(frozen=True)
class Block:
    """Categorical indicators packed into one mixed-radix code (missing = last digit value)."""

    members: tuple[int, ...]  # positions in the list of categorical indicators
    radices: tuple[int, ...]  # n_levels + 1 per member (the +1 is "missing")

    @property
    def n_cells(self) -> int:
        return int(np.prod(self.radices))


@dataclass
class EncodedData:
    """Data ready for EM: block codes, continuous design and row weights (rows may be patterns)."""

    n_rows: int
    weights: FloatArray
    blocks: list[Block]
    #: One contiguous int32 array of block codes per block, length n_rows.
    block_codes: list[npt.NDArray[np.int32]]
    #: Continuous design (3 * n_continuous, n_rows): observed indicator, x, x**2 (x = 0 if
    #: missing); stored transposed so a chunk of rows is a contiguous slice per row of it.
    design: FloatArray
    n_levels: list[int]  # per categorical indicator
    n_continuous: int
    #: log of the scale used to standardise each continuous indicator: the Jacobian that
    #: turns the density of the standardised value into the density in original units.
    log_scales: FloatArray
    #: Maps original rows to rows of this object when patterns were collapsed.
    inverse: IntArray | None = None
    #: True when every row has weight 1 (lets the kernels skip the multiplications).
    unit_weights: bool = False
    _chunk_cache: dict[int, list[tuple[int, int, sp.csr_matrix]]] = field(default_factory=dict)

    @property
    def total_weight(self) -> float:
        return float(self.weights.sum())

    def chunks(self, size: int) -> list[tuple[int, int, sp.csr_matrix]]:
        """Row ranges with a sparse one-hot of the block codes, built once per chunk size.

        The one-hot has exactly one entry per block and row (missing is a cell of its own), so
        ``onehot.T @ responsibilities`` yields all categorical sufficient statistics at once.
        """
        cached = self._chunk_cache.get(size)
        if cached is not None:
            return cached
        offsets = np.cumsum([0] + [b.n_cells for b in self.blocks])
        n_blocks = len(self.blocks)
        out: list[tuple[int, int, sp.csr_matrix]] = []
        for lo in range(0, max(self.n_rows, 1), size):
            hi = min(self.n_rows, lo + size)
            n = hi - lo
            if n_blocks:
                idx = np.empty((n, n_blocks), dtype=np.int32)
                for b, codes in enumerate(self.block_codes):
                    idx[:, b] = codes[lo:hi] + offsets[b]
                onehot = sp.csr_matrix(
                    (
                        np.ones(n * n_blocks),
                        idx.ravel(),
                        np.arange(0, n * n_blocks + 1, n_blocks, dtype=np.int64),
                    ),
                    shape=(n, int(offsets[-1])),
                )
            else:
                onehot = sp.csr_matrix((n, 0))
            out.append((lo, hi, onehot))
        self._chunk_cache[size] = out
        return out


def normalise_kind(kind: str, name: str) -> IndicatorKind:
    """Map a user-given kind (English or Dutch) to the internal kind."""
    try:
        return KIND_ALIASES[kind.strip().lower()]
    except KeyError:
        allowed = ", ".join(sorted(KIND_ALIASES))
        raise UserFacingError(
            f"Onbekend type '{kind}' voor indicator '{name}'. Kies uit: {allowed}."
        ) from None


def infer_kind(column: pd.Series[Any]) -> IndicatorKind:
    """Infer an indicator kind from a pandas column (documented rules, see module docs)."""
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "binary"
    if not pd.api.types.is_numeric_dtype(dtype):
        return "categorical"  # category, object, string
    values = column.dropna().to_numpy(dtype=np.float64)
    if (
        values.size
        and np.all(np.isfinite(values))
        and np.all(values == np.round(values))
        and np.unique(values).size <= MAX_INFERRED_LEVELS
    ):
        return "categorical"
    return "continuous"


def build_specs(
    frame: pd.DataFrame,
    indicators: Mapping[str, str] | Sequence[str] | None,
    sample_weight: FloatArray | None = None,
) -> list[IndicatorSpec]:
    """Fix the indicators (names, kinds, levels, scaling) from the training data.

    Rows with weight 0 do not count: a level seen only there is not a level of the model,
    and the standardisation of continuous indicators uses the weighted mean and spread (so
    a zero weight is the same as leaving the row out, random starts included).
    """
    if sample_weight is not None and np.any(sample_weight <= 0):
        frame = frame.loc[sample_weight > 0]
        sample_weight = sample_weight[sample_weight > 0]
    if indicators is None:
        names = [str(c) for c in frame.columns]
        kinds: dict[str, str | None] = dict.fromkeys(names)
    elif isinstance(indicators, Mapping):
        names = [str(c) for c in indicators]
        kinds = {str(k): v for k, v in indicators.items()}
    else:
        names = [str(c) for c in indicators]
        kinds = dict.fromkeys(names)
    if not names:
        raise UserFacingError("Geen indicatoren opgegeven.")
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise UserFacingError(
            "Deze indicatoren staan niet in de gegevens: " + ", ".join(missing) + "."
        )
    specs = []
    for name in names:
        col = frame[name]
        if not col.notna().any():
            raise UserFacingError(
                f"Indicator '{name}' heeft geen enkele ingevulde waarde en kan niet meedoen."
            )
        given = kinds[name]
        kind = infer_kind(col) if given is None else normalise_kind(given, name)
        if kind == "continuous":
            values = pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64)
            if np.any(np.isinf(values)):
                raise ValueError(f"Indicator {name!r} contains infinite values.")
            mask = ~np.isnan(values)
            obs = values[mask]
            w = np.ones(obs.size) if sample_weight is None else sample_weight[mask]
            center, scale = 0.0, 1.0
            if obs.size and w.sum() > 0:
                center = float(np.average(obs, weights=w))
                scale = float(np.sqrt(np.average((obs - center) ** 2, weights=w)))
            specs.append(
                IndicatorSpec(name, kind, center=center, scale=scale if scale > 0 else 1.0)
            )
            continue
        if isinstance(col.dtype, pd.CategoricalDtype):
            present = set(col.dropna().unique().tolist())
            levels = tuple(c for c in col.cat.categories if c in present)
        else:
            levels = tuple(_sorted_levels(col.dropna().unique().tolist()))
        if kind == "binary" and len(levels) > 2:
            raise UserFacingError(
                f"Indicator '{name}' is als binair opgegeven maar heeft {len(levels)} waarden."
            )
        specs.append(IndicatorSpec(name, kind, levels=levels))
    return specs


def _sorted_levels(values: list[Any]) -> list[Any]:
    try:
        return sorted(values)
    except TypeError:  # mixed types: sort on text, deterministic
        return sorted(values, key=str)


def make_blocks(n_levels: Sequence[int]) -> list[Block]:
    """Greedily pack consecutive categorical indicators into blocks of <= MAX_BLOCK_CELLS cells."""
    blocks: list[Block] = []
    members: list[int] = []
    radices: list[int] = []
    cells = 1
    for j, n in enumerate(n_levels):
        r = n + 1
        if members and cells * r > MAX_BLOCK_CELLS:
            blocks.append(Block(tuple(members), tuple(radices)))
            members, radices, cells = [], [], 1
        members.append(j)
        radices.append(r)
        cells *= r
    if members:
        blocks.append(Block(tuple(members), tuple(radices)))
    return blocks


def category_codes(frame: pd.DataFrame, specs: Sequence[IndicatorSpec]) -> list[IntArray]:
    """Integer codes 0..L-1 per categorical indicator; missing and unseen levels become L."""
    out = []
    for spec in specs:
        if not spec.is_categorical:
            continue
        col = frame[spec.name]
        # pandas recodes (hash-based, no Python objects per row); values that are not a
        # fitted level get code -1.
        codes = pd.Categorical(col, categories=pd.Index(list(spec.levels))).codes
        codes = np.asarray(codes, dtype=np.intp)
        # Unseen levels (only possible at predict time) are treated like missing: they carry no
        # information under the fitted model.
        codes[codes < 0] = spec.n_levels
        out.append(codes)
    return out


def encode(
    frame: pd.DataFrame,
    specs: Sequence[IndicatorSpec],
    sample_weight: FloatArray | None = None,
    *,
    collapse: bool = True,
) -> EncodedData:
    """Encode the data once for EM; collapse duplicate rows (patterns get the summed weight)."""
    n = len(frame)
    weights = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    n_levels = [s.n_levels for s in specs if s.is_categorical]
    blocks = make_blocks(n_levels)
    codes = category_codes(frame, specs)
    block_codes: list[npt.NDArray[np.int64]] = []
    for block in blocks:
        bc = np.zeros(n, dtype=np.int64)
        for member, radix in zip(block.members, block.radices, strict=True):
            bc = bc * radix + codes[member]
        block_codes.append(bc)
    cont = [s for s in specs if not s.is_categorical]
    design = np.zeros((3 * len(cont), n))
    for c, spec in enumerate(cont):
        x = pd.to_numeric(frame[spec.name], errors="coerce").to_numpy(dtype=np.float64)
        if np.any(np.isinf(x)):
            raise ValueError(f"Indicator {spec.name!r} contains infinite values.")
        obs = ~np.isnan(x)
        z = np.where(obs, (x - spec.center) / spec.scale, 0.0)
        design[c] = obs
        design[len(cont) + c] = z
        design[2 * len(cont) + c] = z * z
    inverse: IntArray | None = None
    if collapse and not cont and n > 0 and blocks:
        block_codes, weights, inverse = _collapse(blocks, block_codes, weights)
        n = weights.size
        design = np.zeros((0, n))
    elif collapse and cont and n > 0:
        block_codes, design, weights, inverse = _collapse_mixed(block_codes, design, weights)
        n = weights.size
    return EncodedData(
        n_rows=n,
        weights=weights,
        blocks=blocks,
        block_codes=[np.ascontiguousarray(b, dtype=np.int32) for b in block_codes],
        design=design,
        n_levels=n_levels,
        n_continuous=len(cont),
        log_scales=np.log(np.array([s.scale for s in cont], dtype=np.float64)),
        inverse=inverse,
        unit_weights=bool(np.all(weights == 1.0)),
    )


def _collapse(
    blocks: Sequence[Block],
    block_codes: list[npt.NDArray[np.int64]],
    weights: FloatArray,
) -> tuple[list[npt.NDArray[np.int64]], FloatArray, IntArray]:
    """Merge identical response patterns; their weights add up (exact for the likelihood)."""
    cells = [b.n_cells for b in blocks]
    total = 1
    for c in cells:
        total *= c
    if total < 2**62:
        key = np.zeros(weights.size, dtype=np.int64)
        for bc, c in zip(block_codes, cells, strict=True):
            key = key * c + bc
        uniq, inverse = np.unique(key, return_inverse=True)
        out = []
        for c in reversed(cells):
            out.append(uniq % c)
            uniq = uniq // c
        out.reverse()
    else:  # too many cells for one integer key: compare rows
        stacked = np.stack(block_codes, axis=1)
        uniq2, inverse = np.unique(stacked, axis=0, return_inverse=True)
        out = [np.ascontiguousarray(uniq2[:, b]) for b in range(len(blocks))]
    inverse = inverse.ravel()
    new_weights = np.bincount(inverse, weights=weights, minlength=out[0].size).astype(np.float64)
    return out, new_weights, inverse.astype(np.intp)


def _collapse_mixed(
    block_codes: list[npt.NDArray[np.int64]],
    design: FloatArray,
    weights: FloatArray,
) -> tuple[list[npt.NDArray[np.int64]], FloatArray, FloatArray, IntArray]:
    """Merge identical rows when there are continuous indicators too (exact for the
    likelihood): rows agree on every block code and on every continuous value (a missing value
    is its own value). Ages in whole years, say, repeat a lot: 18,000 households of the demo
    are about 7,900 distinct rows."""
    c = design.shape[0] // 3
    n = weights.size
    columns = [b.astype(np.float64) for b in block_codes]
    columns += [np.where(design[j] > 0, design[c + j], np.inf) for j in range(c)]
    table = np.stack(columns, axis=1) if columns else np.zeros((n, 0))
    _, first, inverse = np.unique(table, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.ravel()
    if first.size == n:  # nothing repeats: keep the original order, no mapping
        return block_codes, design, weights, np.arange(n, dtype=np.intp)
    new_weights = np.bincount(inverse, weights=weights, minlength=first.size).astype(np.float64)
    out_codes = [np.ascontiguousarray(b[first]) for b in block_codes]
    return out_codes, np.ascontiguousarray(design[:, first]), new_weights, inverse.astype(np.intp)


def cell_level_matrix(blocks: Sequence[Block]) -> sp.csr_matrix:
    """Sparse 0/1 matrix (all block cells x all levels incl. "missing") linking the two.

    Cell ``c`` of a block has, for each member indicator, one level (its digit in the mixed
    radix code). With this matrix ``M``, block log-probability tables are ``M @ logp`` and
    per-indicator counts are ``M.T @ cell_counts``: one sparse product each per iteration.
    """
    rows, cols = [], []
    cell_start = level_start = 0
    for block in blocks:
        cells = np.arange(block.n_cells)
        stride = block.n_cells
        for radix in block.radices:
            stride //= radix
            rows.append(cells + cell_start)
            cols.append((cells // stride) % radix + level_start)
            level_start += radix
        cell_start += block.n_cells
    if not rows:
        return sp.csr_matrix((0, 0))
    r, c = np.concatenate(rows), np.concatenate(cols)
    return sp.csr_matrix((np.ones(r.size), (r, c)), shape=(cell_start, level_start))
