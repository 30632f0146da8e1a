"""Planning-standard presets: every threshold, speed and tag table in one place.

A :class:`Preset` is an immutable bundle of defaults from the planning standards cited
beside each value. A project YAML (``--config``) overrides any field; the preset name is
written into every output so a reader knows which rules were applied. Nothing here is
changed at run time: :func:`get_preset` and :meth:`Preset.with_overrides` return new objects.

Sources (figures carried over from ``ARCHITECTURE.md``; verify before changing):

* GB 50180-2018 城市居住区规划设计标准 — 5/10/15-minute life circles, 300/500/1000 m walk.
* HCM / FHWA-RD-98-107 — walking 1.2 m/s adults, ≈0.9 m/s older pedestrians.
* GB 21734-2008 5.4, GB 50413-2007 8.2.8–8.2.10 — emergency shelters.
* GB 50016-2014 (2018) 7.1.8 — fire lanes ≥4 m wide and high; GB 55037-2022 3.4.5 — dead ends.
* GB 51080-2015 4.1.3 — fire crews reach the district edge within 5 min of dispatch.
* 国卫医发〔2020〕19号 — urban ambulance service radius ≤5 km.
* NFPA 1710 — first engine ≤240 s travel; EMS 8 min 59 s.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

# --------------------------------------------------------------------------------------
# Facility categories of the life circle.
# Tag rules are tried in order; the first (key, values) pair that matches gives the
# category. ``"*"`` matches any value. Sources: OSM wiki tag definitions; category set
# follows GB 50180-2018 Appendix B (配套设施) as far as OSM tags express it.
# --------------------------------------------------------------------------------------
FACILITY_TAGS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("elderly_care", "social_facility", ("nursing_home", "assisted_living", "group_home")),
    ("elderly_care", "amenity", ("nursing_home",)),
    ("elderly_care", "social_facility:for", ("senior", "elderly")),
    ("health", "amenity", ("clinic", "doctors", "hospital", "health_post")),
    ("health", "healthcare", ("clinic", "doctor", "hospital", "centre", "health_post")),
    ("pharmacy", "amenity", ("pharmacy",)),
    ("pharmacy", "shop", ("chemist",)),
    ("pharmacy", "healthcare", ("pharmacy",)),
    ("kindergarten", "amenity", ("kindergarten", "childcare")),
    ("primary_school", "isced:level", ("1", "0;1", "1;2")),
    ("primary_school", "school", ("primary",)),
    ("secondary_school", "isced:level", ("2", "3", "2;3")),
    ("secondary_school", "school", ("secondary", "middle", "high")),
    ("primary_school", "amenity", ("school",)),  # untyped school: counted as primary, the finer-grained need
    ("market", "shop", ("supermarket", "convenience", "greengrocer", "butcher", "bakery", "general", "marketplace")),
    ("market", "amenity", ("marketplace",)),
    ("community_centre", "amenity", ("community_centre", "social_centre", "library", "arts_centre", "townhall")),
    ("sports", "leisure", ("sports_centre", "fitness_centre", "pitch", "stadium", "track", "fitness_station")),
    ("park", "leisure", ("park", "garden", "playground", "common", "recreation_ground")),
    ("park", "place", ("square",)),
    ("park", "landuse", ("recreation_ground", "village_green")),
)

#: Category → (life-circle tier in minutes, whether it is essential for a "complete" circle).
#: After GB 50180-2018 Appendix B: 5-min circle — daily shopping, kindergarten? (10-min in the
#: standard), elderly day care, open space; 10-min — kindergarten, primary school, clinic, market;
#: 15-min — secondary school, hospital/health centre, community/culture centre, sports.
CIRCLE_OF_CATEGORY: Mapping[str, tuple[int, bool]] = MappingProxyType({
    "market": (5, True),
    "park": (5, True),
    "elderly_care": (5, False),
    "pharmacy": (10, True),
    "kindergarten": (10, True),
    "primary_school": (10, True),
    "health": (15, True),
    "secondary_school": (15, True),
    "community_centre": (15, True),
    "sports": (15, False),
})

#: Life-circle tier (minutes) → walking network distance in metres (GB 50180-2018 §1.0.3, 2.0.x).
CIRCLE_DISTANCE_M: Mapping[int, float] = MappingProxyType({5: 300.0, 10: 500.0, 15: 1000.0})

# --------------------------------------------------------------------------------------
# Residents: which buildings house people, and how many.
# --------------------------------------------------------------------------------------
RESIDENTIAL_BUILDINGS: tuple[str, ...] = (
    "residential", "apartments", "house", "detached", "semidetached_house", "terrace",
    "dormitory", "bungalow", "farm", "static_caravan", "houseboat",
)
#: Floor area per resident, m² (GFA). 中国统计年鉴 2021: urban per-capita housing floor area ≈ 36.5 m²
#: (2020 census: 38.6 m²); the 33 m² default sits between that and typical Helsinki figures
#: (Statistics Finland 2022: ≈ 35 m² per person in apartment blocks).
FLOOR_AREA_PER_PERSON_M2 = 33.0
#: Storeys assumed when ``building:levels`` is missing (a low-rise assumption, stated in outputs).
DEFAULT_LEVELS = 3
#: Footprints smaller than this are sheds, kiosks or mapping slivers, not homes (m²).
MIN_RESIDENTIAL_FOOTPRINT_M2 = 30.0

# --------------------------------------------------------------------------------------
# Stations and network filters.
# --------------------------------------------------------------------------------------
STATION_TAGS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("fire", "amenity", ("fire_station",)),
    ("ambulance", "emergency", ("ambulance_station",)),
    ("hospital", "amenity", ("hospital",)),  # kept only with emergency=yes or no emergency tag
)

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

#: Free-flow driving speed per highway class, km/h, used when ``maxspeed`` is absent. Urban
#: emergency driving with lights is not faster than free flow on narrow roads; these follow
#: osmnx's default imputation order of magnitude for urban China and Europe.
DRIVE_SPEED_KPH: Mapping[str, float] = MappingProxyType({
    "motorway": 60.0, "motorway_link": 40.0, "trunk": 50.0, "trunk_link": 35.0,
    "primary": 40.0, "primary_link": 30.0, "secondary": 35.0, "secondary_link": 30.0,
    "tertiary": 30.0, "tertiary_link": 25.0, "unclassified": 25.0, "residential": 20.0,
    "living_street": 10.0, "service": 15.0, "road": 20.0,
})

#: OSM tags kept on network edges and nodes (later analyses read them).
WAY_TAGS: tuple[str, ...] = (
    "highway", "name", "name:zh", "name:en", "width", "maxwidth", "est_width", "lanes", "maxheight",
    "access", "motor_vehicle", "vehicle", "emergency", "service", "oneway", "junction", "maxspeed",
    "bridge", "tunnel", "foot", "area",
)
NODE_TAGS: tuple[str, ...] = ("barrier", "access", "motor_vehicle", "emergency", "highway", "name", "maxwidth", "width")
#: OSM tags kept on buildings, POIs and areas.
FEATURE_TAGS: tuple[str, ...] = (
    "name", "name:zh", "name:en", "building", "building:levels", "amenity", "leisure", "landuse", "shop",
    "healthcare", "social_facility", "social_facility:for", "emergency", "place", "school", "isced:level",
    "natural", "water", "sport", "access", "addr:housenumber", "addr:street",
)


@dataclass(frozen=True)
class Preset:
    """Every default of an analysis, with the standard it comes from.

    All distances are metres, speeds metres per second, times seconds, areas square metres.
    """

    name: str = "gb"
    # life circle
    circle_distance_m: Mapping[int, float] = field(default_factory=lambda: dict(CIRCLE_DISTANCE_M))
    circle_of_category: Mapping[str, tuple[int, bool]] = field(default_factory=lambda: dict(CIRCLE_OF_CATEGORY))
    walk_speed_mps: float = 1.2
    walk_speed_elderly_mps: float = 0.9
    # residents
    floor_area_per_person_m2: float = FLOOR_AREA_PER_PERSON_M2
    default_levels: int = DEFAULT_LEVELS
    min_residential_footprint_m2: float = MIN_RESIDENTIAL_FOOTPRINT_M2
    # snapping
    max_snap_m: float = 500.0
    # emergency access
    fire_min_width_m: float = 4.0
    fire_min_height_m: float = 4.0
    ambulance_min_width_m: float = 3.0
    ambulance_min_height_m: float = 2.8
    fire_turnout_s: float = 60.0
    fire_target_drive_s: float = 240.0
    ambulance_turnout_s: float = 60.0
    ambulance_target_drive_s: float = 600.0
    hose_length_m: float = 80.0
    stretcher_length_m: float = 150.0
    dead_end_max_m: float = 40.0
    obstruction_snap_m: float = 15.0
    # shelters
    shelter_emergency_m2_per_person: float = 1.5
    shelter_emergency_radius_m: float = 500.0
    shelter_emergency_min_site_m2: float = 1000.0
    shelter_fixed_m2_per_person: float = 2.0
    shelter_fixed_radius_m: float = 2000.0
    shelter_fixed_min_site_m2: float = 10000.0
    facility_tags: tuple[tuple[str, str, tuple[str, ...]], ...] = FACILITY_TAGS
    drive_speed_kph: Mapping[str, float] = field(default_factory=lambda: dict(DRIVE_SPEED_KPH))

    def with_overrides(self, overrides: Mapping[str, Any]) -> "Preset":
        """Return a copy with some fields replaced; unknown names raise ``KeyError``."""
        known = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise KeyError(", ".join(unknown))
        values = {}
        for key, value in overrides.items():
            current = getattr(self, key)
            if isinstance(current, Mapping) and isinstance(value, Mapping):
                merged = dict(current)
                merged.update(value)
                value = merged
            values[key] = value
        return dataclasses.replace(self, **values)

    @property
    def categories(self) -> tuple[str, ...]:
        """Known facility categories, in the order of the circle table."""
        return tuple(self.circle_of_category)

    def tier_m(self, category: str) -> float:
        """Walking network distance (m) of the life circle a category belongs to."""
        return float(self.circle_distance_m[self.circle_of_category[category][0]])

    def as_dict(self) -> dict[str, Any]:
        """Plain-dict form for manifests (JSON-serialisable)."""
        out = dataclasses.asdict(self)
        out["circle_distance_m"] = {str(k): v for k, v in dict(self.circle_distance_m).items()}
        out["facility_tags"] = [list(rule[:2]) + [list(rule[2])] for rule in self.facility_tags]
        return out


PRESETS: Mapping[str, Preset] = MappingProxyType({
    "gb": Preset(),
    # International: NFPA 1710 first-engine 240 s travel, EMS 8 min 59 s incl. 60 s turnout.
    "nfpa": Preset(name="nfpa", fire_turnout_s=80.0, fire_target_drive_s=240.0,
                   ambulance_turnout_s=60.0, ambulance_target_drive_s=479.0),
})


def get_preset(name: str = "gb") -> Preset:
    """Return the named preset (``gb`` — Chinese national standards — or ``nfpa``)."""
    try:
        return PRESETS[name]
    except KeyError:
        raise KeyError(f"unknown preset {name!r}; known: {', '.join(PRESETS)}") from None

# --------------------------------------------------------------------------------------
# Candidate emergency-shelter sites (GB 51143-2015 防灾避难场所设计规范 §3; GB 21734-2008).
# kind, OSM key, values, open (True: open ground) or indoor (False).
# --------------------------------------------------------------------------------------
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
