"""The parser of published files: Dutch numbers, precision, bands, figures, console tables."""

from __future__ import annotations

import math

import pytest

from tests.disclosure.redteam.published import (
    BUNDLE,
    DISPLAY_SOURCES,
    HTML_DATA,
    HTML_TEXT,
    XLSX,
    Figure,
    Published,
    band_from_json,
    machine_num,
    parse_band,
    parse_display,
    parse_dom,
    parse_nl_number,
    reasons_from_text,
)


@pytest.mark.parametrize(
    ("text", "value", "decimals"),
    [
        ("1.234", 1234.0, 0),
        ("12,5", 12.5, 1),
        ("1.234,56", 1234.56, 2),
        ("9.868", 9868.0, 0),
        ("−1,0", -1.0, 1),
        ("-0,25", -0.25, 2),
        ("0", 0.0, 0),
        ("18,2926829268", 18.2926829268, 10),
    ],
)
def test_dutch_numbers(text: str, value: float, decimals: int) -> None:
    parsed = parse_nl_number(text)
    assert parsed is not None
    assert parsed[0] == pytest.approx(value)
    assert parsed[1] == decimals


def test_scientific_notation_from_chart_labels() -> None:
    num = parse_display("1,76318967325e-15", "aria")
    assert num is not None
    assert num.value == pytest.approx(1.76318967325e-15)
    assert num.hi - num.lo < 1e-25


@pytest.mark.parametrize("text", ["x", "abc", "12,5,3", "", "1.23"])
def test_not_numbers(text: str) -> None:
    # '1.23' is not Dutch: a thousands group has three digits
    assert parse_nl_number(text) is None


def test_display_precision_is_the_rounding_interval() -> None:
    pct = parse_display("39,5%", HTML_TEXT)
    assert pct is not None and (pct.lo, pct.hi) == pytest.approx((39.45, 39.55))
    count = parse_display("2.508", HTML_TEXT)
    assert count is not None and (count.lo, count.hi) == pytest.approx((2507.5, 2508.5))


@pytest.mark.parametrize(
    ("text", "lo", "hi"),
    [
        ("minder dan 5%", 0.0, 5.0),
        ("meer dan 94%", 94.0, 100.0),
        ("meer dan 95,5%", 95.5, 100.0),
        ("< 10", 0.0, 10.0),
        ("1-9", 1.0, 9.0),
        ("1 tot 9", 1.0, 9.0),
    ],
)
def test_bands(text: str, lo: float, hi: float) -> None:
    band = parse_band(text, HTML_TEXT)
    assert band is not None and band.band
    assert (band.lo, band.hi) == pytest.approx((lo, hi))
    assert parse_display(text, HTML_TEXT) == band


def test_bundle_values_and_bands() -> None:
    num = machine_num(22.3577, BUNDLE)
    assert num.decimals == 4 and num.hi - num.lo == pytest.approx(1e-4)
    exact = machine_num(22.357723577235772, XLSX)
    assert exact.decimals is None and exact.hi - exact.lo < 1e-6
    pct = band_from_json({"waarde": 94.0, "ondergrens": True})
    assert pct is not None and pct.band and pct.hi == 100.0 and pct.lo == pytest.approx(94, 1e-3)
    bounds = band_from_json({"ondergrens": 0, "bovengrens": 5})
    assert bounds is not None and (bounds.lo, bounds.hi) == (0.0, 5.0)
    assert band_from_json({"waarde": None, "ondergrens": False}) is None
    assert band_from_json(None) is None
    text = band_from_json("minder dan 5%")
    assert text is not None and (text.lo, text.hi) == (0.0, 5.0)


def test_figure_intersects_places_and_can_be_restricted_to_what_a_reader_sees() -> None:
    fig = Figure()
    fig.add(parse_display("31,2%", HTML_TEXT))
    fig.add(machine_num(31.2088, BUNDLE))
    fig.add(machine_num(31.20878311, HTML_DATA))
    lo, hi = fig.interval()  # type: ignore[misc]
    assert hi - lo < 1e-6
    shown = fig.interval(DISPLAY_SOURCES)
    assert shown == pytest.approx((31.15, 31.25))
    assert fig.interval({"aria"}) is None


def test_reasons_from_the_appendix() -> None:
    assert reasons_from_text("minder dan 10 eenheden") == ("min_count",)
    assert reasons_from_text("lege cel: niemand in de groep (groepsonthulling)") == ("zeros",)
    assert reasons_from_text("secundair: zou anders via totalen terug te rekenen zijn") == (
        "secondary",
    )


def test_dom_reads_tables_and_skips_scripts() -> None:
    dom = parse_dom(
        "<html><body><section id='s'><p>Een <b>zin</b>.</p><script>var x=1;</script>"
        "<table data-tabel='t'><tbody><tr><td data-waarde='1.5'>1,5</td></tr></tbody>"
        "</table><img src='x' alt='Alt tekst'></section></body></html>"
    )
    assert [n.text() for n in dom.iter("p")] == ["Een zin."]
    td = next(dom.iter("td"))
    assert td.attrs["data-waarde"] == "1.5" and td.text() == "1,5"
    assert next(dom.iter("img")).attrs["alt"] == "Alt tekst"


CONSOLE = (
    "510 van de 3.000 huishoudens (17,0%) horen tot de doelgroep.\n"
    "3 huishoudens zonder bekend inkomenspercentage horen niet tot de doelgroep.\n"
    "\n"
    "Naar wijk\n"
    "  WK085526 Loven-Besterd                                        47     9,2%\n"
    "  WK085511 Hoogvenne                                             x        -\n"
    "\n"
)


def test_console_output_of_doelgroep_becomes_texts_counts_and_tables() -> None:
    # bsz doelgroep is a publication of its own: its tables are read, not linked to a run
    pub = Published.console_publication("bsz doelgroep", CONSOLE)
    assert [s.value for s in pub.stated_counts] == [3000.0, 3.0]
    wijk = pub.count_tables["bsz doelgroep: Naar wijk"]
    assert wijk.row_labels == ["WK085526", "WK085511", "Totaal"]
    assert wijk.values == [[(47.0, 47.0)], [None], [(510.0, 510.0)]]
    target = pub.count_tables["bsz doelgroep: doelgroep"]
    assert target.row_labels == ["In de doelgroep", "Totaal"]
    assert target.values[1] == [(3000.0, 3000.0)]
    assert pub.links == []
    assert not math.isnan(wijk.values[0][0][0])  # type: ignore[index]


def test_console_tables_are_linked_to_the_run_only_on_request() -> None:
    pub = Published()
    pub.add_console_output("bsz doelgroep", CONSOLE, link_to_run=True)
    assert any(link.b == ("Doelgroep per wijk", "WK085511", "") for link in pub.links)


def test_bundle_percentages_with_an_upper_bound_are_bands() -> None:
    num = band_from_json({"waarde": 1.0, "ondergrens": False, "bovengrens": True})
    assert num is not None and num.band and (num.lo, num.hi) == (0.0, 1.0)
    num = band_from_json({"waarde": 90.0, "ondergrens": True, "bovengrens": False})
    assert num is not None and num.band and num.hi == 100.0
    num = band_from_json({"waarde": 92.0, "ondergrens": False, "bovengrens": False})
    assert num is not None and not num.band


def test_bundle_bands_of_shares_are_read() -> None:
    from tests.disclosure.redteam.published import _share_or_band

    num = _share_or_band(None, "meer dan 75%")
    assert num is not None and num.band and (num.lo, num.hi) == (75.0, 100.0)
    assert _share_or_band(None, None) is None
    num = _share_or_band(52.4, None)
    assert num is not None and not num.band and num.value == 52.4
