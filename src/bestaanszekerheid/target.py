"""Select the target group: households at or below a percentage of the social minimum."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

import numpy as np
import pandas as pd

# Re-exported: the threshold belongs to the target group; it is defined in the import-free
# defaults module so that `bsz --help` can show it without loading pandas.
from bestaanszekerheid.defaults import DEFAULT_MAX_PCT as DEFAULT_MAX_PCT
from bestaanszekerheid.defaults import MAX_PCT_LIMIT as MAX_PCT_LIMIT
from bestaanszekerheid.disclosure import (
    TOTAL,
    CheckedTable,
    DisclosureRules,
    ReleaseRegister,
    frequency_table,
)
from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.formatting import fmt_int, fmt_num, fmt_pct, fmt_plain
from bestaanszekerheid.households.schema import COLUMNS_BY_NAME
from bestaanszekerheid.norms import DEFINITION_CBS, assess_income

SUMMARY_COLUMNS = ("household_type", "income_source", "wijk_code")


class TargetStatus(StrEnum):
    """Where a household stands relative to the target group: the rows of
    :meth:`TargetGroup.status_table`. The values are the published row labels (Dutch); as a
    ``str`` enum a member looks up its row in the checked table directly."""

    IN_TARGET = "In de doelgroep"
    ABOVE = "Boven de grens"
    UNKNOWN_INCOME = "Inkomen onbekend"


IN_TARGET = TargetStatus.IN_TARGET
ABOVE = TargetStatus.ABOVE
UNKNOWN_INCOME = TargetStatus.UNKNOWN_INCOME
STATUSES = tuple(TargetStatus)


@dataclass(frozen=True)
class TargetGroup:
    """The selected households and everything needed to explain the selection.

    Counts (``count``, ``unknown_income_count``, ...) are exact and for internal use: every
    number a user reads comes from :meth:`status_table` or :meth:`table`, which pass the
    disclosure rules.
    """

    households: pd.DataFrame
    population_count: int
    unknown_income_count: int
    max_pct: float
    on: date
    definition: str
    pct_column: str
    norm_table_version: str | None
    #: Every household of the input: household_id and doelgroep (a :class:`TargetStatus`
    #: value).
    status: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    norm_dates: dict[str, date] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    synthetic: bool = False
    source: str = ""

    @property
    def count(self) -> int:
        """Number of households in the target group."""
        return len(self.households)

    @property
    def share(self) -> float:
        """Share of the target group in all households (percent), as the published figures
        give it: a denominator of households with a known income would, beside the public
        number of households, give a few households without one away."""
        n = self.population_count
        return 100.0 * self.count / n if n else float("nan")

    def status_table(self, rules: DisclosureRules | None = None) -> CheckedTable:
        """Checked counts of all households: in the target group, above the threshold, income
        unknown, and the total. Always these rows, also when none has an unknown income (a
        missing row would say "none", a hidden one says "0 to 9"). The total of all
        households is public anyway (CBS's Kerncijfers give it), so it is kept, with the
        target group: where a small "income unknown" row is hidden, "above the threshold"
        is hidden with it."""
        frame = self.status.copy()
        # Plain strings as categories: the table's labels are text in every renderer.
        frame["doelgroep"] = pd.Categorical(
            frame["doelgroep"], categories=[s.value for s in TargetStatus]
        )
        synthetic = " (synthetisch)" if self.synthetic else ""
        return frequency_table(
            frame,
            "doelgroep",
            unit="household_id",
            margins=True,
            keep=[IN_TARGET.value, TOTAL],
            rules=rules,
            population="alle huishoudens" + synthetic,
            name="Huishoudens naar doelgroep",
        )

    def table(
        self,
        by: str,
        register: ReleaseRegister | None = None,
        rules: DisclosureRules | None = None,
    ) -> CheckedTable:
        """Disclosure-checked counts of the target group per category of column ``by``.

        Built by :func:`bestaanszekerheid.disclosure.frequency_table` (minimum counts, group
        disclosure, secondary suppression against the total), with ``rules`` or else the
        register's rules; with a ``register`` the table is also checked against everything
        released before in the run.
        """
        data = self.households.copy()
        data[by] = data[by].astype("string").fillna("(onbekend)")
        unit = "household_id" if "household_id" in data.columns else None
        rules = rules or (register.rules if register is not None else None)
        checked = frequency_table(
            data,
            by,
            unit=unit,
            rules=rules,
            name=f"doelgroep_naar_{by}",
            population=self._population(),
        )
        if register is not None:
            register.release(checked)
        return checked

    def _population(self) -> str:
        return (
            f"huishoudens tot en met {fmt_plain(self.max_pct)}% van het sociaal minimum op "
            f"{self.on.isoformat()} ({self.pct_column})"
        )

    def summary(self, lang: str = "nl", rules: DisclosureRules | None = None) -> str:
        """A plain-text summary in which every count has passed disclosure control (with
        ``rules``, default the packaged CBS rules)."""
        t = _TEXT[lang]
        register = ReleaseRegister(rules)
        status = self.status_table(register.rules)
        register.release(status)
        counts = status.frame.iloc[:, 0]
        n_in = float(counts.get(IN_TARGET, float("nan")))
        n_unknown = float(counts.get(UNKNOWN_INCOME, float("nan")))
        n_all = float(counts.get(TOTAL, float("nan")))
        lines = []
        if self.synthetic:
            lines.append(t["synthetic"])
        lines += [
            t["title"].format(pct=fmt_num(self.max_pct, 0, lang), on=_date(self.on, lang)),
            t["definition"] + " " + self.definition,
        ]
        if math.isnan(n_in):
            lines.append(t["hidden_total"])
        elif math.isnan(n_all) or n_all <= 0:
            lines.append(t["selected_only"].format(n=fmt_int(n_in, lang)))
        else:
            lines.append(
                t["selected"].format(
                    n=fmt_int(n_in, lang),
                    total=fmt_int(n_all, lang),
                    share=fmt_pct(100 * n_in / n_all, 1, lang),
                )
            )
        if math.isnan(n_unknown):
            lines.append(t["unknown_hidden"])
        elif n_unknown > 0:
            lines.append(t["unknown"].format(n=fmt_int(n_unknown, lang)))
        for by in SUMMARY_COLUMNS:
            lines.append("")
            lines.append(_BY[lang][by])
            lines += _render_counts(self.table(by, register), by, lang)
        lines.append("")
        lines.append(t["suppressed"])
        lines += [f"! {w}" for w in self.warnings]
        return "\n".join(lines)


def _labels(by: str) -> Mapping[str, str]:
    if by == "wijk_code":
        from bestaanszekerheid.areas import tilburg

        return {code: f"{code} {name}" for code, name in tilburg().names("wijk").items()}
    column = COLUMNS_BY_NAME.get(by)
    return column.codes if column is not None else {}


def _render_counts(table: CheckedTable, by: str, lang: str) -> list[str]:
    """Rows sorted by size; hidden cells print as 'x', shares only from published figures."""
    frame = table.frame
    counts = frame[frame.columns[0]]
    total = counts.get(TOTAL, float("nan"))
    labels = _labels(by)
    body = counts.drop(index=TOTAL, errors="ignore")
    order = sorted(body.index, key=lambda k: (pd.isna(body[k]), -(body[k] or 0), str(k)))
    lines = []
    for key in order:
        n = body[key]
        shown = not pd.isna(n)
        number = fmt_int(float(n), lang) if shown else "x"
        share = fmt_pct(100.0 * float(n) / float(total), 1, lang) if shown and total else "-"
        lines.append(f"  {labels.get(str(key), str(key))!s:<55} {number:>8}  {share:>7}")
    return lines


def _date(on: date, lang: str) -> str:
    return on.strftime("%d-%m-%Y") if lang == "nl" else on.isoformat()


_TEXT_NL = {
    "synthetic": "*** SYNTHETISCHE DEMODATA: verzonnen huishoudens, geen echte personen ***",
    "title": "Doelgroep: huishoudens tot en met {pct}% van het sociaal minimum, peildatum {on}",
    "definition": "Definitie:",
    "selected": "{n} van de {total} huishoudens ({share}) horen tot de doelgroep.",
    "unknown": "{n} huishoudens zonder bekend inkomenspercentage horen niet tot de doelgroep.",
    "unknown_hidden": "Huishoudens zonder bekend inkomenspercentage: x (niet gepubliceerd); zij "
    "horen niet tot de doelgroep.",
    "selected_only": "{n} huishoudens horen tot de doelgroep.",
    "suppressed": "x = niet getoond: te weinig huishoudens of terug te rekenen uit het totaal "
    "(onthullingscontrole volgens de CBS-regels).",
    "hidden_total": "Het aantal huishoudens in de doelgroep is te klein om te tonen.",
}
_TEXT_EN = {
    "synthetic": "*** SYNTHETIC DEMO DATA: made-up households, no real people ***",
    "title": "Target group: households at or below {pct}% of the social minimum, on {on}",
    "definition": "Definition:",
    "selected": "{n} of {total} households ({share}) belong to the target group.",
    "unknown": "{n} households without a known income percentage are not in the target group.",
    "unknown_hidden": "Households without a known income percentage: x (not published); they "
    "are not in the target group.",
    "selected_only": "{n} households belong to the target group.",
    "suppressed": "x = not shown: too few households or recoverable from the total "
    "(disclosure control following the CBS rules).",
    "hidden_total": "The target group is too small to show its size.",
}
_TEXT: dict[str, dict[str, str]] = {"nl": _TEXT_NL, "en": _TEXT_EN}
_BY: dict[str, dict[str, str]] = {
    "nl": {
        "household_type": "Naar huishoudtype",
        "income_source": "Naar belangrijkste inkomensbron",
        "wijk_code": "Naar wijk",
    },
    "en": {
        "household_type": "By household type",
        "income_source": "By main income source",
        "wijk_code": "By district (wijk)",
    },
}


def check_max_pct(max_pct: float) -> None:
    """Refuse a threshold outside (0, :data:`MAX_PCT_LIMIT`] with a Dutch error.

    The message names the threshold, not an option: the command line names its own flag.
    """
    if not 0 < max_pct <= MAX_PCT_LIMIT:
        raise UserFacingError(
            f"De grens moet groter zijn dan 0 en hoogstens {fmt_plain(MAX_PCT_LIMIT)}% van het "
            f"sociaal minimum, niet {fmt_plain(max_pct)}%."
        )


def select_target(
    households: pd.DataFrame,
    max_pct: float = DEFAULT_MAX_PCT,
    on: date | None = None,
) -> TargetGroup:
    """Households at or below ``max_pct`` percent of the social minimum on date ``on``.

    If the input carries CBS's own percentage (column ``pct_social_minimum_cbs``), that is used
    and the result says so; otherwise income is compared with the Participatiewet norm in force
    on ``on`` (default: 1 January of the data's latest year), municipal convention.
    """
    check_max_pct(max_pct)
    if households.empty:
        raise UserFacingError("Het huishoudbestand bevat geen huishoudens.")
    if on is None:
        on = date(int(households["year"].max()), 1, 1)
    selected = households.copy()
    cbs = "pct_social_minimum_cbs"
    synthetic = bool(households.get("synthetic", pd.Series(dtype=bool)).fillna(False).any())
    source = str(households.attrs.get("source", ""))
    if cbs in households.columns and households[cbs].notna().any():
        pct = households[cbs].astype("float64")
        definition, pct_column = DEFINITION_CBS, cbs
        version: str | None = None
        dates: dict[str, date] = {}
        warnings: tuple[str, ...] = ()
    else:
        assessed = assess_income(households, on)
        selected["norm_category"] = assessed.norm_category
        selected["norm_month"] = assessed.norm_month
        selected["income_pct_norm"] = assessed.income_pct_norm
        pct = assessed.income_pct_norm
        definition, pct_column = assessed.definition, "income_pct_norm"
        version, dates, warnings = (
            assessed.norm_table_version,
            assessed.norm_dates,
            assessed.warnings,
        )
    unknown = int(pct.isna().sum())
    in_group = (pct <= max_pct).fillna(False).astype(bool)
    status = np.where(
        in_group.to_numpy(),
        IN_TARGET.value,
        np.where(pct.isna(), UNKNOWN_INCOME.value, ABOVE.value),
    )
    return TargetGroup(
        status=pd.DataFrame(
            {
                "household_id": (
                    households["household_id"].to_numpy()
                    if "household_id" in households.columns
                    else households.index.to_numpy()
                ),
                "doelgroep": status,
            }
        ),
        households=selected.loc[in_group],
        population_count=len(households),
        unknown_income_count=unknown,
        max_pct=float(max_pct),
        on=on,
        definition=definition,
        pct_column=pct_column,
        norm_table_version=version,
        norm_dates=dates,
        warnings=tuple(warnings),
        synthetic=synthetic,
        source=source,
    )
