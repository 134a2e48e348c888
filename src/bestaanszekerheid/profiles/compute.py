"""Group profiles: size, distributions, distinguishing features, wijken, recognisability.

How the numbers are made (and why they are safe to publish):

- **Group membership is uncertain.** Distributions per group are the BCH-corrected estimates
  of the engine's three-step analysis (:func:`bestaanszekerheid.segments.stepwise.
  describe_classes`), with bootstrap standard errors, never shares among hard-assigned
  households (those understate every difference between groups).
- **Disclosure control.** Counts are checked tables (:func:`frequency_table`) released in the
  run's :class:`ReleaseRegister`: per characteristic and per wijk the distribution over the
  whole target group. Group sizes are model estimates (class weights, rounded to tens), not
  counts of hard assignments. Cross tables of group x
  characteristic on the modal assignment are *not* published: latent classes are nearly pure
  on their indicators, so such tables are mostly zero cells ("niemand") and would be almost
  entirely suppressed. The group-specific shares are model estimates (BCH: weights can be
  negative, so they cannot be computed by the table builders); they are registered as a model
  output (:func:`check_model`: every class and every level behind an estimate at least the
  minimum count) and an estimate is published only for a level whose count in the checked
  whole-group table is published.
- **Effect size.** Cohen's *h* between a group's estimated share and the share in the whole
  target group, with a 95% interval from the bootstrap standard error (delta method; the
  whole-group share is treated as fixed). |h| of 0,2 / 0,5 / 0,8 is a small / medium / large
  difference.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bestaanszekerheid.defaults import MIN_TOP_REACH, OVER_REPRESENTED
from bestaanszekerheid.disclosure import (
    CheckedEstimates,
    CheckedTable,
    ModelCheck,
    ReleaseRegister,
    check_model,
    frequency_table,
)
from bestaanszekerheid.formatting import fmt_num
from bestaanszekerheid.profiles.features import (
    DEFAULT_CHARACTERISTICS,
    UNKNOWN,
    Characteristic,
    characteristics_frame,
    level_order,
    phrase,
)
from bestaanszekerheid.profiles.recognise import Pct, Recognition, recognise_groups
from bestaanszekerheid.profiles.shares import (
    AREA_COLUMNS,
    cohens_h,
    comparison_frame,
    group_sizes,
)
from bestaanszekerheid.segments.model import LatentClassModel
from bestaanszekerheid.segments.stepwise import describe_classes

if TYPE_CHECKING:
    from bestaanszekerheid.areas.distribution import AreaFigures

COUNT = "count"  # the column of a one-way count table
#: Smallest |h| reported as a distinguishing feature (Cohen: 0,2 is a small difference).
MIN_EFFECT = 0.2
#: A wijk is "over-represented" for a group when the group's share there is at least this
#: multiple of its share in the whole target group (the maps' class "vaker").
MIN_AREA_INDEX = OVER_REPRESENTED


@dataclass(frozen=True)
class Feature:
    """One level of one characteristic, compared between a group and the whole target group."""

    column: str
    label: str
    level: str
    phrase: str
    share_group: float  # % (BCH-corrected estimate, as published; a band at its limit)
    se: float  # percentage points
    share_all: float  # % in the whole target group (checked counts)
    effect: float  # Cohen's h
    low: float
    high: float
    band: str = ""  # "meer dan 95%" when the group's share is published as a band

    @property
    def direction(self) -> str:
        """'vaker' or 'minder vaak'."""
        return "vaker" if self.effect > 0 else "minder vaak"

    def share_text(self, decimals: int = 1) -> str:
        """The group's share as a reader sees it: '65%' or the band."""
        from bestaanszekerheid.formatting import fmt_pct

        return self.band or fmt_pct(self.share_group, decimals)


@dataclass(frozen=True)
class AreaFeature:
    """A wijk where a group lives relatively often."""

    wijk_code: str
    wijk_name: str
    share_in_wijk: float  # % of the wijk's target households in the group (as published)
    index: float  # share in wijk / share in whole target group
    households: float  # target households in the wijk (checked count)
    band: str = ""  # "meer dan 95%" when the share is published as a band


@dataclass(frozen=True)
class GroupProfile:
    """Everything a report says about one group."""

    number: int
    key: str  # "Groep 1" (1 = largest)
    name: str
    description: str
    generated_name: str
    generated_description: str
    overridden: bool
    size: float  # estimated households in the group (model estimate, rounded to tens)
    share: float  # estimated % of the target group (model estimate)
    more_often: tuple[Feature, ...]
    less_often: tuple[Feature, ...]
    wijken: tuple[AreaFeature, ...]
    recognition: Recognition
    #: The features the generated name mentions (strong ones, see ``naming.is_strong``); the
    #: description and the persona card always show them.
    name_features: tuple[Feature, ...] = ()
    #: No strong feature: the group is named and described as a mixed group.
    mixed: bool = False


@dataclass(frozen=True)
class ProfileSet:
    """The profiles of all groups, with the checked tables they were built from."""

    groups: tuple[GroupProfile, ...]
    characteristics: tuple[Characteristic, ...]
    #: Tidy: groep, column, label, level, share_group, band, se, share_all, effect, low,
    #: high (shares in %, rounded as published; NaN where banded or hidden; ``band`` the
    #: text of a band, "minder dan 5%", or "").
    comparison: pd.DataFrame
    #: Tidy: groep, wijk_code, wijk_name, share, band, index, households (as published; from
    #: the areas step, :class:`bestaanszekerheid.areas.AreaFigures`).
    areas: pd.DataFrame
    characteristic_tables: dict[str, CheckedTable]
    estimates_check: ModelCheck
    tree_check: ModelCheck
    tree_accuracy: Pct
    tree_depth: int
    n_households: int
    population: str
    notes: list[str] = field(default_factory=list)
    #: The checked estimate tables behind ``comparison`` (per characteristic) and ``areas``
    #: (key ``wijk_code``): what is published, banded or hidden, and why (for the log).
    estimates: dict[str, CheckedEstimates] = field(default_factory=dict)

    @property
    def checked_tables(self) -> list[CheckedTable]:
        """Every checked table behind the profiles, in report order."""
        return [*self.characteristic_tables.values()]

    def group(self, key: str) -> GroupProfile:
        """The profile with key ``Groep n``."""
        for g in self.groups:
            if g.key == key:
                return g
        raise KeyError(key)


def group_labels(n_classes: int) -> list[str]:
    """User-facing group keys: Groep 1 (largest) .. Groep K."""
    return [f"Groep {k + 1}" for k in range(n_classes)]


def _cell(table: CheckedTable, row: Any, col: Any) -> float:
    frame = table.frame
    try:
        return float(frame.loc[row, col])
    except KeyError:
        return math.nan


def build_profiles(
    households: pd.DataFrame,
    model: LatentClassModel,
    X: pd.DataFrame,
    *,
    register: ReleaseRegister,
    characteristics: Sequence[Characteristic] = DEFAULT_CHARACTERISTICS,
    overrides: str | Path | Mapping[str, Any] | None = None,
    areas: AreaFigures | None = None,
    population: str = "doelgroep",
    unit: str = "household_id",
    n_bootstrap: int = 100,
    tree_depth: int = 3,
    random_state: int = 0,
) -> ProfileSet:
    """Profile every group of ``model`` (fitted on ``X``, rows of ``households``).

    Every table behind the result is checked and released in ``register``; see the module
    docstring for the gating of BCH-corrected estimates. ``areas``: where the groups live
    (:func:`bestaanszekerheid.areas.where_they_live`, already released in ``register``), for
    the wijken each profile names.
    """
    from bestaanszekerheid.profiles.naming import (
        apply_overrides,
        describe_group,
        make_unique,
        plan_names,
    )

    rules = register.rules
    post = model.predict_proba(X)
    k = post.shape[1]
    keys = group_labels(k)
    modal = post.argmax(axis=1)
    chars = characteristics_frame(households, characteristics)
    used = tuple(c for c in characteristics if c.column in chars.columns)
    frame = chars.copy()
    for col in chars.columns:
        order = level_order(next(c for c in used if c.column == col), chars[col])
        frame[col] = pd.Categorical(chars[col], categories=order)
    frame[unit] = households[unit].to_numpy()

    # A refused table is left out (and with it its estimates), with a public note.
    notes: list[str] = []

    char_tables: dict[str, CheckedTable] = {}
    for char in used:
        table = register.try_release(
            frequency_table(
                frame,
                char.column,
                unit=unit,
                rules=rules,
                population=population,
                name=f"Doelgroep naar {char.label.lower()}",
            ),
            notes,
        )
        if table is not None:
            char_tables[char.column] = table
    used = tuple(c for c in used if c.column in char_tables)
    aux = chars.copy()
    three = describe_classes(model, X, aux, n_bootstrap=n_bootstrap, random_state=random_state)
    class_to_key = dict(zip(model.class_labels(), keys, strict=True))
    prof = three.profiles.assign(groep=three.profiles["klasse"].map(class_to_key))
    prof["niveau"] = prof["niveau"].astype(str)
    # Group sizes and every share are model estimates, made publishable once here: sizes
    # rounded, shares checked as tables of estimated households (shares.py).
    n_total = len(households)
    sizes = group_sizes(list(model.weights_), keys, n_total, rules)
    levels = {c.column: list(frame[c.column].cat.categories) for c in used}
    comparison, estimates = comparison_frame(prof, keys, used, levels, char_tables, sizes, rules)
    published_levels: dict[str, float] = {}
    for char in used:
        table = char_tables[char.column]
        for level in levels[char.column]:
            count = _cell(table, level, COUNT)
            if not math.isnan(count):
                published_levels[f"{char.label}: {level}"] = count

    area_rows = _area_rows(areas)

    class_counts = {k: float(np.sum(modal == t)) for t, k in enumerate(keys)}
    estimates_check = check_model(
        name="Groepsprofielen (BCH-gecorrigeerde schattingen)",
        n_obs=len(households),
        class_counts=class_counts,
        category_counts=published_levels,
        outputs=(
            "groepsgrootte",
            "aandelen per groep",
            "standaardfouten",
        ),
        units=households[unit].to_numpy(),
        population=population,
        kind="drie-stappen (BCH)",
        rules=rules,
    )
    for est in estimates.values():  # every estimate table's checks, for the checker's log
        estimates_check.checks.extend(
            dataclasses.replace(c, note=f"{est.name}: {c.note}".rstrip(": ")) for c in est.checks
        )
        estimates_check.cell_decisions.extend(est.decisions())
    register.release(estimates_check)

    recognition, tree_check, accuracy = recognise_groups(
        chars[[c.column for c in used]],
        modal,
        keys,
        units=households[unit].to_numpy(),
        rules=rules,
        population=population,
        max_depth=tree_depth,
        random_state=random_state,
    )
    register.release(tree_check)

    by_char = {c.column: c for c in used}
    # Group sizes are model estimates (class weights x households), rounded: a count table
    # of modal assignments would, next to the characteristic tables, reveal small
    # differences (a class that is nearly "everyone aged 67+" minus the 67+ count).
    all_feats = []
    for key in keys:
        sub = comparison[(comparison["groep"] == key) & comparison["effect"].notna()]
        sub = sub[
            [
                lvl != UNKNOWN and lvl not in by_char[col].skip_levels
                for col, lvl in zip(sub["column"], sub["level"], strict=True)
            ]
        ]
        all_feats.append(
            [
                Feature(
                    column=str(r["column"]),
                    label=str(r["label"]),
                    level=str(r["level"]),
                    phrase=phrase(by_char[str(r["column"])], str(r["level"])),
                    share_group=float(r["share_group"]),
                    se=float(r["se"]),
                    share_all=float(r["share_all"]),
                    effect=float(r["effect"]),
                    low=float(r["low"]),
                    high=float(r["high"]),
                    band=str(r["band"]),
                )
                for r in sub.to_dict("records")
            ]
        )
    # Names for all groups at once: only strong features, and no two names nearly alike.
    plans = plan_names(all_feats)
    groups = []
    for t, key in enumerate(keys):
        feats, plan = all_feats[t], plans[t]
        top = sorted(
            (f for f in feats if f.effect >= MIN_EFFECT and f.low > 0), key=lambda f: -f.effect
        )[:6]
        # What the name says is always among the features shown.
        more = sorted({*top, *plan.features}, key=lambda f: (-f.effect, f.column, f.level))
        less = sorted(
            (f for f in feats if f.effect <= -MIN_EFFECT and f.high < 0), key=lambda f: f.effect
        )[:5]
        wijken = _top_wijken(area_rows, key)
        share, size = sizes.share[key], sizes.size[key]
        name, description = describe_group(
            key=key,
            size=size,
            share=share,
            more=more,
            less=less,
            wijken=wijken,
            recognition=recognition[key],
            plan=plan,
        )
        groups.append(
            GroupProfile(
                number=t + 1,
                key=key,
                name=name,
                description=description,
                generated_name=name,
                generated_description=description,
                overridden=False,
                size=size,
                share=share,
                more_often=tuple(more),
                less_often=tuple(less),
                wijken=wijken,
                recognition=recognition[key],
                name_features=plan.features,
                mixed=plan.mixed,
            )
        )
    groups = apply_overrides(make_unique(groups), overrides)
    return ProfileSet(
        groups=tuple(groups),
        characteristics=used,
        comparison=comparison,
        areas=area_rows,
        characteristic_tables=char_tables,
        estimates_check=estimates_check,
        tree_check=tree_check,
        tree_accuracy=accuracy,
        tree_depth=tree_depth,
        n_households=len(households),
        population=population,
        notes=notes,
        estimates=estimates,
    )


def _area_rows(areas: AreaFigures | None) -> pd.DataFrame:
    """The groups per wijk from the areas step, in :data:`AREA_COLUMNS` (empty without)."""
    wijk = areas.levels.get("wijk") if areas is not None else None
    if wijk is None or areas is None or areas.model_check is None:
        # No released group estimates per wijk (none, or the register refused them).
        return pd.DataFrame(columns=AREA_COLUMNS)
    return wijk.groups.drop(columns="wijk_code").rename(
        columns={"code": "wijk_code", "name": "wijk_name", "target": "households"}
    )[AREA_COLUMNS]


def _top_wijken(area_rows: pd.DataFrame, key: str) -> tuple[AreaFeature, ...]:
    """The (at most three) wijken where group ``key`` lives relatively often: an index of
    at least :data:`MIN_AREA_INDEX` and :data:`MIN_TOP_REACH` expected households of the
    group (or a share published as a band), the rule of the maps' texts too."""
    # The areas step's own expected reach, as the maps' texts use it (not recomputed here).
    reach = pd.to_numeric(area_rows["reach"], errors="coerce")
    big = (area_rows["band"].fillna("").astype(str) != "") | (reach >= MIN_TOP_REACH)
    own = area_rows[(area_rows["groep"] == key) & (area_rows["index"] >= MIN_AREA_INDEX) & big]
    own = own.sort_values(["index", "wijk_code"], ascending=[False, True]).head(3)
    return tuple(
        AreaFeature(
            str(r["wijk_code"]),
            str(r["wijk_name"]),
            float(r["share"]),
            float(r["index"]),
            float(r["households"]),
            str(r["band"]),
        )
        for r in own.to_dict("records")
    )


def with_areas(profiles: ProfileSet, areas: AreaFigures | None) -> ProfileSet:
    """``profiles`` with the wijken each group lives in relatively often, from the areas step.

    The pipeline runs the areas step after the profiles: the run's linked check bounds every
    hidden count against every later table, and the many small wijk cells would make each
    characteristic table's check slow if they came first. A generated description is
    written again with the wijken; one the user wrote is kept.
    """
    from bestaanszekerheid.profiles.naming import generate_description

    area_rows = _area_rows(areas)
    groups = []
    for g in profiles.groups:
        wijken = _top_wijken(area_rows, g.key)
        generated = generate_description(
            size=g.size,
            share=g.share,
            more=g.more_often,
            less=g.less_often,
            wijken=wijken,
            recognition=g.recognition,
            named=g.name_features,
            mixed=g.mixed,
        )
        own = g.description != g.generated_description
        groups.append(
            dataclasses.replace(
                g,
                wijken=wijken,
                description=g.description if own else generated,
                generated_description=generated,
            )
        )
    return dataclasses.replace(profiles, groups=tuple(groups), areas=area_rows)


def _short_band(band: str) -> str:
    """'meer dan 95%' -> '> 95', 'minder dan 5%' -> '< 5' (a heatmap cell is small)."""
    sign = ">" if band.startswith("meer") else "<"
    return f"{sign} {band.split(' dan ', 1)[-1].rstrip('%')}"


def heatmap_frame(profiles: ProfileSet, n_features: int = 14) -> pd.DataFrame:
    """The features that set groups apart most (largest |h| over groups), all groups each.

    Tidy: feature (label: level), groep, share_group, band, share_all, effect, label (what
    a cell shows). Only published cells.
    """
    comp = profiles.comparison.dropna(subset=["effect"])
    by_char = {c.column: c for c in profiles.characteristics}
    keep = [
        lvl != UNKNOWN and lvl not in by_char[col].skip_levels
        for col, lvl in zip(comp["column"], comp["level"], strict=True)
    ]
    comp = comp[keep]
    strength = (
        comp.assign(a=comp["effect"].abs())
        .groupby(["column", "level"], sort=False)["a"]
        .max()
        .sort_values(ascending=False)
    )
    top = list(strength.index[:n_features])
    order = {ft: i for i, ft in enumerate(top)}
    sel = comp[[(c, lvl) in order for c, lvl in zip(comp["column"], comp["level"], strict=True)]]
    sel = sel.assign(
        feature=[f"{lab}: {lvl}" for lab, lvl in zip(sel["label"], sel["level"], strict=True)],
        order=[order[(c, lvl)] for c, lvl in zip(sel["column"], sel["level"], strict=True)],
        # What a heatmap cell shows: the share, or its band ("> 95").
        label=[
            _short_band(band) if band else fmt_num(share, 1)
            for share, band in zip(sel["share_group"], sel["band"], strict=True)
        ],
    )
    out: pd.DataFrame = sel.sort_values(["order", "groep"]).reset_index(drop=True)
    return out


__all__ = [
    "AreaFeature",
    "Feature",
    "GroupProfile",
    "ProfileSet",
    "build_profiles",
    "cohens_h",
    "group_labels",
    "heatmap_frame",
    "with_areas",
]
