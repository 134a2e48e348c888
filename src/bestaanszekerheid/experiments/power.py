"""Power, minimum detectable effect (MDE) and sample size for multi-arm experiments.

Design: several intervention arms, each compared with one control group, two-sided tests.
Multiple testing over the family of (arms x outcomes) comparisons is taken into account by
testing each comparison at alpha / m (Bonferroni). For Holm this is the *first* step of the
procedure, so the analytic power is a guaranteed lower bound (Holm rejects at least whatever
Bonferroni rejects); :func:`simulate_power` gives Holm's actual power.

Binary outcomes use the unpooled normal approximation with the variance at the alternative
(p0 vs p0 + delta), which is what the HC2 analysis actually estimates. Cluster randomisation
enters through the design effect 1 + (m - 1) * ICC, covariate adjustment through (1 - R^2).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.experiments.results import PowerResult, SimulatedPower
from bestaanszekerheid.formatting import fmt_int, fmt_num, fmt_pct

CORRECTIONS = ("bonferroni", "holm", "geen")
_NUMBER_WORDS = {
    1: "één",
    2: "twee",
    3: "drie",
    4: "vier",
    5: "vijf",
    6: "zes",
    7: "zeven",
    8: "acht",
    9: "negen",
    10: "tien",
}


def _word(n: int) -> str:
    return _NUMBER_WORDS.get(n, str(n))


@dataclass(frozen=True)
class _Design:
    n_arms: int
    n_per_arm: float
    n_control: float
    baseline: float | None
    sd: float | None
    alpha: float
    m_tests: int
    correction: str
    design_effect: float
    r2: float
    icc: float = 0.0
    cluster_size: float = 1.0

    @property
    def alpha_per_test(self) -> float:
        return self.alpha if self.correction == "geen" else self.alpha / self.m_tests

    @property
    def binary(self) -> bool:
        return self.baseline is not None

    def se(self, effect: float, n_per_arm: float | None = None) -> float:
        n_t = self.n_per_arm if n_per_arm is None else n_per_arm
        n_c = self.n_control if n_per_arm is None else n_per_arm * self.n_control / self.n_per_arm
        if self.baseline is not None:
            p0 = self.baseline
            p1 = min(max(p0 + effect, 0.0), 1.0)
            var = p0 * (1 - p0) / n_c + p1 * (1 - p1) / n_t
        else:
            sd = self.sd if self.sd is not None else 1.0
            var = sd**2 * (1.0 / n_c + 1.0 / n_t)
        return math.sqrt(var * self.design_effect * (1.0 - self.r2))

    def power(self, effect: float, n_per_arm: float | None = None) -> float:
        if effect == 0:
            return self.alpha_per_test
        z = float(stats.norm.ppf(1 - self.alpha_per_test / 2))
        ratio = abs(effect) / self.se(effect, n_per_arm)
        return float(stats.norm.cdf(ratio - z) + stats.norm.cdf(-ratio - z))


def _design(
    *,
    n_total: float | None,
    n_arms: int,
    n_per_arm: float | None,
    control_ratio: float,
    baseline: float | None,
    sd: float | None,
    alpha: float,
    n_outcomes: int,
    correction: str,
    icc: float,
    cluster_size: float,
    r2: float,
) -> _Design:
    if n_arms < 2:
        raise UserFacingError(
            "Er zijn minstens twee onderzoeksarmen nodig: een controlearm en één interventiearm."
        )
    if correction not in CORRECTIONS:
        raise UserFacingError(
            f"Onbekende correctie '{correction}'; kies uit {', '.join(CORRECTIONS)}."
        )
    if (baseline is None) == (sd is None):
        raise UserFacingError(
            "Geef óf een basiskans (binaire uitkomst, bijvoorbeeld 0,2) óf een "
            "standaarddeviatie (continue uitkomst), niet allebei en niet geen van beide."
        )
    if baseline is not None and not 0 < baseline < 1:
        raise UserFacingError(f"De basiskans moet tussen 0 en 1 liggen, niet {baseline}.")
    if not 0 < alpha < 1:
        raise UserFacingError(f"Het significantieniveau moet tussen 0 en 1 liggen, niet {alpha}.")
    if not 0 <= icc < 1:
        raise UserFacingError(
            f"De intraclustercorrelatie (ICC) moet 0 of meer en kleiner dan 1 zijn, niet {icc}."
        )
    if cluster_size < 1:
        raise UserFacingError(f"De clustergrootte moet minstens 1 zijn, niet {cluster_size}.")
    if not 0 <= r2 < 1:
        raise UserFacingError(f"R² moet 0 of meer en kleiner dan 1 zijn, niet {r2}.")
    k = n_arms - 1
    if n_per_arm is None:
        if n_total is None:
            raise UserFacingError("Geef het totale aantal deelnemers of het aantal per arm.")
        n_per_arm = n_total / (k + control_ratio)
    if n_per_arm <= 1:
        raise UserFacingError("Er zijn te weinig deelnemers per arm voor een berekening.")
    return _Design(
        n_arms=n_arms,
        n_per_arm=float(n_per_arm),
        n_control=float(n_per_arm * control_ratio),
        baseline=baseline,
        sd=sd,
        alpha=alpha,
        m_tests=k * n_outcomes,
        correction=correction,
        design_effect=1.0 + (cluster_size - 1.0) * icc,
        r2=r2,
        icc=icc,
        cluster_size=cluster_size,
    )


def _explain(
    d: _Design, effect: float, power: float, what: str, uncorrected: float | None = None
) -> str:
    n_total = d.n_per_arm * (d.n_arms - 1) + d.n_control
    if abs(d.n_control - d.n_per_arm) < 0.5:
        sizes = f"{fmt_int(d.n_per_arm)} per arm, waarvan één de controlearm is"
    else:
        sizes = (
            f"{fmt_int(d.n_per_arm)} per interventiearm en {fmt_int(d.n_control)} in de controlearm"
        )
    start = f"Met {fmt_int(n_total)} deelnemers in {_word(d.n_arms)} onderzoeksarmen ({sizes})"
    if d.design_effect > 1:
        start += (
            f", in clusters van gemiddeld {fmt_num(d.cluster_size, 1)} deelnemers met een "
            f"intraclustercorrelatie van {fmt_num(d.icc, 3)} (design effect "
            f"{fmt_num(d.design_effect, 2)}: elke deelnemer telt voor "
            f"{fmt_num(1 / d.design_effect, 2)} onafhankelijke deelnemer)"
        )
    if d.baseline is not None:
        start += f" en een kans van {fmt_pct(100 * d.baseline, 0)} in de controlearm"
        pp = 100 * effect
        digits = 0 if abs(pp) >= 10 else 1
        size = f"{fmt_num(pp, digits)} procentpunten"
        size_long = (
            f"{size} (van {fmt_pct(100 * d.baseline, digits)} naar "
            f"{fmt_pct(100 * (d.baseline + effect), digits)})"
        )
    else:
        sd = d.sd if d.sd is not None else 1.0
        size = f"{fmt_num(effect, 2)}"
        size_long = f"{size} (dat is {fmt_num(effect / sd, 2)} standaarddeviatie)"
    if d.correction == "geen" or d.m_tests == 1:
        corr = "zonder correctie voor meervoudig toetsen"
    else:
        name = "Bonferroni" if d.correction == "bonferroni" else "Holm (berekend als Bonferroni)"
        corr = f"gecorrigeerd voor {_word(d.m_tests)} vergelijkingen met de controlearm ({name})"
    level = (
        f"als het effect zo groot is, vindt u het in {fmt_pct(100 * power, 0)} van de gevallen "
        f"(tweezijdige toets, {fmt_pct(100 * d.alpha, 0)} significantieniveau, {corr})"
    )
    if what == "mde":
        extra = ""
        if uncorrected is not None:
            unc = (
                f"{fmt_num(100 * uncorrected, 0)} procentpunten"
                if d.baseline is not None
                else fmt_num(uncorrected, 2)
            )
            extra = f" Zonder correctie voor meervoudig toetsen zou dat ongeveer {unc} zijn."
        return (
            f"{start} is het kleinste effect dat u betrouwbaar kunt aantonen ongeveer "
            f"{size_long}.{extra} 'Betrouwbaar' betekent: {level}. Kleinere effecten kunnen "
            "bestaan maar blijven dan waarschijnlijk onopgemerkt: 'geen significant effect' "
            "betekent dus niet 'geen effect'."
        )
    if what == "n":
        return (
            f"Om een effect van {size_long} betrouwbaar aan te tonen zijn ongeveer "
            f"{fmt_int(d.n_per_arm)} deelnemers per interventiearm en {fmt_int(d.n_control)} "
            f"in de controlearm nodig, in totaal {fmt_int(n_total)}. "
            f"'Betrouwbaar' betekent: {level}."
        )
    return (
        f"{start} is de kans om een effect van {size_long} aan te tonen "
        f"{fmt_pct(100 * power, 0)} (tweezijdige toets, {fmt_pct(100 * d.alpha, 0)} "
        f"significantieniveau, {corr})."
    )


def _result(
    d: _Design, effect: float, power: float, what: str, uncorrected: float | None = None
) -> PowerResult:
    return PowerResult(
        outcome_type="binair" if d.binary else "continu",
        n_arms=d.n_arms,
        n_per_arm=d.n_per_arm,
        n_control=d.n_control,
        n_total=d.n_per_arm * (d.n_arms - 1) + d.n_control,
        alpha=d.alpha,
        alpha_per_test=d.alpha_per_test,
        correction=d.correction,
        power=power,
        effect=effect,
        baseline=d.baseline,
        sd=d.sd,
        design_effect=d.design_effect,
        explanation=_explain(d, effect, power, what, uncorrected),
        icc=d.icc,
        cluster_size=d.cluster_size,
    )


def minimum_detectable_effect(
    n_total: float | None = None,
    *,
    n_arms: int = 2,
    n_per_arm: float | None = None,
    control_ratio: float = 1.0,
    baseline: float | None = None,
    sd: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    n_outcomes: int = 1,
    correction: str = "bonferroni",
    icc: float = 0.0,
    cluster_size: float = 1.0,
    r2: float = 0.0,
) -> PowerResult:
    """Smallest (positive) effect detected with probability ``power`` by each arm's test.

    ``n_arms`` counts the control group. Participants are split equally unless
    ``control_ratio`` (control size relative to one intervention arm) says otherwise. Give
    ``baseline`` (control proportion) for a binary outcome or ``sd`` for a continuous one;
    the effect is then in proportion points or outcome units.

    Example: ``minimum_detectable_effect(780, n_arms=4, baseline=0.2).uitleg()``.
    """
    d = _design(
        n_total=n_total,
        n_arms=n_arms,
        n_per_arm=n_per_arm,
        control_ratio=control_ratio,
        baseline=baseline,
        sd=sd,
        alpha=alpha,
        n_outcomes=n_outcomes,
        correction=correction,
        icc=icc,
        cluster_size=cluster_size,
        r2=r2,
    )
    upper = (1.0 - baseline) if baseline is not None else 100.0 * (sd or 1.0)
    if d.power(upper) < power:
        raise UserFacingError(
            "Met dit aantal deelnemers is zelfs het grootst mogelijke effect niet betrouwbaar "
            "aan te tonen; vergroot de armen."
        )
    effect = float(optimize.brentq(lambda e: d.power(e) - power, 1e-9, upper, xtol=1e-12))
    uncorrected = None
    if d.correction != "geen" and d.m_tests > 1:
        plain = dataclasses.replace(d, correction="geen")
        uncorrected = float(
            optimize.brentq(lambda e: plain.power(e) - power, 1e-9, upper, xtol=1e-12)
        )
    return _result(d, effect, power, "mde", uncorrected)


def power_for_effect(
    effect: float,
    n_total: float | None = None,
    *,
    n_arms: int = 2,
    n_per_arm: float | None = None,
    control_ratio: float = 1.0,
    baseline: float | None = None,
    sd: float | None = None,
    alpha: float = 0.05,
    n_outcomes: int = 1,
    correction: str = "bonferroni",
    icc: float = 0.0,
    cluster_size: float = 1.0,
    r2: float = 0.0,
) -> PowerResult:
    """Probability that one arm's (corrected) test detects a true effect of size ``effect``."""
    d = _design(
        n_total=n_total,
        n_arms=n_arms,
        n_per_arm=n_per_arm,
        control_ratio=control_ratio,
        baseline=baseline,
        sd=sd,
        alpha=alpha,
        n_outcomes=n_outcomes,
        correction=correction,
        icc=icc,
        cluster_size=cluster_size,
        r2=r2,
    )
    return _result(d, effect, d.power(effect), "power")


def sample_size(
    effect: float,
    *,
    n_arms: int = 2,
    control_ratio: float = 1.0,
    baseline: float | None = None,
    sd: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    n_outcomes: int = 1,
    correction: str = "bonferroni",
    icc: float = 0.0,
    cluster_size: float = 1.0,
    r2: float = 0.0,
) -> PowerResult:
    """Participants per arm (rounded up) needed to detect ``effect`` with the given power."""
    if effect == 0:
        raise UserFacingError("Een effect van 0 kan met geen enkele steekproef worden aangetoond.")
    d = _design(
        n_total=None,
        n_arms=n_arms,
        n_per_arm=1_000.0,
        control_ratio=control_ratio,
        baseline=baseline,
        sd=sd,
        alpha=alpha,
        n_outcomes=n_outcomes,
        correction=correction,
        icc=icc,
        cluster_size=cluster_size,
        r2=r2,
    )
    hi = 10.0
    while d.power(effect, hi) < power:
        hi *= 2
        if hi > 1e9:
            raise UserFacingError("Dit effect is met geen realistische steekproef aan te tonen.")
    n_t = float(optimize.brentq(lambda n: d.power(effect, n) - power, 1.0 + 1e-9, hi))
    n_t = math.ceil(n_t)
    # Whole participants in every group, the control group rounded up on its own.
    final = dataclasses.replace(
        d, n_per_arm=float(n_t), n_control=float(math.ceil(n_t * control_ratio))
    )
    return _result(final, effect, final.power(effect), "n")


def _holm_reject(p: np.ndarray, alpha: float) -> np.ndarray:
    """Holm step-down rejections for each row of a (sims x tests) p-value matrix."""
    m = p.shape[1]
    order = np.argsort(p, axis=1)
    sorted_p = np.take_along_axis(p, order, axis=1)
    ok = sorted_p <= alpha / (m - np.arange(m))
    ok = np.cumprod(ok, axis=1).astype(bool)  # stop at the first non-rejection
    reject = np.zeros_like(ok)
    np.put_along_axis(reject, order, ok, axis=1)
    return reject


def simulate_power(
    effect: float,
    *,
    n_per_arm: int,
    n_arms: int = 2,
    n_control: int | None = None,
    baseline: float | None = None,
    sd: float | None = None,
    other_effects: float | None = None,
    alpha: float = 0.05,
    correction: str = "bonferroni",
    n_sim: int = 4_000,
    seed: int = 0,
) -> SimulatedPower:
    """Power of the first arm's test, by simulating the actual analysis.

    Each simulated experiment is analysed with the difference in means and its HC2 standard
    error (for arm dummies the HC2 variance is exactly s1^2/n1 + s0^2/n0) and a t test with
    N - (number of arms) degrees of freedom, then corrected over arms as requested. The other
    arms have effect ``other_effects`` (default: the same effect).
    """
    if correction not in CORRECTIONS:
        raise ValueError(f"unknown correction {correction!r}")
    rng = np.random.default_rng(seed)
    k = n_arms - 1
    n_c = n_per_arm if n_control is None else n_control
    effects = np.full(k, effect if other_effects is None else other_effects)
    effects[0] = effect
    df = n_c + k * n_per_arm - n_arms
    if baseline is not None:
        y_c = rng.binomial(n_c, baseline, size=n_sim) / n_c
        p1 = np.clip(baseline + effects, 0.0, 1.0)
        y_t = rng.binomial(n_per_arm, p1, size=(n_sim, k)) / n_per_arm
        v_c = y_c * (1 - y_c) / (n_c - 1)
        v_t = y_t * (1 - y_t) / (n_per_arm - 1)
    else:
        s = 1.0 if sd is None else sd
        y_c = rng.normal(0.0, s / math.sqrt(n_c), size=n_sim)
        y_t = rng.normal(effects, s / math.sqrt(n_per_arm), size=(n_sim, k))
        v_c = s**2 * rng.chisquare(n_c - 1, size=n_sim) / (n_c - 1) / n_c
        v_t = s**2 * rng.chisquare(n_per_arm - 1, size=(n_sim, k)) / (n_per_arm - 1) / n_per_arm
    se = np.sqrt(v_c[:, None] + v_t)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, (y_t - y_c[:, None]) / se, 0.0)
    p = 2 * stats.t.sf(np.abs(t), df)
    if correction == "geen":
        reject = p <= alpha
    elif correction == "bonferroni":
        reject = p <= alpha / k
    else:
        reject = _holm_reject(p, alpha)
    pw = float(reject[:, 0].mean())
    return SimulatedPower(power=pw, mc_se=math.sqrt(pw * (1 - pw) / n_sim), n_sim=n_sim)
