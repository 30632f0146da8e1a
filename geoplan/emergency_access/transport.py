"""The ambulance's second leg: from the building to the nearest hospital with emergency care.

One search from every hospital (``stations.kind == "hospital"``: OSM ``amenity=hospital`` kept
only with ``emergency=yes`` or no emergency tag, or the stations layer) on the network the
ambulance can use now, costed to every building like the response leg. The search runs from the
hospitals, so on one-way streets the leg is the hospital → building time (an approximation of
building → hospital, stated here; two-way streets are exact). The total is turnout + response
driving + transport, against ``target_s + transport_target_s`` of the preset's ambulance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geoplan.emergency_access._text import N_, message
from geoplan.emergency_access.obstructions import Placement
from geoplan.emergency_access.response import Scenarios

HOSPITAL_KINDS = ("hospital",)


@dataclass(frozen=True)
class Transport:
    """Per building: ``transport_s`` (s, ``inf`` if no hospital reachable) and ``hospital_id``; ``note``
    says why there is no leg at all."""

    transport_s: np.ndarray
    hospital_id: np.ndarray
    note: object = None


def none(n: int, note=None) -> Transport:
    """No hospital leg (a fire truck, or no hospital in the study)."""
    return Transport(np.full(n, np.nan), np.full(n, None, dtype=object), note)


NO_HOSPITAL = N_("no hospital with emergency care in the study: the ambulance's hospital leg (transport_s) is not "
                 "computed — add one to the stations layer (kind: hospital)")


def hospital_leg(study, impassable: np.ndarray, placement: Placement, active: np.ndarray) -> Transport:
    """Driving seconds from each building to its nearest emergency hospital, with obstructions in force."""
    n = len(study.residents)
    st = study.stations
    hospitals = st.loc[st["kind"].astype(object).isin(HOSPITAL_KINDS).to_numpy()].reset_index(drop=True) \
        if len(st) else st
    if not len(hospitals):
        return none(n, message(NO_HOSPITAL, code="no_hospital"))
    scen = Scenarios(study.drive.compiled, impassable, placement, study.residents.geometry.to_numpy(),
                     hospitals.geometry.to_numpy(), max_snap_m=study.preset.max_snap_m)
    if not scen.base_stations.ok.any():
        return none(n, message(NO_HOSPITAL, code="no_hospital"))
    costs = scen.run(active)
    ids = hospitals["station_id"].astype(str).to_numpy()
    hid = np.where(costs.station >= 0, ids[np.maximum(costs.station, 0)], None)
    return Transport(costs.drive_s, hid)
