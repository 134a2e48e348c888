"""Group profiles: what sets each group apart, where it lives, a name and a description.

Built on the segments engine (BCH-corrected three-step estimates) and disclosure control
(every figure gated by a checked table in the run's release register).
"""

from __future__ import annotations

from bestaanszekerheid.profiles.compute import (
    MIN_AREA_INDEX,
    MIN_EFFECT,
    AreaFeature,
    Feature,
    GroupProfile,
    ProfileSet,
    build_profiles,
    cohens_h,
    heatmap_frame,
)
from bestaanszekerheid.profiles.features import (
    DEFAULT_CHARACTERISTICS,
    Characteristic,
    characteristics_frame,
)
from bestaanszekerheid.profiles.naming import load_overrides, write_overrides_template
from bestaanszekerheid.profiles.recognise import Recognition, Rule
from bestaanszekerheid.profiles.wijk_shares import WijkShare, WijkShares

__all__ = [
    "DEFAULT_CHARACTERISTICS",
    "MIN_AREA_INDEX",
    "MIN_EFFECT",
    "AreaFeature",
    "Characteristic",
    "Feature",
    "GroupProfile",
    "ProfileSet",
    "Recognition",
    "Rule",
    "WijkShare",
    "WijkShares",
    "build_profiles",
    "characteristics_frame",
    "cohens_h",
    "heatmap_frame",
    "load_overrides",
    "write_overrides_template",
]
