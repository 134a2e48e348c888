"""Typed result objects of effect measurement, with Dutch summaries.

Every result has ``to_frame()`` (machine-readable, English column names, stable for code) and
``summary()`` returning a :class:`Summary` with ``.text``, ``.html`` and ``.frame`` (Dutch labels,
for people). Nothing here applies disclosure control: exporting is the job of the CLI (for now)
and later of ``bestaanszekerheid.disclosure``.
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import pandas as pd

from bestaanszekerheid.experiments.labels import Labels
from bestaanszekerheid.formatting import fmt_int, fmt_num


def format_number(value: object, digits: int = 3) -> str:
    """A table cell for people: Dutch number format (1.234 and 0,123), ja/nee for booleans,
    an empty string for missing values."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, numbers.Integral):
        return fmt_int(int(value))
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) >= 1:
            return fmt_int(value)
        return fmt_num(value, digits)
    return str(value)


def format_p(value: float | None) -> str:
    """Format a p-value: small values as '< 0,001'."""
    if value is None or math.isnan(value):
        return ""
    if value < 0.001:
        return "< 0,001"
    return fmt_num(value, 3)


@dataclass(frozen=True)
class Summary:
    """A human-readable summary: title, a table with Dutch labels and explanatory notes."""

    title: str
    frame: pd.DataFrame
    notes: tuple[str, ...] = ()

    def _formatted(self) -> pd.DataFrame:
        out = self.frame.copy()
        for col in out.columns:
            if str(col).startswith("p"):
                out[col] = [format_p(v) if isinstance(v, float) else v for v in out[col]]
            else:
                out[col] = [format_number(v) for v in out[col]]
        return out

    @property
    def text(self) -> str:
        """Plain text (for a terminal or a log)."""
        lines = [self.title, "=" * len(self.title), self._formatted().to_string(index=False)]
        lines += ["", *self.notes] if self.notes else []
        return "\n".join(lines)

    @property
    def html(self) -> str:
        """An HTML fragment (escaped) for reports and notebooks."""
        table = self._formatted().to_html(index=False, escape=True, border=0)
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self.notes)
        return f"<section><h3>{html.escape(self.title)}</h3>{table}{notes}</section>"

    def __str__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return self.html


# ----------------------------------------------------------------------------- power


@dataclass(frozen=True)
class PowerResult:
    """Power, minimum detectable effect or sample size of a multi-arm design."""

    outcome_type: str  # "binair" or "continu"
    n_arms: int  # including the control group
    n_per_arm: float
    n_control: float
    n_total: float
    alpha: float
    alpha_per_test: float
    correction: str
    power: float
    effect: float  # absolute effect (proportion points or outcome units)
    baseline: float | None  # control proportion (binary)
    sd: float | None  # outcome standard deviation (continuous)
    design_effect: float
    explanation: str
    #: The intra-cluster correlation and cluster size behind ``design_effect`` (0 and 1:
    #: no clusters).
    icc: float = 0.0
    cluster_size: float = 1.0

    def uitleg(self) -> str:  # Dutch name on purpose: it is the user-facing sentence
        """The plain-Dutch sentence explaining what this design can detect."""
        return self.explanation

    def to_frame(self) -> pd.DataFrame:
        """One-row DataFrame with all fields."""
        return pd.DataFrame([asdict(self)])

    def summary(self) -> Summary:
        """Dutch summary table."""
        frame = pd.DataFrame(
            {
                "Onderdeel": [
                    "Soort uitkomst",
                    "Aantal armen (incl. controle)",
                    "Deelnemers per interventiearm",
                    "Deelnemers controlearm",
                    "Totaal",
                    "Significantieniveau (totaal)",
                    "Significantieniveau per toets",
                    "Correctie meervoudig toetsen",
                    "Onderscheidend vermogen",
                    "Effect",
                    "Design effect (clusters)",
                ],
                "Waarde": [
                    self.outcome_type,
                    self.n_arms,
                    round(self.n_per_arm, 1),
                    round(self.n_control, 1),
                    round(self.n_total, 1),
                    self.alpha,
                    self.alpha_per_test,
                    self.correction,
                    self.power,
                    self.effect,
                    self.design_effect,
                ],
            }
        )
        frame["Waarde"] = frame["Waarde"].astype(object)
        return Summary(
            "Onderscheidend vermogen en kleinst aantoonbaar effect", frame, (self.explanation,)
        )


@dataclass(frozen=True)
class SimulatedPower:
    """Power estimated by simulation, with its Monte Carlo standard error."""

    power: float
    mc_se: float
    n_sim: int


# ----------------------------------------------------------------------------- effects


@dataclass(frozen=True)
class ArmEffect:
    """The intention-to-treat effect of one arm against control on one outcome."""

    outcome: str
    arm: str
    control: str
    estimate: float
    std_error: float
    df: float
    p_value: float
    ci_low: float
    ci_high: float
    n_arm: int
    n_control: int
    control_mean: float
    p_holm: float | None = None
    p_bh: float | None = None
    p_romano_wolf: float | None = None
    p_randomisation: float | None = None
    #: The interval corrected for the whole family of tests (Bonferroni: level 1 - alpha / m),
    #: consistent with the Holm decisions: when it excludes zero, Holm rejects too.
    ci_low_adjusted: float | None = None
    ci_high_adjusted: float | None = None

    def significant(self, alpha: float) -> bool:
        """Significant after Holm's correction (the plain p when Holm was not computed)."""
        p = self.p_holm if self.p_holm is not None else self.p_value
        return p < alpha


DUTCH_EFFECT_LABELS: dict[str, str] = {
    "outcome": "Uitkomst",
    "arm": "Arm",
    "control_mean": "Gemiddelde controle",
    "estimate": "Effect",
    "std_error": "Standaardfout",
    "ci_low": "Ondergrens 95%-BI",
    "ci_high": "Bovengrens 95%-BI",
    "ci_low_adjusted": "Ondergrens gecorrigeerd BI",
    "ci_high_adjusted": "Bovengrens gecorrigeerd BI",
    "p_value": "p",
    "p_holm": "p (Holm)",
    "p_bh": "p (BH)",
    "p_romano_wolf": "p (Romano-Wolf)",
    "p_randomisation": "p (lotingstoets)",
    "n_arm": "n arm",
    "n_control": "n controle",
}


@dataclass(frozen=True)
class EffectResult:
    """Effects of all arms against control, for one or more outcomes."""

    effects: tuple[ArmEffect, ...]
    cov_type: str
    adjustment: str  # "geen", "lin" or "additief"
    covariates: tuple[str, ...]
    alpha: float
    evidence: str  # plain-Dutch label of the strength of the design
    #: Notes without codes (how randomisation inference and Romano-Wolf were run); the notes
    #: that name outcomes or characteristics are built by :meth:`explained`.
    notes: tuple[str, ...] = ()
    n_dropped: dict[str, int] = field(default_factory=dict)
    # Minimum detectable effect per outcome with the realised group sizes (80% power,
    # Bonferroni over all tests, no covariate gain): read "no significant effect" against it.
    mde: dict[str, float] = field(default_factory=dict)
    #: The design behind each ``mde`` (alpha, power, arm sizes, correction, baseline).
    power: dict[str, PowerResult] = field(default_factory=dict)
    #: Number of tests in the family that Holm, BH and the adjusted intervals correct for.
    family_size: int = 0
    #: Covariates whose missing values were imputed (mean plus a missing indicator).
    imputed: tuple[str, ...] = ()

    @property
    def m_tests(self) -> int:
        """The number of tests in the family (arms x outcomes)."""
        return self.family_size or len(self.effects)

    @property
    def adjusted_level(self) -> float:
        """Confidence level of the adjusted intervals (Bonferroni over the family)."""
        return 1.0 - self.alpha / self.m_tests

    def to_frame(self) -> pd.DataFrame:
        """All effects as a DataFrame (English column names)."""
        return pd.DataFrame([asdict(e) for e in self.effects])

    def effect(self, arm: str, outcome: str | None = None) -> ArmEffect:
        """The effect of one arm (on one outcome when there are several)."""
        for e in self.effects:
            if e.arm == arm and (outcome is None or e.outcome == outcome):
                return e
        raise KeyError(f"geen effect voor arm {arm!r} en uitkomst {outcome!r}")

    def explained(
        self,
        outcome: Callable[[str], str] = str,
        variable: Callable[[str], str] = str,
        *,
        with_mde: bool = True,
    ) -> tuple[str, ...]:
        """The Dutch notes to the effects, naming outcomes and characteristics by
        ``outcome(code)`` and ``variable(code)`` (the codes themselves by default)."""
        se_label = {
            "HC2": "robuuste standaardfouten (HC2)",
            "CR1": "clusterrobuuste standaardfouten (CR1)",
            "CR2": "clusterrobuuste standaardfouten (CR2)",
        }.get(self.cov_type, f"standaardfouten {self.cov_type}")
        names = ", ".join(variable(c) for c in self.covariates)
        adj = {
            "lin": f"gecorrigeerd voor {names} (Lin-schatter)",
            "additief": f"gecorrigeerd voor {names} (additief)",
        }.get(self.adjustment, "zonder correctie voor achtergrondkenmerken")
        notes = [
            f"Effect = verschil met de controlearm (intention-to-treat), {adj}; {se_label}.",
            self.evidence,
        ]
        if with_mde and self.mde:
            parts = [
                f"{outcome(o)}: {format_number(100 * v, 1)} procentpunten"
                if o in self.power and self.power[o].outcome_type == "binair"
                else f"{outcome(o)}: {format_number(v, 2)}"
                for o, v in self.mde.items()
            ]
            notes.append(
                "Kleinste effect dat met deze aantallen betrouwbaar (80%) aan te tonen is, "
                "gecorrigeerd voor alle toetsen: " + "; ".join(parts) + ". Kleinere effecten "
                "blijven waarschijnlijk onopgemerkt."
            )
        notes.extend(self.notes)
        if self.imputed:
            notes.append(
                "Ontbrekende waarden in "
                + ", ".join(variable(c) for c in self.imputed)
                + " zijn aangevuld (gemiddelde plus een aanduiding 'ontbreekt'), zodat alle "
                "gelote deelnemers meetellen."
            )
        dropped = {o: n for o, n in self.n_dropped.items() if n}
        if dropped:
            notes.append(
                "Weggelaten wegens ontbrekende waarden: "
                + ", ".join(f"{outcome(o)}: {n}" for o, n in dropped.items())
                + " (zie de uitvalanalyse)."
            )
        return tuple(notes)

    def summary(self, labels: Labels | None = None) -> Summary:
        """Dutch summary table with the multiple-testing corrections that were computed;
        outcomes and arms by their ``labels`` (the codes follow in their own columns)."""
        names = labels or Labels()
        frame = self.to_frame()
        cols = [c for c in DUTCH_EFFECT_LABELS if c in frame.columns and frame[c].notna().any()]
        codes = frame[["outcome", "arm"]].copy()
        frame = frame[cols].rename(columns=DUTCH_EFFECT_LABELS)
        frame["Uitkomst"] = [names.outcome(c) for c in codes["outcome"]]
        frame["Arm"] = [names.arm(c) for c in codes["arm"]]
        frame["Uitkomst (code)"] = codes["outcome"].to_numpy()
        frame["Arm (code)"] = codes["arm"].to_numpy()
        return Summary(
            "Effecten per arm ten opzichte van de controlearm",
            frame,
            self.explained(names.outcome, names.variable),
        )


@dataclass(frozen=True)
class BalanceResult:
    """Balance of baseline characteristics across arms."""

    table: pd.DataFrame  # rows: variable (level); columns: mean per arm, smd per treated arm
    control: str
    arms: tuple[str, ...]
    threshold: float = 0.1

    def to_frame(self) -> pd.DataFrame:
        """The balance table (means per arm and standardised differences vs control)."""
        return self.table.copy()

    def max_abs_smd(self) -> float:
        """Largest absolute standardised difference in the table."""
        smd_cols = [c for c in self.table.columns if str(c).startswith("smd_")]
        return float(self.table[smd_cols].abs().max().max()) if smd_cols else 0.0

    def summary(self, labels: Labels | None = None) -> Summary:
        """Dutch balance table, arms by their ``labels``."""
        names = labels or Labels()
        frame = self.table.copy()
        frame = frame.rename(
            columns={
                "variable": "Kenmerk",
                **{f"mean_{a}": f"Gemiddelde {names.arm(a)}" for a in self.arms},
                **{f"smd_{a}": f"Gest. verschil {names.arm(a)}" for a in self.arms},
            }
        )
        note = (
            f"Gestandaardiseerd verschil = verschil met de controlearm ({names.arm(self.control)}) "
            "gedeeld "
            f"door de gepoolde standaarddeviatie; boven {format_number(self.threshold, 2)} "
            "verdient aandacht. Grootste absolute verschil: "
            f"{format_number(self.max_abs_smd(), 3)}."
        )
        return Summary("Vergelijkbaarheid van de armen bij de start", frame, (note,))


@dataclass(frozen=True)
class LeeBounds:
    """Lee (2009) trimming bounds for the effect of one arm under differential attrition."""

    arm: str
    control: str
    lower: float
    upper: float
    trim_share: float
    trimmed_group: str
    observed_share_arm: float
    observed_share_control: float
    ci_low: float | None = None
    ci_high: float | None = None


@dataclass(frozen=True)
class AttritionResult:
    """Attrition per arm, a test of differential attrition and Lee bounds."""

    rates: pd.DataFrame  # arm, n, n_missing, attrition
    differential: tuple[ArmEffect, ...]  # effect of each arm on the attrition indicator
    joint_p_value: float  # Wald test: equal attrition in all arms
    bounds: tuple[LeeBounds, ...]
    # Baseline balance among those WITH an outcome: selective attrition shows up here.
    respondent_balance: BalanceResult | None = None

    def to_frame(self) -> pd.DataFrame:
        """Attrition rates per arm."""
        return self.rates.copy()

    def bounds_frame(self) -> pd.DataFrame:
        """Lee bounds as a DataFrame."""
        return pd.DataFrame([asdict(b) for b in self.bounds])

    def summary(self, labels: Labels | None = None) -> Summary:
        """Dutch attrition table with the joint test and bounds in the notes, arms by their
        ``labels``."""
        names = labels or Labels()
        frame = self.rates.assign(arm=[names.arm(a) for a in self.rates["arm"]]).rename(
            columns={
                "arm": "Arm",
                "n": "n gestart",
                "n_missing": "n zonder uitkomst",
                "attrition": "Uitval",
            }
        )
        notes = ["Toets op gelijke uitval in alle armen: p = " + format_p(self.joint_p_value) + "."]
        if self.respondent_balance is not None:
            notes.append(
                "Grootste gestandaardiseerde verschil in kenmerken bij de start, alleen onder "
                "deelnemers mét uitkomst: "
                f"{format_number(self.respondent_balance.max_abs_smd(), 3)} (boven 0,1: de "
                "uitval lijkt selectief)."
            )
        for b in self.bounds:
            notes.append(
                f"Lee-grenzen voor {names.arm(b.arm)}: effect tussen {format_number(b.lower)} "
                f"en {format_number(b.upper)} (bijgesneden: "
                f"{format_number(100 * b.trim_share, 1)}% van arm {names.arm(b.trimmed_group)})."
            )
        return Summary("Uitval (attritie)", frame, tuple(notes))


@dataclass(frozen=True)
class ClassEffectResult:
    """Effects per latent class, from a regression on posterior class probabilities.

    ``effects`` has per arm and class: estimate, std_error, ci_low/ci_high (95%, per test),
    p_value, p_holm (Holm over every arm x class test of this result), ci_low_adjusted /
    ci_high_adjusted (Bonferroni over the same family, level 1 - alpha / family_size),
    expected_n_arm / expected_n_control (posterior sums). ``assignment`` is each analysed
    participant's most likely class (index as the data rows; for disclosure checks, never
    exported).
    """

    effects: pd.DataFrame
    heterogeneity: pd.DataFrame  # arm, wald statistic, df, p_value (H0: same effect in all classes)
    mean_max_posterior: float
    cov_type: str
    outcome: str = ""
    control: str = ""
    alpha: float = 0.05
    #: Residual degrees of freedom of the regression.
    df: float = math.nan
    family_size: int = 0
    assignment: pd.Series | None = None

    @property
    def classes(self) -> tuple[str, ...]:
        """The latent classes, in the order of the posterior columns."""
        return tuple(dict.fromkeys(str(c) for c in self.effects["latent_class"]))

    def to_frame(self) -> pd.DataFrame:
        """Effects per arm and class."""
        return self.effects.copy()

    def summary(self) -> Summary:
        """Dutch table of effects per latent group."""
        frame = self.effects.rename(
            columns={
                **DUTCH_EFFECT_LABELS,
                "latent_class": "Groep",
                "expected_n_arm": "Verwacht n arm",
                "expected_n_control": "Verwacht n controle",
            }
        )
        notes = [
            "Effect per groep geschat met de kansen op groepslidmaatschap (geen harde "
            "indeling). Gemiddelde hoogste kans: "
            f"{format_number(self.mean_max_posterior, 2)} (dichter bij 1 = scherpere groepen).",
            "Verschillen tussen groepen zijn verkennend, tenzij ze vooraf zijn vastgelegd.",
        ]
        for _, row in self.heterogeneity.iterrows():
            notes.append(
                f"Toets op gelijk effect van {row['arm']} in alle groepen: "
                f"p = {format_p(float(row['p_value']))}."
            )
        return Summary("Effecten per groep", frame, tuple(notes))


WEAKER_EVIDENCE = (
    "Let op: zwakker bewijs. Deze schatting komt niet uit een loting maar uit een verschil-in-"
    "verschillen-vergelijking; ze is alleen geldig als de interventie- en de "
    "vergelijkingseenheden zich zonder interventie gelijk zouden hebben ontwikkeld "
    "(parallelle trends)."
)


@dataclass(frozen=True)
class DidResult:
    """Difference-in-differences (two-way fixed effects) estimate; weaker evidence."""

    outcome: str
    estimate: float
    std_error: float
    df: float
    p_value: float
    ci_low: float
    ci_high: float
    n_obs: int
    n_units: int
    n_treated_units: int
    n_periods: int
    cov_type: str
    pre_trend_p_value: float | None = None
    evidence: str = WEAKER_EVIDENCE
    warnings: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """One-row DataFrame."""
        d = asdict(self)
        d["warnings"] = " ".join(self.warnings)
        return pd.DataFrame([d])

    def summary(self) -> Summary:
        """Dutch summary with the weaker-evidence label up front."""
        frame = pd.DataFrame(
            {
                "Uitkomst": [self.outcome],
                "Effect": [self.estimate],
                "Standaardfout": [self.std_error],
                "Ondergrens 95%-BI": [self.ci_low],
                "Bovengrens 95%-BI": [self.ci_high],
                "p": [self.p_value],
                "Waarnemingen": [self.n_obs],
                "Eenheden": [self.n_units],
                "Behandelde eenheden": [self.n_treated_units],
            }
        )
        return Summary(
            "Verschil-in-verschillen (zwakker bewijs)", frame, (self.evidence, *self.warnings)
        )
