"""'Samenvatting voor beleid': key figures, the groups in one line each, where they live."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from bestaanszekerheid.disclosure import TOTAL
from bestaanszekerheid.formatting import fmt_int, fmt_num, fmt_pct
from bestaanszekerheid.reports.sections.common import as_float, date_nl, join_nl, source_phrase
from bestaanszekerheid.reports.tree import Bullets, Callout, KeyFigures, Paragraph, Section
from bestaanszekerheid.target import TargetStatus

if TYPE_CHECKING:
    from bestaanszekerheid.pipeline import AnalysisResult


def summary_section(result: AnalysisResult) -> Section:
    """The summary for policy makers at the top of the report."""
    target = result.target
    groups = result.profiles.groups
    tt = result.target_table.frame
    col = tt.columns[0]
    n_target = as_float(tt.loc[TargetStatus.IN_TARGET, col])
    n_all = as_float(tt.loc[TOTAL, col])
    share = 100 * n_target / n_all if n_all > 0 else math.nan
    largest = max(groups, key=lambda g: -1 if math.isnan(g.share) else g.share)
    figures = KeyFigures(
        (
            (fmt_int(n_target), "huishoudens in de doelgroep"),
            (fmt_pct(share, 1), "van alle huishoudens"),
            (str(len(groups)), "groepen met een eigen profiel"),
            (fmt_pct(largest.share, 1), f"in de grootste groep ({largest.key})"),
        )
    )
    intro = (
        f"In {source_phrase(result)} hebben {fmt_int(n_target)} huishoudens "
        f"een inkomen tot en met {fmt_num(target.max_pct, 0)}% van het sociaal minimum "
        f"(peildatum {date_nl(target.on)}). Een latente-klassenanalyse deelt hen in "
        f"{len(groups)} groepen die elk een eigen combinatie van huishoudsituatie, inkomen en "
        "problemen hebben."
    )
    shares = result.wijk_shares
    top = shares.highest(3) if shares is not None else []
    where = ""
    if top and shares is not None:
        where = (
            " Het aandeel huishoudens in de doelgroep is het hoogst in "
            + join_nl([f"{w.name} ({fmt_pct(w.share, 1)})" for w in top])
            + f"; gemiddeld is dat {fmt_pct(shares.overall, 1)}."
        )
    text = Paragraph(
        intro
        + where
        + " Hieronder staan de groepen in één zin; verderop heeft elke groep een eigen pagina "
        "met kenmerken en wijken."
    )
    items = tuple(
        f"{g.key} – {g.name} ({fmt_pct(g.share, 1)} van de doelgroep"
        + (f"; relatief vaak in {', '.join(w.wijk_name for w in g.wijken[:2])}" if g.wijken else "")
        + ")"
        for g in groups
    )
    use = Callout(
        "Gebruik: deze groepen zijn bedoeld om ondersteuning en regelingen te ontwerpen en om "
        "wijken te kiezen voor een wijkgerichte aanpak. Ze zijn niet bedoeld om individuele "
        "inwoners in te delen, te beoordelen of te controleren.",
        "info",
    )
    return Section(
        "samenvatting",
        "Samenvatting voor beleid",
        (figures, text, Bullets(items, title="De groepen"), use),
    )
