"""Choosing the number of classes: fit table, bootstrap stability and a Dutch recommendation."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.formatting import fmt_num, fmt_pct
from bestaanszekerheid.segments.indicators import FloatArray
from bestaanszekerheid.segments.model import LatentClassModel

#: Dutch column headers for the fit table shown to users.
DUTCH_HEADERS = {
    "klassen": "aantal klassen",
    "loglik": "log-likelihood",
    "n_parameters": "aantal parameters",
    "bic": "BIC",
    "aic": "AIC",
    "caic": "CAIC",
    "sabic": "SABIC",
    "entropy_r2": "entropie R²",
    "smallest_class": "kleinste klasse (aandeel)",
    "stability": "stabiliteit (mediaan ARI)",
    "stability_p10": "stabiliteit, 10%-punt (ARI)",
    "stability_p90": "stabiliteit, 90%-punt (ARI)",
    "jaccard_min": "minst stabiele klasse (mediaan Jaccard)",
    "jaccard_min_p10": "minst stabiele klasse, 10%-punt (Jaccard)",
    "converged": "geconvergeerd",
    "blrt_p": "BLRT p-waarde",
}

#: Defaults of the model choice (ADR 0011): one class more while the BIC falls by more than
#: MIN_BIC_GAIN (Raftery 1995: a difference above 10 is "very strong" evidence), the smallest
#: class holds at least MIN_CLASS_SHARE of the households and every class comes back in the
#: bootstrap refits with a median Jaccard of at least MIN_JACCARD (Hennig 2007: above 0.75
#: "stable").
MIN_BIC_GAIN = 10.0
MIN_CLASS_SHARE = 0.05
MIN_JACCARD = 0.75
#: Bootstrap refits per number of classes: enough for a median and a 10-90% range.
N_BOOTSTRAP = 20


@dataclass(frozen=True)
class Stability:
    """How the classification of one model holds up in bootstrap refits."""

    #: Adjusted Rand index of every refit's classification with the full-data one.
    ari: FloatArray
    #: (refits, classes): per class of the full-data model the best Jaccard with a class of
    #: the refit (households in both over households in either).
    jaccard: FloatArray

    @property
    def class_medians(self) -> FloatArray:
        out: FloatArray = np.median(self.jaccard, axis=0)
        return out

    @property
    def weakest(self) -> int:
        """The class (0-based) with the lowest median Jaccard."""
        return int(np.argmin(self.class_medians))


@dataclass(frozen=True)
class ClassSelection:
    """Result of :func:`choose_n_classes`."""

    #: One row per number of classes (index ``klassen``), English column names.
    table: pd.DataFrame
    recommended: int
    #: Why this number, in Dutch, for the report.
    explanation: str
    models: dict[int, LatentClassModel] = field(repr=False)
    #: The bootstrap refits per number of classes (absent without bootstrap, and for K=1).
    stability: dict[int, Stability] = field(default_factory=dict, repr=False)

    @property
    def model(self) -> LatentClassModel:
        """The fitted model with the recommended number of classes."""
        return self.models[self.recommended]

    def table_nl(self) -> pd.DataFrame:
        """The fit table with Dutch headers, for users."""
        return self.table.reset_index().rename(columns=DUTCH_HEADERS)


def weighted_ari(a: np.ndarray, b: np.ndarray, weights: FloatArray | None = None) -> float:
    """Adjusted Rand index of two labelings, with frequency weights per row."""
    w = np.ones(a.size) if weights is None else weights
    ka, kb = int(a.max()) + 1, int(b.max()) + 1
    table = np.bincount(a * kb + b, weights=w, minlength=ka * kb).astype(np.float64)
    table = table.reshape(ka, kb)

    def pairs(x: FloatArray) -> float:
        return float(np.sum(x * (x - 1.0)) / 2.0)

    n = float(w.sum())
    total = n * (n - 1.0) / 2.0
    index = pairs(table)
    rows, cols = pairs(table.sum(axis=1)), pairs(table.sum(axis=0))
    expected = rows * cols / total if total > 0 else 0.0
    maximum = (rows + cols) / 2.0
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)


def best_jaccard(a: np.ndarray, b: np.ndarray, weights: FloatArray, k: int) -> FloatArray:
    """Per class of labeling ``a`` (0..k-1) the highest Jaccard index with a class of ``b``."""
    kb = max(k, int(b.max()) + 1)
    table = np.bincount(a * kb + b, weights=weights, minlength=k * kb).reshape(k, kb)
    union = table.sum(axis=1)[:, None] + table.sum(axis=0)[None, :] - table
    jac = np.divide(table, union, out=np.zeros_like(table), where=union > 0)
    out: FloatArray = jac.max(axis=1)
    return out


def stability(
    model: LatentClassModel,
    data: pd.DataFrame,
    n_bootstrap: int,
    *,
    sample_weight: FloatArray | None = None,
    random_state: int = 0,
) -> Stability:
    """Bootstrap stability of a fitted model: ``n_bootstrap`` refits on resamples of the
    households, warm-started from the fit (see :meth:`LatentClassModel.bootstrap_refits`)."""
    full, boot, w = model.bootstrap_refits(
        data, n_bootstrap, sample_weight=sample_weight, random_state=random_state
    )
    k = model.n_classes
    ari = np.array([weighted_ari(full, b, w) for b in boot])
    jac = np.array([best_jaccard(full, b, w, k) for b in boot]).reshape(len(boot), k)
    return Stability(ari, jac)


def choose_n_classes(
    data: pd.DataFrame,
    classes: Iterable[int] = range(1, 11),
    *,
    indicators: Mapping[str, str] | Sequence[str] | None = None,
    sample_weight: FloatArray | None = None,
    n_bootstrap: int = N_BOOTSTRAP,
    min_class_share: float = MIN_CLASS_SHARE,
    min_jaccard: float = MIN_JACCARD,
    min_bic_gain: float = MIN_BIC_GAIN,
    blrt: bool = False,
    n_blrt: int = 19,
    random_state: int = 0,
    progress: Callable[[int, int], None] | None = None,
    **model_params: Any,
) -> ClassSelection:
    """Fit models with each number of classes and recommend one, with a Dutch explanation.

    The recommendation walks up from the smallest number of classes and takes one class more
    while (1) the BIC falls by more than ``min_bic_gain``, (2) the larger model converged,
    (3) its smallest class holds at least ``min_class_share`` of the households and (4) -
    with ``n_bootstrap > 0`` - every class comes back in ``n_bootstrap`` bootstrap refits
    with a median Jaccard of at least ``min_jaccard``. The explanation says why the chosen
    number won and why the next one was not taken. Whether the classes can be interpreted
    remains a judgement for the analyst; the explanation says so. ``progress(k, i)`` is
    called before fitting the ``i``-th number of classes ``k``.

    ``blrt=True`` adds a parametric bootstrap likelihood-ratio test of K-1 against K classes
    (``n_blrt`` replicates; simulated data without missing values). It refits 2 models per
    replicate and is slow on large data.
    """
    ks = sorted(set(int(k) for k in classes))
    if not ks or ks[0] < 1:
        raise UserFacingError("Geef aantallen klassen van 1 of meer op, bijvoorbeeld 1-6.")
    params = {"indicators": indicators, "random_state": random_state, **model_params}
    base_model = LatentClassModel(**params)
    weights = (
        np.ones(len(data)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    )
    models: dict[int, LatentClassModel] = {}
    stab: dict[int, Stability] = {}
    rows = []

    def fit(k: int) -> LatentClassModel:
        model: LatentClassModel = clone(base_model).set_params(n_classes=k)
        return model.fit(data, sample_weight=weights)

    # With more than one core, the next model is fitted in a second thread while this one's
    # stability refits run (each fit and refit is the same whatever runs beside it).
    pipelined = base_model._threads() > 1 and len(ks) > 1
    ahead = ThreadPoolExecutor(1) if pipelined else None
    fits = [ahead.submit(fit, k) for k in ks] if ahead is not None else []
    try:
        for i, k in enumerate(ks):
            if progress is not None:
                progress(k, i)
            models[k] = fits[i].result() if fits else fit(k)
            rows.append(
                _selection_row(
                    models, k, data, weights, n_bootstrap, random_state, stab, blrt, n_blrt
                )
            )
    finally:
        if ahead is not None:
            for future in fits:
                future.cancel()
            ahead.shutdown()
    table = pd.DataFrame(rows).set_index("klassen")
    recommended, explanation = recommend(
        table,
        min_class_share=min_class_share,
        min_jaccard=min_jaccard if n_bootstrap > 0 else None,
        min_bic_gain=min_bic_gain,
        n_bootstrap=n_bootstrap,
    )
    return ClassSelection(table, recommended, explanation, models, stab)


def _selection_row(
    models: dict[int, LatentClassModel],
    k: int,
    data: pd.DataFrame,
    weights: FloatArray,
    n_bootstrap: int,
    random_state: int,
    stab: dict[int, Stability],
    blrt: bool,
    n_blrt: int,
) -> dict[str, Any]:
    """The fit table's row of the model with ``k`` classes, with its stability (recorded in
    ``stab``) and, with ``blrt``, the bootstrap LRT against ``k - 1`` classes."""
    model = models[k]
    row = _fit_row(model)
    if n_bootstrap > 0 and k > 1:
        stab[k] = stability(
            model,
            data,
            n_bootstrap,
            sample_weight=weights,
            random_state=random_state + 1000 * k,
        )
        row.update(_stability_columns(stab[k]))
    if blrt:
        row["blrt_p"] = (
            _blrt(models[k - 1], model, n_blrt, random_state + k) if k - 1 in models else np.nan
        )
    return row


def _fit_row(model: LatentClassModel) -> dict[str, Any]:
    """The fit table's row of one model (stability columns empty)."""
    crit = model.information_criteria()
    return {
        "klassen": model.n_classes,
        "loglik": crit.loglik,
        "n_parameters": crit.n_parameters,
        "bic": crit.bic,
        "aic": crit.aic,
        "caic": crit.caic,
        "sabic": crit.sabic,
        "entropy_r2": model.entropy_r2_,
        "smallest_class": float(model.weights_.min()),
        "stability": np.nan,
        "stability_p10": np.nan,
        "stability_p90": np.nan,
        "jaccard_min": np.nan,
        "jaccard_min_p10": np.nan,
        "converged": model.converged_,
    }


def _stability_columns(s: Stability) -> dict[str, float]:
    weakest = s.jaccard[:, s.weakest]
    return {
        "stability": float(np.median(s.ari)),
        "stability_p10": float(np.quantile(s.ari, 0.1)),
        "stability_p90": float(np.quantile(s.ari, 0.9)),
        "jaccard_min": float(np.median(weakest)),
        "jaccard_min_p10": float(np.quantile(weakest, 0.1)),
    }


def _blrt(smaller: LatentClassModel, larger: LatentClassModel, n_rep: int, seed: int) -> float:
    """Parametric bootstrap p-value of the likelihood-ratio test K-1 vs K classes."""
    observed = 2.0 * (larger.loglik_ - smaller.loglik_)
    n = round(smaller.n_samples_)
    exceed = 0
    spec = {s.name: s.kind for s in smaller.indicator_specs_}
    for r in range(n_rep):
        sim, _ = smaller.sample(n, random_state=seed * 7919 + r)
        for s in smaller.indicator_specs_:
            if s.is_categorical:
                sim[s.name] = pd.Categorical(sim[s.name], categories=list(s.levels))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            fit0 = clone(smaller).set_params(indicators=spec, random_state=r).fit(sim)
            fit1 = clone(larger).set_params(indicators=spec, random_state=r).fit(sim)
        if 2.0 * (fit1.loglik_ - fit0.loglik_) >= observed:
            exceed += 1
    return (exceed + 1) / (n_rep + 1)


def _pct(share: float) -> str:
    """A share (0-1) as a Dutch percentage."""
    return fmt_pct(100 * share, 1)


def _why_not(
    row: Mapping[str, Any],
    gain: float,
    *,
    min_class_share: float,
    min_jaccard: float | None,
    min_bic_gain: float,
) -> list[str]:
    """Why a model with one class more is not taken (empty: it is)."""
    out = []
    if gain <= 0:
        out.append(f"de BIC daalt niet (hij stijgt met {fmt_num(-gain, 1)} punten)")
    elif gain < min_bic_gain:
        out.append(
            f"de BIC daalt maar met {fmt_num(gain, 1)} punten (minder dan "
            f"{fmt_num(min_bic_gain, 0)})"
        )
    if not bool(row["converged"]):
        out.append("het model is niet geconvergeerd")
    if row["smallest_class"] < min_class_share:
        out.append(
            f"de kleinste groep zou {_pct(row['smallest_class'])} van de huishoudens zijn "
            f"(ondergrens {_pct(min_class_share)})"
        )
    jac = float(row.get("jaccard_min", np.nan))
    if min_jaccard is not None and not math.isnan(jac) and jac < min_jaccard:
        out.append(
            "niet elke groep is stabiel: de minst stabiele keert in de bootstrapherhalingen "
            f"terug met een overeenkomst (Jaccard) van mediaan {fmt_num(jac, 2)}, onder de "
            f"ondergrens {fmt_num(min_jaccard, 2)}"
        )
    return out


def _stability_text(row: Mapping[str, Any], n_bootstrap: int) -> str:
    """The chosen model's stability with its spread, in plain Dutch."""
    return (
        f"Stabiliteit: het model is {n_bootstrap} keer opnieuw geschat op een bootstrap-"
        "steekproef (de huishoudens opnieuw getrokken, met teruglegging), telkens vanuit de "
        "gekozen oplossing. De indeling als geheel komt dan overeen met die op alle gegevens "
        f"met een ARI van mediaan {fmt_num(row['stability'], 2)} (10-90%: "
        f"{fmt_num(row['stability_p10'], 2)}-{fmt_num(row['stability_p90'], 2)}; 1 is gelijk); "
        "de minst stabiele groep keert terug met een overeenkomst (Jaccard: huishoudens in "
        f"beide over huishoudens in een van beide) van mediaan {fmt_num(row['jaccard_min'], 2)} "
        f"(10%: {fmt_num(row['jaccard_min_p10'], 2)})."
    )


def recommend(
    table: pd.DataFrame,
    *,
    min_class_share: float = MIN_CLASS_SHARE,
    min_jaccard: float | None = MIN_JACCARD,
    min_bic_gain: float = MIN_BIC_GAIN,
    n_bootstrap: int = N_BOOTSTRAP,
) -> tuple[int, str]:
    """Pick the number of classes from a fit table and explain the choice in Dutch.

    From the smallest number of classes, take one more while the BIC falls by more than
    ``min_bic_gain``, the larger model converged, its smallest class is at least
    ``min_class_share`` and its least stable class has a median Jaccard of at least
    ``min_jaccard`` (None: no stability check). Stop at the first step that fails.
    """
    records: dict[int, dict[str, Any]] = {
        int(rec["klassen"]): {str(key): v for key, v in rec.items()}
        for rec in table.reset_index().to_dict("records")
    }
    ks = sorted(records)
    chosen, stopped = ks[0], ""
    for k in ks[1:]:
        gain = float(records[chosen]["bic"]) - float(records[k]["bic"])
        why = _why_not(
            records[k],
            gain,
            min_class_share=min_class_share,
            min_jaccard=min_jaccard,
            min_bic_gain=min_bic_gain,
        )
        if why:
            stopped = f"{k} groepen zijn niet gekozen: " + "; ".join(why) + "."
            break
        chosen = k
    row = records[chosen]
    stable = (
        f" en elke groep stabiel is (mediane Jaccard in de bootstrapherhalingen minstens "
        f"{fmt_num(min_jaccard, 2)})"
        if min_jaccard is not None
        else ""
    )
    reasons = [
        f"Aanbevolen: {chosen} klasse{'n' if chosen != 1 else ''}.",
        "De regel: neem een groep meer zolang de BIC met meer dan "
        f"{fmt_num(min_bic_gain, 0)} punten daalt, de kleinste groep minstens "
        f"{_pct(min_class_share)} van de huishoudens omvat{stable}.",
    ]
    if chosen > ks[0]:
        before = max(k for k in ks if k < chosen)
        reasons.append(
            f"Van {before} naar {chosen} groepen daalt de BIC met "
            f"{fmt_num(float(records[before]['bic']) - float(row['bic']), 1)} punten, tot "
            f"{fmt_num(row['bic'], 1)}."
        )
    if chosen > 1:
        reasons.append(
            f"De kleinste klasse omvat {_pct(row['smallest_class'])} van de huishoudens "
            f"(ondergrens {_pct(min_class_share)})."
        )
        if min_jaccard is not None and not math.isnan(float(row.get("jaccard_min", np.nan))):
            reasons.append(_stability_text(row, n_bootstrap))
        reasons.append(
            f"Entropie R² is {fmt_num(row['entropy_r2'], 2)}: "
            + (
                "huishoudens zijn goed aan een klasse toe te wijzen."
                if row["entropy_r2"] >= 0.8
                else "de toewijzing van huishoudens aan klassen is onzeker; gebruik voor "
                "beschrijvingen van de klassen de BCH-correctie (driestapsmethode)."
            )
        )
    if "blrt_p" in row and chosen > 1:
        p = float(row["blrt_p"])
        if not math.isnan(p):
            reasons.append(
                f"De bootstrap-likelihood-ratiotoets van K={chosen - 1} tegen K={chosen} geeft "
                f"p = {fmt_num(p, 3)}."
            )
    if stopped:
        reasons.append(stopped)
    elif chosen == ks[-1] and len(ks) > 1:
        reasons.append(
            f"{chosen} is het grootste aantal dat is geprobeerd ({ks[0]}-{ks[-1]}); de BIC "
            "daalde bij die laatste stap nog, dus met meer groepen kan het model nog beter "
            "passen: probeer een ruimer bereik (bijvoorbeeld --klassen "
            f"{ks[0]}-{ks[-1] + 2})."
        )
    k_min_bic = min(records, key=lambda k: (float(records[k]["bic"]), k))
    if k_min_bic > chosen and stopped:
        reasons.append(
            f"De laagste BIC van alle geprobeerde modellen hoort bij {k_min_bic} groepen; de "
            "regel stopt bij de eerste extra groep die niet aan de eisen voldoet."
        )
    reasons.append(
        "Controleer ten slotte of de klassen inhoudelijk te duiden zijn (parametertabellen) "
        "en of de bivariate residuen klein zijn; dat oordeel kan deze berekening niet geven."
    )
    return chosen, " ".join(reasons)
