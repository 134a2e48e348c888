"""Charts as static SVG (Altair + vl-convert, offline, Dutch number formats).

Static SVG opens without JavaScript, prints sharply and goes into the PDF unchanged. Every
chart is drawn from data that is already checked (published cells only).
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable
from typing import Any

import altair as alt
import pandas as pd
import vl_convert as vlc

from bestaanszekerheid.areas.maps import check_charts, unchecked_altair
from bestaanszekerheid.formatting import fmt_num, fmt_pct

# The font the chart text is measured with (vl-convert) must be the one the reader's browser
# or WeasyPrint draws with, or labels overflow: DejaVu Sans is on every Debian/Ubuntu machine,
# Verdana (nearly the same widths) on Windows.
FONT = "DejaVu Sans, Verdana, sans-serif"
BLUE = "#1f5f99"
ORANGE = "#b85400"
GREY = "#6b6b6b"
TEXT = "#1b1b1b"
#: Fill of a cell that is not published (x) in the heatmap.
HIDDEN = "#cfcfcf"


def _config(chart: Any) -> Any:
    return (
        chart.configure(font=FONT, background="white")
        .configure_axis(
            labelFontSize=12,
            titleFontSize=12,
            labelColor=TEXT,
            titleColor=TEXT,
            gridColor="#e3e3e3",
            labelLimit=320,
        )
        .configure_legend(labelFontSize=12, titleFontSize=12, labelColor=TEXT, titleColor=TEXT)
        .configure_view(stroke=None)
        .configure_title(fontSize=13, color=TEXT, anchor="start")
    )


@unchecked_altair
def to_svg(chart: Any) -> str:
    """Render an Altair chart to an SVG string with Dutch number formatting."""
    spec = _config(chart).to_dict(validate=check_charts())
    return str(vlc.vegalite_to_svg(spec, format_locale="nl-NL"))


@unchecked_altair
def fit_chart(table: pd.DataFrame, recommended: int) -> str:
    """BIC per number of classes; the recommended number highlighted."""
    data = pd.DataFrame(
        {
            "klassen": table.index.astype(int),
            "BIC": table["bic"].astype(float),
            "keuze": ["aanbevolen" if k == recommended else "" for k in table.index],
        }
    )
    base = alt.Chart(data).encode(
        x=alt.X("klassen:O", title="Aantal groepen (klassen)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y(
            "BIC:Q",
            title="BIC (lager is beter)",
            scale=alt.Scale(zero=False),
            axis=alt.Axis(format=",.0f"),
        ),
    )
    line = base.mark_line(color=BLUE, strokeWidth=2) + base.mark_point(
        color=BLUE, filled=True, size=60
    )
    chosen = base.transform_filter(alt.datum.keuze == "aanbevolen").mark_point(
        color=ORANGE, filled=True, size=220, shape="diamond"
    )
    label = base.transform_filter(alt.datum.keuze == "aanbevolen").mark_text(
        dy=-16, color=ORANGE, fontWeight="bold", fontSize=12, text="gekozen"
    )
    return to_svg((line + chosen + label).properties(width=460, height=220))


def _described(data: pd.DataFrame, parts: Callable[[dict[Any, Any]], str]) -> pd.DataFrame:
    """``data`` with a column ``beschrijving``: the text a screen reader gets for each mark.

    Set explicitly, so that it shows a value exactly as the tables do (one decimal, or a
    band's text), not rounded to the axis's format or with every decimal of the data.
    """
    return data.assign(beschrijving=[parts(r) for r in data.to_dict("records")])


def _share_text(row: dict[Any, Any], column: str = "aandeel") -> str:
    return str(row.get("tekst") or fmt_pct(float(row[column]), 1))


def _share_bars(data: pd.DataFrame, category: str, title: str) -> Any:
    """Horizontal bars of the percentage ``aandeel`` per ``category``, each with its value."""
    data = _described(data, lambda r: f"{r[category]}: {_share_text(r)}")
    base = alt.Chart(data).encode(
        y=alt.Y(f"{category}:N", sort=None, title=None),
        x=alt.X("aandeel:Q", title=title, axis=alt.Axis(format=",.0f")),
        description=alt.Description("beschrijving:N"),
    )
    bars = base.mark_bar(color=BLUE)
    text = base.mark_text(align="left", dx=4, color=TEXT, fontSize=12, aria=False).encode(
        text=alt.Text("aandeel:Q", format=",.1f")
    )
    return bars + text


@unchecked_altair
def sizes_chart(data: pd.DataFrame) -> str:
    """Horizontal bars: share of the target group per group (columns: naam, aandeel)."""
    bars = _share_bars(data, "naam", "Aandeel van de doelgroep (%)")
    return to_svg(bars.properties(width=300, height=28 * len(data)))


#: Text of a chart drawn for paper, at the size it is printed (1 px = 0.75 pt): 8.25 pt.
PAPER_FONT = 11


@unchecked_altair
def heatmap(data: pd.DataFrame, *, paper: bool = False) -> str:
    """Share per group (columns) for the most distinguishing features (rows).

    ``data``: feature, groep, share_group, effect, order, label (the cell's text).
    ``paper``: drawn at the size it is printed on A4 (at most 695 px wide, text at
    :data:`PAPER_FONT`): the columns headed by the group's number under the title "Groep",
    lower rows, a shorter legend; the screen's, shrunk to fit, printed at 5.7 pt.
    """
    color = alt.Color(
        "effect:Q",
        title="Verschil (h)",
        scale=alt.Scale(scheme="redblue", domain=[-1.6, 1.6]),
        legend=alt.Legend(format=",.1f", orient="right", titleLimit=200)
        if not paper
        else alt.Legend(
            format=",.1f", orient="right", titleLimit=200, gradientLength=120,
            labelFontSize=PAPER_FONT, titleFontSize=PAPER_FONT,
        ),
    )  # fmt: skip
    data = _described(data, lambda r: f"{r['feature']}, {r['groep']}: {r['label']}%")
    x_axis = (
        alt.Axis(labelAngle=0, orient="top")
        if not paper
        else alt.Axis(
            labelAngle=0, orient="top", labelExpr="replace(datum.label, 'Groep ', '')",
            labelFontSize=PAPER_FONT, titleFontSize=PAPER_FONT, titlePadding=4,
        )
    )  # fmt: skip
    base = alt.Chart(data).encode(
        x=alt.X("groep:N", title="Groep" if paper else None, sort=None, axis=x_axis),
        y=alt.Y(
            "feature:N",
            title=None,
            sort=alt.SortField("order"),
            axis=alt.Axis(labelFontSize=PAPER_FONT, labelLimit=300) if paper else alt.Undefined,
        ),
    )
    rect = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=color, description=alt.Description("beschrijving:N")
    )
    # A hidden cell (x) in grey: left out, it would be white, which reads as "no difference".
    hidden = (
        base.transform_filter("!isValid(datum.effect) || !isFinite(datum.effect)")
        .mark_rect(stroke="white", strokeWidth=1, color=HIDDEN)
        .encode(description=alt.Description("beschrijving:N"))
    )
    text = base.mark_text(fontSize=PAPER_FONT if paper else 11, aria=False).encode(
        text=alt.Text("label:N"),
        color=alt.ColorValue(
            TEXT,
            condition=alt.ConditionalPredicateValueDefGradientstringnullExprRef(
                test="abs(datum.effect) > 0.9", value="white"
            ),
        ),
    )
    n_groups = data["groep"].nunique()
    n_rows = data["feature"].nunique()
    cell, row = (36, 16) if paper else (62, 24)
    return to_svg((rect + hidden + text).properties(width=cell * n_groups, height=row * n_rows))


def _records(data: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame as Vega-Lite inline values, cleaned as Altair cleans it (NaN -> null, numpy
    scalars -> Python ones)."""
    clean = alt.utils.sanitize_pandas_dataframe(data)
    return [{str(k): v for k, v in r.items()} for r in clean.to_dict("records")]


def features_chart(data: pd.DataFrame, *, paper: bool = False) -> str:
    """Group versus whole target group for a group's distinguishing features.

    ``data``: kenmerk, wie ("deze groep" / "hele doelgroep"), aandeel, order, and optionally
    tekst (the value as a reader sees it, e.g. a band "meer dan 95%"). ``paper``: drawn at
    the size a group's page prints it (lower rows, text at :data:`PAPER_FONT`).

    A dict spec (see :func:`_spec_to_svg`): a report draws one per group.
    """
    data = _described(data, lambda r: f"{r['kenmerk']}, {r['wie']}: {_share_text(r)}")
    font = {"labelFontSize": PAPER_FONT} if paper else {}
    y = {
        "axis": {"labelLimit": 340, **font},
        "field": "kenmerk",
        "sort": {"field": "order"},
        "title": None,
        "type": "nominal",
    }
    who = ["deze groep", "hele doelgroep"]
    rule = {
        "mark": {"type": "rule", "aria": False, "color": "#9a9a9a", "strokeWidth": 2},
        "encoding": {
            "x": {"aggregate": "min", "field": "aandeel", "type": "quantitative"},
            "x2": {"aggregate": "max", "field": "aandeel"},
            "y": y,
        },
    }
    points = {
        "mark": {"type": "point", "filled": True, "opacity": 1, "size": 110},
        "encoding": {
            "color": {
                "field": "wie",
                "legend": {"orient": "bottom", **font},
                "scale": {"domain": who, "range": [ORANGE, GREY]},
                "title": None,
                "type": "nominal",
            },
            "description": {"field": "beschrijving", "type": "nominal"},
            "shape": {
                "field": "wie",
                "legend": {"orient": "bottom", **font},
                "scale": {"domain": who, "range": ["circle", "square"]},
                "type": "nominal",
            },
            "x": {
                "axis": {
                    "format": ",.0f",
                    **font,
                    **({"titleFontSize": PAPER_FONT} if paper else {}),
                },
                "field": "aandeel",
                "scale": {"domain": [0, 100]},
                "title": "Aandeel (%)",
                "type": "quantitative",
            },
            "y": y,
        },
    }
    return _spec_to_svg(
        {
            "layer": [rule, points],
            "data": {"values": _records(data)},
            "height": (18 if paper else 24) * data["kenmerk"].nunique(),
            "width": 320,
        }
    )


def areas_chart(data: pd.DataFrame) -> str:
    """Over-representation index per wijk (columns: wijk, index, optionally tekst); a dict
    spec, one per group (see :func:`_spec_to_svg`)."""
    data = _described(
        data, lambda r: f"{r['wijk']}: index {r.get('tekst') or fmt_num(float(r['index']), 2)}"
    )
    bars = {
        "data": {"values": _records(data)},
        "mark": {"type": "bar", "color": BLUE},
        "encoding": {
            "description": {"field": "beschrijving", "type": "nominal"},
            "x": {
                "axis": {"format": ",.1f"},
                "field": "index",
                "title": "Oververtegenwoordiging (1 = gemiddeld)",
                "type": "quantitative",
            },
            "y": {"field": "wijk", "sort": None, "title": None, "type": "nominal"},
        },
    }
    one = {
        "data": {"values": [{"x": 1.0}]},
        "mark": {"type": "rule", "aria": False, "color": ORANGE, "strokeDash": [4, 3]},
        "encoding": {"x": {"field": "x", "type": "quantitative"}},
    }
    return _spec_to_svg({"layer": [bars, one], "height": 24 * len(data), "width": 300})


def _spec_to_svg(spec: dict[str, Any]) -> str:
    """Render a Vega-Lite spec written as a dict, with the same look as :func:`to_svg`.

    For charts drawn several times per report (the forest plots, a group's features and
    wijken): building them from Altair objects took up to three times as long as rendering
    them. Checked against the Vega-Lite schema when :func:`check_charts` (the tests)."""
    full = {**spec, "config": _base_config()}
    if check_charts():
        (alt.LayerChart if "layer" in full else alt.Chart).from_dict(full, validate=True)
    return str(vlc.vegalite_to_svg(full, format_locale="nl-NL"))


@functools.cache
@unchecked_altair
def _base_config() -> dict[str, Any]:
    """The configuration :func:`_config` gives every chart, as a Vega-Lite dict."""
    config: dict[str, Any] = _config(alt.Chart(pd.DataFrame({"x": [0]})).mark_point()).to_dict()[
        "config"
    ]
    return config


def _split_title(title: str) -> list[str]:
    """A title on two lines at its first ": " (the colon kept on the first line)."""
    head, sep, tail = title.partition(": ")
    return [head + ":", tail] if sep else [title]


def _forest_panel(
    panel: str,
    part: pd.DataFrame,
    *,
    narrow: bool,
    legend: str,
    paper: bool = False,
    labels: bool = True,
) -> dict[str, Any]:
    """One panel of :func:`forest_plot` as a Vega-Lite layer spec; ``paper``: drawn at the
    size it is printed, the rows' labels only with ``labels`` (the first panel of a row)."""
    y_axis: dict[str, Any] | None = {"labelLimit": 360}
    if paper:
        y_axis = {"labelLimit": 200, "labelFontSize": PAPER_FONT} if labels else None
    y = {
        # On paper the arm beside the first panel, each panel's p-values right of it.
        "field": "rij" if paper else "label",
        "type": "nominal",
        "sort": None,
        "title": None,
        "axis": None if narrow else y_axis,
        "scale": {"paddingOuter": 0.6 if narrow else 0.5},
    }
    x_axis: dict[str, Any] = {"format": ",.1~f", "titleLimit": 300 if narrow else 460}
    if narrow:
        x_axis["tickCount"] = 4
    if paper:
        x_axis.update(
            tickCount=5, titleLimit=260, labelFontSize=PAPER_FONT, titleFontSize=PAPER_FONT
        )
    layers: list[dict[str, Any]] = [
        {
            "mark": {"type": "rule", "color": GREY, "strokeWidth": 2, "aria": False},
            "encoding": {
                "y": y,
                "x": {
                    "field": "laag",
                    "type": "quantitative",
                    # On a phone and on paper the title goes on two lines ("Welzijn:",
                    # "effect in ..."), so that it is never cut off.
                    "title": _split_title(panel) if narrow or paper else panel,
                    "axis": x_axis,
                },
                "x2": {"field": "hoog"},
            },
        },
        {
            "mark": {
                "type": "point",
                "filled": True,
                "size": 110,
                "opacity": 1,
                "ariaRoleDescription": "punt",
            },
            "encoding": {
                "y": y,
                "x": {"field": "effect", "type": "quantitative"},
                "color": {
                    "field": "significant",
                    "type": "nominal",
                    "title": legend,
                    "scale": {"domain": ["ja", "nee"], "range": [ORANGE, BLUE]},
                    "legend": {"orient": "bottom", "titleLimit": 300}
                    if not paper
                    else {
                        "orient": "bottom",
                        "direction": "horizontal",
                        "titleOrient": "left",
                        "titleLimit": 300,
                        "labelFontSize": PAPER_FONT,
                        "titleFontSize": PAPER_FONT,
                    },
                },
                "description": {"field": "beschrijving", "type": "nominal"},
            },
        },
        {
            "data": {"values": [{"x": 0.0}]},
            "mark": {"type": "rule", "color": TEXT, "strokeDash": [4, 3], "aria": False},
            "encoding": {"x": {"field": "x", "type": "quantitative"}},
        },
    ]
    if paper:
        layers.append(
            {
                "mark": {
                    "type": "text",
                    "align": "left",
                    "baseline": "middle",
                    "dx": 6,
                    "fontSize": PAPER_FONT,
                    "aria": False,
                },
                "encoding": {
                    "y": y,
                    "x": {"value": PAPER_FOREST_WIDTH},
                    "text": {"field": "p", "type": "nominal"},
                },
            }
        )
    if narrow:
        layers.append(
            {
                "mark": {
                    "type": "text",
                    "align": "left",
                    "baseline": "bottom",
                    # Vega puts a label's first line at the anchor and the second below
                    # it: both lines then sit above the interval.
                    "dy": -24,
                    "fontSize": 12,
                    "lineBreak": "\n",
                    "aria": False,
                },
                "encoding": {
                    "y": y,
                    "x": {"value": 0},
                    "text": {"field": "label_smal", "type": "nominal"},
                },
            }
        )
    width, row = (NARROW_PLOT_WIDTH, 72) if narrow else (320, 34)
    if paper:
        width, row = PAPER_FOREST_WIDTH, 22
    columns = ["label", "label_smal", "laag", "hoog", "effect", "significant", "beschrijving"]
    columns += ["rij", "p"] if paper else []
    return {
        "data": {"values": part[columns].to_dict("records")},
        "width": width,
        "height": row * len(part),
        "layer": layers,
    }


def forest_plot(
    data: pd.DataFrame,
    *,
    narrow: bool = False,
    paper: bool = False,
    description: str = "",
    legend: str = "",
) -> str:
    """Effects with their intervals, one panel each (an outcome, or a latent group), a zero
    line, as SVG.

    ``data``: paneel (the panel's axis title), rij (the row's label: an arm), p (the p-value
    as text, shown beside the label), effect, laag, hoog (the interval drawn), significant
    ("ja"/"nee", the colour). Panels have their own scale: percentage points and a 0-10 scale
    do not share an axis. ``narrow``: drawn for a phone (at most 320 px wide): each label on
    two lines above its interval instead of beside it. ``paper``: drawn at the size it is
    printed (text at :data:`PAPER_FONT`), two panels side by side with one set of row labels
    when they have the same rows (the screen's, shrunk to fit, printed at 5.4 pt).
    ``legend``: the colour legend's title; ``description``: the chart in words, the SVG's
    own label for screen readers.
    """
    data = _described(
        data,
        lambda r: (
            f"{r['paneel']}, {r['rij']}: {fmt_num(float(r['effect']), 1)} "
            f"(interval {fmt_num(float(r['laag']), 1)} tot {fmt_num(float(r['hoog']), 1)}), "
            f"{r['p']}"
        ),
    )
    data["label"] = [f"{r}  ({p})" for r, p in zip(data["rij"], data["p"], strict=True)]
    data["label_smal"] = [f"{r}\n{p}" for r, p in zip(data["rij"], data["p"], strict=True)]
    legend = legend or "Significant na correctie"
    parts = list(data.groupby("paneel", sort=False))
    if paper:
        # Side by side, labels once per row: only when every panel has the same rows.
        rows = {tuple(part["rij"]) for _, part in parts}
        shared = len(rows) == 1
        panels = [
            _forest_panel(
                str(panel), part, narrow=False, legend=legend, paper=True,
                labels=not shared or i % 2 == 0,
            )
            for i, (panel, part) in enumerate(parts)
        ]  # fmt: skip
        spec = {"concat": panels, "columns": 2 if shared else 1, "spacing": 16}
        return dutch_aria(_spec_to_svg(spec), description)
    panels = [
        _forest_panel(str(panel), part, narrow=narrow, legend=legend) for panel, part in parts
    ]
    svg = _spec_to_svg({"vconcat": panels, "spacing": 24})
    return dutch_aria(svg, description)


#: Width of a forest plot's panel drawn for paper: two side by side, each with its
#: p-values to the right (:func:`forest_plot`), within an A4 page's 695 px.
PAPER_FOREST_WIDTH = 150

#: Width of a chart's plot area drawn for a phone: with the axis and its labels the SVG is
#: at most 320 px wide, so on a 390 px screen it is shown at full size (text 12 px, never
#: scaled below 11 px).
NARROW_PLOT_WIDTH = 240


@unchecked_altair
def outreach_curve(
    data: pd.DataFrame,
    budget: float,
    who: str = "hele doelgroep",
    *,
    description: str = "",
    narrow: bool = False,
    paper: bool = False,
) -> str:
    """Expected reach against doors for the best plan and for "highest share first".

    ``data``: deuren, exact, naief (one row per budget); ``budget`` is marked with a rule;
    ``who``: whose households are reached, for the axis ("hele doelgroep", "Groep 3");
    ``description``: the chart in words, the SVG's own label for screen readers (every
    label and role in the SVG is Dutch, see :func:`dutch_aria`); ``narrow``: drawn for a
    phone (at most 320 px wide, fewer ticks); ``paper``: drawn at the size it is printed
    (low, text at :data:`PAPER_FONT`, the legend beside the plot; the screen's, shrunk to
    the height a page has for it, printed at 4.5 pt).
    """
    long = data.melt("deuren", ["exact", "naief"], var_name="plan", value_name="bereik")
    long["plan"] = long["plan"].map({"exact": "beste keuze", "naief": "hoogste aandeel eerst"})
    long = _described(
        long,
        lambda r: (
            f"{r['plan']}, {fmt_num(float(r['deuren']), 0)} deuren: "
            f"{fmt_num(float(r['bereik']), 0)} huishoudens"
        ),
    )
    domain = ["beste keuze", "hoogste aandeel eerst"]
    ticks: Any = 4 if narrow else (5 if paper else alt.Undefined)
    font: Any = PAPER_FONT if paper else alt.Undefined
    y_title: Any = f"Bereik ({who})" if narrow else f"Verwacht bereik ({who})"
    if paper:
        # On two lines: the plot is low.
        y_title = ["Verwacht bereik", f"({who})"]
    base = alt.Chart(long).encode(
        x=alt.X(
            "deuren:Q",
            title="Deurenbudget (huishoudens)",
            # Flush: the last label ends inside the plot, so it never widens the chart.
            axis=alt.Axis(
                format=",.0f",
                tickCount=ticks,
                labelFlush=True,
                labelFontSize=font,
                titleFontSize=font,
            ),
        ),
        y=alt.Y(
            "bereik:Q",
            # Narrow: a shorter title, within the plot's height (never cut off).
            title=y_title,
            axis=alt.Axis(
                format=",.0f",
                titleLimit=200 if narrow else 220,
                tickCount=ticks,
                labelFontSize=font,
                titleFontSize=font,
            ),
        ),
        color=alt.Color(
            "plan:N",
            title=None,
            scale=alt.Scale(domain=domain, range=[BLUE, ORANGE]),
            legend=alt.Legend(orient="bottom", direction="vertical" if narrow else "horizontal")
            if not paper
            else alt.Legend(orient="right", direction="vertical", labelFontSize=PAPER_FONT),
        ),
        strokeDash=alt.StrokeDash(
            "plan:N", scale=alt.Scale(domain=domain, range=[[1, 0], [5, 3]]), legend=None
        ),
    )
    lines = base.mark_line(strokeWidth=2, aria=False) + base.mark_point(
        filled=True, size=30, ariaRoleDescription="punt"
    ).encode(description=alt.Description("beschrijving:N"))
    rule = (
        alt.Chart(pd.DataFrame({"x": [budget]}))
        .mark_rule(color=GREY, strokeDash=[2, 2], aria=False)
        .encode(x=alt.X("x:Q"))
    )
    width, height = (NARROW_PLOT_WIDTH, 200) if narrow else ((400, 110) if paper else (420, 220))
    return dutch_aria(to_svg((lines + rule).properties(width=width, height=height)), description)


_AXIS_LABEL = re.compile(
    r'aria-label="(?P<axis>[XY])-axis(?: titled \'(?P<title>[^\']*)\')? for a (?P<kind>[a-z]+) '
    r'scale with (?:values from (?P<low>[^"]*?) to (?P<high>[^"]*?)|(?P<n>\d+) values?: '
    r'(?P<values>[^"]*?))"'
)
_LEGEND_LABEL = re.compile(
    r'aria-label="\w+ legend (?:titled \'[^\']*\' )?for [^"]*? with '
    r'\d+ values?: (?P<values>[^"]*)"'
)
_ROLES = {
    "group mark container": "grafiek",
    "axis": "as",
    "legend": "legenda",
    "symbol mark container": "punten",
    "line mark container": "lijnen",
    "rule mark container": "lijn",
    "text mark container": "tekst",
    "title": "titel",
}


def dutch_aria(svg: str, description: str = "") -> str:
    """``svg`` (from :func:`to_svg`) with Vega's English screen-reader texts in Dutch.

    Vega writes its own labels for axes ("X-axis titled ... for a linear scale with values
    from 0 to 5.000") and legends and English role descriptions ("axis", "group mark
    container"); Vega-Lite offers no way to set them. They become "Horizontale as
    'Deurenbudget', van 0 tot 5.000", "Legenda: ...", "as", "grafiek". ``description``, if
    given, labels the chart as a whole (its root group).
    """

    def axis(m: re.Match[str]) -> str:
        name = "Horizontale as" if m["axis"] == "X" else "Verticale as"
        title = f" '{m['title']}'" if m["title"] else ""
        if m["low"] is not None:
            return f'aria-label="{name}{title}, van {m["low"]} tot {m["high"]}"'
        return f'aria-label="{name}{title}, {m["n"]} waarden: {m["values"]}"'

    svg = _AXIS_LABEL.sub(axis, svg)
    svg = _LEGEND_LABEL.sub(lambda m: f'aria-label="Legenda: {m["values"]}"', svg)
    for english, dutch in _ROLES.items():
        svg = svg.replace(f'aria-roledescription="{english}"', f'aria-roledescription="{dutch}"')
    if description:
        svg = svg.replace(
            'class="mark-group role-frame root" role="graphics-object" '
            'aria-roledescription="grafiek"',
            'class="mark-group role-frame root" role="graphics-object" '
            f'aria-roledescription="grafiek" aria-label="{html.escape(description)}"',
            1,
        )
    return svg
