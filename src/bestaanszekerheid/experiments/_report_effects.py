"""The effects and the detectable effects of the experiment's report section (arranging
checked outputs only; see :mod:`.report`)."""

from __future__ import annotations

import pandas as pd

from bestaanszekerheid.experiments._report_parts import (
    adjusted,
    listing,
    num,
    p_cell,
    pct,
    unit_name,
    word,
)
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

#: Key of the forest plot in the report (``id`` of the figure in the HTML).
FOREST_KEY = "effecten-forestplot"


def _forest_data(checked: CheckedExperiment) -> pd.DataFrame:
    """The forest plot's rows: per outcome and arm the effect with its interval corrected
    for the whole family (Bonferroni), coloured by the Holm decision."""
    effects, labels = checked.effects, checked.labels
    rows = []
    for e in effects.effects:
        binary = checked.binary.get(e.outcome, False)
        scale = 100.0 if binary else 1.0
        low, high = adjusted(e)
        p_holm = e.p_holm if e.p_holm is not None else e.p_value
        rows.append(
            {
                "paneel": f"{labels.outcome(e.outcome)}: effect in {unit_name(binary)}",
                "rij": labels.arm(e.arm),
                "p": f"p Holm {format_p(p_holm)}",
                "effect": e.estimate * scale,
                "laag": low * scale,
                "hoog": high * scale,
                "significant": "ja" if e.significant(effects.alpha) else "nee",
            }
        )
    return pd.DataFrame(rows)


def _effects_table(checked: CheckedExperiment) -> Table:
    effects, labels, model = checked.effects, checked.labels, checked.model
    level = pct(100 * effects.adjusted_level)
    extra = [
        (label, attr)
        for label, attr in (
            ("p (Romano-Wolf)", "p_romano_wolf"),
            ("p (lotingstoets)", "p_randomisation"),
        )
        if any(getattr(e, attr) is not None for e in effects.effects)
    ]
    rows = []
    for e in effects.effects:
        binary = checked.binary.get(e.outcome, False)
        scale = 100.0 if binary else 1.0
        low, high = adjusted(e)
        rows.append(
            (
                Cell(f"{labels.outcome(e.outcome)} (in {unit_name(binary)})"),
                Cell(labels.arm(e.arm)),
                num(e.control_mean * scale),
                num(e.estimate * scale),
                num(low * scale),
                num(high * scale),
                num(e.ci_low * scale),
                num(e.ci_high * scale),
                p_cell(e.p_value),
                p_cell(e.p_holm),
                p_cell(e.p_bh),
                *(p_cell(getattr(e, attr)) for _, attr in extra),
            )
        )
    return Table(
        key="effecten",
        title="Effecten per arm en uitkomst",
        columns=(
            "Uitkomst",
            "Arm",
            "Gemiddelde controlearm",
            "Effect",
            f"Ondergrens gecorrigeerd {level}%-interval",
            f"Bovengrens gecorrigeerd {level}%-interval",
            "Ondergrens 95%-BI per vergelijking",
            "Bovengrens 95%-BI per vergelijking",
            "p",
            "p (Holm)",
            "p (BH)",
            *(label for label, _ in extra),
        ),
        rows=tuple(rows),
        sources=(model.name,),
        kind="estimate",
        header_columns=2,
        narrow=True,
        note=" ".join(
            effects.explained(
                labels.outcome, lambda c: in_sentence(labels.variable(c)), with_mde=False
            )
        ),
    )


def _reading_guide(checked: CheckedExperiment) -> tuple[str, ...]:
    """How to read the forest plot: the corrected intervals, Holm, and what 'not
    significant' means; names the effects where Holm and the interval disagree."""
    effects, labels = checked.effects, checked.labels
    m = effects.m_tests
    level = pct(100 * effects.adjusted_level)
    if m > 1:
        interval = (
            "De lijn eromheen is het betrouwbaarheidsinterval, gecorrigeerd voor de "
            f"{m} vergelijkingen samen (Bonferroni: elk interval {level}%): alle intervallen "
            f"samen bevatten met minstens {pct(100 * (1 - effects.alpha))}% zekerheid de echte "
            "effecten."
        )
    else:
        interval = "De lijn eromheen is het 95%-betrouwbaarheidsinterval."
    close = [
        f"{labels.arm(e.arm)} op {in_sentence(labels.outcome(e.outcome))}"
        for e in effects.effects
        if e.significant(effects.alpha) and adjusted(e)[0] <= 0 <= adjusted(e)[1]
    ]
    holm = (
        "Oranje is significant na Holm-correctie (p Holm onder "
        f"{fmt_num(effects.alpha, 2)}), blauw niet. Ligt een interval helemaal naast de "
        "nullijn, dan is het effect ook na Holm significant. Holm is iets sterker dan de "
        "correctie van de intervallen: een effect kan na Holm net significant zijn terwijl "
        "zijn interval de nullijn nog raakt"
        + (f"; dat geldt hier voor {listing(close)}." if close else " (hier komt dat niet voor).")
    )
    return (
        "Elke stip is het geschatte effect van een arm ten opzichte van de controlearm. "
        + interval
        + " Raakt de lijn de verticale nullijn, dan kan het effect ook nul zijn.",
        holm,
        "Geen significant effect betekent niet: geen effect. Het betekent dat het experiment "
        "een effect van deze omvang niet kon onderscheiden van toeval. Vergelijk het interval "
        "met het kleinste aantoonbare effect hieronder: een smal interval rond nul zegt meer "
        "dan een breed.",
        "De tabel onder de grafiek geeft ook het gewone 95%-interval van elke vergelijking "
        "apart, met de gewone p. Die zijn te optimistisch zodra u naar alle effecten tegelijk "
        "kijkt: lees het gecorrigeerde interval en p (Holm).",
        "Het effect is het verschil tussen alle deelnemers die in een arm zijn ingeloot en de "
        "controlearm, ook als iemand niet (helemaal) meedeed: zo blijft de vergelijking "
        "eerlijk, want wie afhaakt, is niet willekeurig (in vaktermen: intention-to-treat).",
    )


def effects_section(checked: CheckedExperiment, section_id: str) -> Section:
    """The forest plot with the effects table and how to read it."""
    effects, labels = checked.effects, checked.labels
    blocks: list[Block] = []
    if checked.synthetic:
        blocks.append(
            Callout(
                "Synthetische gegevens: dit experiment is verzonnen (vorm als het "
                "Tilburgse vertrouwensexperiment) en zegt niets over echte deelnemers.",
                tone="warning",
            )
        )
    control = effects.effects[0].control if effects.effects else ""
    arms = list(dict.fromkeys(f"'{labels.arm(e.arm)}'" for e in effects.effects))
    control_label = labels.arm(control)
    named = (
        ""
        if control_label.casefold() in ("controle", "controlegroep", "controlearm")
        else f" ('{control_label}')"
    )
    blocks.append(
        Paragraph(
            f"{fmt_int(checked.n_participants)} deelnemers zijn door loting verdeeld over "
            f"{word(checked.n_arms)} onderzoeksarmen: de controlearm{named}, die geen "
            f"interventie kreeg, en {word(len(arms))} "
            f"{'arm' if len(arms) == 1 else 'armen'} met een interventie ({listing(arms)}). "
            f"Elke arm wordt vergeleken met de controlearm. {effects.evidence}"
        )
    )
    level = pct(100 * effects.adjusted_level)
    title = (
        f"Effect per arm en uitkomst, met gecorrigeerd {level}%-interval"
        if effects.m_tests > 1
        else "Effect per arm en uitkomst, met 95%-betrouwbaarheidsinterval"
    )
    data = _forest_data(checked)
    description = (
        f"Per uitkomst en arm het geschatte effect ten opzichte van de controlearm, met het "
        f"gecorrigeerde {level}%-interval en een nullijn."
    )
    blocks.append(
        Chart(
            key=FOREST_KEY,
            title=title,
            svg=forest_plot(data, description=description, legend="Significant na Holm"),
            narrow_svg=forest_plot(
                data, narrow=True, description=description, legend="Significant na Holm"
            ),
            print_svg=forest_plot(
                data, paper=True, description=description, legend="Significant na Holm"
            ),
            alt="Forest plot: " + description[0].lower() + description[1:] + " De cijfers "
            "staan in de tabel eronder.",
            table=_effects_table(checked),
        )
    )
    blocks.append(Bullets(_reading_guide(checked), title="Zo leest u de effecten"))
    return Section(f"{section_id}-effecten", "Effecten per onderzoeksarm", tuple(blocks))


def power_section(checked: CheckedExperiment, section_id: str) -> Section | None:
    """One minimum detectable effect per outcome, and how it was computed; or, without a
    realised one (cluster randomisation), the design's power calculation from before."""
    effects, labels = checked.effects, checked.labels
    title = "Onderscheidend vermogen: wat kon dit experiment aantonen?"
    if not effects.power:
        if checked.power is None:
            return None
        return Section(
            f"{section_id}-vermogen",
            title,
            (
                Paragraph(
                    "Vóór de start berekend (ontwerp, niet de werkelijke aantallen): "
                    + checked.power.uitleg()
                ),
            ),
        )
    first = next(iter(effects.power.values()))
    rows = []
    findings = []
    for o, res in effects.power.items():
        binary = res.outcome_type == "binair"
        scale = 100.0 if binary else 1.0
        base = Cell(100 * res.baseline, "pct") if binary and res.baseline is not None else Cell("–")
        rows.append(
            (
                Cell(labels.outcome(o)),
                Cell(scale * res.effect, "num" if binary else "num2"),
                Cell(unit_name(binary)),
                base,
            )
        )
        largest = max((abs(e.estimate) for e in effects.effects if e.outcome == o), default=0.0)
        if largest < res.effect:
            findings.append(
                f"{labels.outcome(o)}: alle geschatte effecten (hooguit "
                f"{fmt_num(scale * largest, 1 if binary else 2)}) zijn kleiner dan wat het "
                "experiment kon aantonen; dat ze niet significant zijn, zegt dus weinig over "
                "of ze bestaan."
            )
    table = Table(
        key="kleinst-aantoonbaar-effect",
        title="Kleinst aantoonbaar effect per uitkomst",
        columns=("Uitkomst", "Kleinst aantoonbaar effect", "Eenheid", "Kans in de controlearm"),
        rows=tuple(rows),
        sources=(checked.model.name,),
        kind="estimate",
        narrow=True,
        note="De kans in de controlearm geldt voor een ja/nee-uitkomst; bij een schaal (–) "
        "telt in plaats daarvan de spreiding van de uitkomst in de controlearm.",
    )
    how: tuple[str, ...] = (
        f"tweezijdige toets met {pct(100 * first.alpha)}% significantieniveau voor alle "
        f"{effects.m_tests} vergelijkingen samen (arm × uitkomst), verdeeld met Bonferroni: "
        f"{fmt_num(100 * first.alpha_per_test, 2)}% per vergelijking. Holm, dat hierboven "
        "wordt gebruikt, vindt minstens wat Bonferroni vindt: het echte kleinst aantoonbare "
        "effect is dus hooguit zo groot",
        f"{pct(100 * first.power)}% onderscheidend vermogen: een echt effect van deze omvang "
        f"wordt in {pct(100 * first.power)} van de 100 experimenten gevonden",
        "de werkelijke verdeling over de armen: de deelnemers met een meting in de "
        "controlearm tegenover het gemiddelde aantal per arm (zie 'Deelnemers per arm' en "
        "'Uitval')",
        "zonder de winst van de correctie voor achtergrondkenmerken: dat maakt het getal "
        "voorzichtig",
    )
    clustered = [(o, r) for o, r in effects.power.items() if r.design_effect > 1]
    if clustered:
        how += (
            "met loting per cluster: per uitkomst de samenhang binnen clusters "
            "(intraclustercorrelatie, geschat uit de gegevens) en de gemiddelde clustergrootte, "
            "samen het design effect waarmee de spreiding groter wordt ("
            + "; ".join(
                f"{in_sentence(labels.outcome(o))}: ICC {fmt_num(r.icc, 3)}, "
                f"{fmt_num(r.cluster_size, 1)} per cluster, design effect "
                f"{fmt_num(r.design_effect, 2)}"
                for o, r in clustered
            )
            + "); de ICC uit één experiment is zelf onzeker",
        )
    blocks: list[Block] = [
        Paragraph(
            "Het kleinst aantoonbare effect is het kleinste echte effect dat het experiment "
            "betrouwbaar als significant had aangemerkt, één getal per uitkomst."
        ),
        table,
        Bullets(how, title="Zo is het berekend"),
    ]
    if findings:
        blocks.append(Bullets(tuple(findings), title="Wat dit betekent"))
    blocks.append(
        Paragraph(
            "Een effect kleiner dan dit kan bestaan zonder dat het experiment het ziet. "
            "Daarom is 'geen significant effect' geen bewijs dat een interventie niet werkt."
        )
    )
    return Section(f"{section_id}-vermogen", title, tuple(blocks))
