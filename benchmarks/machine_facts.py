"""What every benchmark writes down about the machine it ran on (imported by the scripts in
this folder, which run as ``python benchmarks/<name>.py``)."""

from __future__ import annotations

import os
import platform
import time


def machine_facts() -> dict[str, object]:
    """Cores, Python, platform and date, for a results file."""
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d"),
    }
