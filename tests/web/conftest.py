"""Django for the web tests only: the settings module is set here, not in pyproject, so the
rest of the suite runs without Django configured.

Production posture is the default (no DEBUG, secure cookies); a throwaway key is set for the
test process. ``DATABASE_URL`` from the environment selects PostgreSQL
(``make test-postgres``); otherwise Django's in-memory SQLite test database is used.
"""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bestaanszekerheid.web.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-" + "x" * 40)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django

django.setup()

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    # Password hashing is not under test here; the default hasher costs ~0.3 s per login.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
