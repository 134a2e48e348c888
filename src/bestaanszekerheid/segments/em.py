"""EM kernels for the latent class model (log space, chunked, threaded).

Memory stays linear in N: the only per-row arrays are the encoded data; responsibilities
exist one chunk at a time. Each chunk is processed by one thread (numpy releases the GIL in
the gathers, ufuncs and BLAS calls), and chunk results are summed in a fixed order, so a fit
is bit-for-bit deterministic whatever the number of threads.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from bestaanszekerheid.segments.indicators import EncodedData, FloatArray, cell_level_matrix

#: Smallest probability used inside a logarithm: keeps log-probabilities finite (no NaN from
#: -inf - -inf) while changing the log-likelihood by far less than 1e-200.
TINY = np.finfo(np.float64).tiny
LOG_TINY = math.log(TINY)
LOG_2PI = math.log(2.0 * math.pi)

#: Run the random starts side by side when the data span at most this many chunks. On
#: small data this removes the per-call overhead of one pass per start (2-3x faster); on
#: large data the stacked tables fall out of the CPU cache and separate passes are faster.
JOINT_SCREEN_CHUNKS = 2

T = TypeVar("T")


@dataclass(frozen=True)
class Params:
    """Model parameters; continuous indicators on the internal standardised scale."""

    weights: FloatArray  # (G * K,)
    probs: tuple[FloatArray, ...]  # per categorical indicator: (L_j, G * K)
    means: FloatArray  # (C, G * K)
    variances: FloatArray  # (C, G * K)
    #: Number of independent models stacked side by side (G random starts screened in one
    #: pass over the data); every other field holds G blocks of K classes.
    n_groups: int = 1

    @property
    def n_columns(self) -> int:
        return int(self.weights.size)

    @property
    def n_classes(self) -> int:
        return int(self.weights.size) // self.n_groups

    @staticmethod
    def stack(models: Sequence[Params]) -> Params:
        """Put G single models side by side (column blocks of K classes)."""
        return Params(
            weights=np.concatenate([m.weights for m in models]),
            probs=tuple(
                np.hstack([m.probs[j] for m in models]) for j in range(len(models[0].probs))
            ),
            means=np.hstack([m.means for m in models]),
            variances=np.hstack([m.variances for m in models]),
            n_groups=len(models),
        )

    def unstack(self) -> list[Params]:
        """Split stacked models back into G single models."""
        k = self.n_classes
        out = []
        for g in range(self.n_groups):
            cols = slice(g * k, (g + 1) * k)
            out.append(
                Params(
                    weights=self.weights[cols].copy(),
                    probs=tuple(p[:, cols].copy() for p in self.probs),
                    means=self.means[:, cols].copy(),
                    variances=self.variances[:, cols].copy(),
                )
            )
        return out


@dataclass
class Stats:
    """Sufficient statistics from one E-step (summed over chunks)."""

    loglik: float
    group_logliks: FloatArray  # (G,): log-likelihood of each stacked model
    class_totals: FloatArray  # (K,)
    cell_counts: FloatArray  # (sum of block cells, K)
    moments: FloatArray  # (3C, K): sum r*observed, sum r*x, sum r*x^2


@dataclass
class Run:
    """State of one random start."""

    params: Params
    loglik: float = -np.inf
    n_iter: int = 0
    converged: bool = False
    seed: int = 0
    #: Statistics of the E-step at ``params`` (saves one E-step when a run is continued).
    stats: Stats | None = None
    #: Log-likelihood of the parameters before the last M-step.
    prev_loglik: float = -np.inf


@dataclass
class PosteriorSummary:
    """Aggregates of the posterior class probabilities over the (weighted) data."""

    entropy: float  # - sum_i w_i sum_k r_ik log r_ik
    modal_totals: FloatArray  # (K,) weighted count of rows assigned to k
    modal_posterior: FloatArray  # (K,) sum of r_ik over rows assigned to k
    max_posterior_sum: float  # sum_i w_i max_k r_ik
    cross: FloatArray  # (K, K): sum_i w_i r_ik [modal_i == s]  (BCH matrix before scaling)
    class_totals: FloatArray  # (K,)
    total_weight: float


def random_params(data: EncodedData, n_classes: int, rng: np.random.Generator) -> Params:
    """A random start: Dirichlet(1) response probabilities, standard-normal means."""
    probs = tuple(rng.dirichlet(np.ones(n), size=n_classes).T.copy() for n in data.n_levels)
    c = data.n_continuous
    return Params(
        weights=np.full(n_classes, 1.0 / n_classes),
        probs=probs,
        means=rng.standard_normal((c, n_classes)),
        variances=np.ones((c, n_classes)),
    )


class Kernel:
    """E- and M-steps on one encoded data set."""

    def __init__(
        self,
        data: EncodedData,
        *,
        chunk_size: int = 8192,
        n_threads: int = 1,
        smoothing: float = 0.0,
        reg_covar: float = 1e-6,
    ) -> None:
        self.data = data
        self.chunk_size = chunk_size
        self.chunks = data.chunks(chunk_size)
        self._local = threading.local()
        # Transposed views made once: scipy builds a new object on every ``.T``.
        self.onehot_t = [onehot.T for _, _, onehot in self.chunks]
        self.n_threads = max(1, min(n_threads, len(self.chunks)))
        self.smoothing = smoothing
        self.reg_covar = reg_covar
        self.cell_offsets = np.cumsum([0] + [b.n_cells for b in data.blocks])
        self.cell_levels = cell_level_matrix(data.blocks)
        self._pool = ThreadPoolExecutor(self.n_threads) if self.n_threads > 1 else None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def _map(self, fn: Callable[[int], T]) -> list[T]:
        if self._pool is None:
            return [fn(i) for i in range(len(self.chunks))]
        return list(self._pool.map(fn, range(len(self.chunks))))

    # ----------------------------------------------------------------- tables
    def tables(self, params: Params) -> tuple[list[FloatArray], FloatArray, FloatArray]:
        """Log-probability table per block (K, cells), Gaussian coefficients, log weights."""
        log_w = np.log(np.maximum(params.weights, TINY))
        k = params.n_columns
        block_tables = []
        if self.data.blocks:
            # log P per indicator with an extra row of zeros: the "missing" level contributes
            # nothing (FIML). One sparse product sums them into every cell of every block.
            stacked = np.vstack(
                [np.vstack([np.log(np.maximum(p, TINY)), np.zeros((1, k))]) for p in params.probs]
            )
            all_cells = np.asarray(self.cell_levels @ stacked).T
            for lo, hi in zip(self.cell_offsets[:-1], self.cell_offsets[1:], strict=True):
                block_tables.append(np.ascontiguousarray(all_cells[:, lo:hi]))
        c = self.data.n_continuous
        coef = np.empty((3 * c, k))
        if c:
            var = params.variances
            coef[:c] = -0.5 * (LOG_2PI + np.log(var)) - 0.5 * params.means**2 / var
            coef[:c] -= self.data.log_scales[:, None]
            coef[c : 2 * c] = params.means / var
            coef[2 * c :] = -0.5 / var
        return block_tables, coef, log_w

    def _log_joint(
        self, i: int, tables: tuple[list[FloatArray], FloatArray, FloatArray]
    ) -> FloatArray:
        """log p(x_i, class k) for the rows of chunk i, shape (K, rows).

        Classes are the *first* axis: the per-row max and sum over classes then become
        element-wise operations over K contiguous vectors, much faster than reductions along
        a short last axis.
        """
        lo, hi, _ = self.chunks[i]
        block_tables, coef, log_w = tables
        out, tmp = self._scratch(log_w.size, hi - lo)
        out[:] = log_w[:, None]
        for table, codes in zip(block_tables, self.data.block_codes, strict=True):
            np.take(table, codes[lo:hi], axis=1, out=tmp)
            out += tmp
        if coef.shape[0]:
            np.matmul(coef.T, self.data.design[:, lo:hi], out=tmp)
            out += tmp
        return out

    def _scratch(self, k: int, n: int) -> tuple[FloatArray, FloatArray]:
        """Two reusable (k, n) work arrays per thread.

        Allocating fresh chunk-sized arrays every iteration costs page faults that dominate
        the arithmetic and serialise the threads; reusing them keeps both cores busy. Callers
        must copy a result out before the thread processes its next chunk.
        """
        bufs: list[FloatArray] | None = getattr(self._local, "bufs", None)
        size = k * self.chunk_size
        if bufs is None or bufs[0].size < size:
            bufs = [np.empty(size), np.empty(size)]
            self._local.bufs = bufs
        return bufs[0][: k * n].reshape(k, n), bufs[1][: k * n].reshape(k, n)

    @staticmethod
    def _normalise(log_joint: FloatArray, n_groups: int = 1) -> FloatArray:
        """Turn log p(x, k) (G*K, rows) into posteriors in place; return log p(x), (G, rows).

        Each of the G stacked models is normalised over its own K classes.
        """
        g = n_groups
        view = log_joint.reshape(g, -1, log_joint.shape[1])
        row_max = view.max(axis=1)
        view -= row_max[:, None, :]
        np.exp(view, out=view)
        total = view.sum(axis=1)
        view /= total[:, None, :]
        np.log(total, out=total)
        total += row_max
        out: FloatArray = total
        return out

    # ----------------------------------------------------------------- E-step
    def e_step(self, params: Params) -> Stats:
        """Log-likelihood and sufficient statistics at ``params``."""
        tables = self.tables(params)
        data = self.data
        unit = data.unit_weights
        g = params.n_groups

        def work(i: int) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
            lo, hi, _ = self.chunks[i]
            onehot_t = self.onehot_t[i]
            resp = self._log_joint(i, tables)
            row_ll = self._normalise(resp, g)
            if unit:
                ll = row_ll.sum(axis=1)
            else:
                w = data.weights[lo:hi]
                ll = row_ll @ w
                resp *= w
            cells = (onehot_t @ resp.T) if data.blocks else np.empty((0, resp.shape[0]))
            moments = data.design[:, lo:hi] @ resp.T
            return ll, resp.sum(axis=1), np.asarray(cells), moments

        parts = self._map(work)
        group_ll = np.array([math.fsum(p[0][j] for p in parts) for j in range(g)])
        return Stats(
            loglik=float(group_ll.sum()),
            group_logliks=group_ll,
            class_totals=np.sum([p[1] for p in parts], axis=0),
            cell_counts=np.sum([p[2] for p in parts], axis=0),
            moments=np.sum([p[3] for p in parts], axis=0),
        )

    # ----------------------------------------------------------------- M-step
    def m_step(self, stats: Stats, previous: Params) -> Params:
        """Maximum-likelihood (optionally smoothed) parameters from sufficient statistics."""
        g = previous.n_groups
        totals = stats.class_totals.reshape(g, -1)
        weights = (totals / np.maximum(totals.sum(axis=1, keepdims=True), TINY)).ravel()
        level_counts = np.asarray(self.cell_levels.T @ stats.cell_counts)
        counts = []
        start = 0
        for n_levels in self.data.n_levels:
            counts.append(level_counts[start : start + n_levels])
            start += n_levels + 1  # skip the "missing" level
        probs = []
        for j, cnt in enumerate(counts):
            num = cnt + self.smoothing
            den = num.sum(axis=0, keepdims=True)
            # A class with no observed answer on this indicator keeps its previous
            # probabilities instead of dividing by zero.
            p = np.where(den > 0, num / np.where(den > 0, den, 1.0), previous.probs[j])
            probs.append(p)
        c = self.data.n_continuous
        means, variances = previous.means, previous.variances
        if c:
            m = stats.moments
            n_obs = m[:c]
            ok = n_obs > TINY * 1e10
            safe = np.where(ok, n_obs, 1.0)
            mu = m[c : 2 * c] / safe
            var = np.maximum(m[2 * c :] / safe - mu**2, 0.0) + self.reg_covar
            means = np.where(ok, mu, previous.means)
            variances = np.where(ok, var, previous.variances)
        return Params(
            weights=weights, probs=tuple(probs), means=means, variances=variances, n_groups=g
        )

    # ----------------------------------------------------------------- EM loop
    def run(self, run: Run, max_iter: int, tol: float) -> Run:
        """Continue EM from ``run`` for at most ``max_iter`` more M-steps.

        Convergence: the change in the average log-likelihood per (weighted) row between two
        successive parameter sets is below ``tol``. The returned log-likelihood belongs
        exactly to the returned parameters (the last E-step is never skipped).
        """
        total_w = max(self.data.total_weight, TINY)
        params = run.params
        stats = run.stats if run.stats is not None else self.e_step(params)
        prev = run.prev_loglik
        n_iter = run.n_iter

        def done() -> bool:
            return bool(np.isfinite(prev)) and abs(stats.loglik - prev) / total_w < tol

        for _ in range(max_iter):
            if done():
                break
            new_params = self.m_step(stats, params)
            prev = stats.loglik
            params = new_params
            stats = self.e_step(params)
            n_iter += 1
        return Run(params, stats.loglik, n_iter, done(), run.seed, stats, prev)

    def run_stacked(self, runs: Sequence[Run], n_iter: int, tol: float) -> list[Run]:
        """Run several starts side by side for at most ``n_iter`` more EM iterations.

        Stacking the starts shares the reading of the data and the per-call overhead; the
        models stay independent (separate normalisation and class weights per start). The
        loop stops when every start has converged; a start that converged earlier keeps
        taking EM steps meanwhile, which can only raise its likelihood.
        """
        total_w = max(self.data.total_weight, TINY)
        params = Params.stack([r.params for r in runs])
        stats = self.e_step(params)
        prev = np.array([r.prev_loglik for r in runs])

        def done() -> npt.NDArray[np.bool_]:
            with np.errstate(invalid="ignore"):
                change = np.abs(stats.group_logliks - prev) / total_w
            out: npt.NDArray[np.bool_] = np.isfinite(prev) & (change < tol)
            return out

        n_done = 0
        for _ in range(n_iter):
            if done().all():
                break
            new_params = self.m_step(stats, params)
            prev = stats.group_logliks
            params = new_params
            stats = self.e_step(params)
            n_done += 1
        final = done()
        return [
            Run(
                p,
                float(stats.group_logliks[g]),
                runs[g].n_iter + n_done,
                bool(final[g]),
                runs[g].seed,
                None,
                float(prev[g]),
            )
            for g, p in enumerate(params.unstack())
        ]

    # ----------------------------------------------------------------- posteriors
    def posterior_summary(self, params: Params) -> PosteriorSummary:
        """Classification statistics from one pass over the data (no N x K array kept)."""
        tables = self.tables(params)
        data = self.data
        k = params.n_classes

        def work(i: int) -> tuple[float, FloatArray, FloatArray, float, FloatArray, FloatArray]:
            lo, hi, _ = self.chunks[i]
            resp = self._log_joint(i, tables)
            self._normalise(resp)
            w = data.weights[lo:hi]
            plogp = resp * np.log(np.maximum(resp, TINY))
            entropy = -float(plogp.sum(axis=0) @ w)
            modal = resp.argmax(axis=0)
            rmax = resp[modal, np.arange(hi - lo)]
            modal_totals = np.bincount(modal, weights=w, minlength=k).astype(np.float64)
            modal_post = np.bincount(modal, weights=w * rmax, minlength=k).astype(np.float64)
            onehot = sp.csr_matrix((w, (np.arange(hi - lo), modal)), shape=(hi - lo, k))
            cross = np.asarray(onehot.T @ resp.T, dtype=np.float64).T
            return entropy, modal_totals, modal_post, float(w @ rmax), cross, resp @ w

        parts = self._map(work)
        return PosteriorSummary(
            entropy=math.fsum(p[0] for p in parts),
            modal_totals=np.sum([p[1] for p in parts], axis=0),
            modal_posterior=np.sum([p[2] for p in parts], axis=0),
            max_posterior_sum=math.fsum(p[3] for p in parts),
            cross=np.sum([p[4] for p in parts], axis=0),
            class_totals=np.sum([p[5] for p in parts], axis=0),
            total_weight=data.total_weight,
        )

    def posteriors(self, params: Params) -> tuple[FloatArray, FloatArray]:
        """Posterior class probabilities (n_rows, K) and log p(x) per row."""
        tables = self.tables(params)

        def work(i: int) -> tuple[FloatArray, FloatArray]:
            resp = self._log_joint(i, tables)
            row_ll = self._normalise(resp)[0]
            return resp.T.copy(), row_ll

        parts = self._map(work)
        if not parts:
            return np.empty((0, params.n_classes)), np.empty(0)
        return np.vstack([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def fit_starts(
    kernel: Kernel,
    starts: Sequence[Run],
    *,
    screen_iter: int,
    n_keep: int,
    max_iter: int,
    tol: float,
    parallel_starts: ThreadPoolExecutor | None = None,
) -> tuple[Run, list[Run]]:
    """Screen all starts for ``screen_iter`` iterations, continue the best ``n_keep``.

    Poor starts are discarded early (the Latent GOLD "start sets" strategy): most of the
    cost of many random starts is in their slow tail, which we only pay for the best few.
    Returns the best run and all runs in their final state (for reporting).
    """

    def go(run: Run, iters: int) -> Run:
        return kernel.run(run, iters, tol)

    stacked = kernel.data.n_rows <= JOINT_SCREEN_CHUNKS * kernel.chunk_size

    def run_all(runs: Sequence[Run], iters: int) -> list[Run]:
        if not runs:
            return []
        if stacked:
            return kernel.run_stacked(runs, iters, tol)
        if parallel_starts is not None:
            return list(parallel_starts.map(lambda r: go(r, iters), runs))
        return [go(r, iters) for r in runs]

    n_screen = min(screen_iter, max_iter)
    screened = run_all(starts, n_screen)
    # Ties broken by start order, so the choice is deterministic.
    order = sorted(range(len(screened)), key=lambda i: (-screened[i].loglik, i))
    keep = order[: max(1, n_keep)]
    todo = [i for i in keep if not screened[i].converged]
    continued = run_all([screened[i] for i in todo], max_iter - min(screen_iter, max_iter))
    final = list(screened)
    for i, run in zip(todo, continued, strict=True):
        final[i] = run
    best_idx = min(keep, key=lambda i: (-final[i].loglik, i))
    return final[best_idx], final


def sort_by_size(params: Params) -> tuple[Params, np.ndarray]:
    """Order classes by decreasing weight so labels are canonical across runs."""
    order = np.argsort(-params.weights, kind="stable")
    return (
        replace(
            params,
            weights=params.weights[order],
            probs=tuple(p[:, order] for p in params.probs),
            means=params.means[:, order],
            variances=params.variances[:, order],
        ),
        order,
    )
