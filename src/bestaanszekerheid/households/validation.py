"""Turn a raw table into a typed household table, or explain in Dutch everything that is wrong.

Every problem class is collected before anything is raised, so the analyst sees all problems
at once: which file, which column, which rows (the first few) and which values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.formatting import fmt_plain
from bestaanszekerheid.households.schema import (
    COLUMNS,
    COLUMNS_BY_NAME,
    COMPOSITION_RULES,
    HOUSEHOLDS_WITHOUT_PARTNER,
    Column,
    Kind,
    label_for,
)

MAX_ROWS_SHOWN = 5
MAX_VALUES_SHOWN = 5

_TRUE = frozenset({"1", "1.0", "true", "waar", "ja", "j", "yes", "y", "t"})
_FALSE = frozenset({"0", "0.0", "false", "onwaar", "nee", "n", "no", "f"})


@dataclass(frozen=True)
class RowNumbering:
    """How rows are numbered in messages: CSV lines count the header, records start at 1."""

    noun: str
    plural: str
    first: int


CSV_LINES = RowNumbering("regel", "regels", 2)
RECORDS = RowNumbering("rij", "rijen", 1)


@dataclass(frozen=True)
class Problem:
    """One class of problem in one column (or one combination of columns)."""

    kind: str
    column: str
    message: str
    count: int
    positions: tuple[int, ...]  # 0-based positions of the first few rows in the table
    values: tuple[str, ...]

    def render(self, numbering: RowNumbering) -> str:
        where = ""
        if self.positions:
            shown = ", ".join(str(p + numbering.first) for p in self.positions)
            hidden = self.count - len(self.positions)
            more = f" en nog {hidden}" if hidden > 0 else ""
            noun = numbering.noun if self.count == 1 else numbering.plural
            where = f" ({self.count}×; {noun} {shown}{more})"
        values = ""
        if self.values:
            values = "; waarden: " + ", ".join(repr(v) for v in self.values)
        return f"- kolom '{self.column}': {self.message}{where}{values}"


class HouseholdValidationError(UserFacingError):
    """The input does not match the household schema; the message lists every problem."""

    def __init__(self, source: str, problems: Sequence[Problem], numbering: RowNumbering):
        self.source = source
        self.problems = tuple(problems)
        lines = [
            f"Het bestand '{source}' voldoet niet aan het huishoudschema "
            f"({len(self.problems)} soort(en) fouten):",
            *(p.render(numbering) for p in self.problems),
            "Zie docs/schema.md voor alle kolommen, codes en eenheden.",
        ]
        super().__init__("\n".join(lines))


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(
        self,
        kind: str,
        column: str,
        message: str,
        mask: np.ndarray | pd.Series | None = None,
        values: pd.Series | None = None,
    ) -> None:
        if mask is None:
            self.problems.append(Problem(kind, column, message, 0, (), ()))
            return
        flags = np.asarray(mask, dtype=bool)
        count = int(flags.sum())
        if count == 0:
            return
        positions = np.flatnonzero(flags)
        shown: tuple[str, ...] = ()
        if values is not None:
            picked = values.iloc[positions].astype("string")
            unique = pd.unique(picked.astype(str))
            shown = tuple(str(v) for v in unique[:MAX_VALUES_SHOWN])
        self.problems.append(
            Problem(
                kind,
                column,
                message,
                count,
                tuple(int(p) for p in positions[:MAX_ROWS_SHOWN]),
                shown,
            )
        )


def _as_text(series: pd.Series) -> pd.Series:
    """Values as stripped strings, with missing values as <NA>."""
    text = series.astype("string").str.strip()
    return text.mask(text == "", pd.NA)


def _parse_numbers(raw: pd.Series, decimal: str) -> tuple[pd.Series, np.ndarray]:
    """Parse numbers; returns the values and a mask of cells that were not numbers."""
    if pd.api.types.is_bool_dtype(raw.dtype):
        raw = raw.astype("float64")
    if pd.api.types.is_numeric_dtype(raw.dtype):
        values = pd.to_numeric(raw, errors="coerce").astype("float64")
        return values, np.zeros(len(raw), dtype=bool)
    text = _as_text(raw)
    if decimal == ",":
        text = text.str.replace(",", ".", regex=False)
    values = pd.to_numeric(text, errors="coerce").astype("float64")
    bad = (text.notna() & values.isna()).to_numpy(dtype=bool)
    return values, bad


def _coerce(
    column: Column, raw: pd.Series, decimal: str, problems: _Collector
) -> tuple[pd.Series, np.ndarray]:
    """Convert one column to its schema type; returns values and the mask of cells in error."""
    name = column.name
    # The raw values, shown as text only for the few rows in error (converting a whole
    # column to text took most of the validation's time).
    original = raw
    if column.kind is Kind.STRING:
        text = _as_text(raw)
        if pd.api.types.is_float_dtype(raw.dtype):
            # An id read as float (1.0) should read as "1".
            text = raw.map(lambda v: pd.NA if pd.isna(v) else f"{v:g}").astype("string")
        bad = np.zeros(len(raw), dtype=bool)
        if column.pattern:
            wrong = text.notna() & ~text.str.fullmatch(column.pattern).fillna(False).astype(bool)
            problems.add(
                "pattern",
                name,
                f"geen geldige waarde (verwacht het patroon {_pattern_example(column)})",
                wrong,
                original,
            )
            bad |= wrong.to_numpy(dtype=bool)
        return text, bad

    if column.kind in (Kind.INTEGER, Kind.NUMBER):
        values, bad = _parse_numbers(raw, decimal)
        kind_word = "een geheel getal" if column.kind is Kind.INTEGER else "een getal"
        hint = " (gebruik een decimale komma of punt, geen duizendtalscheiding)"
        problems.add(
            "wrong_type",
            name,
            f"moet {kind_word} zijn{hint if column.kind is Kind.NUMBER else ''}",
            bad,
            original,
        )
        if column.kind is Kind.INTEGER:
            fractional = values.notna() & (values != np.round(values))
            problems.add("wrong_type", name, "moet een geheel getal zijn", fractional, original)
            bad = bad | fractional.to_numpy(dtype=bool)
        ok = values.notna()
        if column.minimum is not None:
            low = ok & (values < column.minimum)
            if name.endswith("income_month") and column.minimum == 0:
                problems.add(
                    "negative_income",
                    name,
                    "een inkomen kan niet negatief zijn (zet verliezen van zelfstandigen op 0 "
                    "en beschrijf dat in de bron)",
                    low,
                    original,
                )
            else:
                problems.add(
                    "out_of_range",
                    name,
                    f"moet minstens {fmt_plain(column.minimum)} zijn",
                    low,
                    original,
                )
            bad = bad | low.to_numpy(dtype=bool)
        if column.maximum is not None:
            high = ok & (values > column.maximum)
            problems.add(
                "out_of_range",
                name,
                f"mag hoogstens {fmt_plain(column.maximum)} zijn",
                high,
                original,
            )
            bad = bad | high.to_numpy(dtype=bool)
        values = values.mask(bad)
        if column.kind is Kind.INTEGER:
            return values.round().astype("Int64"), bad
        return values, bad

    if column.kind is Kind.BOOLEAN:
        if pd.api.types.is_bool_dtype(raw.dtype):
            return raw.astype("boolean"), np.zeros(len(raw), dtype=bool)
        text = _as_text(raw).str.casefold()
        mapped = pd.Series(pd.NA, index=raw.index, dtype="boolean")
        mapped[text.isin(_TRUE).fillna(False).astype(bool)] = True
        mapped[text.isin(_FALSE).fillna(False).astype(bool)] = False
        bad = (text.notna() & mapped.isna()).to_numpy(dtype=bool)
        problems.add("wrong_type", name, "moet ja/nee (1/0, true/false) zijn", bad, original)
        return mapped, bad

    # Code column: accept codes, Dutch labels and aliases, case-insensitively.
    lookup: dict[str, str] = {code.casefold(): code for code in column.codes}
    lookup.update({label.casefold(): code for code, label in column.codes.items()})
    lookup.update(column.aliases)
    text = _as_text(raw)
    folded = text.str.casefold()
    mapped_text = folded.map(lookup, na_action="ignore")
    bad = (text.notna() & mapped_text.isna()).to_numpy(dtype=bool)
    allowed = ", ".join(f"{code} ({label})" for code, label in column.codes.items())
    problems.add("unknown_code", name, f"onbekende code; toegestaan: {allowed}", bad, original)
    return pd.Series(pd.Categorical(mapped_text, categories=list(column.codes))), bad


def _pattern_example(column: Column) -> str:
    examples = {"wijk_code": "WK085510", "buurt_code": "BU08551001"}
    return examples.get(column.name, column.pattern or "")


def _normalise_names(frame: pd.DataFrame) -> pd.DataFrame:
    renamed = {name: str(name).strip().casefold() for name in frame.columns}
    return frame.rename(columns=renamed)


def validate_households(
    raw: pd.DataFrame,
    *,
    source: str = "<tabel>",
    decimal: str = ".",
    numbering: RowNumbering = RECORDS,
) -> pd.DataFrame:
    """Validate and type a raw household table.

    Returns a new DataFrame with schema columns in schema order (typed: nullable integers,
    floats, booleans, categoricals for codes) followed by any extra columns unchanged.
    Raises :class:`HouseholdValidationError` listing every problem class.
    """
    frame = _normalise_names(raw).reset_index(drop=True)
    problems = _Collector()

    duplicated_names = frame.columns[frame.columns.duplicated()].unique()
    for name in duplicated_names:
        problems.add("duplicate_column", str(name), "komt meer dan eens voor als kolomnaam")
    frame = frame.loc[:, ~frame.columns.duplicated()]

    missing = [c.name for c in COLUMNS if c.required and c.name not in frame.columns]
    for name in missing:
        problems.add("missing_column", name, "verplichte kolom ontbreekt")

    typed: dict[str, pd.Series] = {}
    errors: dict[str, np.ndarray] = {}
    for column in COLUMNS:
        if column.name not in frame.columns:
            continue
        values, bad = _coerce(column, frame[column.name], decimal, problems)
        values.index = frame.index
        if column.required:
            empty = values.isna().to_numpy(dtype=bool) & ~bad
            problems.add("empty_required", column.name, "verplichte waarde ontbreekt", empty)
        typed[column.name] = values
        errors[column.name] = bad

    if not missing:
        _check_combinations(typed, frame, problems)

    if problems.problems:
        raise HouseholdValidationError(source, problems.problems, numbering)

    result = pd.DataFrame(typed, index=frame.index)
    extras = [c for c in frame.columns if c not in COLUMNS_BY_NAME]
    for name in extras:
        result[name] = frame[name]
    return result


def _check_combinations(
    typed: dict[str, pd.Series], frame: pd.DataFrame, problems: _Collector
) -> None:
    ids = typed["household_id"]
    dupes = ids.duplicated(keep=False) & ids.notna()
    problems.add("duplicate_id", "household_id", "huishouden-id komt dubbel voor", dupes, ids)

    htype = typed["household_type"].astype("string")
    adults = typed["n_adults"]
    children = typed["n_children"]
    for code, ((min_a, max_a), (min_c, max_c)) in COMPOSITION_RULES.items():
        is_type = (htype == code).fillna(False).astype(bool)
        wrong_adults = is_type & adults.notna() & ((adults < min_a) | (adults > max_a))
        wrong_children = is_type & children.notna() & ((children < min_c) | (children > max_c))
        label = label_for("household_type", code).lower()
        problems.add(
            "composition",
            "n_adults",
            f"past niet bij huishoudtype '{code}' ({label}): verwacht "
            + (f"{min_a}" if min_a == max_a else f"{min_a} tot {max_a}")
            + " volwassene(n)",
            wrong_adults.fillna(False),
            frame["n_adults"],
        )
        expected_children = (
            "geen kinderen" if max_c == 0 else f"minstens {min_c} kind" if min_c else "kinderen"
        )
        problems.add(
            "composition",
            "n_children",
            f"past niet bij huishoudtype '{code}' ({label}): verwacht {expected_children}",
            wrong_children.fillna(False),
            frame["n_children"],
        )

    if "age_youngest_child" in typed:
        age = typed["age_youngest_child"]
        no_kids = children.notna() & (children == 0) & age.notna()
        problems.add(
            "composition",
            "age_youngest_child",
            "is ingevuld terwijl het huishouden geen kinderen heeft",
            no_kids.fillna(False),
            frame["age_youngest_child"],
        )
        kids_no_age = children.notna() & (children > 0) & age.isna()
        problems.add(
            "composition",
            "age_youngest_child",
            "ontbreekt terwijl het huishouden kinderen heeft",
            kids_no_age.fillna(False),
        )
        too_old_parent = age.notna() & typed["age_main_earner"].notna()
        too_old_parent &= typed["age_main_earner"] - age < 12
        problems.add(
            "composition",
            "age_youngest_child",
            "de hoofdkostwinner is minder dan 12 jaar ouder dan het jongste kind",
            too_old_parent.fillna(False),
            frame["age_youngest_child"],
        )

    if "partner_income_month" in typed:
        partner = typed["partner_income_month"]
        alone = htype.isin(list(HOUSEHOLDS_WITHOUT_PARTNER)).fillna(False).astype(bool)
        with_partner_income = alone & partner.notna() & (partner > 0)
        problems.add(
            "partner_income_without_partner",
            "partner_income_month",
            "een alleenstaande of eenouderhuishouden kan geen partnerinkomen hebben",
            with_partner_income.fillna(False),
            frame["partner_income_month"],
        )
        above_total = partner.notna() & (partner > typed["net_income_month"] + 0.005)
        problems.add(
            "partner_income_above_total",
            "partner_income_month",
            "is hoger dan het netto huishoudinkomen",
            above_total.fillna(False),
            frame["partner_income_month"],
        )

    if "buurt_code" in typed:
        buurt = typed["buurt_code"]
        wijk = typed["wijk_code"]
        outside = buurt.notna() & wijk.notna() & (buurt.str[2:8] != wijk.str[2:8])
        problems.add(
            "buurt_outside_wijk",
            "buurt_code",
            "ligt niet in de opgegeven wijk (de eerste zes cijfers moeten gelijk zijn aan die "
            "van wijk_code)",
            outside.fillna(False),
            buurt,
        )

    if "debt_assistance" in typed and "problematic_debts" in typed:
        wsnp = (typed["debt_assistance"].astype("string") == "wsnp").fillna(False).astype(bool)
        no_debts = (typed["problematic_debts"] == False).fillna(False).astype(bool)  # noqa: E712
        problems.add(
            "wsnp_without_debts",
            "debt_assistance",
            "WSNP staat er, maar problematic_debts is 'nee' (WSNP telt altijd als "
            "problematische schuld)",
            wsnp & no_debts,
        )
