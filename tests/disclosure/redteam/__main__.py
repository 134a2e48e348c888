"""Attack a run directory: ``python -m tests.disclosure.redteam RUN_DIR [--worst-case]``.

Prints every finding (attack, kind, output, cell, interval) and the precision found per
output; exits with 1 when there is a finding, 0 when there is none, 2 on a usage error.
Run from the repository root with the package importable (``PYTHONPATH=src``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tests.disclosure.redteam.attacker import Knowledge, run_attacks
from tests.disclosure.redteam.published import DISPLAY_SOURCES, Published, read_run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.disclosure.redteam",
        description="Probeer uit de gepubliceerde bestanden van een run kleine aantallen terug "
        "te rekenen (issue 11).",
    )
    parser.add_argument("run_dir", type=Path, help="map met rapport.html, bundel.json, ...")
    parser.add_argument(
        "--worst-case",
        action="store_true",
        help="ken ook uit onthullingscontrole*.json welke verborgen cellen primair zijn",
    )
    parser.add_argument(
        "--alleen-zichtbaar",
        action="store_true",
        help="gebruik alleen wat een lezer ziet (tekst van het rapport, geen extra decimalen)",
    )
    parser.add_argument(
        "--paranoide",
        action="store_true",
        help="met --worst-case: neem ook aan dat een verborgen cel die niet primair-klein is "
        "minstens T telt (sterker dan het model van issue 11; niet wat het product belooft)",
    )
    parser.add_argument(
        "--console",
        type=Path,
        action="append",
        default=[],
        help="console-uitvoer die bij de run hoort (bsz analyse) (mag vaker)",
    )
    parser.add_argument(
        "--losse-console",
        type=Path,
        action="append",
        default=[],
        help="console-uitvoer die een eigen publicatie is (bsz doelgroep): apart aangevallen",
    )
    parser.add_argument(
        "--koppel-console",
        type=Path,
        action="append",
        default=[],
        help="console-uitvoer van een andere publicatie, gekoppeld aan de run (bekende "
        "beperking: verschillen tussen publicaties)",
    )
    parser.add_argument("--aanvallen", default="abcde", help="welke aanvallen (standaard abcde)")
    parser.add_argument("--max", type=int, default=None, help="hoogstens zoveel per aanval")
    parser.add_argument("--json", action="store_true", help="bevindingen als JSON")
    args = parser.parse_args(argv)
    if not args.run_dir.is_dir():
        print(f"Geen map: {args.run_dir}", file=sys.stderr)
        return 2
    pub = read_run(args.run_dir, worst_case=args.worst_case)
    for path in args.console:
        pub.add_console_output(path.name, path.read_text(encoding="utf-8"))
    for path in args.koppel_console:
        pub.add_console_output(path.name, path.read_text(encoding="utf-8"), link_to_run=True)
    options = {
        "worst_case": args.worst_case,
        "paranoid": args.paranoide and args.worst_case,
        "sources": DISPLAY_SOURCES if args.alleen_zichtbaar else None,
    }
    report = run_attacks(pub, Knowledge.for_run(pub, **options), only=args.aanvallen)
    for path in args.losse_console:
        own = Published.console_publication(path.name, path.read_text(encoding="utf-8"))
        other = run_attacks(own, Knowledge.for_run(own, **options), only=args.aanvallen)
        report.findings += other.findings
        report.notes += other.notes
    if args.json:
        doc = {
            "counts": report.counts(),
            "findings": [
                {
                    "attack": f.attack,
                    "kind": f.kind,
                    "output": f.output,
                    "cell": f.cell,
                    "interval": list(f.interval),
                    "detail": f.detail,
                }
                for f in report.findings
            ],
            "precision": report.precision,
            "notes": report.notes,
        }
        print(json.dumps(doc, ensure_ascii=False, indent=2, default=str))
    else:
        print(f"Run: {args.run_dir} (bestanden: {', '.join(pub.files) or 'geen'})")
        mode = "worst case (log)" if args.worst_case else "alleen gepubliceerd"
        print(f"Modus: {mode}{', paranoide' if options['paranoid'] else ''}")
        print(report.render(limit=args.max))
        if report.precision:
            print("precisie per uitvoer (decimalen per bron; None = onafgerond):")
            for output, by_source in report.precision.items():
                print(f"  {output}: {by_source}")
    return 1 if report.findings else 0


if __name__ == "__main__":
    sys.exit(main())
