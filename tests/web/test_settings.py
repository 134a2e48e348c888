"""Settings from environment variables, and the library/web boundary."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bestaanszekerheid.web.env import ConfigurationError, env_bool, parse_database_url

SRC = Path(__file__).resolve().parents[2] / "src" / "bestaanszekerheid"


def test_sqlite_relative_and_absolute(tmp_path: Path) -> None:
    rel = parse_database_url("sqlite:///var/web.sqlite3", tmp_path)
    assert rel["ENGINE"].endswith("sqlite3") and rel["NAME"] == str(tmp_path / "var/web.sqlite3")
    assert parse_database_url("sqlite:////srv/db.sqlite3", tmp_path)["NAME"] == "/srv/db.sqlite3"


def test_postgres_url_with_options(tmp_path: Path) -> None:
    db = parse_database_url("postgres://u%40x:p%2Fw@db.example:6543/bsz?sslmode=require", tmp_path)
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "u@x",
        "p/w",
        "db.example",
        "6543",
        "bsz",
    )
    assert db["OPTIONS"] == {"sslmode": "require"}


@pytest.mark.parametrize("url", ["mysql://a/b", "postgres://host/", "sqlite://"])
def test_bad_database_urls(url: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="DATABASE_URL"):
        parse_database_url(url, tmp_path)


def test_env_bool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "ja")
    assert env_bool("X_FLAG") is True
    monkeypatch.setenv("X_FLAG", "misschien")
    with pytest.raises(ConfigurationError, match="X_FLAG"):
        env_bool("X_FLAG")


def _settings_in_subprocess(env: dict[str, str], expr: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-c", f"import bestaanszekerheid.web.settings as s; print({expr})"],
        env=clean | env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_secret_key_required_without_debug() -> None:
    result = _settings_in_subprocess({}, "s.SECRET_KEY")
    assert result.returncode != 0 and "DJANGO_SECRET_KEY ontbreekt" in result.stderr


def test_production_posture_by_default() -> None:
    result = _settings_in_subprocess(
        {"DJANGO_SECRET_KEY": "k" * 50},
        "s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.LANGUAGE_CODE, "
        "s.SESSION_COOKIE_AGE",
    )
    assert result.stdout.strip() == "False True True nl 900"


def test_database_connections_are_kept_open_unless_configured() -> None:
    expr = "s.DATABASES['default']['CONN_MAX_AGE'], s.DATABASES['default']['CONN_HEALTH_CHECKS']"
    default = _settings_in_subprocess({"DJANGO_DEBUG": "1"}, expr)
    assert default.stdout.strip() == "60 True"
    off = _settings_in_subprocess({"DJANGO_DEBUG": "1", "DJANGO_CONN_MAX_AGE": "0"}, expr)
    assert off.stdout.strip() == "0 True"


def test_debug_gets_a_random_dev_key() -> None:
    result = _settings_in_subprocess(
        {"DJANGO_DEBUG": "1"}, "len(s.SECRET_KEY) > 40, s.SESSION_COOKIE_SECURE"
    )
    assert result.stdout.strip() == "True False"


def test_every_env_var_is_documented() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs/web/omgevingsvariabelen.md").read_text()
    import re

    used = set(re.findall(r'env_\w+\(\s*"([A-Z_]+)"', (SRC / "web/settings.py").read_text()))
    assert used and {name for name in used if f"`{name}`" not in doc} == set()


def test_library_never_imports_the_web_app() -> None:
    # The command line (cli/, `bsz web`) starts the web app; the library under both never
    # imports it (also an import contract: tests/test_layers.py, `make lint`).
    offenders = []
    for path in SRC.rglob("*.py"):
        if {"web", "cli"} & set(path.relative_to(SRC).parts):
            continue
        text = path.read_text(encoding="utf-8")
        if "import bestaanszekerheid.web" in text or "from bestaanszekerheid.web" in text:
            offenders.append(str(path))
    assert offenders == []


@pytest.mark.django_db
def test_runs_on_the_expected_database() -> None:
    # `make test-postgres` sets the expectation, so a failed start cannot fall back to SQLite.
    from django.db import connection

    assert connection.vendor == os.environ.get("BSZ_EXPECT_DB_VENDOR", connection.vendor)


def test_bsz_web_without_secret_key_explains_instead_of_crashing(tmp_path: Path) -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    bsz = Path(sys.executable).parent / "bsz"
    result = subprocess.run(
        [str(bsz), "web"], env=clean, cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2 and "DJANGO_SECRET_KEY ontbreekt" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "var").exists()
