"""How many people a candidate site can hold, from the preset's shelter figures.

Every figure comes from ``study.preset.shelters`` (:class:`geoplan.standards.Shelters`), so a
project file's ``overrides: {shelters: {...}}`` changes the answer:

* **usable ground** — open sites: the (remaining) polygon minus building footprints and water
  inside it; indoor sites (``indoor_kinds``: school buildings, gymnasiums, community centres):
  the building footprint(s) inside the polygon (the polygon itself when no building is mapped),
  ground floor only; a layer's ``area_m2`` replaces the measured area;
* **usable share** per kind (``usable_share``) — what GB 51143-2015 asks to leave out of the
  effective area (planted beds, access ground, furniture); planning assumptions, overridable per
  site by a layer's ``usable_share`` (a layer ``area_m2`` without one is taken as usable, share 1);
* **capacity** = ⌊usable ground × usable share ÷ m² per person⌋ (1.5 m² emergency, 2 m² fixed:
  GB 21734-2008 5.4, GB 50413-2007).

All areas are square metres, capacities persons.
"""

from __future__ import annotations

from typing import Mapping, NamedTuple

import numpy as np
import pandas as pd
import shapely

from geoplan.errors import InputError
from geoplan.i18n import message

#: The shelter kinds of the preset.
SHELTER_KINDS = ("emergency", "fixed")


class ShelterStandard(NamedTuple):
    """One shelter kind's standard: m² per person, walking radius (m), minimum site (m²)."""

    m2_per_person: float
    radius_m: float
    min_site_m2: float


def shelter_standard(preset, kind: str) -> ShelterStandard:
    """The :class:`ShelterStandard` of ``kind`` (``"emergency"`` or ``"fixed"``) in ``preset``."""
    if kind not in SHELTER_KINDS:
        raise InputError(message("unknown shelter kind {kind!r}", kind=kind),
                         fix=message("use one of: {choices}", choices=", ".join(SHELTER_KINDS)))
    std = preset.shelters.of(kind)
    return ShelterStandard(float(std.m2_per_person), float(std.radius_m), float(std.min_site_m2))


def usable_shares(preset, overrides: Mapping[str, float] | None = None) -> dict[str, float]:
    """Usable share per site kind: the preset's, with ``overrides`` laid over it (0–1)."""
    shares = dict(preset.shelters.usable_share)
    shares.update(overrides or {})
    return shares


def is_indoor(kinds: np.ndarray, open_ground: pd.Series | None, indoor_kinds) -> np.ndarray:
    """Whether each site shelters people indoors: its kind, unless the layer's ``open_ground`` says."""
    indoor = np.isin(kinds.astype(str), np.asarray(tuple(indoor_kinds), dtype=str))
    if open_ground is None:
        return indoor
    og = open_ground.astype(object)
    return np.where(og.isna().to_numpy(), indoor, ~og.fillna(True).astype(bool).to_numpy())


def covered_area(ground: np.ndarray, obstacles: np.ndarray) -> np.ndarray:
    """Area (m²) of each ground polygon covered by the union of the obstacles (buildings, water)."""
    n = len(ground)
    area = np.zeros(n)
    idx = np.flatnonzero([g is not None for g in ground])
    if len(obstacles):
        obstacles = obstacles[~(shapely.is_missing(obstacles) | shapely.is_empty(obstacles))]
    if len(idx) == 0 or len(obstacles) == 0:
        return area
    obstacles = shapely.make_valid(obstacles)
    tree = shapely.STRtree(obstacles)
    s, o = tree.query(ground[idx], predicate="intersects")
    if len(s) == 0:
        return area
    site = idx[s]
    pieces = shapely.intersection(ground[site], obstacles[o])
    frame = pd.DataFrame({"site": site, "piece": pieces})
    single = frame.groupby("site")["piece"].transform("size").to_numpy() == 1
    if single.any():
        one = frame.loc[single]
        np.add.at(area, one["site"].to_numpy(), shapely.area(one["piece"].to_numpy()))
    for i, grp in frame.loc[~single].groupby("site")["piece"]:
        area[i] += shapely.union_all(grp.to_numpy()).area
    return area


def usable_ground(ground: np.ndarray, indoor: np.ndarray, layer_area: np.ndarray, buildings: np.ndarray,
                  water: np.ndarray) -> np.ndarray:
    """Usable ground (m²) of each site (NaN where it has no ground of its own)."""
    open_ground = np.where(~indoor, ground, None)
    blocked = covered_area(open_ground, np.concatenate([buildings, water]))
    footprint = covered_area(np.where(indoor, ground, None), buildings)
    ground_area = np.array([g.area if g is not None else np.nan for g in ground])
    usable = np.where(indoor, np.where(footprint > 0, footprint, ground_area), ground_area - blocked)
    return np.where(layer_area > 0, layer_area, usable)


def site_capacity(usable: np.ndarray, kinds: np.ndarray, layer_area: np.ndarray, layer_share: np.ndarray,
                  shares: Mapping[str, float], m2_per_person: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(usable share, effective area m², capacity persons)`` of each site."""
    share = np.array([shares.get(k, shares.get("other", 0.5)) for k in kinds], dtype=float)
    share = np.where((layer_area > 0) & np.isnan(layer_share), 1.0, share)
    share = np.where(np.isfinite(layer_share), layer_share, share)
    effective = np.where(np.isfinite(usable), np.maximum(usable, 0.0) * share, np.nan)
    capacity = np.where(np.isfinite(effective), np.floor(effective / m2_per_person + 1e-9), 0.0)
    return share, effective, capacity
