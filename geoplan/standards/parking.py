"""Parked cars on a carriageway: how much width a row of them takes, by how they are parked.

The access audit subtracts parked rows from a road's width (``width`` is the carriageway in
OSM) and closes the road for a vehicle only when the clear width left is below the vehicle's
minimum (GB 50016-2014 7.1.8: 4.0 m for a fire lane).

Sources and assumptions (metres; verify before changing)
--------------------------------------------------------
* **Parallel row: 2.0 m** — a passenger car is 1.7–1.9 m wide (GB 1589-2016 caps an M1 car at
  2.55 m; a typical Chinese compact/mid-size car is ≈ 1.8 m) plus ≈ 0.2 m from the kerb. GA/T
  850-2021 (城市道路路内停车位设置规范) marks parallel bays for small cars 2.0–2.5 m wide; the
  lower figure is what a parked car actually takes, the marked bay is the upper bound. This is
  the default width an ``occupied_lane`` obstruction takes when it gives no ``width_taken_m``
  (one row of parked cars), and what ``--assume-parked`` applies per side.
* **Diagonal row: 4.5 m**, **perpendicular row: 5.0 m** — the depth of a car parked at
  ≈ 45–60° or at 90° (a car is 4.5–4.9 m long; GA/T 850-2021 bays 5.0–6.0 m deep). Assumptions.
* **Position** (OSM ``parking:*`` / ``parking:lane:*:<orientation>``): ``on_street``/``lane``
  take the whole row, ``half_on_kerb`` half of it (the other half stands on the footway),
  ``on_kerb``, ``street_side`` (lay-by), ``lay_by``, ``shoulder`` and ``painted_area_only``
  take nothing from the carriageway. Assumptions following the OSM wiki definitions of
  Key:parking:lane and Key:parking (the 2022 scheme).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

#: Width one row of parked cars takes from the carriageway, by orientation (m).
ROW_WIDTH_M: Mapping[str, float] = MappingProxyType({"parallel": 2.0, "diagonal": 4.5, "perpendicular": 5.0})

#: Default width taken by an ``occupied_lane`` obstruction without ``width_taken_m``: one parallel row.
DEFAULT_WIDTH_TAKEN_M: float = ROW_WIDTH_M["parallel"]

#: Share of a row's width that stands on the carriageway, by position.
POSITION_SHARE: Mapping[str, float] = MappingProxyType({
    "on_street": 1.0, "lane": 1.0, "yes": 1.0, "half_on_kerb": 0.5, "on_kerb": 0.0, "street_side": 0.0,
    "lay_by": 0.0, "shoulder": 0.0, "painted_area_only": 0.0,
})

#: Values that say there is no parking on that side (parking is known, none is taken).
NO_PARKING: frozenset[str] = frozenset({
    "no", "no_parking", "no_stopping", "fire_lane", "separate", "none", "no_standing",
})

#: Old-scheme ``parking:lane:<side>`` values that name an orientation.
ORIENTATIONS: tuple[str, ...] = ("parallel", "diagonal", "perpendicular")

#: Road classes on which ``--assume-parked`` puts rows where OSM says nothing about parking
#: (streets where kerbside parking happens; not motorways or trunk roads). An assumption.
ASSUME_PARKED_HIGHWAYS: frozenset[str] = frozenset({
    "residential", "living_street", "service", "unclassified", "tertiary", "tertiary_link", "road",
})

#: ``--assume-parked`` choice → parked parallel rows per road with unknown parking.
ASSUMED_ROWS: Mapping[str, int] = MappingProxyType({"none": 0, "one-side": 1, "both-sides": 2})

#: OSM tags read for parking (kept on ways by the reader, see :data:`geoplan.standards.tags.WAY_TAGS`).
PARKING_TAGS: tuple[str, ...] = tuple(
    [f"parking:lane:{s}" for s in ("both", "left", "right")]
    + [f"parking:lane:{s}:{o}" for s in ("both", "left", "right") for o in ORIENTATIONS]
    + [f"parking:{s}" for s in ("both", "left", "right")]
    + [f"parking:{s}:orientation" for s in ("both", "left", "right")]
)
