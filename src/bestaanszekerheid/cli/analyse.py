"""``bsz synth``, ``bsz doelgroep``, ``bsz analyse`` and ``bsz demo``: the analysis chain.

Thin commands: they parse options, call the library (:mod:`bestaanszekerheid.pipeline`,
:mod:`bestaanszekerheid.target`) and print. The library modules are imported inside the
commands: this module is loaded for every ``bsz --help``, which should not load pandas.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bestaanszekerheid.cli.console import console, err_console, progress_bar, step_progress
from bestaanszekerheid.cli.options import (
    BOOTSTRAP,
    KLASSEN,
    MAX_PCT,
    SEED,
    STARTS,
    AreaFolder,
    Bootstrap,
    Deuren,
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
    Taal,
    check_language,
    check_max_pct,
    parse_classes,
    parse_date,
    parse_levels,
)
from bestaanszekerheid.defaults import DEFAULT_DOORS
from bestaanszekerheid.formatting import fmt_int

if TYPE_CHECKING:
    import pandas as pd

    from bestaanszekerheid.pipeline import AnalysisOptions, AnalysisResult

DEMO_DIR = Path("uitvoer/demo")
DEMO_HOUSEHOLDS = 112_000  # about the number of households in Tilburg (research notes §3.1)
DEMO_SEED = 2025

#: What each output of a run is, in the order the paths are printed.
OUTPUT_LABELS = {
    "rapport": "rapport voor beleid (HTML, werkt offline)",
    "kaarten": "persona-kaarten om te printen (PDF)",
    "xlsx": "alle gecontroleerde tabellen (Excel)",
    "bundel": "bundel voor de webapp (JSON)",
    "log_md": "onthullingscontrole (log)",
    "log_experiment_md": "onthullingscontrole van het synthetische experiment (log)",
    "experiment": "deelnemers van het synthetische experiment (CSV, invoer voor bsz effect; "
    "niet publiceren)",
    "experiment_labels": "namen voor de codes van het experiment (YAML, voor bsz effect --labels)",
    "experiment_groepskansen": "kansen op de latente groepen per deelnemer (CSV, voor bsz "
    "effect --groepskansen; niet publiceren)",
    "groepsnamen": "namen en beschrijvingen om aan te passen (YAML)",
    "partners": "verzonnen partnerorganisaties van de demo (CSV, invoer voor --partners)",
}


def synth(
    households: Annotated[
        int, typer.Option("--households", "--huishoudens", help="Aantal huishoudens.", min=1)
    ] = DEMO_HOUSEHOLDS,
    seed: Annotated[int, typer.Option("--seed", help="Startgetal; zelfde seed, zelfde data.")] = 0,
    out: Annotated[
        Path, typer.Option("--out", help="Uitvoerbestand: .parquet, .csv of .sav.")
    ] = Path("synthetisch.parquet"),
    year: Annotated[int, typer.Option("--jaar", help="Verslagjaar van de populatie.")] = 2025,
) -> None:
    """Maak een synthetische, Tilburg-achtige populatie (met een apart waarheidsbestand)."""
    from bestaanszekerheid.households.synthetic import write_population

    with progress_bar("Synthetische huishoudens maken", households) as update:
        written = write_population(households, out, seed, year=year, progress=update)
    console.print(
        f"Geschreven: {written.households_path} ({fmt_int(written.n_households)} synthetische "
        "huishoudens)"
    )
    console.print(f"Waarheidsbestand (geplante groepen): {written.truth_path}")


def doelgroep(
    input: HouseholdFile,
    max_pct: MaxPct = MAX_PCT,
    peildatum: Peildatum = None,
    taal: Taal = "nl",
    regels: RulesFile = None,
) -> None:
    """Selecteer de huishoudens tot en met een percentage van het sociaal minimum."""
    from bestaanszekerheid.disclosure import load_rules
    from bestaanszekerheid.households import read_households
    from bestaanszekerheid.target import select_target

    lang = check_language(taal)
    on = parse_date(peildatum, "--peildatum")
    check_max_pct(max_pct)
    rules = load_rules(regels)
    with err_console.status("Bestand lezen en controleren..."):
        households = read_households(input)
    group = select_target(households, max_pct=max_pct, on=on)
    console.print(group.summary(lang, rules), highlight=False, markup=False, soft_wrap=True)


def demo(
    out: OutDir = DEMO_DIR,
    households: Annotated[
        int, typer.Option("--huishoudens", help="Aantal synthetische huishoudens.", min=100)
    ] = DEMO_HOUSEHOLDS,
    seed: Annotated[int, typer.Option("--seed", help="Startgetal van de demo.")] = DEMO_SEED,
    taal: Taal = "nl",
) -> None:
    """Draai de hele analyse op een verse synthetische Tilburg-populatie."""
    from bestaanszekerheid.experiments.demo import start_demo_section
    from bestaanszekerheid.households import read_households
    from bestaanszekerheid.households.synthetic import write_population
    from bestaanszekerheid.pipeline import DEMO_OPTIONS, progress_steps, run_demo

    if check_language(taal) == "en":
        console.print("Note: the report, persona cards and tables are in Dutch only for now.")
    # The synthetic experiment does not depend on the households: a second process analyses
    # it while the population is made and read.
    experiment = start_demo_section(DEMO_OPTIONS.rules_file)
    with progress_bar("Synthetische populatie maken", households) as update:
        written = write_population(households, out / "huishoudens.parquet", seed, progress=update)
    population = read_households(written.households_path)
    with step_progress("Analyse", progress_steps(DEMO_OPTIONS)) as step:
        result = run_demo(population, out, progress=step, experiment=experiment)
    result.files["huishoudens"] = written.households_path
    print_paths(result, out)


def analyse(
    input: HouseholdFile,
    out: OutDir,
    max_pct: MaxPct = MAX_PCT,
    peildatum: Peildatum = None,
    klassen: Klassen = KLASSEN,
    namen: NamesFile = None,
    starts: Starts = STARTS,
    bootstrap: Bootstrap = BOOTSTRAP,
    seed: Seed = SEED,
    regels: RulesFile = None,
    gebieden: AreaFolder = None,
    niveau: Niveau = "wijk",
    deuren: Deuren = DEFAULT_DOORS,
    kleine_buurten_samenvoegen: SmallBuurten = False,
    partners: PartnerFile = None,
) -> None:
    """Draai de hele analyse: doelgroep, groepen, profielen, wijken, rapport en tabellen."""
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
    households = read_input(input)
    result = run_with_progress(households, out, options, "Analyse")
    print_paths(result, out)


def analysis_options(
    input: Path,
    *,
    max_pct: float,
    peildatum: str | None,
    klassen: str,
    namen: Path | None,
    starts: int,
    bootstrap: int,
    seed: int,
    regels: Path | None,
    gebieden: Path | None,
    niveau: str,
    deuren: int,
    kleine_buurten_samenvoegen: bool,
    partners: Path | None = None,
) -> AnalysisOptions:
    """The run's options from ``bsz analyse``'s (and ``bsz wijken``'s) flags, each checked
    before the file is read (a Dutch error names the flag)."""
    from bestaanszekerheid.pipeline import AnalysisOptions

    on = parse_date(peildatum, "--peildatum")
    classes = parse_classes(klassen, minimum=2)
    levels = parse_levels(niveau)
    check_max_pct(max_pct)
    if partners is not None:
        # A bad partner file is found before the household file is read (the run reads the
        # same file again; it is small).
        from bestaanszekerheid.areas import read_catalog
        from bestaanszekerheid.areas.partners import read_partners

        read_partners(partners, read_catalog(gebieden))
    return AnalysisOptions(
        max_pct=max_pct,
        on=on,
        classes=tuple(classes),
        n_init=starts,
        n_bootstrap_stability=bootstrap,
        overrides=namen,
        random_state=seed,
        source=input.name,
        rules_file=regels,
        areas=gebieden,
        levels=levels,
        doors=deuren,
        merge_small_buurten=kleine_buurten_samenvoegen,
        partners=partners,
    )


def read_input(path: Path) -> pd.DataFrame:
    """The household file, read and validated (with a status line on stderr)."""
    from bestaanszekerheid.households import read_households

    with err_console.status("Bestand lezen en controleren..."):
        return read_households(path)


def run_with_progress(
    households: pd.DataFrame, out: Path, options: AnalysisOptions, title: str = ""
) -> AnalysisResult:
    """:func:`~bestaanszekerheid.pipeline.run_analysis` with a progress bar on stderr."""
    from bestaanszekerheid.pipeline import progress_steps, run_analysis

    with step_progress(title or "Analyse", progress_steps(options)) as step:
        return run_analysis(households, out, options, progress=step)


def print_paths(result: AnalysisResult, out: Path) -> None:
    """Print the groups found and the path of every output, with what it is for."""
    console.print()
    for g in result.profiles.groups:
        console.print(f"  {g.key}: {g.name}", highlight=False)
    console.print()
    console.print(f"Uitvoer in {out}/ (open het rapport in een browser):", highlight=False)
    for key, label in OUTPUT_LABELS.items():
        if key in result.files:
            if key == "kaarten" and result.files[key].suffix == ".html":
                label = "persona-kaarten om te printen (HTML: open in een browser, kies Afdrukken)"
            console.print(f"  {result.files[key]}  ({label})", highlight=False)
    cards = result.files.get("kaarten")
    if cards is not None and cards.suffix == ".html":
        from bestaanszekerheid.reports.cards import HTML_FALLBACK_NOTICE

        console.print()
        console.print(
            "[bold yellow]Let op:[/] " + HTML_FALLBACK_NOTICE.format(name=cards.name),
            highlight=False,
        )
