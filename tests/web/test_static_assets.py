"""The vendored front-end assets: the copies in the package equal the npm packages pinned in
package-lock.json (``make web-static`` copies them), and nothing loads from elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "src" / "bestaanszekerheid" / "web" / "static"
VENDORED = {
    "bsz/htmx.min.js": "htmx.org/dist/htmx.min.js",
    "nlds/utrecht-components.css": "@utrecht/component-library-css/dist/index.css",
    "nlds/voorbeeld-theme.css": "@nl-design-system-unstable/voorbeeld-design-tokens/dist/theme.css",
}


@pytest.mark.parametrize(("copy", "source"), sorted(VENDORED.items()))
def test_vendored_copy_matches_the_pinned_npm_package(copy: str, source: str) -> None:
    installed = ROOT / "node_modules" / source
    assert installed.exists(), "node_modules ontbreekt: draai `make install-dev` (npm ci)"
    assert (STATIC / copy).read_bytes() == installed.read_bytes(), (
        f"{copy} wijkt af van node_modules/{source}: draai `make web-static`"
    )


def test_stylesheets_load_nothing_from_outside() -> None:
    for css in STATIC.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert "@import" not in text, css
        external = [
            u for u in re.findall(r"url\(\s*['\"]?([^'\")]+)", text) if not u.startswith("data:")
        ]
        assert external == [], (css, external[:3])


def test_base_template_links_only_vendored_or_own_files() -> None:
    base = (ROOT / "src/bestaanszekerheid/web/templates/base.html").read_text(encoding="utf-8")
    linked = re.findall(r"\{% static '([^']+)' %\}", base)
    assert {"nlds/utrecht-components.css", "nlds/voorbeeld-theme.css", "bsz/bsz.css"} <= set(linked)
    assert all((STATIC / path).exists() for path in linked), linked
    assert "http://" not in base and "https://" not in base
