"""'Samenvatting voor beleid': five key messages and the groups in one table."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from bestaanszekerheid.disclosure import TOTAL
from bestaanszekerheid.formatting import fmt_int, fmt_num, fmt_pct
from bestaanszekerheid.profiles.support import ROUTES, Pointers
from bestaanszekerheid.reports.sections.common import (
    as_float,
    date_nl,
    estimate_sources,
    join_nl,
    source_phrase,
)
from bestaanszekerheid.reports.sections.support import group_pointers
from bestaanszekerheid.reports.tree import Bullets, Callout, Cell, Section, Table
from bestaanszekerheid.target import TargetStatus

if TYPE_CHECKING:
    from bestaanszekerheid.pipeline import AnalysisResult


def summary_section(result: AnalysisResult) -> Section:
    """The summary for policy makers at the top of the report: five key messages from the
    results and one table of the groups (a two-minute read, one printed page)."""
    groups = result.profiles.groups
    pointers = {g.key: group_pointers(result.profiles, g) for g in groups}
    use = Callout(
        "Bedoeld om aanbod te ontwerpen en wijken te kiezen; niet om inwoners in te delen, te "
        "beoordelen of te controleren.",
        "info",
    )
    return Section(
        "samenvatting",
        "Samenvatting voor beleid",
        (
            Bullets(key_messages(result, pointers), title="In het kort"),
            _groups_table(result, pointers),
            use,
        ),
    )


#: A route in a table cell.
ROUTE_WORDS = {"inkomen": "inkomen", "kosten": "kosten", "verkenning": "verkenning"}


def _short(key: str) -> str:
    """'Groep 3' -> '3' (in lists of groups)."""
    return key.removeprefix("Groep ")


def _groups_phrase(keys: list[str]) -> str:
    """'groep 2', 'groep 2 en 4'."""
    return "groep " + join_nl([_short(k) for k in keys])


def key_messages(result: AnalysisResult, pointers: dict[str, Pointers]) -> tuple[str, ...]:
    """Five plain messages: how many, which groups, where, what it asks, what is uncertain."""
    target = result.target
    groups = result.profiles.groups
    tt = result.target_table.frame
    col = tt.columns[0]
    n_target = as_float(tt.loc[TargetStatus.IN_TARGET, col])
    n_all = as_float(tt.loc[TOTAL, col])
    share = 100 * n_target / n_all if n_all > 0 else math.nan
    how_many = (
        f"{fmt_int(n_target)} huishoudens ({fmt_pct(share, 0)} van alle huishoudens in "
        f"{source_phrase(result)}) hebben een inkomen tot en met "
        f"{fmt_num(target.max_pct, 0)}% van het sociaal minimum (peildatum "
        f"{date_nl(target.on)})."
    )
    known = [g for g in groups if not math.isnan(g.size)]
    largest = sorted(known, key=lambda g: -g.size)[:2]
    which = (
        f"Ze vallen uiteen in {len(groups)} groepen; de grootste: "
        + join_nl([f"'{g.name}' ({fmt_int(g.size)})" for g in largest])
        + "."
    )
    shares = result.wijk_shares
    top = shares.highest(3) if shares is not None else []
    if top and shares is not None:
        where = (
            "Het aandeel is het hoogst in "
            + join_nl([f"{w.name} ({fmt_pct(w.share, 0)})" for w in top])
            + f"; gemiddeld {fmt_pct(shares.overall, 0)}."
        )
    else:
        where = "Per wijk zijn geen cijfers gepubliceerd (te weinig huishoudens of geen wijk)."
    return (how_many, which, where, _asks(pointers), _uncertain(result))


def _asks(pointers: dict[str, Pointers]) -> str:
    """What the groups ask for: routes, prevention and schemes left unused."""
    by_route: dict[str, list[str]] = {str(r): [] for r in ROUTES}
    for key, p in pointers.items():
        for route in p.routes:
            by_route[route].append(key)
        if p.preventive:
            by_route["preventie"].append(key)
    what = {
        "inkomen": "werk, meer uren of een aanvulling op het inkomen",
        "kosten": "lagere lasten en regelingen",
        "verkenning": "een brede verkenning",
        "preventie": "vroeg erbij zijn",
    }
    every = [what[n] for n, keys in by_route.items() if keys and len(keys) == len(pointers)]
    some = [
        f"{what[n]} ({_groups_phrase(keys)})"
        for n, keys in by_route.items()
        if keys and len(keys) < len(pointers)
    ]
    if every and len(pointers) > 1:
        text = "Wat dit vraagt: van alle groepen " + join_nl(every)
        text += ("; daarnaast " + join_nl(some) if some else "") + "."
    elif every or some:
        text = "Wat dit vraagt: " + join_nl(every + some) + "."
    else:
        text = ""
    unused: dict[str, int] = {}
    for p in pointers.values():
        for s in p.left_unused:
            unused[s.name] = unused.get(s.name, 0) + 1
    if unused:
        most = sorted(unused.items(), key=lambda kv: -kv[1])[:2]
        text += (
            " Vaak blijven liggen: " + join_nl([f"{name} ({n} groepen)" for name, n in most]) + "."
        )
    return text.strip()


def _uncertain(result: AnalysisResult) -> str:
    """What is uncertain, in one sentence (and that the data are invented, for the demo)."""
    text = (
        "Onzeker: de groepen zijn een model; recht op regelingen is geschat "
        "zonder vermogen; kleine aantallen staan er niet in (x)."
    )
    if result.synthetic:
        text += " Demo: synthetische gegevens, geen echte huishoudens."
    return text


def _groups_table(result: AnalysisResult, pointers: dict[str, Pointers]) -> Table:
    """One row per group: households (rounded), where, routes, schemes left unused."""
    routes_of = {
        g.key: [ROUTE_WORDS[r] for r in pointers[g.key].routes]
        + (["preventie"] if pointers[g.key].preventive else [])
        for g in result.profiles.groups
    }
    # A route every group calls for says nothing in a column: it goes into the note.
    everyone = [
        r for r in next(iter(routes_of.values()), []) if all(r in v for v in routes_of.values())
    ]
    rows = []
    for g in result.profiles.groups:
        p = pointers[g.key]
        where = g.wijken[0].wijk_name if g.wijken else "verspreid"
        unused = [s.short for s in p.left_unused]
        routes = [r for r in routes_of[g.key] if r not in everyone]
        rows.append(
            (
                Cell(f"{_short(g.key)}. {g.name}"),
                Cell(g.size, "int"),
                Cell(where),
                Cell(", ".join(routes) or "–"),
                Cell(", ".join(unused) or "–"),
            )
        )
    common = (
        f" Alle groepen: de route{'s' if len(everyone) > 1 else ''} {join_nl(everyone)}; in de "
        "tabel staan de routes daarnaast."
        if everyone and len(routes_of) > 1
        else ""
    )
    return Table(
        key="samenvatting-groepen",
        title="De groepen in één tabel",
        columns=(
            "Groep",
            "Huishoudens (ongeveer)",
            "Relatief vaak in",
            "Routes" if not everyone or len(routes_of) == 1 else "Ook de route",
            "Blijft liggen",
        ),
        rows=tuple(rows),
        sources=estimate_sources(result.profiles),
        kind="estimate",
        note="Huishoudens: modelschatting, afgerond. Routes en regelingen: de "
        "aanknopingspunten per groep." + common,
    )
