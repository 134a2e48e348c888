"""Select the target group: households at or below a percentage of the social minimum."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.formatting import fmt_int, fmt_num, fmt_pct
from bestaanszekerheid.households.schema import COLUMNS_BY_NAME
from bestaanszekerheid.norms import DEFINITION_CBS, assess_income

DEFAULT_MAX_PCT = 130.0
# Counts below this are not printed: the CBS Remote Access minimum cell size. Full disclosure
# control (secondary suppression, dominance) lives in ``bestaanszekerheid.disclosure``.
MIN_CELL = 10

SUMMARY_COLUMNS = ("household_type", "income_source", "wijk_code")


@dataclass(frozen=True)
class TargetGroup:
    """The selected households and everything needed to explain the selection."""

    households: pd.DataFrame
    population_count: int
    unknown_income_count: int
    max_pct: float
    on: date
    definition: str
    pct_column: str
    norm_table_version: str | None
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
        """Share of the target group in all households with a known income (percent)."""
        known = self.population_count - self.unknown_income_count
        return 100.0 * self.count / known if known else float("nan")

    def counts(self, by: str) -> pd.DataFrame:
        """Target-group counts per category of column ``by`` (unsuppressed; internal use)."""
        column = COLUMNS_BY_NAME.get(by)
        values = self.households[by].astype("string").fillna("(onbekend)")
        table = values.value_counts().rename_axis("code").reset_index(name="aantal")
        labels: Mapping[str, str] = column.codes if column is not None else {}
        if by == "wijk_code":
            from bestaanszekerheid.areas_lookup import wijk_names

            names = wijk_names()
            labels = {code: f"{code} {names[code]}" for code in names}
        table.insert(1, "omschrijving", [labels.get(code, code) for code in table["code"]])
        table["aandeel"] = 100.0 * table["aantal"] / max(self.count, 1)
        return table.sort_values(["aantal", "code"], ascending=[False, True], ignore_index=True)

    def summary(self, lang: str = "nl") -> str:
        """A plain-text summary; counts under 10 are shown as '< 10'."""
        t = _TEXT[lang]
        lines = []
        if self.synthetic:
            lines.append(t["synthetic"])
        lines += [
            t["title"].format(pct=fmt_num(self.max_pct, 0, lang), on=_date(self.on, lang)),
            t["definition"] + " " + self.definition,
            t["selected"].format(
                n=fmt_int(self.count, lang),
                total=fmt_int(self.population_count - self.unknown_income_count, lang),
                share=fmt_pct(self.share, 1, lang),
            ),
        ]
        if self.unknown_income_count:
            lines.append(t["unknown"].format(n=fmt_int(self.unknown_income_count, lang)))
        for by in SUMMARY_COLUMNS:
            lines.append("")
            lines.append(_BY[lang][by])
            table = self.counts(by)
            rows = zip(table["omschrijving"], table["aantal"], table["aandeel"], strict=True)
            for name, n, share in rows:
                lines.append(
                    f"  {name!s:<55} {_cell(int(n), lang):>8}"
                    f"  {_cell_pct(int(n), float(share), lang):>7}"
                )
        lines.append("")
        lines.append(t["suppressed"])
        lines += [f"! {w}" for w in self.warnings]
        return "\n".join(lines)


def _date(on: date, lang: str) -> str:
    return on.strftime("%d-%m-%Y") if lang == "nl" else on.isoformat()


def _cell(n: int, lang: str) -> str:
    return fmt_int(n, lang) if n >= MIN_CELL else "< 10"


def _cell_pct(n: int, pct: float, lang: str) -> str:
    return fmt_pct(pct, 1, lang) if n >= MIN_CELL else "-"


_TEXT_NL = {
    "synthetic": "*** SYNTHETISCHE DEMODATA: verzonnen huishoudens, geen echte personen ***",
    "title": "Doelgroep: huishoudens tot en met {pct}% van het sociaal minimum, peildatum {on}",
    "definition": "Definitie:",
    "selected": "{n} van de {total} huishoudens ({share}) horen tot de doelgroep.",
    "unknown": "{n} huishoudens zonder bekend inkomenspercentage zijn niet meegeteld.",
    "suppressed": "Aantallen onder 10 zijn niet getoond (CBS-regel minimale celvulling).",
}
_TEXT_EN = {
    "synthetic": "*** SYNTHETIC DEMO DATA: made-up households, no real people ***",
    "title": "Target group: households at or below {pct}% of the social minimum, on {on}",
    "definition": "Definition:",
    "selected": "{n} of {total} households ({share}) belong to the target group.",
    "unknown": "{n} households without a known income percentage were not counted.",
    "suppressed": "Counts below 10 are not shown (CBS minimum cell size rule).",
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
    if not 0 < max_pct <= 1000:
        raise UserFacingError(f"--max-pct moet tussen 0 en 1000 liggen, niet {max_pct}.")
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
    return TargetGroup(
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
