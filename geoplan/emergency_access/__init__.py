"""Emergency access audit: can fire trucks and ambulances reach every residential building?

    import geoplan
    study = geoplan.load_study("district.osm.pbf", layers=["layers/"])
    result = geoplan.access(study, vehicle="fire")      # the function; this package is geoplan.access.*
    result.buildings      # status and response time per building, with the cause
    result.obstructions   # what to clear first
    result.to_file("outputs/")
    result.to_map(lang="zh").to_html("outputs/maps/access.html")

See :func:`geoplan.emergency_access.audit.access` for the method and :mod:`.passability` for the width,
barrier and access-tag tables.
"""

from __future__ import annotations

from geoplan.emergency_access.audit import STATUSES, access, read_scenario
from geoplan.emergency_access.passability import (ACCESS_RULES, BARRIER_RULES, DEFAULT_WIDTH_M, LANE_WIDTH_M, VehicleProfile,
                                        parse_length, vehicle_profile)
from geoplan.emergency_access.result import AccessResult

__all__ = ["ACCESS_RULES", "AccessResult", "BARRIER_RULES", "DEFAULT_WIDTH_M", "LANE_WIDTH_M", "STATUSES",
           "VehicleProfile", "access", "parse_length", "read_scenario", "vehicle_profile"]

