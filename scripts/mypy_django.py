"""mypy's Django plugin (django-stubs), loaded with the environment the web tests use.

The plugin imports the settings module named in pyproject's ``[tool.django-stubs]``, which
(production posture) refuses to load without ``DJANGO_SECRET_KEY``. Like
``tests/web/conftest.py`` this sets a throwaway key for this process only, so a plain
``mypy`` works without extra environment variables.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "type-checking-only-" + "x" * 40)

from mypy_django_plugin.main import plugin  # noqa: E402

__all__ = ["plugin"]
