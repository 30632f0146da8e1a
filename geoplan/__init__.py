"""geoplan — emergency-space planning for urban communities from OpenStreetMap.

Load a study once, then ask it the three planning questions::

    import geoplan
    study = geoplan.load_study("district.osm", layers=["my_layers/"])
    cov = geoplan.coverage(study)          # 15-minute life circle
    acc = geoplan.access(study)            # emergency-vehicle access audit
    sit = geoplan.sites(study)             # emergency shelter proposal
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_LAZY = {
    "load_study": ("geoplan.study", "load_study"),
    "Study": ("geoplan.study", "Study"),
    "InputError": ("geoplan.errors", "InputError"),
    "coverage": ("geoplan.coverage", "coverage"),
    "access": ("geoplan.access", "access"),
    "sites": ("geoplan.sites", "sites"),
}


def __getattr__(name: str) -> Any:
    # analyses pull in scipy/folium-free but heavy stacks; import them on first use so
    # `geoplan --help` and `import geoplan` stay fast
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(import_module(module), attr)
    raise AttributeError(f"module 'geoplan' has no attribute {name!r}")


__all__ = list(_LAZY)
