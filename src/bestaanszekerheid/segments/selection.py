"""Choosing the number of classes: fit table, bootstrap stability and a Dutch recommendation."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
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
    "stability": "stabiliteit (gem. ARI)",
    "converged": "geconvergeerd",
    "blrt_p": "BLRT p-waarde",
}


@dataclass(frozen=True)
class ClassSelection:
    """Result of :func:`choose_n_classes`."""

    #: One row per number of classes (index ``klassen``), English column names.
    table: pd.DataFrame
    recommended: int
    #: Why this number, in Dutch, for the report.
    explanation: str
    models: dict[int, LatentClassModel] = field(repr=False)

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


def _bootstrap_weights(base: FloatArray, rng: np.random.Generator) -> FloatArray:
    """A nonparametric bootstrap resample expressed as frequency weights (no data copy)."""
    total = base.sum()
    counts = rng.multinomial(round(total), base / total)
    return counts.astype(np.float64)


def choose_n_classes(
    data: pd.DataFrame,
    classes: Iterable[int] = range(1, 11),
    *,
    indicators: Mapping[str, str] | Sequence[str] | None = None,
    sample_weight: FloatArray | None = None,
    n_bootstrap: int = 5,
    min_class_share: float = 0.05,
    min_stability: float = 0.7,
    elbow_share: float = 0.05,
    blrt: bool = False,
    n_blrt: int = 19,
    random_state: int = 0,
    **model_params: Any,
) -> ClassSelection:
    """Fit models with each number of classes and recommend one, with a Dutch explanation.

    The recommendation is the smallest *admissible* number of classes whose BIC is within
    ``elbow_share`` of the total BIC improvement of the best admissible model (the BIC
    "elbow": more classes barely improve the fit). Admissible: converged, smallest class at
    least ``min_class_share`` of the households, and - if ``n_bootstrap > 0`` - a mean
    adjusted Rand index of at least ``min_stability`` between the classification of the full
    data and those of models refitted on bootstrap resamples. Whether the classes can be
    interpreted remains a judgement for the analyst; the explanation says so.

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
    rng = np.random.default_rng(random_state)
    models: dict[int, LatentClassModel] = {}
    rows = []
    for k in ks:
        model = clone(base_model).set_params(n_classes=k).fit(data, sample_weight=weights)
        models[k] = model
        crit = model.information_criteria()
        labels = model.predict(data) if (n_bootstrap > 0 and k > 1) else None
        stability = 1.0
        if labels is not None:
            aris = []
            for b in range(n_bootstrap):
                boot = clone(model).set_params(random_state=random_state + 1000 * k + b)
                with warnings.catch_warnings():
                    # Replicates only feed the stability index; the table reports convergence.
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    boot.fit(data, sample_weight=weights * _bootstrap_weights(weights, rng))
                aris.append(weighted_ari(labels, boot.predict(data), weights))
            stability = float(np.mean(aris))
        row = {
            "klassen": k,
            "loglik": crit.loglik,
            "n_parameters": crit.n_parameters,
            "bic": crit.bic,
            "aic": crit.aic,
            "caic": crit.caic,
            "sabic": crit.sabic,
            "entropy_r2": model.entropy_r2_,
            "smallest_class": float(model.weights_.min()),
            "stability": stability if n_bootstrap > 0 else np.nan,
            "converged": model.converged_,
        }
        if blrt:
            row["blrt_p"] = (
                _blrt(models[k - 1], model, n_blrt, random_state + k) if k - 1 in models else np.nan
            )
        rows.append(row)
    table = pd.DataFrame(rows).set_index("klassen")
    recommended, explanation = recommend(
        table,
        min_class_share=min_class_share,
        min_stability=min_stability if n_bootstrap > 0 else None,
        elbow_share=elbow_share,
    )
    return ClassSelection(table, recommended, explanation, models)


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


def recommend(
    table: pd.DataFrame,
    *,
    min_class_share: float,
    min_stability: float | None,
    elbow_share: float,
) -> tuple[int, str]:
    """Pick the number of classes from a fit table and explain the choice in Dutch."""
    reasons: list[str] = []
    rejected: list[str] = []
    admissible = []
    records: dict[int, dict[str, Any]] = {
        int(rec["klassen"]): {str(key): v for key, v in rec.items()}
        for rec in table.reset_index().to_dict("records")
    }
    for k, row in records.items():
        why_not = []
        if not bool(row["converged"]):
            why_not.append("niet geconvergeerd")
        if k > 1 and row["smallest_class"] < min_class_share:
            why_not.append(
                f"kleinste klasse {_pct(row['smallest_class'])} < {_pct(min_class_share)}"
            )
        if min_stability is not None and k > 1 and row["stability"] < min_stability:
            why_not.append(
                f"instabiel (gem. ARI {fmt_num(row['stability'], 2)} < {fmt_num(min_stability, 2)})"
            )
        if why_not:
            rejected.append(f"K={k} valt af: " + "; ".join(why_not) + ".")
        else:
            admissible.append(k)
    if not admissible:
        k_best = min(records, key=lambda k: (float(records[k]["bic"]), k))
        text = (
            f"Geen enkel aantal klassen voldoet aan alle eisen; gekozen is K={k_best}, het "
            "model met de laagste BIC. Wees voorzichtig met de interpretatie. " + " ".join(rejected)
        )
        return k_best, text
    bic = {k: float(records[k]["bic"]) for k in admissible}
    k_min_bic = min(bic, key=lambda k: (bic[k], k))
    gain_total = bic[admissible[0]] - bic[k_min_bic]
    chosen = k_min_bic
    for k in admissible:
        if k > k_min_bic:
            break
        if gain_total <= 0 or bic[k] - bic[k_min_bic] <= elbow_share * gain_total:
            chosen = k
            break
    row = records[chosen]
    reasons.append(f"Aanbevolen: {chosen} klasse{'n' if chosen != 1 else ''}.")
    if chosen == k_min_bic:
        reasons.append(f"De BIC is het laagst bij K={chosen} ({fmt_num(row['bic'], 1)}).")
    else:
        reasons.append(
            f"De BIC is het laagst bij K={k_min_bic}, maar vanaf K={chosen} levert een extra "
            f"klasse minder dan {_pct(elbow_share)} van de totale BIC-verbetering op "
            "(elleboog): meer klassen maken het model complexer zonder veel beter te passen."
        )
    if chosen > 1:
        reasons.append(
            f"De kleinste klasse omvat {_pct(row['smallest_class'])} van de huishoudens "
            f"(ondergrens {_pct(min_class_share)})."
        )
        if min_stability is not None:
            reasons.append(
                "De indeling is stabiel: op bootstrap-steekproeven geeft het model gemiddeld "
                f"een adjusted Rand index van {fmt_num(row['stability'], 2)} met de indeling op "
                "alle gegevens."
            )
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
    reasons.extend(rejected)
    reasons.append(
        "Controleer ten slotte of de klassen inhoudelijk te duiden zijn (parametertabellen) "
        "en of de bivariate residuen klein zijn; dat oordeel kan deze berekening niet geven."
    )
    return chosen, " ".join(reasons)
