"""Debian's Chromium and axe-core for the browser tests (reports and web app).

One place for the executable, the launch flags (no background networking: this machine's
network is closed) and the axe run, so every browser test checks the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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


WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def wcag_problems(page: Any) -> list[tuple[str, str, Any]]:
    """Serious or critical WCAG 2.1 A/AA violations on the page (axe already injected)."""
    return serious_violations(page, WCAG21_AA)[0]


@dataclass
class AppPage:
    """A page of the web app under test, with what it tried that it should not have."""

    page: Any
    blocked: list[str] = field(default_factory=list)  # requests to anywhere but the app
    console_errors: list[str] = field(default_factory=list)


def open_app_page(browser: Any, base_url: str, **options: Any) -> AppPage:
    """A new page with axe injected (outside the page's CSP) that may only load ``base_url``;
    other requests are aborted and recorded, as are console errors."""
    page = browser.new_page(viewport={"width": 1280, "height": 900}, **options)
    page.set_default_timeout(10_000)
    page.add_init_script(script=axe_source())
    app = AppPage(page)

    def only_the_app(route: Any) -> None:
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            app.blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_app)
    page.on("console", lambda m: app.console_errors.append(m.text) if m.type == "error" else None)
    return app


def log_in(page: Any, base_url: str, username: str, password: str, code: Callable[[], str]) -> None:
    """Log in to the web app through its two forms; ``code`` gives the TOTP code of the moment."""
    page.goto(f"{base_url}/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Volgende").click()
    page.get_by_label("Code uit je authenticator-app").fill(code())
    page.get_by_role("button", name="Inloggen").click()
