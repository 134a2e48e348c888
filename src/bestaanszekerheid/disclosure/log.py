"""The output log of a run: JSON (versioned schema) and a readable Dutch Markdown summary.

The log lists every released output, every check with how many cells it tested and failed,
every suppressed cell with its reason, the differencing findings of the register and the
version and checksum of the rules, so a CBS output checker can review the export. It never holds
a hidden value, a unit id or a small count: numbers of excluded units below the threshold are
written as a range.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bestaanszekerheid.disclosure.checked import CheckedTable, CheckRecord
from bestaanszekerheid.disclosure.labels import REASON_NL, RULE_OF_REASON, SUPPRESSED_MARK
from bestaanszekerheid.disclosure.models import ModelCheck
from bestaanszekerheid.disclosure.rules import DisclosureRules
from bestaanszekerheid.fileio import atomic_path

if TYPE_CHECKING:
    from bestaanszekerheid.disclosure.register import ReleaseRegister

SCHEMA = "bestaanszekerheid/disclosure-log"
SCHEMA_VERSION = 2  # JSON Schema: data/log_schema_v2.json
NOT_FOR_PUBLICATION = (
    "NIET PUBLICEREN. Dit log is voor de outputcontroleur: het noemt per verborgen cel de "
    "reden (te klein, leeg, secundair, verschil met andere uitvoer), en een reden verraadt "
    "iets over de verborgen waarde. Rapport, tabellen en bundel noemen geen redenen."
)

_STATUS_NL = {
    "ok": "gepubliceerd",
    "rounded": "afgerond",
    "primary": "primair onderdrukt",
    "secondary": "secundair onderdrukt",
}
_CHECK_NL = {
    "min_count": "minimaal aantal eenheden",
    "zeros": "lege cellen (groepsonthulling: niemand)",
    "group_all": "groepsonthulling (iedereen / alle waarden gelijk)",
    "dominance": "dominantieregel",
    "p_percent": "p%-regel",
    "percentile": "percentielregel",
    "secondary": "secundaire onderdrukking",
    "missing": "eenheden met ontbrekende waarden weggelaten",
    "min_residual_df": "residuele vrijheidsgraden",
    "min_class_size": "klassegrootte",
    "forbidden_model_outputs": "geen uitvoer per eenheid",
}


_FINDING_KEYS = ("kind", "cell", "other_output", "other_cell", "action")
_DECISION_NL = {
    "band_low": "als band (minder dan …) gepubliceerd",
    "band_high": "als band (meer dan …) gepubliceerd",
    "primary": "onderdrukt (rust op te weinig huishoudens)",
    "secondary": "onderdrukt (secundair, beschermt een band of een andere cel)",
}


def _tool_version() -> str:
    try:
        return version("bestaanszekerheid")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "onbekend"


def _safe_count(n: int, min_count: int) -> int | str:
    """A count for the log; small non-zero counts become a range, never the number."""
    return f"1-{min_count - 1}" if 0 < n < min_count else n


def _check_json(check: CheckRecord, output: CheckedTable | ModelCheck) -> dict[str, Any]:
    rules = output.rules
    rule_name = RULE_OF_REASON.get(check.rule, check.rule)
    entry: dict[str, Any] = {
        "rule": check.rule,
        "rule_setting": rule_name if rule_name in rules.texts else None,
        "description_nl": rules.describe(rule_name) or _CHECK_NL.get(check.rule, check.rule),
        "tested": check.tested,
        "failed": check.failed,
        "note": check.note,
    }
    if check.rule == "missing":
        entry["tested"] = entry["failed"] = _safe_count(check.failed, rules.min_count)
    return entry


def log_document(register: ReleaseRegister) -> dict[str, Any]:
    """The log as a JSON-ready dict."""
    rules = register.rules
    outputs: list[dict[str, Any]] = []
    for release in register.releases:
        out = release.output
        entry: dict[str, Any] = {
            "name": release.name,
            "files": list(release.files),
            "rules_version": out.rules.version,
            "checks": [_check_json(c, out) for c in out.checks],
            "register_notes": list(release.notes),
            # one entry per finding: a pair of cells met in several checks is one risk
            "register_findings": [
                dict(zip(_FINDING_KEYS, key, strict=True))
                for key in dict.fromkeys(
                    (f.kind, f.cell, f.other_output, f.other_cell, f.action)
                    for f in release.findings
                )
            ],
        }
        if isinstance(out, CheckedTable):
            cells = list(out.cells())
            counts: Counter[str] = Counter(c.status for c in cells)
            entry.update(
                {
                    "type": "table",
                    "kind": out.kind,
                    "statistic": out.statistic,
                    "rows": list(out.rows),
                    "cols": list(out.cols),
                    "margins": out.margins,
                    "weighted": out.weighted,
                    "method": out.method,
                    "population": out.population,
                    "population_hash": out.population_hash,
                    "notes": list(out.notes),
                    "cells": len(cells),
                    "status_counts": {s: counts.get(s, 0) for s in _STATUS_NL},
                    "suppressed_cells": [
                        {
                            "row": list(c.row),
                            "col": list(c.col),
                            "status": c.status,
                            "reasons": list(c.reasons),
                        }
                        for c in cells
                        if c.status in ("primary", "secondary")
                    ],
                }
            )
        else:
            entry.update(
                {
                    "type": "model",
                    "kind": out.kind,
                    "population": out.population,
                    "n_obs": _safe_count(out.n_obs, rules.min_count),
                    "df_resid": out.df_resid,
                    "outputs": list(out.outputs),
                    "passed": out.passed,
                    "cell_decisions": [
                        {"table": t, "row": r, "col": c, "status": st}
                        for t, r, c, st in out.cell_decisions
                    ],
                }
            )
        outputs.append(entry)
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "tool": {"name": "bestaanszekerheid", "version": _tool_version()},
        "for_publication": False,
        "notice": NOT_FOR_PUBLICATION,
        "rules": _rules_document(rules),
        "suppressed_marker": SUPPRESSED_MARK,
        "differencing_policy": register.on_conflict,
        "outputs": outputs,
        "refused_outputs": [
            {
                "name": r.name,
                "findings": [
                    {
                        "kind": f.kind,
                        "cell": f.cell,
                        "other_output": f.other_output,
                        "other_cell": f.other_cell,
                    }
                    for f in r.findings
                ],
            }
            for r in register.refused
        ],
    }


def _rules_document(rules: DisclosureRules) -> dict[str, Any]:
    return {
        "name": rules.name,
        "version": rules.version,
        "sha256": rules.checksum,
        "values": rules.as_dict(),
        "descriptions": {
            key: {
                "nl": rules.describe(key),
                "en": rules.describe(key, "en"),
                "source": t.source,
                "bron": t.bron,
            }
            for key, t in rules.texts.items()
        },
    }


def publication_summary(register: ReleaseRegister) -> dict[str, Any]:
    """What may be *published* about a run's disclosure control (report appendix, bundle).

    The rules, and per output its name, kind, number of cells and number of hidden cells. No
    reason or status per cell and no differencing findings: "fewer than 10" says a hidden cell
    is 1-9, "empty" that it is 0, "secondary" that it is at least 10, and each narrows what an
    attacker must consider. Those stay in the output checker's log (:func:`log_document`).
    """
    rules = register.rules
    outputs: list[dict[str, Any]] = []
    for release in register.releases:
        out = release.output
        entry: dict[str, Any] = {"name": release.name, "files": list(release.files)}
        if isinstance(out, CheckedTable):
            status = out.status.to_numpy()
            entry.update(
                {
                    "type": "table",
                    "kind": out.kind,
                    "statistic": out.statistic,
                    "method": out.method,
                    "population": out.population,
                    "cells": int(status.size),
                    "hidden": int(((status == "primary") | (status == "secondary")).sum()),
                    "passed": True,
                }
            )
        else:
            entry.update(
                {
                    "type": "model",
                    "kind": out.kind,
                    "population": out.population,
                    "outputs": list(out.outputs),
                    "passed": out.passed,
                    "cell_decisions": [
                        {"table": t, "row": r, "col": c, "status": st}
                        for t, r, c, st in out.cell_decisions
                    ],
                }
            )
        outputs.append(entry)
    return {
        "schema": SCHEMA + "/publicatie",
        "schema_version": SCHEMA_VERSION,
        "rules": _rules_document(rules),
        "suppressed_marker": SUPPRESSED_MARK,
        "outputs": outputs,
    }


def render_markdown(doc: dict[str, Any]) -> str:
    """Readable Dutch summary of a log document."""
    rules = doc["rules"]
    policy = "extra onderdrukken" if doc["differencing_policy"] == "suppress" else "weigeren"
    lines = [
        "# Onthullingscontrole: log voor de outputcontroleur (niet publiceren)",
        "",
        f"> **{doc['notice']}**",
        "",
        f"- Aangemaakt: {doc['created']} (bestaanszekerheid {doc['tool']['version']})",
        f"- Regels: {rules['name']}, versie **{rules['version']}** "
        f"(sha256 `{rules['sha256'][:16]}…`)",
        f"- Aantal uitvoerbestanden/-objecten: {len(doc['outputs'])}",
        f"- Verschillen tussen uitvoer: {policy}",
        "",
        "Tekens in de tabellen: `x` = onderdrukt (te weinig eenheden, groepsonthulling, "
        "dominantie, of secundair om terugrekenen te voorkomen). Bij afronden zijn alle "
        "aantallen, ook totalen, afgerond op een veelvoud van "
        f"{rules['values']['rounding_base']}; totalen zijn afgerond uit de echte totalen en "
        "hoeven dus niet gelijk te zijn aan de som van de afgeronde cellen.",
        "",
        "## Toegepaste regels",
        "",
    ]
    for key, text in rules["descriptions"].items():
        if text["nl"]:
            lines.append(f"- **{key}**: {text['nl']} _(bron: {text['source']})_")
    for out in doc["outputs"]:
        lines += ["", f"## {out['name']}", ""]
        if out["type"] == "table":
            dims = " × ".join([*out["rows"], *out["cols"]])
            sc = out["status_counts"]
            lines += [
                f"- Soort: {out['kind']} ({out['statistic']}), indeling: {dims}"
                f"{', met totalen' if out['margins'] else ''}"
                f"{', gewogen' if out['weighted'] else ''}",
                f"- Populatie: {out['population'] or '(niet beschreven)'} "
                f"(kenmerk populatie `{out['population_hash'][:12]}`)",
                f"- Methode: {'afronden' if out['method'] == 'round' else 'onderdrukken'}",
                f"- Bestanden: {', '.join(out['files']) or '(geen)'}",
                f"- Cellen: {out['cells']}; gepubliceerd {sc['ok']}, afgerond {sc['rounded']}, "
                f"primair onderdrukt {sc['primary']}, secundair onderdrukt {sc['secondary']}",
            ]
            lines += [f"- {n}" for n in out["notes"]]
        else:
            lines += [
                f"- Soort: model ({out['kind']}); waarnemingen: {out['n_obs']}; "
                f"residuele vrijheidsgraden: {out['df_resid']}",
                f"- Uitvoer: {', '.join(out['outputs'])}",
            ]
        lines += ["", "| controle | getest | niet in orde |", "|---|---|---|"]
        for check in out["checks"]:
            label = _CHECK_NL.get(check["rule"], check["rule"])
            note = f" ({check['note']})" if check["note"] else ""
            lines.append(f"| {label}{note} | {check['tested']} | {check['failed']} |")
        suppressed = out.get("suppressed_cells", [])
        if suppressed:
            lines += ["", "Onderdrukte cellen:", ""]
            for cell in suppressed:
                where = " / ".join(cell["row"])
                if out["cols"]:
                    where += " × " + " / ".join(cell["col"])
                why = "; ".join(
                    REASON_NL.get(r, r).format(**rules["values"]) for r in cell["reasons"]
                )
                lines.append(f"- {where}: {_STATUS_NL[cell['status']]} — {why}")
        decisions = out.get("cell_decisions", [])
        if decisions:
            lines += ["", "Geschatte aandelen niet als getal gepubliceerd:", ""]
            lines += [
                f"- {d['table']}: {d['row']} × {d['col']}: {_DECISION_NL[d['status']]}"
                for d in decisions
            ]
        for note in out["register_notes"]:
            lines.append(f"- Let op: {note}.")
        for f in out["register_findings"]:
            lines.append(
                f"- Verschilrisico met '{f['other_output']}' ({f['other_cell']}): "
                f"cel '{f['cell']}' {f['action']}."
            )
    for refused in doc.get("refused_outputs", []):
        lines += ["", f"## Geweigerd: {refused['name']}", ""]
        lines += [
            f"- Verschilrisico met '{f['other_output']}' ({f['other_cell']}): cel '{f['cell']}'."
            for f in refused["findings"]
        ]
    lines.append("")
    return "\n".join(lines)


def write_log(register: ReleaseRegister, directory: Path, stem: str) -> list[Path]:
    """Write ``<stem>.json`` and ``<stem>.md`` atomically; return both paths."""
    doc = log_document(register)
    json_path = directory / f"{stem}.json"
    md_path = directory / f"{stem}.md"
    with atomic_path(json_path) as tmp:
        tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    with atomic_path(md_path) as tmp:
        tmp.write_text(render_markdown(doc), encoding="utf-8")
    return [json_path, md_path]
