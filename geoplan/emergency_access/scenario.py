"""What stands in the way, and the searches of the networks with and without it.

* :func:`gather_obstructions` — the study's obstructions layer plus a what-if scenario;
* :func:`place` — where they meet the drive network; an ``occupied_lane`` narrows the road by
  its ``width_taken_m`` (default one parallel row of parked cars,
  :data:`geoplan.standards.parking.DEFAULT_WIDTH_TAKEN_M`) and closes it for a vehicle only
  when the clear width left is below the vehicle's minimum;
* :func:`search` — three networks, each searched once from all stations together:
  ``unrestricted`` (every drivable road, to name the bottleneck), ``baseline`` (the roads the
  vehicle can pass) and ``now`` (the baseline minus the roads the obstructions close).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geoplan.emergency_access._text import Message, message
from geoplan.emergency_access.dispatch import Dispatch
from geoplan.emergency_access.obstructions import Placement, place_obstructions
from geoplan.emergency_access.passability import VehicleProfile
from geoplan.emergency_access.response import Costs, Scenarios
from geoplan.errors import InputError
from geoplan.i18n import message
from geoplan.standards.parking import DEFAULT_WIDTH_TAKEN_M

#: Obstruction kinds that narrow a road instead of closing it outright.
NARROWING_KINDS = frozenset({"occupied_lane"})


def read_scenario(path: str | Path, study, *, encoding: str | None = None) -> gpd.GeoDataFrame:
    """Read a what-if obstructions file (any layer format) into the study's CRS.

    Its features get ids ``X1``, ``X2``… so they never clash with the layer's ``O1``….
    """
    from geoplan.layers import read_layer_file

    path = Path(path)
    if not path.exists():
        raise InputError(message("scenario file not found"), source=path,
                         fix=message("give --scenario a GeoJSON, GeoPackage, Shapefile or CSV of obstructions"))
    frame, notes = read_layer_file(path, "obstructions", crs=study.crs, area=study.area, encoding=encoding,
                                   categories=list(study.preset.categories))
    if frame is None or not len(frame):
        return study.obstructions.iloc[0:0].copy()
    frame = frame.reset_index(drop=True)
    frame.insert(0, "obstruction_id", [f"X{i + 1}" for i in range(len(frame))])
    frame.attrs["warnings"] = list(notes)
    return frame


def gather_obstructions(study, scenario, *, use_layer: bool) -> tuple[gpd.GeoDataFrame, list]:
    """The obstructions in force: the layer's (if ``use_layer``) and the scenario's, and warnings."""
    frames, warnings = [], []
    if use_layer and len(study.obstructions):
        frames.append(study.obstructions)
    if scenario is not None:
        if isinstance(scenario, (str, Path)):
            extra = read_scenario(scenario, study)
            warnings += extra.attrs.get("warnings", [])
        else:
            extra = scenario.to_crs(study.crs).reset_index(drop=True)
            if "obstruction_id" not in extra:
                extra.insert(0, "obstruction_id", [f"X{i + 1}" for i in range(len(extra))])
        if len(extra):
            frames.append(extra)
    if not frames:
        empty = gpd.GeoDataFrame({"obstruction_id": pd.Series(dtype=object)},
                                 geometry=gpd.GeoSeries([], crs=study.crs), crs=study.crs)
        return empty, warnings
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=study.crs), warnings


def width_taken(obs: pd.DataFrame) -> np.ndarray:
    """Width (m) each narrowing obstruction takes (``NaN`` for those that close outright)."""
    kind = obs["kind"].astype(object).to_numpy() if "kind" in obs else np.full(len(obs), "other", dtype=object)
    given = pd.to_numeric(obs["width_taken_m"], errors="coerce").to_numpy(float) if "width_taken_m" in obs \
        else np.full(len(obs), np.nan)
    narrowing = np.isin(kind.astype(str), list(NARROWING_KINDS))
    given = np.where(np.isfinite(given) & (given > 0), given, DEFAULT_WIDTH_TAKEN_M)
    return np.where(narrowing, given, np.nan)


def place(study, obs: gpd.GeoDataFrame, edges: pd.DataFrame, clear_width_m: np.ndarray,
          profile: VehicleProfile) -> Placement:
    """Place ``obs`` on the drive network and keep the closures that stop this vehicle.

    A narrowing obstruction keeps a closure only where the road's clear width (after parked
    rows) minus the width it takes is below ``profile.min_width_m``; the table gains
    ``width_taken_m`` and ``clear_width_m`` (the narrowest clear width it leaves).
    """
    if not len(obs):
        return Placement.empty()
    placement = place_obstructions(obs, study.drive.compiled, study.residents,
                                   tolerance_m=study.preset.passability.obstruction_snap_m,
                                   highway=edges["highway"].astype(object).to_numpy())
    return narrow_closures(placement, width_taken(obs), clear_width_m, profile.min_width_m)


def narrow_closures(placement: Placement, taken: np.ndarray, clear_width_m: np.ndarray,
                    min_width_m: float) -> Placement:
    """``placement`` with the narrowing obstructions' closures kept only where too little width is left."""
    table = placement.table.copy()
    table["width_taken_m"] = taken
    c = placement.closures
    left = np.asarray(clear_width_m, float)[c["edge"].to_numpy(np.int64)] - taken[c["obstruction"].to_numpy(np.int64)]
    closes = ~np.isfinite(left) | (left < min_width_m - 1e-9)  # NaN: closes outright
    left_min = pd.Series(left).groupby(c["obstruction"].to_numpy(np.int64)).min()
    table["clear_width_m"] = np.round(left_min.reindex(range(len(table))).to_numpy(float), 2)
    kept = c.loc[closes].reset_index(drop=True)
    table["edges_closed"] = np.bincount(kept["obstruction"].to_numpy(np.int64), minlength=len(table))
    return replace(placement, table=table, closures=kept)


@dataclass(frozen=True)
class Searches:
    """The three searches of one audit (see the module docstring)."""

    scen: Scenarios
    free: Scenarios
    base: Costs
    now: Costs
    unres: Costs
    active: np.ndarray
    warnings: tuple[Message, ...]


def search(study, impassable: np.ndarray, placement: Placement, crew: Dispatch, vehicle: str) -> Searches:
    """Search the baseline, the network now and the unrestricted network from every station.

    Raises
    ------
    geoplan.errors.InputError
        No station of the vehicle lies near a road it can use.
    """
    full, limit = study.drive.compiled, study.preset.max_snap_m
    active = placement.table["applied"].to_numpy(dtype=bool) if len(placement.table) else np.zeros(0, dtype=bool)
    geoms, station_geoms = study.residents.geometry.to_numpy(), crew.stations.geometry.to_numpy()
    scen = Scenarios(full, impassable, placement, geoms, station_geoms, max_snap_m=limit,
                     turnout_s=crew.turnout_s)
    base = scen.run(np.zeros_like(active))
    now = scen.run(active) if active.any() else base
    free = Scenarios(full, np.zeros(len(full.edge_u), dtype=bool), Placement.empty(), geoms, station_geoms,
                     max_snap_m=limit, turnout_s=crew.turnout_s)
    if not base.stations.ok.any():
        raise InputError(message("every {vehicle} station is farther than {limit:g} m from a road the vehicle can use",
                                 vehicle=vehicle, limit=limit),
                         fix=message("check the stations layer's coordinates and CRS"))
    warnings = tuple(message("station {station} is farther than {limit:g} m from a passable road and was left out",
                             code="station_off_road", station=crew.ids[i], limit=limit)
                     for i in np.flatnonzero(~base.stations.ok))
    return Searches(scen, free, base, now, free.run(), active, warnings)
