"""Areas: a municipality's wijken and buurten, where the groups live, and where to ring the
doorbell.

- :mod:`.catalog`: the areas of one municipality as a typed :class:`AreaCatalog` (Tilburg's
  real 2024 areas packaged; others from ``bsz gebieden``);
- :mod:`.indicators`: the CBS Kerncijfers Wijken en Buurten indicators with their definitions;
- :mod:`.distribution`: the target group and its groups per wijk and buurt, checked;
- :mod:`.maps`: offline choropleths of those figures;
- :mod:`.importer`: ``bsz gebieden``, a catalogue for another municipality from
  :mod:`.statline` (a StatLine CSV export), :mod:`.geometry` (a CBS GeoPackage or GeoJSON) or
  :mod:`.online` (StatLine through cbsodata, PDOK); what they share is in :mod:`.sources`.

Only the catalogue is imported with the package (the synthetic generator needs it, and
:mod:`.distribution` loads the model code); import the other modules by name.

The package is part of the analysis library: it never imports the CLI, the web app or the
reports.
"""

from __future__ import annotations

from bestaanszekerheid.areas.catalog import (
    LEVELS,
    Area,
    AreaCatalog,
    Level,
    read_catalog,
    tilburg,
)
from bestaanszekerheid.areas.indicators import INDICATORS, Indicator

__all__ = [
    "INDICATORS",
    "LEVELS",
    "Area",
    "AreaCatalog",
    "Indicator",
    "Level",
    "read_catalog",
    "tilburg",
]
