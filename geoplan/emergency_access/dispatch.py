"""Who answers the call: the stations of the vehicle's kinds, and their turnout.

A fire truck leaves from a fire station; an ambulance from an ambulance post or a hospital with
emergency care (``preset.vehicles[vehicle].station_kinds``). Each station's turnout (alarm to
wheels rolling) is its own ``turnout_s`` when the stations layer gives one, else the preset's.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geoplan.emergency_access.passability import VehicleProfile
from geoplan.errors import InputError
from geoplan.i18n import message

#: What is missing when a vehicle has no station, one whole sentence per vehicle.
NO_STATIONS = {"fire": message("no fire stations in the OpenStreetMap data or the layers, so fire response cannot "
                               "be computed"),
               "ambulance": message("no ambulance posts or emergency hospitals in the OpenStreetMap data or the layers, "
                                    "so ambulance response cannot be computed")}


@dataclass(frozen=True)
class Dispatch:
    """The stations that dispatch one vehicle.

    Attributes
    ----------
    stations
        Station rows of the vehicle's kinds (study CRS), in input order.
    turnout_s
        Turnout of each station, seconds.
    ids
        ``station_id`` of each station, as text.
    """

    stations: gpd.GeoDataFrame
    turnout_s: np.ndarray
    ids: np.ndarray


def dispatch(study, profile: VehicleProfile) -> Dispatch:
    """The stations of ``profile.station_kinds`` with their turnout.

    Raises
    ------
    geoplan.errors.InputError
        No station of the vehicle's kinds in the study.
    """
    st_all = study.stations
    kind = st_all["kind"].astype(object) if len(st_all) else pd.Series(dtype=object)
    stations = st_all.loc[kind.isin(profile.station_kinds).to_numpy()].reset_index(drop=True)
    if not len(stations):
        raise InputError(
            NO_STATIONS.get(profile.vehicle) or message("no {vehicle} stations in the OpenStreetMap data or the layers, "
                                                        "so {vehicle} response cannot be computed", vehicle=profile.vehicle),
            fix=message("add a stations layer (e.g. layers/stations.geojson, points with kind: {kinds}) to your "
                        "--layers folder; see layers/README.md", kinds=" / ".join(profile.station_kinds)))
    return Dispatch(stations, station_turnout(stations, profile.turnout_s),
                    stations["station_id"].astype(str).to_numpy())


def station_turnout(stations: pd.DataFrame, default_s: float) -> np.ndarray:
    """Each station's ``turnout_s`` (s) where given and valid, else ``default_s``."""
    if "turnout_s" not in stations:
        return np.full(len(stations), float(default_s))
    own = pd.to_numeric(stations["turnout_s"], errors="coerce").to_numpy(dtype=float)
    return np.where(np.isfinite(own) & (own >= 0), own, float(default_s))
