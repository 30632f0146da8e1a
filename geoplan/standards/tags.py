"""OpenStreetMap tag tables: which tags make a street, a facility, a station, a site or a barrier.

Every table is data, with the OSM wiki definition (or the standard) it follows beside it. The
preset holds the tables a planner may change (facility rules, access and barrier rules); the
rest decide what is read from a file at all.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

from geoplan.standards import facilities

# --------------------------------------------------------------------------------------
# Facility categories of the life circle: the tag rules live with the name rules in
# :mod:`geoplan.standards.facilities` (one table, tags first then names).
# --------------------------------------------------------------------------------------
FACILITY_TAGS = facilities.FACILITY_TAG_RULES

# --------------------------------------------------------------------------------------
# Residents, stations and candidate shelter sites.
# --------------------------------------------------------------------------------------
#: ``building=*`` values that house residents (OSM wiki Key:building, "Accommodation").
RESIDENTIAL_BUILDINGS: tuple[str, ...] = (
    "residential", "apartments", "house", "detached", "semidetached_house", "terrace",
    "dormitory", "bungalow", "farm", "static_caravan", "houseboat",
)

STATION_TAGS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("fire", "amenity", ("fire_station",)),
    ("ambulance", "emergency", ("ambulance_station",)),
    ("hospital", "amenity", ("hospital",)),  # kept only with emergency=yes or no emergency tag
)

#: Candidate emergency-shelter sites (GB 51143-2015 防灾避难场所设计规范 §3; GB 21734-2008):
#: kind, OSM key, values, open ground (True) or indoor (False).
SITE_TAGS: tuple[tuple[str, str, tuple[str, ...], bool], ...] = (
    ("park", "leisure", ("park", "garden", "common", "recreation_ground", "playground"), True),
    ("square", "place", ("square",), True),
    ("square", "highway", ("pedestrian",), True),
    ("green_space", "landuse", ("grass", "village_green", "recreation_ground"), True),
    ("sports_ground", "leisure", ("pitch", "stadium", "track"), True),
    ("school_ground", "amenity", ("school", "university", "college", "kindergarten"), True),
    ("gymnasium", "leisure", ("sports_centre", "sports_hall"), False),
    ("community_centre", "amenity", ("community_centre", "social_centre"), False),
)

# --------------------------------------------------------------------------------------
# Street networks.
# --------------------------------------------------------------------------------------
#: Highway classes a pedestrian may use (after osmnx's "walk" filter).
WALK_HIGHWAYS: frozenset[str] = frozenset({
    "trunk", "trunk_link", "primary", "primary_link", "secondary", "secondary_link", "tertiary",
    "tertiary_link", "unclassified", "residential", "living_street", "service", "road", "pedestrian",
    "footway", "path", "steps", "track", "cycleway", "corridor", "bridleway",
})
#: Highway classes an emergency vehicle may use (osmnx "drive_service" plus emergency access lanes).
DRIVE_HIGHWAYS: frozenset[str] = frozenset({
    "motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link", "secondary",
    "secondary_link", "tertiary", "tertiary_link", "unclassified", "residential", "living_street",
    "service", "road",
})
#: Way values that exclude a way from every network regardless of class.
EXCLUDED_ACCESS_WALK: frozenset[str] = frozenset({"no", "private"})
EXCLUDED_SERVICE_DRIVE: frozenset[str] = frozenset({"parking_aisle", "drive-through"})

#: OSM tags kept on network edges and nodes (later analyses read them).
WAY_TAGS: tuple[str, ...] = (
    "highway", "name", "name:zh", "name:en", "width", "maxwidth", "est_width", "lanes", "maxheight",
    "access", "motor_vehicle", "vehicle", "emergency", "service", "oneway", "junction", "maxspeed",
    "bridge", "tunnel", "foot", "area", "wheelchair", "kerb",
)
WAY_TAGS += __import__("geoplan.standards.parking", fromlist=["PARKING_TAGS"]).PARKING_TAGS  # parked cars (parking.py)
#: ``kerb`` is read for the wheelchair profile (OSM wiki Key:kerb: kerb nodes on footways and crossings).
NODE_TAGS: tuple[str, ...] = ("barrier", "access", "motor_vehicle", "emergency", "highway", "name", "maxwidth", "width",
                              "kerb")
#: OSM tags kept on buildings, POIs and areas.
FEATURE_TAGS: tuple[str, ...] = (
    "name", "name:zh", "name:en", "building", "building:levels", "amenity", "leisure", "landuse", "shop",
    "healthcare", "social_facility", "social_facility:for", "emergency", "place", "school", "isced:level",
    "natural", "water", "sport", "access", "addr:housenumber", "addr:street", "addr:district", "addr:city",
    "capacity", "beds", "capacity:persons", "office", "entrance", "barrier", "boundary", "admin_level",
)
#: Tags naming the study's place for map titles (``geoplan.study.place_name``), most specific
#: first: a district extract's buildings and POIs carry ``addr:district`` (e.g. 玄武区) more
#: reliably than any single place node (OSM wiki Key:addr:*).
PLACE_NAME_TAGS: tuple[str, ...] = ("addr:district", "addr:city")
#: ``place=*`` levels tried after them, coarsest first (OSM wiki Key:place).
PLACE_LEVELS: tuple[str, ...] = ("city", "town", "borough", "suburb", "quarter", "neighbourhood", "village")

# --------------------------------------------------------------------------------------
# Emergency vehicles on roads: access tags, barriers, turnarounds.
# --------------------------------------------------------------------------------------
#: How ``access`` / ``vehicle`` / ``motor_vehicle`` values on a road or barrier node affect an
#: emergency vehicle. Emergency vehicles may legally use private, destination, delivery…
#: roads (the restriction is legal, not physical); ``no`` usually marks a road closed to
#: motor traffic (pedestrianised, barrier-controlled), so it blocks unless ``emergency`` is
#: ``yes``/``designated``/``permissive``. ``emergency=no`` always blocks.
ACCESS_RULES: Mapping[str, bool] = MappingProxyType({
    "yes": True, "designated": True, "permissive": True, "destination": True, "private": True,
    "customers": True, "delivery": True, "service": True, "permit": True, "agricultural": True,
    "forestry": True, "residents": True, "emergency": True, "official": True, "discouraged": True,
    "no": False, "use_sidepath": True,
})
#: ``emergency=*`` values that let an emergency vehicle through whatever else is tagged.
EMERGENCY_YES: frozenset[str] = frozenset({"yes", "designated", "permissive", "official"})

#: What a ``barrier=*`` node on a road does to an emergency vehicle (True: passable).
#: Gates of every kind are assumed operable or attended (a planner marks a *locked* gate in the
#: obstructions layer; ``keep_open`` there says it is kept open). Fixed barriers block unless
#: the node carries ``emergency=yes`` (removable for emergencies) or ``motor_vehicle``/
#: ``access=yes``. A node ``maxwidth``/``width`` (the gap) is checked against the vehicle's
#: width. Barrier values not listed block and are reported as unknown.
BARRIER_RULES: Mapping[str, bool] = MappingProxyType({
    # operable: gates, booms, entrances, toll and border posts
    "gate": True, "lift_gate": True, "swing_gate": True, "sliding_gate": True, "entrance": True,
    "toll_booth": True, "border_control": True, "sally_port": True, "hampshire_gate": True,
    "wicket_gate": True, "sliding_beam": True,
    # crossable by a truck
    "kerb": True, "cattle_grid": True, "bus_trap": True, "speed_bump": True, "hump": True, "yes": True,
    # fixed: block
    "bollard": False, "block": False, "jersey_barrier": False, "chain": False, "log": False,
    "planter": False, "debris": False, "fence": False, "wall": False, "cycle_barrier": False,
    "motorcycle_barrier": False, "stile": False, "turnstile": False, "full-height_turnstile": False,
    "kissing_gate": False, "rope": False, "spikes": False, "height_restrictor": False,
    "bar": False, "barrier_board": False, "guard_rail": False, "ditch": False, "retaining_wall": False,
    "city_wall": False, "hedge": False, "tank_trap": False, "horse_stile": False,
})

#: ``highway=*`` node values where a fire truck can turn at the end of a dead-end lane.
TURNAROUND_TAGS: frozenset[str] = frozenset({"turning_circle", "turning_loop", "mini_roundabout"})
