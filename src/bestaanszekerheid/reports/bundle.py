"""The JSON bundle the web app imports: checked figures only, versioned schema.

Schema: ``schema/bundel-1.schema.json`` (JSON Schema draft 2020-12). The bundle holds no unit
ids, no individual group labels and no hidden values (hidden numbers are ``null``).
"""

from __future__ import annotations

import json
import math
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bestaanszekerheid import __version__
from bestaanszekerheid.disclosure import publication_summary
from bestaanszekerheid.fileio import atomic_path
from bestaanszekerheid.reports.tree import Cell, Report
from bestaanszekerheid.target import TargetStatus

if TYPE_CHECKING:
    from bestaanszekerheid.pipeline import AnalysisResult
    from bestaanszekerheid.profiles import Feature, GroupProfile
    from bestaanszekerheid.profiles.recognise import Pct

SCHEMA_NAME = "bestaanszekerheid.bundel"
SCHEMA_VERSION = "1.2.0"


def schema() -> dict[str, Any]:
    """The JSON Schema of the bundle."""
    text = (
        resources.files("bestaanszekerheid.reports")
        .joinpath("schema", "bundel-1.schema.json")
        .read_text(encoding="utf-8")
    )
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _num(value: float | None) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), 4)


def _fraction(percent: float | None) -> float | None:
    return None if percent is None else round(percent / 100, 3)


def _pct(p: Pct) -> dict[str, Any]:
    return {"waarde": _num(p.value), "ondergrens": p.at_least, "bovengrens": p.at_most}


def _feature(f: Feature) -> dict[str, Any]:
    # A band ("meer dan 95%") has no share and no interval, only its text and limit; the
    # effect is computed at the limit (a bound on the true difference).
    return {
        "kenmerk": f.column,
        "label": f.label,
        "waarde": f.level,
        "aandeel_groep": None if f.band else _num(f.share_group),
        "band": f.band or None,
        "grens": _num(f.share_group) if f.band else None,
        "aandeel_doelgroep": _num(f.share_all),
        "effect_h": _num(f.effect),
        "interval_95": [None, None] if f.band else [_num(f.low), _num(f.high)],
    }


def _fit(result: AnalysisResult) -> list[dict[str, Any]]:
    """The fit table at the report's precision (the rules' estimate_share_decimals for the
    smallest class): more decimals of a share of a known total narrow a rounded size."""
    return [
        {
            "klassen": int(str(k)),
            "bic": Cell(float(r["bic"]), "int").number,
            "entropie_r2": Cell(float(r["entropy_r2"]), "num2").number,
            "kleinste_groep": _fraction(Cell(100 * float(r["smallest_class"]), "pct").number),
            "stabiliteit": Cell(float(r["stability"]), "num2").number,
            "stabiliteit_p10": Cell(float(r.get("stability_p10", math.nan)), "num2").number,
            "stabiliteit_p90": Cell(float(r.get("stability_p90", math.nan)), "num2").number,
            "stabiliteit_zwakste_groep": Cell(float(r.get("jaccard_min", math.nan)), "num2").number,
            "geconvergeerd": bool(r["converged"]),
        }
        for k, r in result.fit_table.iterrows()
    ]


def _group(g: GroupProfile) -> dict[str, Any]:
    """One group's profile: size, features, wijken and how to recognise it."""
    return {
        "sleutel": g.key,
        "nummer": g.number,
        "naam": g.name,
        "beschrijving": g.description,
        "naam_aangepast": g.overridden,
        "huishoudens": None if math.isnan(g.size) else int(g.size),
        "aandeel": _num(g.share),
        # Schema 1.x requires it: the same estimate, for readers of older bundles.
        "aandeel_model": _num(g.share),
        "vaker": [_feature(f) for f in g.more_often],
        "minder_vaak": [_feature(f) for f in g.less_often],
        "wijken": [
            {
                "code": w.wijk_code,
                "naam": w.wijk_name,
                "aandeel": None if w.band else _num(w.share_in_wijk),
                "band": w.band or None,
                "index": _num(w.index),
                "index_ondergrens": bool(w.band),
            }
            for w in g.wijken
        ],
        "herkenbaarheid": {
            "herkend": _pct(g.recognition.recall),
            "hoort_bij_groep": _pct(g.recognition.precision),
            "regels": [
                {
                    "voorwaarden": list(r.conditions),
                    "dekking": _pct(r.coverage),
                    "precisie": _pct(r.precision),
                }
                for r in g.recognition.rules
            ],
        },
    }


def _tables(report: Report) -> list[dict[str, Any]]:
    """Every table of the report as published (hidden numbers are null)."""
    return [
        {
            "sleutel": t.key,
            "titel": t.title,
            "soort": t.kind,
            "bronnen": [s for s in t.sources if s],
            "kolommen": list(t.columns),
            "rijen": [[c.text() if c.fmt == "text" else c.number for c in row] for row in t.rows],
        }
        for t in report.tables()
    ]


def _int(value: float | None) -> int | None:
    number = _num(value)
    return None if number is None else round(number)


def _wijken(result: AnalysisResult) -> list[dict[str, Any]]:
    """The published figures per wijk (hidden numbers null; no reason why)."""
    if result.areas is None or "wijk" not in result.areas.levels:
        return []
    return [
        {
            "code": str(r["code"]),
            "naam": str(r["name"]),
            "huishoudens": _int(r["households"]),
            "doelgroep": _int(r["target"]),
            # As the report shows them: one decimal for the share, two for the index.
            "aandeel": Cell(float(r["share"]), "pct").number,
            "index": Cell(float(r["index"]), "num2").number,
        }
        for r in result.areas.levels["wijk"].target.to_dict("records")
    ]


def _selection(table: Any, doors: float, reach: float) -> dict[str, Any]:
    return {
        "gebieden": [str(c) for c in table["buurtcode"]],
        "deuren": _num(doors),
        "verwacht_bereik": _num(reach),
    }


def _plans(result: AnalysisResult) -> list[dict[str, Any]]:
    """Every outreach plan: the chosen areas and totals, exact and naive."""
    return [
        {
            "groep": key,
            "budget": _num(plan.budget),
            "exact": _selection(plan.exact.table, plan.exact.doors, plan.exact.reach),
            "naief": _selection(plan.naive.table, plan.naive.doors, plan.naive.reach),
            "niet_meegenomen": [str(c) for c in plan.excluded["buurtcode"]],
        }
        for key, plan in result.outreach.items()
    ]


def bundle_document(result: AnalysisResult, report: Report) -> dict[str, Any]:
    """The bundle as a JSON-ready dict."""
    target = result.target
    tt = result.target_table.frame
    n_target = _num(float(tt.iloc[:, 0].loc[TargetStatus.IN_TARGET]))
    return {
        "schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "created": result.created,
        "tool": {"name": "bestaanszekerheid", "version": __version__},
        "synthetic": result.synthetic,
        "bron": result.options.source,
        "doelgroep": {
            "max_pct": float(target.max_pct),
            "peildatum": target.on.isoformat(),
            "definitie": target.definition,
            "huishoudens": None if n_target is None else int(n_target),
        },
        "model": {
            "aantal_groepen": int(result.selection.recommended),
            "toelichting": result.selection.explanation,
            "indicatoren": dict(result.indicators),
            "fit": _fit(result),
        },
        "groepen": [_group(g) for g in result.profiles.groups],
        "tabellen": _tables(report),
        "wijken": _wijken(result),
        "bereikplannen": _plans(result),
        # What may be published about the checks: no reason or status per hidden cell.
        "onthullingscontrole": publication_summary(result.register),
    }


def write_bundle(result: AnalysisResult, report: Report, path: Path) -> Path:
    """Write the bundle (UTF-8, indented) atomically."""
    doc = bundle_document(result, report)
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
