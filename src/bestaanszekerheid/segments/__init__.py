"""Segments: latent class analysis of households (mixed indicators, model choice, 3-step).

- :class:`LatentClassModel` - the estimator (scikit-learn compatible);
- :func:`choose_n_classes` - fit table, stability and a recommended number of classes;
- :func:`describe_classes`, :func:`covariate_effects` - BCH-corrected three-step analysis.
"""

from bestaanszekerheid.segments.model import LatentClassModel
from bestaanszekerheid.segments.selection import ClassSelection, choose_n_classes
from bestaanszekerheid.segments.stepwise import (
    CovariateEffects,
    ThreeStepResult,
    covariate_effects,
    describe_classes,
)

__all__ = [
    "ClassSelection",
    "CovariateEffects",
    "LatentClassModel",
    "ThreeStepResult",
    "choose_n_classes",
    "covariate_effects",
    "describe_classes",
]
