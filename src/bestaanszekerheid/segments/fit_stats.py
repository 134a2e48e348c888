"""Fit and classification statistics of a latent class model (typed results)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bestaanszekerheid.segments.em import PosteriorSummary
from bestaanszekerheid.segments.indicators import FloatArray


@dataclass(frozen=True)
class InformationCriteria:
    """Log-likelihood based criteria; lower is better for all criteria."""

    loglik: float
    n_parameters: int
    n_samples: float
    bic: float
    aic: float
    caic: float
    sabic: float


@dataclass(frozen=True)
class ClassificationQuality:
    """How well households can be assigned to classes."""

    entropy_r2: float  # 1 = perfect separation, 0 = none
    avepp: FloatArray  # average posterior probability of the assigned class, per class
    classification_error: float  # expected share of misassigned households (modal assignment)
    modal_shares: FloatArray  # share of households assigned to each class
    #: D[c, s] = P(assigned s | true class c), the matrix behind the BCH correction.
    classification_matrix: FloatArray


def information_criteria(loglik: float, n_parameters: int, n_samples: float) -> InformationCriteria:
    """BIC, AIC, CAIC and sample-size adjusted BIC (Sclove 1987) for one fitted model."""
    n = max(n_samples, 1.0)
    dev = -2.0 * loglik
    return InformationCriteria(
        loglik=loglik,
        n_parameters=n_parameters,
        n_samples=n_samples,
        bic=dev + n_parameters * math.log(n),
        aic=dev + 2.0 * n_parameters,
        caic=dev + n_parameters * (math.log(n) + 1.0),
        sabic=dev + n_parameters * math.log((n + 2.0) / 24.0),
    )


def n_free_parameters(n_classes: int, n_levels: list[int], n_continuous: int) -> int:
    """Class weights, response probabilities and Gaussian means and variances."""
    return (
        (n_classes - 1)
        + n_classes * sum(max(n - 1, 0) for n in n_levels)
        + 2 * n_classes * n_continuous
    )


def classification_quality(summary: PosteriorSummary) -> ClassificationQuality:
    """Entropy R², average posterior probabilities, classification error, BCH matrix."""
    k = summary.class_totals.size
    n = max(summary.total_weight, np.finfo(float).tiny)
    entropy_r2 = 1.0 - summary.entropy / (n * math.log(k)) if k > 1 else 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        avepp = np.where(
            summary.modal_totals > 0, summary.modal_posterior / summary.modal_totals, np.nan
        )
        totals = summary.class_totals[:, None]
        d = np.where(totals > 0, summary.cross / np.where(totals > 0, totals, 1.0), 0.0)
    return ClassificationQuality(
        entropy_r2=float(min(max(entropy_r2, 0.0), 1.0)),
        avepp=avepp,
        classification_error=float(1.0 - summary.max_posterior_sum / n),
        modal_shares=summary.modal_totals / n,
        classification_matrix=d,
    )
