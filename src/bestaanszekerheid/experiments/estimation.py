"""Intention-to-treat effects of several arms against one control group.

Defaults follow ADR 0020 (docs/decisions/0020-experiments-estimators.md) and
docs/effectmeting.md: OLS on arm dummies, HC2 standard errors (CR2 when randomised in
clusters), covariates via Lin's (2013) fully interacted estimator, Holm and
Benjamini-Hochberg over the whole family of arm x outcome tests, optionally Romano-Wolf and
randomisation-inference p-values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.experiments._ols import (
    CR_TYPES,
    HC_TYPES,
    TIE_TOLERANCE,
    FloatArray,
    OlsFit,
    SingularDesignError,
    blas_single_thread,
    ols,
)
from bestaanszekerheid.experiments.allocation import AllocationDesign
from bestaanszekerheid.experiments.corrections import benjamini_hochberg, holm, romano_wolf
from bestaanszekerheid.experiments.power import minimum_detectable_effect
from bestaanszekerheid.experiments.results import ArmEffect, EffectResult, PowerResult

IntArray = npt.NDArray[np.int64]
ADJUSTMENTS = ("lin", "additief", "geen")
RANDOMISED = (
    "Sterk bewijs: de deelnemers zijn door loting over de armen verdeeld, dus verschillen in "
    "uitkomst zijn aan de interventie toe te schrijven (binnen de statistische onzekerheid)."
)


# ----------------------------------------------------------------------------- data prep


@dataclass(frozen=True)
class _Prepared:
    """Numeric arrays for repeated fitting (randomisation inference, bootstrap)."""

    frame: pd.DataFrame  # rows with arm, covariates, strata and cluster present
    outcomes: tuple[str, ...]
    levels: tuple[str, ...]  # control first
    codes: IntArray  # arm code per row (0 = control)
    ys: tuple[FloatArray, ...]
    masks: tuple[npt.NDArray[np.bool_], ...]
    z: FloatArray  # covariate matrix (rows of frame), dummies for categories and strata
    strata: IntArray
    clusters: IntArray | None
    adjustment: str
    cov_type: str
    n_dropped: dict[str, int]
    imputed: tuple[str, ...]


def _covariate_matrix(
    frame: pd.DataFrame, columns: Sequence[str]
) -> tuple[FloatArray, tuple[str, ...]]:
    """Numeric covariates as-is, categories as dummies (first level dropped).

    Missing baseline values must not drop randomised people from an ITT analysis: numeric
    gaps are filled with the mean plus a missing indicator, categorical gaps become their own
    category (the standard practice for pre-treatment covariates in experiments).
    """
    parts: list[FloatArray] = []
    imputed: list[str] = []
    for c in columns:
        s = frame[c]
        if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            v = np.asarray(s.astype(float).to_numpy(), dtype=np.float64)
            miss = np.isnan(v)
            if miss.all():
                raise UserFacingError(f"Kenmerk '{c}' heeft geen enkele waarde.")
            if miss.any():
                imputed.append(c)
                v = np.where(miss, float(np.nanmean(v)), v)
                parts.append(np.column_stack([v, miss.astype(float)]))
            else:
                parts.append(v[:, None])
        else:
            if s.isna().any():
                imputed.append(c)
            filled = s.astype(object).where(s.notna(), "(ontbreekt)").astype(str)
            dummies = pd.get_dummies(filled, drop_first=True, dtype=float)
            if dummies.shape[1]:
                parts.append(dummies.to_numpy())
    if not parts:
        return np.zeros((len(frame), 0)), tuple(imputed)
    return np.column_stack(parts), tuple(imputed)


def _check_request(
    data: pd.DataFrame, needed: Sequence[str], outcomes: Sequence[str], adjustment: str
) -> None:
    """Dutch errors for a missing column, an unknown adjustment or a non-numeric outcome."""
    for c in needed:
        if c not in data.columns:
            raise UserFacingError(f"Kolom '{c}' ontbreekt in de gegevens.")
    if adjustment not in ADJUSTMENTS:
        raise UserFacingError(
            f"Onbekende correctie '{adjustment}'; kies uit {', '.join(ADJUSTMENTS)}."
        )
    for o in outcomes:
        if not pd.api.types.is_numeric_dtype(data[o]) and not pd.api.types.is_bool_dtype(data[o]):
            raise UserFacingError(
                f"Uitkomst '{o}' is niet numeriek; gebruik 0/1 voor ja/nee-uitkomsten."
            )


def _arm_levels(labels: pd.Series, arm: str, control: str | None) -> tuple[str, ...]:
    """The groups in column ``arm``, the control group first and the others by name."""
    levels_all = sorted(labels.unique())
    if control is None:
        # A group literally called "controle" is the control group; else the first by name.
        control = "controle" if "controle" in levels_all else levels_all[0]
    control = str(control)
    if control not in levels_all:
        raise UserFacingError(
            f"Controlegroep '{control}' komt niet voor in kolom '{arm}' "
            f"(wel: {', '.join(levels_all)})."
        )
    if len(levels_all) < 2:
        raise UserFacingError(f"Kolom '{arm}' bevat maar één groep; er valt niets te vergelijken.")
    return (control, *[lv for lv in levels_all if lv != control])


def _resolve_cov_type(cov_type: str | None, cluster: str | None) -> str:
    """HC2 by default, CR2 with clusters; a Dutch error when the type does not fit the design."""
    if cov_type is None:
        cov_type = "CR2" if cluster else "HC2"
    if cluster and cov_type not in CR_TYPES:
        raise UserFacingError(
            "Bij clusterloting horen clusterrobuuste standaardfouten (CR1 of CR2)."
        )
    if not cluster and cov_type not in HC_TYPES:
        raise UserFacingError(f"Standaardfout '{cov_type}' vraagt om een clusterkolom.")
    return cov_type


def _outcome_arrays(
    frame: pd.DataFrame, outcomes: Sequence[str], n_rows: int
) -> tuple[list[FloatArray], list[npt.NDArray[np.bool_]], dict[str, int]]:
    """Per outcome its values, which rows have one, and how many of ``n_rows`` lack one."""
    ys: list[FloatArray] = []
    masks: list[npt.NDArray[np.bool_]] = []
    dropped: dict[str, int] = {}
    for o in outcomes:
        y = np.asarray(frame[o].astype(float).to_numpy(), dtype=np.float64)
        mask = ~np.isnan(y)
        ys.append(y)
        masks.append(mask)
        dropped[o] = int(n_rows - mask.sum())
    return ys, masks, dropped


def _prepare(
    data: pd.DataFrame,
    *,
    outcomes: Sequence[str],
    arm: str,
    control: str | None,
    covariates: Sequence[str],
    strata: Sequence[str],
    cluster: str | None,
    adjustment: str,
    cov_type: str | None,
) -> _Prepared:
    """Check the request and turn the data into the arrays every (re)fit uses."""
    cluster_cols = [cluster] if cluster else []
    _check_request(
        data, [arm, *outcomes, *covariates, *strata, *cluster_cols], outcomes, adjustment
    )
    # Covariate gaps are imputed (see _covariate_matrix); arm, strata and cluster must exist.
    keep = data[[arm, *strata, *cluster_cols]].notna().all(axis=1)
    frame = data.loc[keep].copy()
    labels = frame[arm].astype(str)
    levels = _arm_levels(labels, arm, control)
    codes = np.asarray(pd.Categorical(labels, categories=levels).codes, dtype=np.int64)
    cov_type = _resolve_cov_type(cov_type, cluster)
    z, imputed = _covariate_matrix(frame, [*covariates, *strata])
    strata_codes = np.asarray(
        pd.factorize(frame[list(strata)].astype(str).agg("|".join, axis=1))[0]
        if strata
        else np.zeros(len(frame), dtype=np.int64),
        dtype=np.int64,
    )
    clusters = np.asarray(pd.factorize(frame[cluster])[0], dtype=np.int64) if cluster else None
    ys, masks, dropped = _outcome_arrays(frame, outcomes, len(data))
    return _Prepared(
        frame=frame,
        outcomes=tuple(outcomes),
        levels=levels,
        codes=codes,
        ys=tuple(ys),
        masks=tuple(masks),
        z=z,
        strata=strata_codes,
        clusters=clusters,
        adjustment=adjustment if z.shape[1] else "geen",
        cov_type=cov_type,
        n_dropped=dropped,
        imputed=imputed,
    )


def design_matrix(codes: IntArray, n_levels: int, z: FloatArray, adjustment: str) -> FloatArray:
    """[1, arm dummies] plus covariates: centred and interacted with every arm dummy for Lin."""
    dummies = (codes[:, None] == np.arange(1, n_levels)[None, :]).astype(float)
    cols = [np.ones((len(codes), 1)), dummies]
    # A covariate that is constant in this sample (e.g. a missing-value indicator when all the
    # gaps are among people without an outcome) carries no information: drop it.
    if z.shape[1]:
        z = z[:, np.ptp(z, axis=0) > 0]
    if adjustment == "additief" and z.shape[1]:
        cols.append(z)
    elif adjustment == "lin" and z.shape[1]:
        zc = z - z.mean(axis=0)
        cols.append(zc)
        cols.extend(dummies[:, [j]] * zc for j in range(n_levels - 1))
    return np.column_stack(cols)


def _fit(p: _Prepared, i: int, codes: IntArray) -> OlsFit:
    idx = np.flatnonzero(p.masks[i])
    counts = np.bincount(codes[idx], minlength=len(p.levels))
    if counts.min() < 2:
        small = p.levels[int(counts.argmin())]
        raise UserFacingError(
            f"Groep '{small}' heeft minder dan 2 deelnemers met een waarde voor uitkomst "
            f"'{p.outcomes[i]}'; een effect is dan niet te schatten."
        )
    x = design_matrix(codes[idx], len(p.levels), p.z[idx], p.adjustment)
    clusters = p.clusters[idx] if p.clusters is not None else None
    try:
        return ols(p.ys[i][idx], x, p.cov_type, clusters=clusters)
    except SingularDesignError as exc:
        raise UserFacingError(
            f"Het model voor uitkomst '{p.outcomes[i]}' is niet te schatten: een groep is leeg "
            "of een achtergrondkenmerk is constant of valt samen met een ander. Laat kenmerken "
            "weg of gebruik --correctie additief."
        ) from exc


def _stats(p: _Prepared, codes: IntArray) -> tuple[FloatArray, FloatArray]:
    """Arm coefficients and t statistics, shape (outcomes x treated arms)."""
    k = len(p.levels) - 1
    est = np.empty((len(p.outcomes), k))
    tval = np.empty((len(p.outcomes), k))
    for i in range(len(p.outcomes)):
        fit = _fit(p, i, codes)
        est[i] = fit.params[1 : k + 1]
        tval[i] = fit.tvalues[1 : k + 1]
    return est, tval


# ----------------------------------------------------------------------------- resampling


def _permute_within(
    codes: IntArray, strata: IntArray, clusters: IntArray | None, rng: np.random.Generator
) -> IntArray:
    """Re-randomise by permuting arm labels within strata (of clusters when clustered)."""
    out = codes.copy()
    if clusters is None:
        for s in np.unique(strata):
            idx = np.flatnonzero(strata == s)
            out[idx] = rng.permutation(codes[idx])
        return out
    first = np.unique(clusters, return_index=True)[1]
    c_codes = codes[first]
    c_strata = strata[first]
    new = c_codes.copy()
    for s in np.unique(c_strata):
        idx = np.flatnonzero(c_strata == s)
        new[idx] = rng.permutation(c_codes[idx])
    return np.asarray(new[clusters], dtype=np.int64)


def _groups(labels: IntArray) -> list[IntArray]:
    """Row indices per label value, in label order."""
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    return [np.asarray(g, dtype=np.int64) for g in np.split(order, bounds)]


def _bootstrap_rows(p: _Prepared, rng: np.random.Generator) -> tuple[IntArray, IntArray | None]:
    """Resample units (or whole clusters) with replacement within arm x stratum cells.

    Keeping arm and stratum sizes fixed mirrors the design. With clusters, each drawn copy of
    a cluster gets its own label (second return value, per position) so the cluster-robust
    covariance treats copies as distinct clusters.
    """
    cell = p.codes * (int(p.strata.max()) + 1) + p.strata
    if p.clusters is None:
        parts = [rng.choice(idx, size=len(idx)) for idx in _groups(cell)]
        return np.concatenate(parts).astype(np.int64), None
    first = np.unique(p.clusters, return_index=True)[1]
    members = _groups(p.clusters)
    rows: list[IntArray] = []
    labels: list[IntArray] = []
    for idx in _groups(cell[first]):
        for c in rng.choice(idx, size=len(idx)):
            rows.append(members[c])
            labels.append(np.full(len(members[c]), len(labels), dtype=np.int64))
    return np.concatenate(rows), np.concatenate(labels)


def _fit_rows(p: _Prepared, i: int, rows: IntArray, labels: IntArray | None) -> OlsFit:
    """Fit outcome ``i`` on the bootstrap sample ``rows``."""
    mask = p.masks[i][rows]
    sel = rows[mask]
    x = design_matrix(p.codes[sel], len(p.levels), p.z[sel], p.adjustment)
    clusters = labels[mask] if labels is not None else None
    return ols(p.ys[i][sel], x, p.cov_type, clusters=clusters)


def _bootstrap_t(p: _Prepared, est: FloatArray, reps: int, rng: np.random.Generator) -> FloatArray:
    """Centred bootstrap t statistics (reps x tests) for Romano-Wolf: (b* - b) / se*."""
    k = len(p.levels) - 1
    out = np.empty((reps, len(p.outcomes) * k))
    for b in range(reps):
        rows, labels = _bootstrap_rows(p, rng)
        stats_b = []
        for i in range(len(p.outcomes)):
            try:
                fit = _fit_rows(p, i, rows, labels)
            except SingularDesignError:
                # A degenerate resample carries no information about the null distribution.
                stats_b.append(np.zeros(k))
                continue
            stats_b.append((fit.params[1 : k + 1] - est[i]) / fit.bse[1 : k + 1])
        out[b] = np.concatenate(stats_b)
    return out


# ----------------------------------------------------------------------------- main API


@dataclass(frozen=True)
class _AdjustedP:
    """The family's adjusted p-values, flat over outcome x arm (None: not computed)."""

    holm: npt.NDArray[np.float64]
    bh: npt.NDArray[np.float64]
    romano_wolf: npt.NDArray[np.float64] | None
    randomisation: npt.NDArray[np.float64] | None


@dataclass(frozen=True)
class _Resampling:
    """What the caller asked of randomisation inference and Romano-Wolf (0 reps: not done)."""

    randomisation_reps: int
    romano_wolf_reps: int
    romano_wolf_method: str
    design: AllocationDesign | None
    unit: str | None
    seed: int


def _arm_effects(
    p: _Prepared, fits: Sequence[OlsFit], pvalues: _AdjustedP, alpha: float
) -> list[ArmEffect]:
    """One :class:`ArmEffect` per outcome x arm, from the fits and the adjusted p-values."""
    k = len(p.levels) - 1
    p_holm, p_bh = pvalues.holm, pvalues.bh
    p_rw, p_ri = pvalues.romano_wolf, pvalues.randomisation
    effects: list[ArmEffect] = []
    m_tests = k * len(p.outcomes)
    for i, (o, fit) in enumerate(zip(p.outcomes, fits, strict=True)):
        ci = fit.conf_int(alpha)
        # Bonferroni over the family: excludes zero only where Holm rejects too.
        ci_adjusted = fit.conf_int(alpha / m_tests)
        y = p.ys[i]
        for j in range(k):
            flat = i * k + j
            in_arm = p.masks[i] & (p.codes == j + 1)
            in_ctl = p.masks[i] & (p.codes == 0)
            effects.append(
                ArmEffect(
                    outcome=o,
                    arm=p.levels[j + 1],
                    control=p.levels[0],
                    estimate=float(fit.params[j + 1]),
                    std_error=float(fit.bse[j + 1]),
                    df=float(fit.df_vector[j + 1]),
                    p_value=float(fit.pvalues[j + 1]),
                    ci_low=float(ci[j + 1, 0]),
                    ci_high=float(ci[j + 1, 1]),
                    n_arm=int(in_arm.sum()),
                    n_control=int(in_ctl.sum()),
                    control_mean=float(y[in_ctl].mean()) if in_ctl.any() else float("nan"),
                    p_holm=float(p_holm[flat]),
                    p_bh=float(p_bh[flat]),
                    p_romano_wolf=None if p_rw is None else float(p_rw[flat]),
                    p_randomisation=None if p_ri is None else float(p_ri[flat]),
                    ci_low_adjusted=float(ci_adjusted[j + 1, 0]),
                    ci_high_adjusted=float(ci_adjusted[j + 1, 1]),
                )
            )
    return effects


def _resampling_notes(pvalues: _AdjustedP, resampling: _Resampling) -> list[str]:
    """Dutch notes on how the resampled p-values were computed (they name no codes)."""
    r = resampling
    notes: list[str] = []
    if pvalues.randomisation is not None:
        notes.append(
            f"Lotingstoets: {r.randomisation_reps} herhalingen van de loting (seed {r.seed})."
        )
    if pvalues.romano_wolf is not None:
        kind = "bootstrap-trekkingen" if r.romano_wolf_method == "bootstrap" else "herlotingen"
        notes.append(f"Romano-Wolf: {r.romano_wolf_reps} {kind} (seed {r.seed}).")
    return notes


def estimate_effects(
    data: pd.DataFrame,
    *,
    outcomes: str | Sequence[str],
    arm: str,
    control: str | None = None,
    covariates: Sequence[str] = (),
    strata: Sequence[str] = (),
    cluster: str | None = None,
    adjustment: str = "lin",
    cov_type: str | None = None,
    alpha: float = 0.05,
    romano_wolf_reps: int = 0,
    romano_wolf_method: str = "bootstrap",
    randomisation_reps: int = 0,
    design: AllocationDesign | None = None,
    unit: str | None = None,
    seed: int = 0,
) -> EffectResult:
    """Intention-to-treat effect of every arm against ``control`` on every outcome.

    Each outcome is regressed on arm dummies (plus covariates and stratum dummies, centred and
    interacted with the arms for ``adjustment="lin"``), with HC2 standard errors, or CR2 when
    ``cluster`` is given (``cov_type="CR1"`` reproduces statsmodels/Stata). Holm and
    Benjamini-Hochberg adjust over all arm x outcome tests. ``romano_wolf_reps > 0`` adds
    Romano-Wolf p-values (``romano_wolf_method="bootstrap"``: resampling within arm x stratum
    cells, t centred at the estimate; ``"permutatie"``: the re-randomisation draws below, i.e.
    a stepdown randomisation test of the sharp null); ``randomisation_reps > 0``
    adds randomisation-inference p-values: the allocation is redrawn with ``design`` (the
    procedure that was actually used, see :mod:`allocation`) or, without it, by permuting
    arm labels within strata (and clusters), and the studentised statistic is recomputed.
    """
    outcome_list = [outcomes] if isinstance(outcomes, str) else list(outcomes)
    p = _prepare(
        data,
        outcomes=outcome_list,
        arm=arm,
        control=control,
        covariates=covariates,
        strata=strata,
        cluster=cluster,
        adjustment=adjustment,
        cov_type=cov_type,
    )
    fits = [_fit(p, i, p.codes) for i in range(len(p.outcomes))]
    resampling = _Resampling(
        randomisation_reps, romano_wolf_reps, romano_wolf_method, design, unit, seed
    )
    pvalues = _family_pvalues(p, fits, resampling)
    effects = _arm_effects(p, fits, pvalues, alpha)
    power = _realised_power(p, alpha)
    return EffectResult(
        effects=tuple(effects),
        cov_type=p.cov_type,
        adjustment=p.adjustment,
        covariates=tuple([*covariates, *strata]),
        alpha=alpha,
        evidence=RANDOMISED,
        notes=tuple(_resampling_notes(pvalues, resampling)),
        n_dropped=p.n_dropped,
        mde={o: r.effect for o, r in power.items()},
        power=power,
        family_size=len(effects),
        imputed=p.imputed,
    )


def _family_pvalues(p: _Prepared, fits: Sequence[OlsFit], resampling: _Resampling) -> _AdjustedP:
    """Holm and Benjamini-Hochberg over every arm x outcome test, and the resampled p-values
    that were asked for."""
    k = len(p.levels) - 1
    est = np.array([f.params[1 : k + 1] for f in fits])
    tval = np.array([f.tvalues[1 : k + 1] for f in fits])
    pvals = np.array([f.pvalues[1 : k + 1] for f in fits]).ravel()
    p_holm = holm(pvals)
    p_bh = benjamini_hochberg(pvals)
    rng = np.random.default_rng(resampling.seed)
    if resampling.romano_wolf_method not in ("bootstrap", "permutatie"):
        raise UserFacingError("Romano-Wolf-methode moet 'bootstrap' of 'permutatie' zijn.")
    with blas_single_thread():
        p_ri, p_rw = _resampled_pvalues(p, est, tval, resampling, rng)
    return _AdjustedP(holm=p_holm, bh=p_bh, romano_wolf=p_rw, randomisation=p_ri)


def _randomisation_draws(
    p: _Prepared,
    reps: int,
    rng: np.random.Generator,
    design: AllocationDesign | None,
    unit: str | None,
) -> FloatArray:
    """t statistics (reps x tests) under re-randomisation: the sharp null of no effect."""
    if design is not None:
        if unit is None:
            raise UserFacingError("Geef de kolom met de deelnemer-id voor de lotingstoets.")
        if set(design.arms) != set(p.levels):
            raise UserFacingError(
                "De groepen in het lotingsontwerp komen niet overeen met de groepen in de gegevens."
            )
    out = np.empty((reps, len(p.outcomes) * (len(p.levels) - 1)))
    sampler = design.sampler(p.frame, unit) if design is not None and unit is not None else None
    for b in range(reps):
        if sampler is not None:
            drawn = sampler(rng)
            codes = np.asarray(pd.Categorical(drawn, categories=p.levels).codes, dtype=np.int64)
        else:
            codes = _permute_within(p.codes, p.strata, p.clusters, rng)
        out[b] = _stats(p, codes)[1].ravel()
    return out


def _randomisation_p(t_obs: FloatArray, t_null: FloatArray) -> FloatArray:
    """Randomisation-inference p-values (count + 1) / (reps + 1) on |t|, per test."""
    exceed = (np.abs(t_null) >= np.abs(t_obs)[None, :] * (1 - TIE_TOLERANCE)).sum(axis=0)
    return np.asarray((exceed + 1.0) / (t_null.shape[0] + 1.0), dtype=np.float64)


def _resampled_pvalues(
    p: _Prepared,
    est: FloatArray,
    tval: FloatArray,
    resampling: _Resampling,
    rng: np.random.Generator,
) -> tuple[FloatArray | None, FloatArray | None]:
    """Randomisation-inference and Romano-Wolf p-values (None when not requested)."""
    r = resampling
    p_ri: FloatArray | None = None
    t_perm: FloatArray | None = None
    if r.randomisation_reps > 0:
        t_perm = _randomisation_draws(p, r.randomisation_reps, rng, r.design, r.unit)
        p_ri = _randomisation_p(tval.ravel(), t_perm)
    p_rw: FloatArray | None = None
    if r.romano_wolf_reps > 0:
        if r.romano_wolf_method == "bootstrap":
            t_null = _bootstrap_t(p, est, r.romano_wolf_reps, rng)
        elif t_perm is not None and t_perm.shape[0] == r.romano_wolf_reps:
            t_null = t_perm  # re-use the randomisation draws: same null distribution
        else:
            t_null = _randomisation_draws(p, r.romano_wolf_reps, rng, r.design, r.unit)
        p_rw = romano_wolf(tval.ravel(), t_null)
    return p_ri, p_rw


def _is_binary(p: _Prepared, i: int) -> bool:
    y = p.ys[i][p.masks[i]]
    return bool(np.isin(y, (0.0, 1.0)).all())


def _cluster_design(y: FloatArray, codes: IntArray, clusters: IntArray) -> tuple[float, float]:
    """(ICC, cluster size) of an outcome for the design effect 1 + (m - 1) ICC.

    The ICC is the one-way ANOVA estimator on the outcome minus its arm mean (the arms
    differ by design, not by cluster), clipped to [0, 0.99); the size is ANOVA's m0, the
    mean cluster size corrected for unequal sizes (Donner and Klar 2000, ch. 2). Clusters
    are nested in arms (cluster randomisation), so the between-cluster degrees of freedom
    are the clusters minus the arms."""
    _, ids = np.unique(clusters, return_inverse=True)
    k = int(ids.max()) + 1
    n = len(y)
    # Clusters are nested in arms: the arm means take one degree of freedom each.
    df_between = k - len(np.unique(codes))
    if df_between < 1 or n <= k:
        return 0.0, 1.0
    arm_means = np.bincount(codes, weights=y) / np.maximum(np.bincount(codes), 1)
    r = y - arm_means[codes]
    sizes = np.bincount(ids, minlength=k).astype(float)
    means = np.bincount(ids, weights=r, minlength=k) / sizes
    grand = float(r.mean())
    msb = float((sizes * (means - grand) ** 2).sum()) / df_between
    msw = float(((r - means[ids]) ** 2).sum()) / (n - k)
    # Each cluster's arm (a cluster sits in one arm): sum of squared sizes per arm's total.
    arm_of = np.zeros(k, dtype=np.int64)
    arm_of[ids] = codes
    arm_n = np.bincount(codes).astype(float)
    m0 = (n - float((sizes**2 / arm_n[arm_of]).sum())) / df_between
    denominator = msb + (m0 - 1.0) * msw
    icc = (msb - msw) / denominator if denominator > 0 else 0.0
    return float(min(max(icc, 0.0), 0.99)), float(max(m0, 1.0))


def _realised_power(p: _Prepared, alpha: float) -> dict[str, PowerResult]:
    """Per outcome the minimum detectable effect for the realised arm sizes (participants
    with a measurement; the arms' mean size against the control arm), the control arm's
    proportion or standard deviation, 80% power and Bonferroni over the whole family of
    arm x outcome tests, which is also what Holm and the adjusted intervals correct for
    (no gain from covariates assumed). With clusters, the design effect from the ICC and
    the cluster size estimated from the data (:func:`_cluster_design`)."""
    out: dict[str, PowerResult] = {}
    for i, o in enumerate(p.outcomes):
        obs = p.masks[i]
        counts = np.bincount(p.codes[obs], minlength=len(p.levels))
        n_c, n_t = float(counts[0]), float(counts[1:].mean())
        y_c = p.ys[i][obs & (p.codes == 0)]
        binary = _is_binary(p, i)
        base = float(y_c.mean()) if binary else None
        sd = None if binary else float(np.std(y_c, ddof=1))
        if (base is not None and not 0 < base < 1) or (sd is not None and not sd > 0):
            continue
        icc, size = (
            _cluster_design(p.ys[i][obs], p.codes[obs], p.clusters[obs])
            if p.clusters is not None
            else (0.0, 1.0)
        )
        try:
            res = minimum_detectable_effect(
                n_per_arm=n_t,
                n_arms=len(p.levels),
                control_ratio=n_c / n_t,
                baseline=base,
                sd=sd,
                alpha=alpha,
                n_outcomes=len(p.outcomes),
                icc=icc,
                cluster_size=size,
            )
        except UserFacingError:
            continue
        out[o] = res
    return out
