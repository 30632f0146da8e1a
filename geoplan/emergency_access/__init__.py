"""Emergency access audit: can fire trucks and ambulances reach every residential building?

    import geoplan
    study = geoplan.load_study("district.osm.pbf", layers=["layers/"])
    result = geoplan.access(study, vehicle="fire")      # the function; this package is geoplan.emergency_access
    result.buildings      # status and response time per building, with the cause
    result.obstructions   # what to clear first
    result.to_file("outputs/", lang="zh")
    result.to_map(lang="zh").to_html("outputs/maps/access.html")

The audit is :func:`geoplan.emergency_access.audit.access`, a short orchestrator of named steps:
:mod:`.dispatch` (stations of the vehicle's kinds and their turnout), :mod:`.passability`
(widths, parked cars, access and barrier rules from the preset), :mod:`.scenario`
(obstructions, the searches of the baseline and the scenario), :mod:`.status`, :mod:`.clearing`,
:mod:`.explain` (causes and routes), :mod:`.critical` and :mod:`.tables`.
"""

from __future__ import annotations

from geoplan.emergency_access.audit import access
from geoplan.emergency_access.passability import VehicleProfile, parse_length, vehicle_profile
from geoplan.emergency_access.result import AccessResult
from geoplan.emergency_access.scenario import read_scenario
from geoplan.emergency_access.status import STATUSES
from geoplan.standards.sections import DEFAULT_WIDTH_M, Passability
from geoplan.standards.tags import ACCESS_RULES, BARRIER_RULES

#: geoplan 0.1 names; the values live in :mod:`geoplan.standards` (the preset may override them).
LANE_WIDTH_M: float = Passability.lane_width_m

__all__ = ["ACCESS_RULES", "AccessResult", "BARRIER_RULES", "DEFAULT_WIDTH_M", "LANE_WIDTH_M", "STATUSES",
           "VehicleProfile", "access", "parse_length", "read_scenario", "vehicle_profile"]
