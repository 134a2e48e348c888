"""Dutch number formats for everything a user reads (1.234,5 and 12,3%)."""

from __future__ import annotations

import math


def fmt_int(value: float, lang: str = "nl") -> str:
    """Whole number with a thousands separator: 12.345 (nl) or 12,345 (en); 'x' for a
    missing (hidden) number."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "x"
    text = f"{round(value):,}"
    return text.replace(",", ".") if lang == "nl" else text


def fmt_num(value: float, decimals: int = 1, lang: str = "nl") -> str:
    """Number with fixed decimals: 1.234,5 (nl) or 1,234.5 (en); '-' for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    text = f"{value:,.{decimals}f}"
    if lang == "nl":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def fmt_plain(value: float, lang: str = "nl") -> str:
    """A number as short as it goes, no thousands separator: 130 or 120,5 (nl), 120.5 (en).

    For limits and thresholds a user typed or a schema sets (``--max-pct 120.5``, "min. 15").
    """
    text = f"{value:g}"
    return text.replace(".", ",") if lang == "nl" else text


def fmt_pct(value: float, decimals: int = 1, lang: str = "nl") -> str:
    """Percentage: 12,3% (nl) or 12.3% (en); 'x' for a missing (hidden) number."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "x"
    return fmt_num(value, decimals, lang) + "%"


def fmt_eur(value: float, lang: str = "nl") -> str:
    """Amount in euros: € 1.345,45 (nl) or €1,345.45 (en)."""
    return ("€ " if lang == "nl" else "€") + fmt_num(value, 2, lang)
