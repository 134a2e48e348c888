"""Render a report to PNG screenshots and a printed PDF, to look at it as a reader would.

    .venv/bin/python scripts/screenshot-report.py uitvoer/demo/rapport.html /tmp/rapport

Writes /tmp/rapport-00.png, -01.png, ... (one per screen height) and /tmp/rapport-print.pdf
(A4, as the browser prints it; look at it with ``pdftoppm -png``). Uses Debian's Chromium
(scripts/install-system-packages.sh) with the network blocked.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("prefix", type=Path)
    parser.add_argument("--breedte", type=int, default=1280, help="viewport width in pixels")
    args = parser.parse_args()
    height = 900
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": args.breedte, "height": height})

        def block(route: Any) -> None:
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                print(f"geblokkeerd: {route.request.url}")
                route.abort()

        page.route("**/*", block)
        page.goto(args.report.resolve().as_uri())
        total = int(page.evaluate("document.body.scrollHeight"))
        for n, y in enumerate(range(0, total, height)):
            page.evaluate(f"window.scrollTo(0, {y})")
            page.screenshot(path=f"{args.prefix}-{n:02d}.png")
        page.emulate_media(media="print")
        page.pdf(path=f"{args.prefix}-print.pdf", format="A4", print_background=True)
        browser.close()
    print(f"{args.prefix}-NN.png en {args.prefix}-print.pdf geschreven")


if __name__ == "__main__":
    main()
