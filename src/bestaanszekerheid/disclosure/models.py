"""Checks for model output: residual degrees of freedom, class sizes, no unit-level output."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from bestaanszekerheid.disclosure.checked import CheckRecord
from bestaanszekerheid.disclosure.rules import DisclosureRules, load_rules
from bestaanszekerheid.errors import UserFacingError


@dataclass
class ModelCheck:
    """Outcome of the model rules. ``passed`` False means: do not export; see ``problems``."""

    name: str
    kind: str
    n_obs: int
    df_resid: float | None
    rules: DisclosureRules
    checks: list[CheckRecord]
    problems: list[str]
    outputs: tuple[str, ...]
    population: str = ""
    units: NDArray[Any] | None = field(default=None, repr=False)
    #: Unit ids per group the model describes (latent classes by modal assignment), so the
    #: register can catch a group that (nearly) coincides with a published cell; never
    #: exported. ``partition``: the groups split the model's population (parts of a whole).
    unit_sets: dict[str, NDArray[Any]] = field(default_factory=dict, repr=False)
    partition: bool = False
    #: Per estimate cell that is not published as a number: (table, row, column, status:
    #: band_low, band_high, primary, secondary), for the output checker's log only.
    cell_decisions: list[tuple[str, str, str, str]] = field(default_factory=list, repr=False)

    @property
    def passed(self) -> bool:
        """True when every model rule passed."""
        return not self.problems

    @property
    def rules_version(self) -> str:
        """Version of the rules used."""
        return self.rules.version

    def require(self) -> ModelCheck:
        """Raise a Dutch :class:`UserFacingError` when a rule failed; return self otherwise."""
        if self.problems:
            raise UserFacingError(
                f"Modeluitvoer '{self.name}' mag niet worden geëxporteerd: "
                + "; ".join(self.problems)
                + "."
            )
        return self


def check_model(
    *,
    name: str,
    n_obs: int,
    df_resid: float | None = None,
    n_params: int | None = None,
    class_counts: Mapping[str, float] | None = None,
    category_counts: Mapping[str, float] | None = None,
    outputs: Iterable[str] = ("coefficients", "standard_errors"),
    units: Sequence[Any] | NDArray[Any] | None = None,
    unit_sets: dict[str, Sequence[Any] | NDArray[Any]] | None = None,
    partition: bool = False,
    population: str = "",
    kind: str = "model",
    rules: DisclosureRules | None = None,
) -> ModelCheck:
    """Check a model before any of its output is exported.

    - residual degrees of freedom (``df_resid``, or ``n_obs - n_params``) >= ``min_residual_df``;
    - every latent class (``class_counts``: unweighted units per class, e.g. modal assignments
      or posterior sums; fractions are rounded down) >= ``min_class_size``;
    - every category behind a dummy or interaction (``category_counts``) >= ``min_count``, since a
      dummy for a small group reveals that group's mean;
    - none of ``outputs`` is unit-level (residuals, predictions, posterior probabilities, ...).

    ``units`` (the ids of the units in the model) lets the release register compare the model's
    population with published tables; ``unit_sets`` (ids per class, e.g. by modal assignment;
    ``partition`` when they split the population) lets it compare the classes too, because a
    published class size (or a share times the population) is a count of that set. Neither
    is ever exported.
    """
    rules = rules or load_rules()
    problems: list[str] = []
    checks: list[CheckRecord] = []
    if df_resid is None and n_params is not None:
        df_resid = n_obs - n_params
    if df_resid is not None:
        bad = not math.isfinite(df_resid) or df_resid < rules.min_residual_df
        checks.append(CheckRecord("min_residual_df", 1, int(bad)))
        if bad:
            problems.append(
                f"te weinig residuele vrijheidsgraden (minder dan {rules.min_residual_df})"
            )
    if n_obs < rules.min_count:
        checks.append(CheckRecord("min_count", 1, 1, "waarnemingen in het model"))
        problems.append(f"minder dan {rules.min_count} waarnemingen")
    if class_counts is not None:
        small = [k for k, v in class_counts.items() if math.floor(v) < rules.min_class_size]
        checks.append(CheckRecord("min_class_size", len(class_counts), len(small)))
        if small:
            problems.append(
                f"klasse(n) {', '.join(map(str, small))} met minder dan "
                f"{rules.min_class_size} eenheden"
            )
    if category_counts is not None:
        small = [k for k, v in category_counts.items() if math.floor(v) < rules.min_count]
        checks.append(CheckRecord("min_count", len(category_counts), len(small), "dummies"))
        if small:
            problems.append(
                f"categorie(ën) {', '.join(map(str, small))} met minder dan "
                f"{rules.min_count} eenheden (een dummy onthult het groepsgemiddelde)"
            )
    outputs = tuple(outputs)
    forbidden = [o for o in outputs if o in rules.forbidden_model_outputs]
    checks.append(
        CheckRecord("forbidden_model_outputs", len(outputs), len(forbidden), ", ".join(outputs))
    )
    if forbidden:
        problems.append(
            f"uitvoer per eenheid is niet toegestaan ({', '.join(forbidden)}): "
            + rules.describe("forbidden_model_outputs")
        )
    return ModelCheck(
        name=name,
        kind=kind,
        n_obs=int(n_obs),
        df_resid=None if df_resid is None else float(df_resid),
        rules=rules,
        checks=checks,
        problems=problems,
        outputs=outputs,
        population=population,
        units=None if units is None else np.asarray(units),
        unit_sets={k: np.asarray(v) for k, v in (unit_sets or {}).items()},
        partition=partition,
    )


def check_fitted_model(
    result: Any,
    *,
    name: str,
    outputs: Iterable[str] = ("coefficients", "standard_errors"),
    rules: DisclosureRules | None = None,
    **kwargs: Any,
) -> ModelCheck:
    """:func:`check_model` for a fitted statsmodels-like result (reads ``nobs``, ``df_resid``)."""
    n_obs = int(getattr(result, "nobs", 0))
    df_resid = getattr(result, "df_resid", None)
    return check_model(
        name=name,
        n_obs=n_obs,
        df_resid=None if df_resid is None else float(df_resid),
        outputs=outputs,
        rules=rules,
        **kwargs,
    )
