"""Reading settings from environment variables, without extra dependencies.

Every variable read here is listed in ``docs/web/omgevingsvariabelen.md``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


class ConfigurationError(RuntimeError):
    """A setting is missing or malformed; the message names the variable."""


def env_str(name: str, default: str = "") -> str:
    """The variable as a string, or ``default`` when unset or empty."""
    return os.environ.get(name, "") or default


def env_bool(name: str, default: bool = False) -> bool:
    """``1/true/yes/ja/on`` (any case) is true; ``0/false/no/nee/off`` false."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "ja", "on"}:
        return True
    if raw in {"0", "false", "no", "nee", "off"}:
        return False
    raise ConfigurationError(f"{name}={raw!r} is geen ja/nee-waarde (gebruik 1 of 0).")


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """A setting that is one of ``choices`` (a clear Dutch error otherwise)."""
    value = env_str(name, default)
    if value not in choices:
        allowed = " of ".join(repr(c) for c in choices)
        raise ConfigurationError(f"{name}={value!r}: kies {allowed}.")
    return value


def env_int(name: str, default: int, minimum: int = 0) -> int:
    """An integer of at least ``minimum``."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r} is geen geheel getal.") from None
    if value < minimum:
        raise ConfigurationError(f"{name} moet minstens {minimum} zijn, niet {value}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; blanks are dropped."""
    raw = os.environ.get(name, "")
    if not raw.strip():
        return list(default)
    return [part.strip() for part in raw.split(",") if part.strip()]


def parse_database_url(url: str, base_dir: Path) -> dict[str, Any]:
    """Turn ``sqlite:///path`` or ``postgres://user:pw@host:port/name`` into Django's dict.

    A relative SQLite path is taken relative to ``base_dir``. Query parameters of a
    PostgreSQL URL (for example ``sslmode=require``) become connection ``OPTIONS``.
    """
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///var/web.sqlite3 -> relative; sqlite:////abs/path -> absolute.
        raw_path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
        if not raw_path:
            raise ConfigurationError(
                "DATABASE_URL: geef een bestandspad, sqlite:///var/web.sqlite3"
            )
        path = Path(raw_path)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path if path.is_absolute() else base_dir / path),
        }
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ConfigurationError("DATABASE_URL: de databasenaam ontbreekt na de host.")
        options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": options,
        }
    raise ConfigurationError(
        f"DATABASE_URL: onbekend schema {parts.scheme!r}; gebruik sqlite:/// of postgres://"
    )
