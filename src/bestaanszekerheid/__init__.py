"""bestaanszekerheid: a toolkit for Dutch municipalities working on livelihood security.

The analysis library (households, norms, target group, segments, ...) never imports the
web app; see ``docs/architecture.md``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("bestaanszekerheid")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
