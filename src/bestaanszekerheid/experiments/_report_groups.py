"""Effects per latent group in the experiment's report section: caveats first, then the
forest plot and the tables (arranging checked outputs only; see :mod:`.report`)."""

from __future__ import annotations

import pandas as pd

from bestaanszekerheid.experiments._report_parts import listing, num, p_cell, pct, unit_name
from bestaanszekerheid.experiments.checks import CheckedExperiment
from bestaanszekerheid.experiments.labels import in_sentence
from bestaanszekerheid.experiments.results import format_p
from bestaanszekerheid.formatting import fmt_int, fmt_num
from bestaanszekerheid.reports.charts import forest_plot
from bestaanszekerheid.reports.tree import (
    Block,
    Bullets,
    Callout,
    Cell,
    Chart,
    Paragraph,
    Section,
    Table,
)

#: Key of the forest plot of the effects per latent group (one per outcome: ``-<n>``).
CLASS_FOREST_KEY = "effecten-per-groep-forestplot"


def _class_forest_data(checked: CheckedExperiment, outcome: str) -> pd.DataFrame:
    result, labels = checked.by_class[outcome], checked.labels
    binary = checked.binary.get(outcome, False)
    scale = 100.0 if binary else 1.0
    rows = []
    for _, r in result.effects.iterrows():
        rows.append(
            {
                "paneel": f"{labels.latent(r['latent_class'])}: effect in {unit_name(binary)}",
                "rij": labels.arm(r["arm"]),
                "p": f"p Holm {format_p(float(r['p_holm']))}",
                "effect": scale * float(r["estimate"]),
                "laag": scale * float(r["ci_low_adjusted"]),
                "hoog": scale * float(r["ci_high_adjusted"]),
                "significant": "ja" if float(r["p_holm"]) < result.alpha else "nee",
            }
        )
    frame = pd.DataFrame(rows)
    # Panels in the order of the groups, arms in the order of the main effects.
    order = {c: i for i, c in enumerate(result.classes)}
    frame["_o"] = [order[str(c)] for c in result.effects["latent_class"]]
    return frame.sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)


def _class_table(checked: CheckedExperiment, outcome: str, key: str) -> Table:
    result, labels = checked.by_class[outcome], checked.labels
    binary = checked.binary.get(outcome, False)
    scale = 100.0 if binary else 1.0
    level = pct(100 * (1 - result.alpha / max(result.family_size, 1)))
    data = result.effects.assign(
        _o=[result.classes.index(str(c)) for c in result.effects["latent_class"]]
    ).sort_values("_o", kind="stable")
    rows = tuple(
        (
            Cell(labels.latent(r["latent_class"])),
            Cell(labels.arm(r["arm"])),
            num(scale * float(r["estimate"])),
            num(scale * float(r["ci_low_adjusted"])),
            num(scale * float(r["ci_high_adjusted"])),
            p_cell(float(r["p_value"])),
            p_cell(float(r["p_holm"])),
        )
        for _, r in data.iterrows()
    )
    return Table(
        key=key,
        title=f"Effect per groep en arm op {in_sentence(labels.outcome(outcome))} "
        f"(in {unit_name(binary)})",
        columns=(
            "Groep",
            "Arm",
            "Effect",
            f"Ondergrens gecorrigeerd {level}%-interval",
            f"Bovengrens gecorrigeerd {level}%-interval",
            "p",
            "p (Holm)",
        ),
        rows=rows,
        sources=(checked.class_models[outcome].name,),
        kind="estimate",
        header_columns=2,
        narrow=True,
        note=f"Gecorrigeerd voor de {result.family_size} vergelijkingen per groep en arm "
        "samen (Holm; intervallen Bonferroni), los van de hoofdeffecten hierboven.",
    )


def _class_caveats(checked: CheckedExperiment, outcome: str) -> tuple[str, ...]:
    result, labels, rules = checked.by_class[outcome], checked.labels, checked.register.rules
    sizes = checked.class_sizes[outcome]
    listed = listing(
        [f"{in_sentence(labels.latent(c))} ongeveer {fmt_int(sizes[c])}" for c in result.classes]
    )
    return (
        "Verkennend. Deze uitsplitsing is niet de hoofdvraag van het experiment (tenzij ze "
        "vooraf in het onderzoeksplan stond). Gebruik haar om vragen te stellen, niet om te "
        "besluiten welke groep een interventie krijgt.",
        f"Kleine groepen. Naar schatting telt elke groep veel minder deelnemers dan het hele "
        f"experiment ({listed} deelnemers met een meting, afgerond op "
        f"{rules.estimate_size_base}). De intervallen zijn daarom breed en een effect moet per "
        "groep veel groter zijn om op te vallen.",
        f"Meervoudig toetsen. Dit zijn {result.family_size} extra vergelijkingen (armen × "
        "groepen); p (Holm) en de intervallen zijn voor deze vergelijkingen samen "
        "gecorrigeerd. Eén opvallende uitkomst tussen veel andere kan toeval zijn.",
        "Niemand hoort zeker bij één groep. De effecten zijn geschat met de kans dat iemand "
        "bij een groep hoort (gemiddelde hoogste kans "
        f"{fmt_num(result.mean_max_posterior, 2)}; 1 = zeker). De onzekerheid van de indeling "
        "zelf telt in de intervallen niet mee: ze zijn iets te smal.",
        "Onthullingscontrole. De effecten per groep zijn gecontroleerd als modeluitvoer: in "
        f"elke combinatie van arm en groep minstens {rules.min_count} deelnemers (het "
        "verwachte aantal én volgens de meest waarschijnlijke groep), en minstens "
        f"{rules.min_residual_df} residuele vrijheidsgraden.",
    )


def by_class_section(checked: CheckedExperiment, section_id: str) -> Section:
    """Effects per latent group, per outcome: caveats first, then the plot and the tables."""
    labels = checked.labels
    blocks: list[Block] = [
        Callout(
            "Verkennend: effecten per groep zijn onzekerder dan de effecten hierboven en "
            "kunnen door toeval verschillen. Lees eerst de kanttekeningen.",
            tone="warning",
        )
    ]
    intro = (
        "Werkt een interventie beter voor de ene groep deelnemers dan voor de andere? Hier "
        "staat per latente groep het effect van elke arm ten opzichte van de controlearm."
    )
    if checked.class_source:
        intro += " " + checked.class_source
    blocks.append(Paragraph(intro))
    for i, (outcome, result) in enumerate(checked.by_class.items()):
        name = in_sentence(labels.outcome(outcome))
        caveats = _class_caveats(checked, outcome)
        # The caveats hold for every outcome; after the first only the sizes differ.
        blocks.append(
            Bullets(caveats, title="Kanttekeningen")
            if i == 0
            else Paragraph(f"Effecten op {name}. Dezelfde kanttekeningen gelden. {caveats[1]}")
        )
        data = _class_forest_data(checked, outcome)
        level = pct(100 * (1 - result.alpha / max(result.family_size, 1)))
        description = (
            f"Per groep en arm het geschatte effect op {name} ten opzichte van de "
            f"controlearm, met het gecorrigeerde {level}%-interval en een nullijn."
        )
        key = f"{CLASS_FOREST_KEY}-{i + 1}"
        blocks.append(
            Chart(
                key=key,
                title=f"Effect op {name} per groep en arm, met gecorrigeerd {level}%-interval",
                svg=forest_plot(data, description=description, legend="Significant na Holm"),
                narrow_svg=forest_plot(
                    data, narrow=True, description=description, legend="Significant na Holm"
                ),
                alt="Forest plot: " + description[0].lower() + description[1:] + " De "
                "cijfers staan in de tabel eronder.",
                table=_class_table(checked, outcome, f"effecten-per-groep-{i + 1}"),
            )
        )
        blocks.append(
            Table(
                key=f"effecten-per-groep-toets-{i + 1}",
                title=f"Is het effect op {name} in elke groep gelijk?",
                columns=("Arm", "p (toets op gelijk effect in alle groepen)"),
                rows=tuple(
                    (Cell(labels.arm(r["arm"])), p_cell(float(r["p_value"])))
                    for _, r in result.heterogeneity.iterrows()
                ),
                sources=(checked.class_models[outcome].name,),
                kind="estimate",
                narrow=True,
                note="Een kleine p (onder 0,05) wijst erop dat het effect tussen de groepen "
                "verschilt; een grote p betekent niet dat het overal gelijk is. Niet "
                "gecorrigeerd voor meervoudig toetsen.",
            )
        )
    return Section(f"{section_id}-per-groep", "Effecten per groep (verkennend)", tuple(blocks))
