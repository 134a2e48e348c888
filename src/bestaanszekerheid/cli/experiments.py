"""``bsz effect``, ``bsz loting``, ``bsz controleer-loting`` and ``bsz power``.

Plain functions with typer annotations; the ``bsz`` app registers them (this module does not
own the app) wrapped in :func:`bestaanszekerheid.cli.console.handle_errors`, which turns every
:class:`UserFacingError` into a Dutch message and exit code 2. Files are written to a temporary
file and then renamed, so a crash never leaves half a result.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypedDict

import pandas as pd
import typer

from bestaanszekerheid.cli.options import SEED, Cluster, OutDir, ParticipantFile, Seed, Strata
from bestaanszekerheid.disclosure import check_min_cells
from bestaanszekerheid.errors import UserFacingError
from bestaanszekerheid.experiments import (
    AllocationLog,
    AttritionResult,
    BalanceResult,
    EffectResult,
    Summary,
    attrition_analysis,
    balance_table,
    estimate_effects,
    minimum_detectable_effect,
    power_for_effect,
    randomise,
    replay,
    sample_size,
)
from bestaanszekerheid.experiments.checks import ExperimentInputs
from bestaanszekerheid.experiments.heterogeneity import effects_by_class
from bestaanszekerheid.experiments.labels import Labels, read_labels, write_labels
from bestaanszekerheid.experiments.results import ClassEffectResult
from bestaanszekerheid.fileio import atomic_path
from bestaanszekerheid.households.readers import read_table

if TYPE_CHECKING:
    from bestaanszekerheid.experiments.report import ExperimentSection


def _split(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def _write_text(path: Path, text: str) -> None:
    """Atomic write (temporary file next to the target, renamed on success)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="")


def _write_csv(path: Path, frame: pd.DataFrame) -> None:
    # Dutch Excel opens ';' with decimal comma directly.
    _write_text(path, frame.to_csv(index=False, sep=";", decimal=","))


def _ratios(text: str) -> list[int] | None:
    if not text:
        return None
    try:
        return [int(r) for r in _split(text)]
    except ValueError as exc:
        raise UserFacingError(
            f"Ongeldige verhouding '{text}': gebruik gehele getallen, bijvoorbeeld 2,1,1."
        ) from exc


def _read(path: Path) -> pd.DataFrame:
    return read_table(path)


# The options of ``bsz effect`` alone (shared ones are in cli/options.py).
Outcomes = Annotated[
    str, typer.Option("--uitkomst", help="Uitkomstkolom(men), gescheiden door komma's.")
]
ArmColumn = Annotated[
    str, typer.Option("--arm", help="Kolom met de arm (interventie of controle).")
]
ControlGroup = Annotated[
    str | None,
    typer.Option("--controle", help="Naam van de controlearm (standaard: eerste op alfabet)."),
]
Covariates = Annotated[
    str, typer.Option("--covariaten", help="Achtergrondkenmerken bij de start, met komma's.")
]
Adjustment = Annotated[
    str,
    typer.Option(
        "--correctie", help="Correctie voor kenmerken: lin (standaard), additief of geen."
    ),
]
RandomisationReps = Annotated[
    int, typer.Option("--lotingstoets", help="Aantal herhalingen van de loting (0 = niet).")
]
RomanoWolfReps = Annotated[
    int,
    typer.Option("--romano-wolf", help="Aantal bootstrap-trekkingen voor Romano-Wolf (0 = niet)."),
]
DisclosureUnit = Annotated[
    str | None,
    typer.Option("--id", help="Kolom met het deelnemernummer (voor de onthullingscontrole)."),
]
LabelsFile = Annotated[
    Path | None,
    typer.Option(
        "--labels",
        help="YAML-bestand met namen voor de codes (armen, uitkomsten, kenmerken, waarden, "
        "groepen); zie docs/effectmeting.md. Elke run schrijft labels.yaml om aan te passen.",
    ),
]
ClassProbabilities = Annotated[
    Path | None,
    typer.Option(
        "--groepskansen",
        help="Bestand met per deelnemer (kolom --id) de kans op elke latente groep, één "
        "kolom per groep: geeft effecten per latente groep op elke uitkomst (verkennend).",
    ),
]


def effect(
    input: ParticipantFile,
    uitkomst: Outcomes,
    out: OutDir,
    arm: ArmColumn = "groep",
    controle: ControlGroup = None,
    covariaten: Covariates = "",
    strata: Strata = "",
    cluster: Cluster = None,
    correctie: Adjustment = "lin",
    lotingstoets: RandomisationReps = 0,
    romano_wolf: RomanoWolfReps = 0,
    seed: Seed = SEED,
    id: DisclosureUnit = None,
    labels: LabelsFile = None,
    groepskansen: ClassProbabilities = None,
) -> None:
    """Schat het effect van elke arm ten opzichte van de controlearm (intention-to-treat)."""
    data = _read(input)
    outcomes = _split(uitkomst)
    covs, strat = _split(covariaten), _split(strata)
    if not outcomes:
        raise UserFacingError("Geef minstens één uitkomstkolom met --uitkomst.")
    names = read_labels(labels) if labels is not None else Labels()
    # Fail on a bad probability file before the slow estimation.
    posteriors = _class_probabilities(groepskansen, data, id) if groepskansen else None
    result = estimate_effects(
        data,
        outcomes=outcomes,
        arm=arm,
        control=controle,
        covariates=covs,
        strata=strat,
        cluster=cluster,
        adjustment=correctie,
        randomisation_reps=lotingstoets,
        romano_wolf_reps=romano_wolf,
        seed=seed,
    )
    baseline = [*covs, *strat]
    balance = (
        balance_table(data, arm=arm, covariates=baseline, control=controle) if baseline else None
    )
    attrition = _attrition(
        data, outcomes, arm=arm, control=controle, strata=strat, cluster=cluster, covariates=covs
    )
    categorical = _categorical(data, baseline)
    check_min_cells(_published_counts(data, arm, result, categorical, attrition))
    # Everything is checked before the first file is written: a refusal leaves no output.
    if id is not None and id not in data.columns:
        raise UserFacingError(f"Kolom '{id}' (--id) ontbreekt in het bestand.")
    by_class: dict[str, ClassEffectResult] = {}
    if posteriors is not None:
        by_class = {
            o: effects_by_class(
                data, posteriors, outcome=o, arm=arm, control=controle, cluster=cluster
            )
            for o in outcomes
        }
    inputs = ExperimentInputs(
        data,
        arm=arm,
        synthetic=is_synthetic(data),
        effects=result,
        unit=id,
        subgroups=categorical,
        balance=balance,
        attrition=attrition,
        labels=names,
        by_class=by_class,
        class_source=(
            f"De kansen op groepslidmaatschap komen uit {groepskansen.name}."
            if groepskansen
            else ""
        ),
    )
    section = _section(inputs)
    classes = [c for r in by_class.values() for c in r.classes]
    summary = result.summary(names)
    _write_summaries(out, summary, balance, attrition, names, synthetic=inputs.synthetic)
    written = [
        *_write_report(section, out),
        write_labels(
            _all_labels(names, data, arm, result, categorical, classes), out / "labels.yaml"
        ),
    ]
    if inputs.synthetic:
        typer.echo(SYNTHETIC_NOTE + "\n")
    typer.echo(summary.text)
    typer.echo(f"\nResultaten geschreven naar {out}:")
    for path in written:
        typer.echo(f"  {path}")


def _categorical(data: pd.DataFrame, columns: list[str]) -> list[str]:
    """The columns that are neither numeric nor boolean: their categories are counted."""
    return [
        c
        for c in columns
        if not (pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c]))
    ]


def _attrition(
    data: pd.DataFrame,
    outcomes: list[str],
    *,
    arm: str,
    control: str | None,
    strata: list[str],
    cluster: str | None,
    covariates: list[str],
) -> dict[str, AttritionResult]:
    """The attrition analysis of every outcome that some participants lack."""
    return {
        o: attrition_analysis(
            data,
            outcome=o,
            arm=arm,
            control=control,
            strata=strata,
            cluster=cluster,
            covariates=covariates,
        )
        for o in outcomes
        if data[o].isna().any()
    }


def _published_counts(
    data: pd.DataFrame,
    arm: str,
    result: EffectResult,
    categorical: list[str],
    attrition: dict[str, AttritionResult],
) -> dict[str, float]:
    """Every count the summary files show, by a readable name, for ``check_min_cells``:
    the groups behind each estimate, group x category of the balance table, and the missing
    outcomes per group."""
    cells: dict[str, float] = {}
    for e in result.effects:
        cells[f"{e.outcome} / {e.arm}"] = e.n_arm
        cells[f"{e.outcome} / {e.control}"] = e.n_control
    labels = data[arm].astype(str)
    for c in categorical:
        counts = pd.crosstab(labels, data[c].astype(str))
        for a in counts.index:
            for level in counts.columns:
                cells[f"{a} / {c} = {level}"] = int(counts.loc[a, level])
    for o, att in attrition.items():
        for _, row in att.rates.iterrows():
            cells[f"{o} / {row['arm']} ontbrekend"] = int(row["n_missing"])
    return cells


def _write_summaries(
    out: Path,
    summary: Summary,
    balance: BalanceResult | None,
    attrition: dict[str, AttritionResult],
    names: Labels,
    *,
    synthetic: bool = False,
) -> None:
    """The tables as Dutch CSV and all summaries in one text and one HTML file, with the
    labels of arms and outcomes (file names keep the outcome's code); made-up data say so
    first (the CSV files stay plain tables)."""
    _write_csv(out / "effecten.csv", summary.frame)
    texts = [SYNTHETIC_NOTE] if synthetic else []
    htmls = [f"<p><strong>{SYNTHETIC_NOTE}</strong></p>"] if synthetic else []
    texts.append(summary.text)
    htmls.append(summary.html)
    if balance is not None:
        balanced = balance.summary(names)
        _write_csv(out / "balans.csv", balanced.frame)
        texts.append(balanced.text)
        htmls.append(balanced.html)
    for o, att in attrition.items():
        missing = att.summary(names)
        _write_csv(out / f"uitval_{o}.csv", missing.frame)
        texts.append(f"Uitkomst {names.outcome(o)}\n" + missing.text)
        htmls.append(missing.html)
    _write_text(out / "samenvatting.txt", "\n\n".join(texts) + "\n")
    _write_text(out / "samenvatting.html", "<html><body>" + "".join(htmls) + "</body></html>\n")


#: A column that marks made-up rows (the evaluation export of a demo pilot writes it): when
#: any row has 1, every output of the run says the data are synthetic.
SYNTHETIC_COLUMN = "synthetisch"


SYNTHETIC_NOTE = (
    "Synthetische gegevens: deze deelnemers zijn verzonnen (demo); de effecten zeggen niets "
    "over echte inwoners."
)


def is_synthetic(data: pd.DataFrame) -> bool:
    """Whether the input marks its rows as synthetic (:data:`SYNTHETIC_COLUMN`)."""
    if SYNTHETIC_COLUMN not in data.columns:
        return False
    flags = pd.to_numeric(data[SYNTHETIC_COLUMN], errors="coerce")
    return bool((flags == 1).any())


def _class_probabilities(path: Path, data: pd.DataFrame, unit: str | None) -> pd.DataFrame:
    """The latent-group probabilities per participant, in the row order of ``data`` (the
    file has the id column ``unit`` and one column per group); Dutch errors otherwise."""
    if unit is None:
        raise UserFacingError(
            "Geef met --id de kolom met het deelnemernummer (voor --groepskansen)."
        )
    if unit not in data.columns:
        raise UserFacingError(f"Kolom '{unit}' (--id) ontbreekt in het deelnemersbestand.")
    probs = _read(path)
    if unit not in probs.columns:
        raise UserFacingError(f"Kolom '{unit}' (--id) ontbreekt in {path.name}.")
    if probs[unit].duplicated().any():
        dup = probs.loc[probs[unit].duplicated(), unit].iloc[0]
        raise UserFacingError(f"Deelnemer '{dup}' staat meer dan eens in {path.name}.")
    probs = probs.set_index(probs[unit].astype(str)).drop(columns=unit)
    ids = data[unit].astype(str)
    missing = ids[~ids.isin(probs.index)]
    if len(missing):
        raise UserFacingError(
            f"Voor deelnemer '{missing.iloc[0]}' ontbreken de groepskansen in {path.name}."
        )
    aligned = probs.reindex(pd.Index(ids))
    aligned.index = data.index
    numeric: pd.DataFrame = aligned.apply(pd.to_numeric, errors="coerce")
    return numeric


def _all_labels(
    labels: Labels,
    data: pd.DataFrame,
    arm: str,
    result: EffectResult,
    categorical: list[str],
    classes: list[str],
) -> Labels:
    """The labels of every code of this run (given ones, else the readable default): the
    file ``bsz effect`` writes for the analyst to edit."""
    arms = sorted(data[arm].dropna().astype(str).unique())
    outcomes = list(dict.fromkeys(e.outcome for e in result.effects))
    return Labels(
        arms={a: labels.arm(a) for a in arms},
        outcomes={o: labels.outcome(o) for o in outcomes},
        variables={c: labels.variable(c) for c in result.covariates},
        values={
            c: {v: labels.value(c, v) for v in sorted(data[c].dropna().astype(str).unique())}
            for c in categorical
        },
        classes={c: labels.latent(c) for c in classes},
    )


def _section(inputs: ExperimentInputs) -> ExperimentSection:
    """Release every published figure in one register for this ``bsz effect`` run and build
    the report section (raises a Dutch error when something may not be published)."""
    from bestaanszekerheid.disclosure import ReleaseRegister
    from bestaanszekerheid.experiments.report import experiment_section

    return experiment_section(inputs, ReleaseRegister())


def _write_report(section: ExperimentSection, out: Path) -> list[Path]:
    """The section as a self-contained HTML report, every checked and estimate table as XLSX
    and the disclosure log of the run."""
    from bestaanszekerheid.reports.html import write_html
    from bestaanszekerheid.reports.xlsx import write_xlsx

    report = section.report()
    files = [
        write_html(report, out / "effectmeting.html"),
        write_xlsx(section, report, out / "effectmeting.xlsx"),
    ]
    return [*files, *section.register.write_log(out)]


def loting(
    input: ParticipantFile,
    id: Annotated[str, typer.Option("--id", help="Kolom met het unieke deelnemernummer.")],
    armen: Annotated[
        str,
        typer.Option(
            "--armen",
            "--groepen",
            help="Namen van de onderzoeksarmen, met komma's (eerst de controlearm).",
        ),
    ],
    seed: Annotated[
        int, typer.Option("--seed", help="Startwaarde: dezelfde seed geeft dezelfde loting.")
    ],
    out: Annotated[Path, typer.Option("--out", help="Map voor toewijzing, logboek en balans.")],
    verhouding: Annotated[
        str,
        typer.Option("--verhouding", help="Verhouding per arm, bijv. 2,1,1 (standaard gelijk)."),
    ] = "",
    strata: Strata = "",
    blokgrootte: Annotated[
        int | None, typer.Option("--blokgrootte", help="Permuted blocks van deze grootte.")
    ] = None,
    cluster: Cluster = None,
    kenmerken: Annotated[
        str, typer.Option("--kenmerken", help="Kenmerken voor de balanstabel, met komma's.")
    ] = "",
) -> None:
    """Deel deelnemers door loting in onderzoeksarmen in, met een onwijzigbaar logboek."""
    data = _read(input)
    arms = _split(armen)
    ratios = _ratios(verhouding)
    log_path = out / "lotingslogboek.jsonl"
    alloc = randomise(
        data,
        unit=id,
        arms=arms,
        ratios=ratios,
        strata=_split(strata),
        block_size=blokgrootte,
        cluster=cluster,
        seed=seed,
        log_path=log_path,
    )
    table = alloc.assignments.rename(columns={"arm": "groep", "stratum": "stratum"})
    _write_csv(out / "toewijzing.csv", table)
    covs = _split(kenmerken) or _split(strata)
    if covs:
        merged = data.assign(_groep=alloc.assignments["arm"])
        bal = balance_table(merged, arm="_groep", covariates=covs, control=arms[0])
        _write_csv(out / "balans.csv", bal.summary().frame)
        typer.echo(bal.summary().text)
    typer.echo(alloc.counts().to_string())
    typer.echo(
        f"\nLogboek: {log_path}\nControlecode (bewaar deze apart, bijv. in de "
        f"onderzoeksregistratie): {alloc.log.head}"
    )


def controleer_loting(
    logboek: Annotated[Path, typer.Option("--logboek", help="Het lotingslogboek (.jsonl).")],
    controlecode: Annotated[
        str | None, typer.Option("--controlecode", help="De apart bewaarde controlecode.")
    ] = None,
    input: Annotated[
        Path | None,
        typer.Option("--input", help="Deelnemersbestand om de loting opnieuw uit te voeren."),
    ] = None,
    id: Annotated[str | None, typer.Option("--id", help="Kolom met het deelnemernummer.")] = None,
) -> None:
    """Controleer dat een lotingslogboek niet is gewijzigd (en desgewenst dat de seed het geeft)."""
    log = AllocationLog.open(logboek)
    check = log.verify(expected_head=controlecode)
    problems = list(check.problems)
    if input is not None:
        if id is None:
            raise UserFacingError("Geef met --id de kolom met het deelnemernummer.")
        if not replay(log, _read(input), id):
            problems.append("Opnieuw loten met de vastgelegde seed geeft een andere indeling.")
    if problems:
        typer.echo("Logboek NIET in orde:\n" + "\n".join(problems), err=True)
        raise typer.Exit(code=1)
    typer.echo(f"Logboek in orde: {check.n_entries} regels, controlecode {check.head}.")


class _PowerDesign(TypedDict):
    """The design that ``bsz power`` passes to all three power functions alike."""

    n_arms: int
    baseline: float | None
    sd: float | None
    alpha: float
    n_outcomes: int
    correction: str
    icc: float
    cluster_size: float


def power(
    deelnemers: Annotated[
        int, typer.Option("--deelnemers", help="Totaal aantal deelnemers (alle armen samen).")
    ],
    armen: Annotated[
        int,
        typer.Option(
            "--armen", "--groepen", help="Aantal onderzoeksarmen inclusief de controlearm."
        ),
    ] = 2,
    basiskans: Annotated[
        float | None,
        typer.Option(
            "--basiskans",
            help="Kans op de uitkomst in de controlegroep (ja/nee-uitkomst), bijv. 0.2.",
        ),
    ] = None,
    sd: Annotated[
        float | None, typer.Option("--sd", help="Standaarddeviatie (uitkomst met een schaal).")
    ] = None,
    effect: Annotated[
        float | None,
        typer.Option("--effect", help="Verwacht effect (bijv. 0.05 = 5 procentpunten)."),
    ] = None,
    vermogen: Annotated[
        float, typer.Option("--vermogen", help="Gewenst onderscheidend vermogen.")
    ] = 0.8,
    alfa: Annotated[float, typer.Option("--alfa", help="Significantieniveau.")] = 0.05,
    correctie: Annotated[
        str, typer.Option("--correctie", help="bonferroni (standaard), holm of geen.")
    ] = "bonferroni",
    uitkomsten: Annotated[
        int,
        typer.Option("--uitkomsten", help="Aantal primaire uitkomsten (telt mee in de correctie)."),
    ] = 1,
    icc: Annotated[
        float,
        typer.Option(
            "--icc",
            help="Intraclustercorrelatie bij loting per cluster (team, wijk), bijv. 0.05.",
        ),
    ] = 0.0,
    clustergrootte: Annotated[
        float,
        typer.Option("--clustergrootte", help="Gemiddeld aantal deelnemers per cluster."),
    ] = 1.0,
) -> None:
    """Bereken het kleinste aantoonbare effect, of het vermogen en de benodigde omvang."""
    design: _PowerDesign = {
        "n_arms": armen,
        "baseline": basiskans,
        "sd": sd,
        "alpha": alfa,
        "n_outcomes": uitkomsten,
        "correction": correctie,
        "icc": icc,
        "cluster_size": clustergrootte,
    }
    if effect is None:
        typer.echo(minimum_detectable_effect(deelnemers, power=vermogen, **design).uitleg())
    else:
        # Both are computed before either is printed: an error then prints nothing else.
        now = power_for_effect(effect, deelnemers, **design)
        need = sample_size(effect, power=vermogen, **design)
        typer.echo(now.uitleg())
        typer.echo(need.uitleg())
