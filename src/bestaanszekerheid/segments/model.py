"""The latent class model: a scikit-learn compatible estimator with mixed indicators."""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from bestaanszekerheid.segments import em
from bestaanszekerheid.segments.fit_stats import (
    ClassificationQuality,
    InformationCriteria,
    classification_quality,
    information_criteria,
    n_free_parameters,
)
from bestaanszekerheid.segments.indicators import (
    EncodedData,
    FloatArray,
    IndicatorSpec,
    build_specs,
    encode,
)


class LatentClassModel(BaseEstimator):  # type: ignore[misc]
    """Latent class analysis with categorical, binary and continuous indicators.

    Categorical indicators have class-specific response probabilities, continuous indicators
    a class-specific Gaussian mean and variance; all indicators are independent within a
    class (local independence). Missing cells are skipped in the likelihood (full-information
    maximum likelihood), never list-wise deleted. Estimation is EM in log space.

    Parameters
    ----------
    n_classes : int
        Number of latent classes.
    indicators : mapping or sequence of column names, optional
        Which columns are indicators and of what kind: ``{"inkomen": "continuous",
        "schulden": "binary", "woonvorm": "categorical"}`` ("ordinal" is modelled as
        categorical). A list of names, or ``None`` for all columns, infers the kind:
        bool -> binary; text/category -> categorical; numeric with integer values and at most
        10 distinct values -> categorical; other numeric -> continuous.
    n_init : int
        Number of random starts.
    init_iter : int
        EM iterations every start gets before the poorer starts are discarded.
    n_keep : int
        Number of best starts that are continued to convergence.
    max_iter : int
        Maximum total number of EM iterations per start.
    tol : float
        Convergence when the average log-likelihood per household changes less than this.
    smoothing : float
        Pseudo-count added to every level of every categorical indicator in every class
        (a symmetric Dirichlet prior; the fit is then a posterior mode). Default 0: plain
        maximum likelihood, equal to poLCA and StepMix.
    reg_covar : float
        Added to the variances of continuous indicators (on the standardised scale) so a
        class cannot collapse onto one value.
    random_state : int, RandomState or None
        Seed for the random starts; the same seed gives the same fit and the same labels.
    n_jobs : int or None
        Threads; ``None`` or ``-1`` uses all cores.
    chunk_size : int
        Rows per chunk; bounds the memory of the responsibilities.

    Attributes (after ``fit``)
    --------------------------
    weights_ : class sizes (shares), sorted descending; class 0 is the largest.
    probabilities_ : dict indicator -> array (n_classes, n_levels).
    means_, variances_ : arrays (n_classes, n_continuous) in the original units.
    loglik_ : log-likelihood of the returned parameters (weighted).
    n_iter_, converged_ : EM iterations of the best start and whether it met ``tol``
        (a ``ConvergenceWarning`` is raised when it did not).
    start_logliks_ : log-likelihood of every start where it stopped (discarded starts after
        ``init_iter`` iterations).
    n_parameters_, n_samples_ : free parameters and sum of the weights (for BIC etc.).
    entropy_r2_, avepp_, classification_error_, classification_matrix_ : classification
        quality on the training data (see :mod:`bestaanszekerheid.segments.fit_stats`).
    indicator_specs_ : the indicators as fitted (kind, levels, scaling).

    Examples
    --------
    >>> model = LatentClassModel(3, indicators={"schulden": "binair", "inkomen": "continu",
    ...     "woonvorm": "categorisch"}, random_state=1).fit(df)  # doctest: +SKIP
    >>> model.parameter_tables()["woonvorm"]  # doctest: +SKIP
    """

    def __init__(
        self,
        n_classes: int = 2,
        *,
        indicators: Mapping[str, str] | Sequence[str] | None = None,
        n_init: int = 10,
        init_iter: int = 10,
        n_keep: int = 2,
        max_iter: int = 1000,
        tol: float = 1e-8,
        smoothing: float = 0.0,
        reg_covar: float = 1e-6,
        random_state: int | np.random.RandomState | None = None,
        n_jobs: int | None = None,
        chunk_size: int = 8192,
    ) -> None:
        self.n_classes = n_classes
        self.indicators = indicators
        self.n_init = n_init
        self.init_iter = init_iter
        self.n_keep = n_keep
        self.max_iter = max_iter
        self.tol = tol
        self.smoothing = smoothing
        self.reg_covar = reg_covar
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.chunk_size = chunk_size

    # ------------------------------------------------------------------ input
    def _frame(self, X: Any, *, reset: bool) -> pd.DataFrame:
        """Validate ``X`` and return it as a DataFrame whose columns are the indicators."""
        if isinstance(X, pd.DataFrame):
            validate_data(self, X, reset=reset, skip_check_array=True)
            if X.shape[0] == 0:
                raise ValueError("Found array with 0 sample(s) (shape=(0, ...)).")
            if not all(isinstance(c, str) for c in X.columns):
                X = X.rename(columns=str)  # indicators are addressed by name
            frame: pd.DataFrame = X
            return frame
        arr = validate_data(self, X, reset=reset, ensure_all_finite="allow-nan", dtype=np.float64)
        return pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])])

    def _check_params(self) -> None:
        if not isinstance(self.n_classes, int | np.integer) or self.n_classes < 1:
            raise ValueError(f"n_classes must be a positive integer, got {self.n_classes!r}.")
        for name in ("n_init", "n_keep", "max_iter", "chunk_size"):
            value = getattr(self, name)
            if not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}.")
        if self.init_iter < 0 or self.tol < 0 or self.smoothing < 0 or self.reg_covar < 0:
            raise ValueError("init_iter, tol, smoothing and reg_covar must be >= 0.")

    def _threads(self) -> int:
        cores = os.cpu_count() or 1
        if self.n_jobs is None or self.n_jobs < 0:
            return cores
        return max(1, min(int(self.n_jobs), cores))

    @staticmethod
    def _weights(sample_weight: Any, n: int) -> FloatArray | None:
        if sample_weight is None:
            return None
        w = np.asarray(sample_weight, dtype=np.float64).reshape(-1)
        if w.shape[0] != n:
            raise ValueError(f"sample_weight has {w.shape[0]} values for {n} rows.")
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError("sample_weight must be finite and non-negative.")
        return w

    # ------------------------------------------------------------------ fit
    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> LatentClassModel:
        """Estimate the model by EM from ``n_init`` random starts; returns ``self``."""
        self._check_params()
        frame = self._frame(X, reset=True)
        weights = self._weights(sample_weight, len(frame))
        if weights is not None and not np.any(weights > 0):
            raise ValueError("Sample weights are all zero; at least one must be positive.")
        specs = build_specs(frame, self.indicators, weights)
        data = encode(frame, specs, weights)
        kernel, pool = self._kernel(data)
        try:
            rng = check_random_state(self.random_state)
            seeds = rng.randint(0, 2**31 - 1, size=self.n_init)
            starts = [
                em.Run(em.random_params(data, self.n_classes, np.random.default_rng(s)), seed=s)
                for s in seeds
            ]
            best, runs = em.fit_starts(
                kernel,
                starts,
                screen_iter=self.init_iter,
                n_keep=self.n_keep,
                max_iter=self.max_iter,
                tol=self.tol,
                parallel_starts=pool,
            )
            params, _ = em.sort_by_size(best.params)
            summary = kernel.posterior_summary(params)
        finally:
            kernel.close()
            if pool is not None:
                pool.shutdown()
        self._store(specs, data, params, best, runs, summary)
        if not self.converged_:
            warnings.warn(
                f"EM did not converge within max_iter={self.max_iter} iterations "
                f"(n_classes={self.n_classes}); increase max_iter or check the model.",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def _kernel(self, data: EncodedData) -> tuple[em.Kernel, ThreadPoolExecutor | None]:
        """Threads over chunks for big data, over starts for small data (one chunk)."""
        threads = self._threads()
        n_chunks = max(1, -(-data.n_rows // self.chunk_size))
        if n_chunks >= 2 * threads or threads == 1 or self.n_init == 1:
            kernel = em.Kernel(
                data,
                chunk_size=self.chunk_size,
                n_threads=threads,
                smoothing=self.smoothing,
                reg_covar=self.reg_covar,
            )
            return kernel, None
        kernel = em.Kernel(
            data,
            chunk_size=self.chunk_size,
            n_threads=1,
            smoothing=self.smoothing,
            reg_covar=self.reg_covar,
        )
        return kernel, ThreadPoolExecutor(min(threads, self.n_init))

    def _store(
        self,
        specs: list[IndicatorSpec],
        data: EncodedData,
        params: em.Params,
        best: em.Run,
        runs: list[em.Run],
        summary: em.PosteriorSummary,
    ) -> None:
        self.indicator_specs_ = specs
        self._params = params
        cat = [s for s in specs if s.is_categorical]
        cont = [s for s in specs if not s.is_categorical]
        self.weights_ = params.weights.copy()
        self.probabilities_ = {s.name: p.T.copy() for s, p in zip(cat, params.probs, strict=True)}
        scale = np.array([s.scale for s in cont])
        center = np.array([s.center for s in cont])
        self.means_ = (params.means.T * scale + center) if cont else np.empty((self.n_classes, 0))
        self.variances_ = (params.variances.T * scale**2) if cont else np.empty((self.n_classes, 0))
        self.loglik_ = float(best.loglik)
        self.n_iter_ = int(best.n_iter)
        self.converged_ = bool(best.converged)
        self.start_logliks_ = np.array([r.loglik for r in runs])
        self.n_samples_ = data.total_weight
        self.n_parameters_ = n_free_parameters(self.n_classes, data.n_levels, data.n_continuous)
        quality = classification_quality(summary)
        self.classification_quality_ = quality
        self.entropy_r2_ = quality.entropy_r2
        self.avepp_ = quality.avepp
        self.classification_error_ = quality.classification_error
        self.classification_matrix_ = quality.classification_matrix

    # ------------------------------------------------------------------ stability
    def bootstrap_refits(
        self,
        X: Any,
        n_bootstrap: int,
        *,
        sample_weight: Any = None,
        random_state: int = 0,
        tol: float = 1e-6,
        max_iter: int = 500,
    ) -> tuple[np.ndarray, np.ndarray, FloatArray]:
        """Refit the model on ``n_bootstrap`` bootstrap resamples of ``X``, each started from
        this fit's parameters (warm start), and classify ``X`` with every refit.

        The rows are collapsed to distinct patterns once; a resample is a multinomial draw of
        the rows expressed as pattern weights, so no data are copied. Returns the modal class
        per pattern of this fit ``(P,)``, of every refit ``(n_bootstrap, P)`` and the pattern
        weights ``(P,)`` (households, or the sum of their weights). A warm start measures how
        much the solution moves under resampling; it does not search for other solutions (the
        random starts of ``fit`` do that). ``tol`` is looser than the fit's: only the modal
        classes are used.
        """
        check_is_fitted(self, "weights_")
        frame = self._frame(X, reset=False)
        weights = self._weights(sample_weight, len(frame))
        base = np.ones(len(frame)) if weights is None else weights
        data = encode(frame, self.indicator_specs_, base)
        inverse = data.inverse if data.inverse is not None else np.arange(len(frame))
        rng = np.random.default_rng(random_state)
        kernel = em.Kernel(data, chunk_size=self.chunk_size, n_threads=self._threads())
        try:
            full = kernel.posteriors(self._params)[0].argmax(axis=1)
        finally:
            kernel.close()
        n = len(frame)
        # The resamples are drawn in order first, so the refits do not depend on how they
        # are scheduled; each refit has its own kernel.
        resamples = []
        for _ in range(n_bootstrap):
            counts = rng.multinomial(n, np.full(n, 1.0 / n))
            w = np.bincount(inverse, weights=base * counts, minlength=data.n_rows)
            resamples.append(w.astype(np.float64))
        labels = np.empty((n_bootstrap, data.n_rows), dtype=np.intp)
        threads = self._threads()
        n_chunks = max(1, -(-data.n_rows // self.chunk_size))
        # Small data (fewer chunks than threads): one thread per refit (numpy releases the
        # GIL in the E- and M-steps); big data: the kernel's threads over chunks.
        per_refit = 1 if n_chunks < threads else threads

        def refit(b: int) -> None:
            boot = replace(data, weights=resamples[b], unit_weights=False)
            kernel = em.Kernel(boot, chunk_size=self.chunk_size, n_threads=per_refit)
            try:
                run = kernel.run(em.Run(self._params), max_iter, tol)
                labels[b] = kernel.posteriors(run.params)[0].argmax(axis=1)
            finally:
                kernel.close()

        if per_refit == 1 and threads > 1 and n_bootstrap > 1:
            with ThreadPoolExecutor(min(threads, n_bootstrap)) as pool:
                list(pool.map(refit, range(n_bootstrap)))
        else:
            for b in range(n_bootstrap):
                refit(b)
        return full, labels, data.weights

    # ------------------------------------------------------------------ prediction
    def _posteriors(self, X: Any) -> tuple[FloatArray, FloatArray]:
        check_is_fitted(self, "weights_")
        frame = self._frame(X, reset=False)
        data = encode(frame, self.indicator_specs_, None, collapse=False)
        kernel = em.Kernel(data, chunk_size=self.chunk_size, n_threads=self._threads())
        try:
            return kernel.posteriors(self._params)
        finally:
            kernel.close()

    def predict_proba(self, X: Any) -> FloatArray:
        """Posterior class probabilities, shape (n_samples, n_classes)."""
        return self._posteriors(X)[0]

    def predict(self, X: Any) -> np.ndarray:
        """Modal class (0 = largest class) per row."""
        labels: np.ndarray = self.predict_proba(X).argmax(axis=1)
        return labels

    def fit_predict(self, X: Any, y: Any = None, sample_weight: Any = None) -> np.ndarray:
        """Fit and return the modal class of every row of ``X``."""
        return self.fit(X, sample_weight=sample_weight).predict(X)

    def score_samples(self, X: Any) -> FloatArray:
        """Log-likelihood log p(x) of every row (missing cells skipped)."""
        return self._posteriors(X)[1]

    def score(self, X: Any, y: Any = None, sample_weight: Any = None) -> float:
        """Average log-likelihood per row (weighted if ``sample_weight`` is given)."""
        ll = self.score_samples(X)
        w = self._weights(sample_weight, ll.size)
        return float(np.average(ll, weights=w))

    # ------------------------------------------------------------------ statistics
    def information_criteria(self, X: Any = None, sample_weight: Any = None) -> InformationCriteria:
        """LL, parameters, BIC/AIC/CAIC/SABIC on the training data, or on ``X`` if given."""
        check_is_fitted(self, "weights_")
        if X is None:
            return information_criteria(self.loglik_, self.n_parameters_, self.n_samples_)
        ll = self.score_samples(X)
        w = self._weights(sample_weight, ll.size)
        total = float(ll.sum() if w is None else ll @ w)
        n = float(ll.size if w is None else w.sum())
        return information_criteria(total, self.n_parameters_, n)

    def bic(self, X: Any = None, sample_weight: Any = None) -> float:
        """Bayesian information criterion (lower is better)."""
        return self.information_criteria(X, sample_weight).bic

    def aic(self, X: Any = None, sample_weight: Any = None) -> float:
        """Akaike information criterion (lower is better)."""
        return self.information_criteria(X, sample_weight).aic

    def caic(self, X: Any = None, sample_weight: Any = None) -> float:
        """Consistent AIC (lower is better)."""
        return self.information_criteria(X, sample_weight).caic

    def sabic(self, X: Any = None, sample_weight: Any = None) -> float:
        """Sample-size adjusted BIC (lower is better)."""
        return self.information_criteria(X, sample_weight).sabic

    @property
    def quality(self) -> ClassificationQuality:
        """Entropy R², average posterior probabilities, classification error."""
        check_is_fitted(self, "weights_")
        quality: ClassificationQuality = self.classification_quality_
        return quality

    # ------------------------------------------------------------------ tables
    def class_labels(self) -> list[str]:
        """Names of the classes as shown to users: 'klasse 1' is the largest."""
        return [f"klasse {k + 1}" for k in range(self.n_classes)]

    def parameter_tables(self) -> dict[str, pd.DataFrame]:
        """One tidy table per indicator.

        Categorical: rows = classes, columns = levels, cells = P(level | class).
        Continuous: rows = classes, columns ``gemiddelde`` and ``variantie``.
        A first table ``klassen`` holds the class sizes.
        """
        check_is_fitted(self, "weights_")
        labels = pd.Index(self.class_labels(), name="klasse")
        tables = {"klassen": pd.DataFrame({"omvang": self.weights_}, index=labels)}
        c = 0
        for spec in self.indicator_specs_:
            if spec.is_categorical:
                tables[spec.name] = pd.DataFrame(
                    self.probabilities_[spec.name],
                    index=labels,
                    columns=pd.Index(list(spec.levels), name=spec.name),
                )
            else:
                tables[spec.name] = pd.DataFrame(
                    {"gemiddelde": self.means_[:, c], "variantie": self.variances_[:, c]},
                    index=labels,
                )
                c += 1
        return tables

    def bivariate_residuals(self, X: Any, sample_weight: Any = None) -> pd.DataFrame:
        """Bivariate residuals (BVR) for every pair of indicators; see ``residuals``."""
        from bestaanszekerheid.segments.residuals import bivariate_residuals

        check_is_fitted(self, "weights_")
        frame = self._frame(X, reset=False)
        return bivariate_residuals(self, frame, self._weights(sample_weight, len(frame)))

    def sample(self, n_samples: int, random_state: Any = None) -> tuple[pd.DataFrame, np.ndarray]:
        """Draw households from the fitted model: (indicator table, true class)."""
        check_is_fitted(self, "weights_")
        rng = np.random.default_rng(check_random_state(random_state).randint(0, 2**31 - 1))
        classes = rng.choice(self.n_classes, size=n_samples, p=self.weights_)
        out: dict[str, Any] = {}
        c = 0
        for spec in self.indicator_specs_:
            if spec.is_categorical:
                probs = self.probabilities_[spec.name][classes]
                cum = probs.cumsum(axis=1)
                u = rng.random(n_samples)[:, None]
                codes = np.minimum((u > cum).sum(axis=1), spec.n_levels - 1)
                levels = np.asarray(spec.levels, dtype=object)
                out[spec.name] = pd.Series(levels[codes]).infer_objects()
            else:
                mu = self.means_[classes, c]
                sd = np.sqrt(self.variances_[classes, c])
                out[spec.name] = rng.normal(mu, sd)
                c += 1
        return pd.DataFrame(out), classes

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.non_deterministic = False
        return tags
