"""Layers that only point down: the analysis library runs without the command line.

``lint-imports`` (``make lint``) checks the contracts in ``pyproject.toml`` on the import
graph; these tests check what actually happens when the modules are imported, and that the
contracts' module lists keep naming every top-level module as modules are added.
"""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import bestaanszekerheid

ROOT = Path(__file__).resolve().parents[1]
#: The front ends on top of the library: the command line and the web app.
FRONT_ENDS = {"cli", "web", "__main__"}
#: Modules of ours that import nothing of ours (and that disclosure may use).
LEAVES = {"defaults", "errors", "fileio", "formatting"}

# Run in a fresh interpreter: a finder in front of every other refuses typer, rich and django
# (and their submodules), then every library module is imported, packages before the modules
# in them, skipping the front ends and Django migrations before they are imported.
_IMPORT_ALL = """
import importlib, importlib.abc, json, pkgutil, sys

BLOCKED = ("typer", "rich", "django")
FRONT_ENDS = ("bestaanszekerheid.cli", "bestaanszekerheid.web", "bestaanszekerheid.__main__")


class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is blocked in this test")
        return None


sys.meta_path.insert(0, Block())
blocked = []
for name in ("typer", "rich.console", "django.conf", "bestaanszekerheid.cli"):
    try:
        importlib.import_module(name)
    except ImportError as exc:
        blocked.append([name, str(exc)])

imported, failed = [], {}


def skipped(name):
    return name.startswith(FRONT_ENDS) or ".migrations" in name


def visit(name):
    try:
        module = importlib.import_module(name)
    except Exception as exc:
        failed[name] = f"{type(exc).__name__}: {exc}"
        return
    imported.append(name)
    for info in pkgutil.iter_modules(getattr(module, "__path__", [])):
        child = f"{name}.{info.name}"
        if not skipped(child):
            visit(child)


visit("bestaanszekerheid")
print(json.dumps({
    "blocked": blocked,
    "imported": imported,
    "failed": failed,
    "loaded": sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED),
}))
"""


def _run(code: str) -> Any:
    """Run ``code`` in a fresh interpreter on the same sources; return its JSON output."""
    src = str(Path(bestaanszekerheid.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_every_library_module_imports_without_typer_rich_and_django() -> None:
    out = _run(_IMPORT_ALL)
    # The block works: the command line, which needs typer, cannot be imported.
    assert [name for name, _ in out["blocked"]] == [
        "typer",
        "rich.console",
        "django.conf",
        "bestaanszekerheid.cli",
    ]
    assert "typer is blocked" in out["blocked"][-1][1]
    assert out["failed"] == {}
    assert out["loaded"] == []
    imported = set(out["imported"])
    # The walk reached the library's depths (not just the top-level package).
    assert {
        "bestaanszekerheid.pipeline",
        "bestaanszekerheid.target",
        "bestaanszekerheid.reports.build",
        "bestaanszekerheid.disclosure.register",
        "bestaanszekerheid.segments.model",
        "bestaanszekerheid.experiments.report",
        "bestaanszekerheid.households.readers",
    } <= imported
    assert not any(
        m.startswith(("bestaanszekerheid.cli", "bestaanszekerheid.web")) for m in imported
    )


def test_the_reports_do_not_import_the_pipeline() -> None:
    """The pipeline calls the reports; they take its result type only for annotations."""
    code = (
        "import importlib, json, pkgutil, sys\n"
        "import bestaanszekerheid.reports as reports\n"
        "for info in pkgutil.iter_modules(reports.__path__):\n"
        "    importlib.import_module(f'bestaanszekerheid.reports.{info.name}')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('bestaanszekerheid.'))))\n"
    )
    loaded = set(_run(code))
    assert "bestaanszekerheid.reports.build" in loaded
    assert "bestaanszekerheid.pipeline" not in loaded


def _contracts() -> list[dict[str, Any]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    linter = config["tool"]["importlinter"]
    assert linter["root_package"] == "bestaanszekerheid"
    return list(linter["contracts"])


def _contract(start: str) -> dict[str, Any]:
    (found,) = (c for c in _contracts() if c["name"].startswith(start))
    return found


def _ours(names: list[str]) -> set[str]:
    prefix = "bestaanszekerheid."
    return {n.removeprefix(prefix) for n in names if n.startswith(prefix)}


def test_the_contracts_name_every_top_level_module() -> None:
    """A new module or package of the library is covered by the contracts from the start."""
    top = {info.name for info in pkgutil.iter_modules(bestaanszekerheid.__path__)}
    library = top - FRONT_ENDS
    assert {"pipeline", "reports", "disclosure", "cli", "web"} <= top
    front = _contract("The analysis library does not import")
    assert _ours(front["source_modules"]) == library
    assert set(front["forbidden_modules"]) == {
        "bestaanszekerheid.cli",
        "bestaanszekerheid.web",
        "typer",
        "rich",
        "django",
    }
    disclosure = _contract("Disclosure control depends on nothing of ours")
    allowed = {"errors", "formatting", "fileio"}
    assert _ours(disclosure["forbidden_modules"]) == top - {"__main__", "disclosure"} - allowed
    leaves = _contract("errors, formatting, fileio and defaults are leaves")
    assert _ours(leaves["source_modules"]) == LEAVES
    assert _ours(leaves["forbidden_modules"]) == top - {"__main__"} - LEAVES


def test_lint_imports_keeps_every_contract() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    src = str(Path(bestaanszekerheid.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"Contracts: {len(_contracts())} kept, 0 broken." in done.stdout
