"""Render the household schema as Markdown (``docs/schema.md``).

Run ``python -m bestaanszekerheid.households.schema_doc > docs/schema.md`` after changing the
schema; a test fails while the two differ.
"""

from __future__ import annotations

from bestaanszekerheid.formatting import fmt_plain
from bestaanszekerheid.households.schema import COLUMNS, COMPOSITION_RULES, Kind, label_for

_KIND_NL = {
    Kind.STRING: "tekst",
    Kind.INTEGER: "geheel getal",
    Kind.NUMBER: "getal",
    Kind.BOOLEAN: "ja/nee",
    Kind.CODE: "code",
}


def render() -> str:
    """The schema documentation as Markdown (Dutch, with an English note)."""
    lines = [
        "<!-- Gegenereerd uit src/bestaanszekerheid/households/schema.py; niet met de hand "
        "bewerken. -->",
        "# Huishoudschema",
        "",
        "Eén rij per huishouden. Verplichte kolommen moeten bestaan en gevuld zijn; andere "
        "kolommen mogen ontbreken of leeg zijn. Extra kolommen blijven behouden. Codes mogen "
        "ook als Nederlandse omschrijving of als CBS-waardelabel worden aangeleverd "
        "(hoofdletters maken niet uit). CSV mag Nederlands (`;` en decimale komma) of Engels "
        "(`,` en decimale punt) zijn; ja/nee mag als 1/0, ja/nee of true/false.",
        "",
        "| kolom | type | eenheid | verplicht | betekenis |",
        "| --- | --- | --- | --- | --- |",
    ]
    for column in COLUMNS:
        required = "ja" if column.required else "nee"
        bounds = []
        if column.minimum is not None:
            bounds.append(f"min. {fmt_plain(column.minimum)}")
        if column.maximum is not None:
            bounds.append(f"max. {fmt_plain(column.maximum)}")
        unit = column.unit + (f" ({', '.join(bounds)})" if bounds else "")
        meaning = column.description + (" *Afgeleid.*" if column.derived else "")
        lines.append(
            f"| `{column.name}` | {_KIND_NL[column.kind]} | {unit} | {required} | "
            f"**{column.label}.** {meaning} |"
        )
    lines += ["", "## Codes", ""]
    for column in COLUMNS:
        if column.kind is not Kind.CODE:
            continue
        lines += [
            f"### `{column.name}` ({column.label})",
            "",
            "| code | omschrijving |",
            "| --- | --- |",
        ]
        lines += [f"| `{code}` | {label} |" for code, label in column.codes.items()]
        lines.append("")
    lines += [
        "## Samenhang die de controle afdwingt",
        "",
        "| huishoudtype | volwassenen | minderjarige kinderen |",
        "| --- | --- | --- |",
    ]
    for code, ((min_a, max_a), (min_c, max_c)) in COMPOSITION_RULES.items():
        adults = str(min_a) if min_a == max_a else f"{min_a}-{max_a}"
        children = str(min_c) if min_c == max_c else f"{min_c}-{max_c}"
        lines.append(f"| {label_for('household_type', code)} | {adults} | {children} |")
    lines += [
        "",
        "Verder: leeftijd jongste kind alleen (en altijd) als er kinderen zijn, en de "
        "hoofdkostwinner is minstens 12 jaar ouder; geen partnerinkomen bij alleenstaanden en "
        "eenouderhuishoudens, en nooit meer dan het huishoudinkomen; de buurt ligt in de wijk; "
        "WSNP betekent altijd problematische schulden; huishouden-id's zijn uniek; inkomens "
        "zijn niet negatief.",
        "",
        "Zie `docs/cbs_mapping.md` voor de vertaling vanuit CBS-microdata.",
        "",
        "*English: this is the household input schema (one row per household). Column names "
        "and codes are English identifiers; labels are Dutch. See the table for types, units "
        "and meaning.*",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
