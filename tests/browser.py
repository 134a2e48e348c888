"""Debian's Chromium and axe-core for the browser tests (reports and web app).

One place for the executable, the launch flags (no background networking: this machine's
network is closed) and the axe run, so every browser test checks the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch_chromium(playwright: Any) -> Any:
    """Launch Debian's Chromium; fail with the command to run when a tool is missing."""
    assert CHROMIUM.exists(), "Chromium ontbreekt: draai scripts/install-system-packages.sh"
    assert AXE.exists(), "axe-core ontbreekt: draai npm ci in de hoofdmap van de repository"
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def axe_source() -> str:
    """The axe-core script, to inject into a page."""
    return AXE.read_text(encoding="utf-8")


def serious_violations(page: Any, tags: list[str]) -> tuple[list[tuple[str, str, Any]], Any]:
    """Run axe (already injected) for ``tags``; serious/critical violations and the raw result."""
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", tags
    )
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    return bad, result
