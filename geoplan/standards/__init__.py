"""Planning standards: every threshold, speed and tag table in one place, with its source.

* :mod:`geoplan.standards.sections` — the sections a preset is made of (life circle, residents,
  each vehicle, passability, shelters), each default beside the standard it comes from;
* :mod:`geoplan.standards.preset` — :class:`Preset` and its checked overrides;
* :mod:`geoplan.standards.presets` — the named presets ``gb`` and ``nfpa``;
* :mod:`geoplan.standards.tags` — OpenStreetMap tag tables.

Nothing here changes at run time: :func:`get_preset` and :meth:`Preset.with_overrides`
return new objects.
"""

from __future__ import annotations

from geoplan.standards.preset import FLAT_NAMES, Preset, PresetError
from geoplan.standards.presets import PRESETS, get_preset
from geoplan.standards.sections import (CIRCLE_DISTANCE_M, CIRCLE_OF_CATEGORY, LifeCircle, Passability, Residents,
                                        Shelter, Shelters, Vehicle)
from geoplan.standards.tags import (DRIVE_HIGHWAYS, EXCLUDED_ACCESS_WALK, EXCLUDED_SERVICE_DRIVE, FACILITY_TAGS,
                                    FEATURE_TAGS, NODE_TAGS, RESIDENTIAL_BUILDINGS, SITE_TAGS, STATION_TAGS,
                                    WALK_HIGHWAYS, WAY_TAGS)

__all__ = ["CIRCLE_DISTANCE_M", "CIRCLE_OF_CATEGORY", "DRIVE_HIGHWAYS", "EXCLUDED_ACCESS_WALK",
           "EXCLUDED_SERVICE_DRIVE", "FACILITY_TAGS", "FEATURE_TAGS", "FLAT_NAMES", "LifeCircle", "NODE_TAGS",
           "PRESETS", "Passability", "Preset", "PresetError", "RESIDENTIAL_BUILDINGS", "Residents", "SITE_TAGS",
           "STATION_TAGS", "Shelter", "Shelters", "Vehicle", "WALK_HIGHWAYS", "WAY_TAGS", "get_preset"]
