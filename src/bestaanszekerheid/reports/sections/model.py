"""'Modelkeuze': the fit of every published model and why this number of groups."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from bestaanszekerheid.formatting import fmt_num
from bestaanszekerheid.reports import charts
from bestaanszekerheid.reports.tree import Cell, Chart, Paragraph, Section, Table

if TYPE_CHECKING:
    from bestaanszekerheid.pipeline import AnalysisResult

#: The indicators of the latent class model as the report names them.
INDICATOR_LABELS = {
    "household_type": "huishoudtype",
    "income_source": "belangrijkste inkomensbron",
    "age_main_earner": "leeftijd van de hoofdkostwinner",
    "low_income_years": "aantal jaren met een laag inkomen",
    "problematic_debts": "problematische schulden",
    "high_care_costs": "hoge zorgkosten",
    "tenure": "woonsituatie",
}


def _spread(r: pd.Series) -> str:
    """The 10-90% range of the ARI over the bootstrap refits ('0,98-0,99'; '–' without)."""
    low, high = float(r.get("stability_p10", math.nan)), float(r.get("stability_p90", math.nan))
    if math.isnan(low) or math.isnan(high):
        return "–"
    return f"{fmt_num(low, 2)}-{fmt_num(high, 2)}"


def fit_table(result: AnalysisResult) -> Table:
    """The published rows of the fit table (models whose classes all passed the check)."""
    sel = result.selection
    rows = []
    for k, r in result.fit_table.iterrows():
        rows.append(
            (
                Cell(f"{k} groepen" + (" (gekozen)" if k == sel.recommended else "")),
                Cell(float(r["bic"]), "int"),
                Cell(float(r["entropy_r2"]), "num2"),
                Cell(100 * float(r["smallest_class"]), "pct"),
                Cell(float(r["stability"]), "num2"),
                Cell(_spread(r)),
                Cell(float(r.get("jaccard_min", math.nan)), "num2"),
                Cell("ja" if bool(r["converged"]) else "nee"),
            )
        )
    return Table(
        key="fit",
        title="Modellen met 2 of meer groepen vergeleken",
        columns=(
            "Model",
            "BIC",
            "Entropie R²",
            "Kleinste groep",
            "Stabiliteit (ARI, mediaan)",
            "ARI 10-90%",
            "Minst stabiele groep (Jaccard)",
            "Geconvergeerd",
        ),
        rows=tuple(rows),
        sources=(result.model_check.name,),
        kind="model",
        note="BIC: hoe lager, hoe beter het model de gegevens beschrijft, met een straf voor "
        "meer groepen. Entropie R² (0-1): hoe duidelijk huishoudens bij één groep horen. "
        "Stabiliteit: het model opnieuw geschat op bootstrapsteekproeven (de huishoudens "
        "opnieuw getrokken, met teruglegging); ARI (0-1, 1 is gelijk): hoe goed de hele "
        "indeling terugkomt, mediaan en 10-90%-bereik; Jaccard (0-1): hoe goed de minst "
        "stabiele groep terugkomt (mediaan; vanaf 0,75 stabiel).",
    )


def model_section(result: AnalysisResult) -> Section:
    """Which models were compared, the BIC chart, the fit table and the explanation."""
    sel = result.selection
    table = result.fit_table
    chart = Chart(
        key="fit-grafiek",
        title="Modelfit (BIC) naar aantal groepen",
        svg=charts.fit_chart(table, sel.recommended),
        alt=f"Lijngrafiek van de BIC voor {min(table.index)} tot {max(table.index)} groepen; "
        f"het gekozen model met {sel.recommended} groepen is gemarkeerd.",
    )
    indicators = ", ".join(INDICATOR_LABELS.get(k, k) for k in result.indicators)
    return Section(
        "modelkeuze",
        "Modelkeuze: hoeveel groepen?",
        (
            Paragraph(
                "De groepen zijn gevonden met latente-klassenanalyse op deze kenmerken "
                f"(indicatoren): {indicators}. Herkomst en opleiding zijn bewust geen "
                "indicator: de groepen gaan over de situatie van huishoudens, niet over wie "
                "ze zijn. Ze worden wel beschreven."
            ),
            chart,
            fit_table(result),
            Paragraph(sel.explanation),
        ),
    )
