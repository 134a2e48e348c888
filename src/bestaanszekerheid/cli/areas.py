"""``bsz gebieden``: make an area catalogue for a municipality, or show one (Dutch for users);
``bsz wijken``: only the area outputs of an analysis (see :func:`wijken`).

A thin command over :mod:`bestaanszekerheid.areas.importer`: codes, names and KWB figures
from a StatLine CSV export (``--statline``) or CBS online (``--online``), polygons from a
CBS wijk- en buurtkaart or GeoJSON (``--geometrie``) or PDOK (``--geometrie-online``).
Without a source it explains that Tilburg is packaged; ``--toon`` summarises a catalogue.
Registered lazily by the ``bsz`` app, wrapped in
:func:`bestaanszekerheid.cli.console.handle_errors`.
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bestaanszekerheid.cli.console import console, err_console
from bestaanszekerheid.cli.options import (
    BOOTSTRAP,
    KLASSEN,
    MAX_PCT,
    SEED,
    STARTS,
    TARGET_GROUP,
    AreaFolder,
    Bootstrap,
    Deuren,
    Groep,
    HouseholdFile,
    Klassen,
    MaxPct,
    NamesFile,
    Niveau,
    OutDir,
    PartnerFile,
    Peildatum,
    RulesFile,
    Seed,
    SmallBuurten,
    Starts,
    group_choices,
    parse_group,
)
from bestaanszekerheid.defaults import DEFAULT_DOORS
from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.formatting import fmt_int

if TYPE_CHECKING:
    from bestaanszekerheid.areas.catalog import AreaCatalog
    from bestaanszekerheid.pipeline import AnalysisResult

#: What each output of ``bsz wijken`` is, in the order the paths are printed.
WIJKEN_LABELS = {
    "wijken": "kaarten per wijk en bereikplan (HTML, werkt offline)",
    "wijken_xlsx": "de tabellen van de pagina (Excel)",
    "log_md": "onthullingscontrole van precies deze twee bestanden (log; niet publiceren)",
}

PACKAGED_NAMES = {"ingebouwd", "tilburg"}

NO_SOURCE = (
    "Tilburg (GM0855, wijk- en buurtindeling 2024, met KWB-cijfers en kaarten) is ingebouwd: "
    "zonder gebiedsbestand gebruikt bsz dat. Een gebiedsbestand voor een andere gemeente maakt "
    "u zo:\n"
    "  bsz gebieden --gemeente GM0363 --statline kerncijfers_2024.csv "
    "--geometrie wijkenbuurten_2024.gpkg --out mijn_gebieden\n"
    "of, met internet:\n"
    "  bsz gebieden --gemeente GM0363 --online --geometrie-online --out mijn_gebieden\n"
    "De ingebouwde Tilburg-map uitschrijven: bsz gebieden --out tilburg_gebieden. "
    "Bekijken: bsz gebieden --toon ingebouwd. Zie docs/gebieden.md."
)


def gebieden(
    gemeente: Annotated[
        str | None,
        typer.Option("--gemeente", help="CBS-gemeentecode, bijvoorbeeld GM0855 (Tilburg)."),
    ] = None,
    statline: Annotated[
        Path | None,
        typer.Option(
            "--statline",
            help="CSV-export van een StatLine-tabel 'Kerncijfers wijken en buurten' "
            "(puntkomma's, zoals StatLine hem geeft).",
        ),
    ] = None,
    online: Annotated[
        bool,
        typer.Option(
            "--online", help="Haal codes, namen en cijfers op bij CBS StatLine (internet nodig)."
        ),
    ] = False,
    geometrie: Annotated[
        list[Path] | None,
        typer.Option(
            "--geometrie",
            help="Grenzen: CBS wijk- en buurtkaart (wijkenbuurten_<jaar>.gpkg) of GeoJSON; "
            "mag vaker (bijv. wijken en buurten apart).",
        ),
    ] = None,
    geometrie_online: Annotated[
        bool,
        typer.Option("--geometrie-online", help="Haal de grenzen op bij PDOK (internet nodig)."),
    ] = False,
    jaar: Annotated[
        int | None,
        typer.Option(
            "--jaar",
            help="Jaar van de Kerncijfers en de indeling (anders uit titel of bestandsnaam; "
            "online 2024).",
        ),
    ] = None,
    tabel: Annotated[
        str | None,
        typer.Option("--tabel", help="StatLine-tabel, bijv. 85984NED (anders die van het jaar)."),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Map voor het gebiedsbestand.")] = None,
    toon: Annotated[
        str | None,
        typer.Option(
            "--toon",
            help="Toon een samenvatting van een gebiedsbestand: een map, of 'ingebouwd'.",
        ),
    ] = None,
) -> None:
    """Maak of toon een gebiedsbestand: wijken, buurten, KWB-cijfers en grenzen van een
    gemeente."""
    from bestaanszekerheid.areas.catalog import read_catalog
    from bestaanszekerheid.areas.importer import PACKAGED, copy_packaged, import_areas
    from bestaanszekerheid.areas.sources import normalise_municipality

    if toon is not None:
        packaged = toon.strip().lower() in PACKAGED_NAMES and not Path(toon).is_dir()
        catalog = read_catalog(None if packaged else Path(toon))
        for line in summary(catalog):
            console.print(line, highlight=False, markup=False)
        return
    code = normalise_municipality(gemeente) if gemeente is not None else None
    if statline is None and not online and not geometrie and not geometrie_online:
        if code not in (None, PACKAGED):
            raise UserFacingError(
                f"Geen bron voor {code}: geef --statline of --online (codes, namen en cijfers) "
                "en --geometrie of --geometrie-online (grenzen). Alleen Tilburg (GM0855) is "
                "ingebouwd. Zie 'bsz gebieden --help' en docs/gebieden.md."
            )
        if out is None:
            console.print(NO_SOURCE, highlight=False, markup=False)
            return
        written = copy_packaged(out)
        console.print(
            f"Ingebouwd gebiedsbestand van {written.municipality_name} geschreven naar {out}.",
            highlight=False,
            markup=False,
        )
        return
    if code is None:
        raise UserFacingError("Geef de gemeente op met --gemeente, bijvoorbeeld --gemeente GM0855.")
    if out is None:
        raise UserFacingError("Geef met --out de map op waarin het gebiedsbestand komt.")
    with console.status("Gebiedsbestand maken ...") if console.is_terminal else nullcontext():
        result = import_areas(
            code,
            out,
            statline=statline,
            online=online,
            geometry=geometrie or (),
            geometry_online=geometrie_online,
            year=jaar,
            table=tabel,
        )
    for note in result.notes:
        err_console.print(f"Let op: {note}", highlight=False, markup=False)
    for line in summary(result.catalog):
        console.print(line, highlight=False, markup=False)
    console.print(f"Geschreven: {result.folder}", highlight=False, markup=False)


def summary(catalog: AreaCatalog) -> list[str]:
    """A short Dutch description of a catalogue: what it covers, has and comes from."""
    from bestaanszekerheid.areas.indicators import INDICATORS

    labels = {i.key: i.label for i in INDICATORS}
    lines = [
        f"Gebiedsbestand: {catalog.municipality_name} ({catalog.municipality_code}), "
        f"indeling {catalog.year}",
        f"Herkomst: {catalog.origin}",
        f"Wijken: {fmt_int(len(catalog.wijken))}, buurten: {fmt_int(len(catalog.buurten))}",
    ]
    figures = sorted(
        {
            *catalog.municipality_figures,
            *(k for a in (*catalog.wijken, *catalog.buurten) for k in a.figures),
        }
    )
    if figures:
        lines.append(f"Cijfers ({len(figures)}):")
        for key in figures:
            stem = key.split("_", 1)[1]
            wijken = sum(key in a.figures for a in catalog.wijken)
            buurten = sum(key in a.figures for a in catalog.buurten)
            where = ["gemeente"] if key in catalog.municipality_figures else []
            where += [
                f"{n} {plural}" for n, plural in ((wijken, "wijken"), (buurten, "buurten")) if n
            ]
            label = f" ({labels[stem]})" if stem in labels else ""
            lines.append(f"  {key}{label}: {', '.join(where)}")
    else:
        lines.append("Cijfers: geen")
    maps = []
    for level, plural in (("wijk", "wijken"), ("buurt", "buurten")):
        collection = catalog.geometry.get(level)  # type: ignore[call-overload]
        if collection is None:
            maps.append(f"{plural}: geen")
            continue
        features = list(collection.get("features", []))
        empty = sum(f.get("geometry") is None for f in features)
        maps.append(f"{plural}: {len(features)}" + (f" ({empty} zonder vlak)" if empty else ""))
    lines.append("Grenzen: " + "; ".join(maps))
    lines.append("Bronnen:")
    lines += [f"  {key}: {text}" for key, text in catalog.sources.items()]
    lines.append(catalog.attribution)
    return lines


def wijken(
    input: HouseholdFile,
    out: OutDir,
    niveau: Niveau = "wijk",
    groep: Groep = TARGET_GROUP,
    deuren: Deuren = DEFAULT_DOORS,
    gebieden: AreaFolder = None,
    max_pct: MaxPct = MAX_PCT,
    klassen: Klassen = KLASSEN,
    seed: Seed = SEED,
    peildatum: Peildatum = None,
    namen: NamesFile = None,
    starts: Starts = STARTS,
    bootstrap: Bootstrap = BOOTSTRAP,
    regels: RulesFile = None,
    kleine_buurten_samenvoegen: SmallBuurten = False,
    partners: PartnerFile = None,
) -> None:
    """Alleen de wijken: waar de doelgroep en de groepen wonen, kaarten, een bereikplan en de
    tabellen daarvan (zelfde groepen en cijfers als bsz analyse met dezelfde opties).

    Schrijft wijken.html (werkt offline), wijken.xlsx en het controlelog van precies die twee
    (onthullingscontrole_wijken.md/.json). Een fout laat geen bestand achter.
    """
    import dataclasses

    from bestaanszekerheid.cli.analyse import analysis_options, read_input, run_with_progress
    from bestaanszekerheid.pipeline import UnknownGroupError
    from bestaanszekerheid.reports.areas_page import write_areas_outputs

    options = analysis_options(
        input,
        max_pct=max_pct,
        peildatum=peildatum,
        klassen=klassen,
        namen=namen,
        starts=starts,
        bootstrap=bootstrap,
        seed=seed,
        regels=regels,
        gebieden=gebieden,
        niveau=niveau,
        deuren=deuren,
        kleine_buurten_samenvoegen=kleine_buurten_samenvoegen,
        partners=partners,
    )
    plan = parse_group(groep, options.classes)
    options = dataclasses.replace(options, stop_after_areas=True, outreach_plans=(plan,))
    households = read_input(input)
    try:
        result = run_with_progress(households, out, options, "Wijken")
    except UnknownGroupError as exc:
        n_groups = len(exc.choices) - 1
        raise UserFacingError(
            f"--groep '{groep}' bestaat niet: het gekozen model heeft {n_groups} groepen. "
            f"Kies uit: doelgroep, {group_choices(n_groups)} (bijvoorbeeld --groep 1 voor "
            "Groep 1)."
        ) from None
    with err_console.status("Pagina, tabellen en controlelog schrijven..."):
        files = write_areas_outputs(result, out, plan)
    _print_wijken(result, plan, files)


def _print_wijken(result: AnalysisResult, plan: str, files: dict[str, Path]) -> None:
    console.print()
    for g in result.profiles.groups:
        console.print(f"  {g.key}: {g.name}", highlight=False, markup=False)
    console.print()
    chosen = result.outreach.get(plan)
    who = "de hele doelgroep" if plan == TARGET_GROUP else plan
    if chosen is not None and not chosen.exact.table.empty:
        console.print(f"Bereikplan voor {who}: {chosen.summary()}", highlight=False, markup=False)
    else:
        console.print(f"Geen bereikplan voor {who}: zie de pagina.", highlight=False, markup=False)
    if result.synthetic:
        console.print("Let op: synthetische gegevens (verzonnen huishoudens).", highlight=False)
    console.print()
    folder = files["wijken"].parent
    console.print(f"Uitvoer in {folder}/ (open wijken.html in een browser):", highlight=False)
    for key, label in WIJKEN_LABELS.items():
        if key in files:
            console.print(f"  {files[key]}  ({label})", highlight=False, markup=False)
