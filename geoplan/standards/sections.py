"""The sections a preset is composed of, each with the standards its defaults come from.

All distances are metres, speeds metres per second, times seconds, areas square metres.
Every section is immutable; :meth:`geoplan.standards.Preset.with_overrides` returns new ones.

Sources (verify before changing):

* GB 50180-2018 城市居住区规划设计标准 — 5/10/15-minute life circles, 300/500/1000 m walk.
* HCM / FHWA-RD-98-107 — walking 1.2 m/s adults, ≈0.9 m/s older pedestrians.
* GB 21734-2008 5.4, GB 50413-2007 8.2.8–8.2.10 — emergency shelters; GB 51143-2015 — site use.
* GB 50016-2014 (2018) 7.1.8 — fire lanes ≥4 m wide and high; GB 55037-2022 3.4.5 — dead ends.
* GB 51080-2015 4.1.3 — fire crews reach the district edge within 5 min of dispatch.
* 国卫医发〔2020〕19号 — urban ambulance service radius ≤5 km.
* CJJ 37-2012 5.3.2 — urban lane widths 3.0–3.75 m.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from geoplan.i18n import message
from geoplan.standards import facilities, tags

#: Category → (life-circle tier in minutes, whether it is essential for a "complete" circle).
#: The gb categories follow GB 50180-2018 item by item (see :data:`geoplan.standards.facilities.GB_ITEMS`
#: for each item, its table and what could not be verified from the standard's text).
CIRCLE_OF_CATEGORY: Mapping[str, tuple[int, bool]] = MappingProxyType({
    cat: (tier, cat in facilities.GB_ESSENTIAL) for cat, (_, _, tier, _, _) in facilities.GB_ITEMS.items()
})

#: Citation of each gb category: "GB item — table, tier", shown in summaries (a whole sentence,
#: translated when shown; the table reference itself is quoted as the standard names it).
ITEM_OF_CATEGORY: Mapping[str, str] = MappingProxyType({
    cat: message("{item} — {table}, {tier}-minute life circle", item=item, table=table, tier=tier) if verified
    else message("{item} — {table}, {tier}-minute life circle (not verified against the standard's text)",
                 item=item, table=table, tier=tier)
    for cat, (item, table, tier, verified, _) in facilities.GB_ITEMS.items()
})

#: The plain category set of geoplan 0.1, kept by the international (nfpa) preset: daily
#: shopping, open space and elderly care at 5 min; pharmacy, kindergarten, primary school at
#: 10 min; health, secondary school, community centre and sports at 15 min (planning practice,
#: not a cited standard).
PLAIN_CIRCLE_OF_CATEGORY: Mapping[str, tuple[int, bool]] = MappingProxyType({
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


@dataclass(frozen=True)
class LifeCircle:
    """The 5/10/15-minute life circle: tiers, which category sits in which, walking speeds."""

    circle_distance_m: Mapping[int, float] = field(default_factory=lambda: dict(CIRCLE_DISTANCE_M))
    circle_of_category: Mapping[str, tuple[int, bool]] = field(default_factory=lambda: dict(CIRCLE_OF_CATEGORY))
    #: Standard item each category stands for (text for summaries; empty for a category without one).
    item_of_category: Mapping[str, str] = field(default_factory=lambda: dict(ITEM_OF_CATEGORY))
    #: Highway Capacity Manual / FHWA-RD-98-107: 1.2 m/s design walking speed of adults.
    walk_speed_mps: float = 1.2
    #: FHWA-RD-98-107: ≈0.9 m/s for older or mobility-impaired pedestrians.
    walk_speed_elderly_mps: float = 0.9


@dataclass(frozen=True)
class Residents:
    """How many people live in a building when no residents layer says so."""

    #: Floor area per resident, m² (GFA). 中国统计年鉴 2021: urban per-capita housing floor area
    #: ≈ 36.5 m² (2020 census: 38.6 m²); 33 m² sits between that and typical Helsinki figures
    #: (Statistics Finland 2022: ≈ 35 m² per person in apartment blocks). An assumption, stated in outputs.
    floor_area_per_person_m2: float = 33.0
    #: Storeys assumed when ``building:levels`` is missing (a low-rise assumption, stated in outputs).
    default_levels: int = 3
    #: Footprints smaller than this are sheds, kiosks or mapping slivers, not homes (m²).
    min_residential_footprint_m2: float = 30.0


@dataclass(frozen=True)
class Vehicle:
    """What one kind of emergency vehicle needs, in metres and seconds.

    Attributes
    ----------
    vehicle
        ``"fire"`` or ``"ambulance"``.
    min_width_m, min_height_m
        Clear width and height the vehicle needs.
    turnout_s
        Time from alarm to leaving the station, added to every response.
    target_drive_s
        Driving time within which a building counts as reached in time.
    last_leg_m
        Longest distance from the parked vehicle to the building (hose or stretcher).
    station_kinds
        Which ``stations.kind`` dispatch this vehicle.
    transport_target_s
        Driving time from the building to the nearest emergency hospital within which the patient
        counts as delivered in time (``0``: the vehicle has no hospital leg).
    """

    vehicle: str
    min_width_m: float
    min_height_m: float
    turnout_s: float
    target_drive_s: float
    last_leg_m: float
    station_kinds: tuple[str, ...]
    transport_target_s: float = 0.0

    @property
    def target_s(self) -> float:
        """Response target including turnout, seconds."""
        return self.turnout_s + self.target_drive_s


#: GB 50016-2014 (2018) 7.1.8: fire lanes ≥ 4.0 m clear width and height; GB 51080-2015 4.1.3:
#: 1 min turnout + 4 min driving to the edge of the district; hose reach 80 m is an assumption
#: (two 40 m lengths, the usual first attack line).
FIRE = Vehicle("fire", min_width_m=4.0, min_height_m=4.0, turnout_s=60.0, target_drive_s=240.0,
               last_leg_m=80.0, station_kinds=("fire",))
#: Ambulance: 3.0 m × 2.8 m clearance and 150 m stretcher carry are assumptions (a Type B
#: ambulance is ≈ 2.1 m wide and 2.7 m high); 10 min driving follows the ≤ 5 km urban service
#: radius of 国卫医发〔2020〕19号 at ≈ 30 km/h. Dispatched from ambulance posts and hospitals.
AMBULANCE = Vehicle("ambulance", min_width_m=3.0, min_height_m=2.8, turnout_s=60.0, target_drive_s=600.0,
                    last_leg_m=150.0, station_kinds=("ambulance", "hospital"),
                    transport_target_s=600.0)  # assumption: the hospital leg within the same 5 km radius

#: Carriageway width assumed per highway class when no width or lane tag exists, metres.
#: ASSUMPTIONS (not survey data): typical urban widths; ``service`` at the 4.0 m fire-lane minimum
#: compound roads are built to (GB 50016 7.1.8); ``living_street`` likewise.
DEFAULT_WIDTH_M: Mapping[str, float] = MappingProxyType({
    "motorway": 7.5, "motorway_link": 4.5, "trunk": 7.5, "trunk_link": 4.5,
    "primary": 7.0, "primary_link": 4.5, "secondary": 7.0, "secondary_link": 4.5,
    "tertiary": 6.0, "tertiary_link": 4.5, "unclassified": 5.0, "residential": 5.0,
    "living_street": 4.0, "service": 4.0, "road": 5.0, "pedestrian": 4.0, "busway": 3.5,
})

#: Free-flow driving speed per highway class, km/h, used when ``maxspeed`` is absent. Urban
#: emergency driving with lights is not faster than free flow on narrow roads; these follow
#: osmnx's default imputation order of magnitude for urban China and Europe (an assumption).
DRIVE_SPEED_KPH: Mapping[str, float] = MappingProxyType({
    "motorway": 60.0, "motorway_link": 40.0, "trunk": 50.0, "trunk_link": 35.0,
    "primary": 40.0, "primary_link": 30.0, "secondary": 35.0, "secondary_link": 30.0,
    "tertiary": 30.0, "tertiary_link": 25.0, "unclassified": 25.0, "residential": 20.0,
    "living_street": 10.0, "service": 15.0, "road": 20.0,
})


@dataclass(frozen=True)
class Passability:
    """Which roads an emergency vehicle can use, and how fast."""

    #: Width of one lane when only ``lanes`` is known: the lower end of CJJ 37-2012 5.3.2's
    #: 3.0–3.75 m urban lanes (a lower bound is the safe side of a passability check).
    lane_width_m: float = 3.0
    default_width_m: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WIDTH_M))
    #: Width assumed for a class missing from ``default_width_m`` (an assumption), metres.
    fallback_width_m: float = 4.0
    drive_speed_kph: Mapping[str, float] = field(default_factory=lambda: dict(DRIVE_SPEED_KPH))
    access_rules: Mapping[str, bool] = field(default_factory=lambda: dict(tags.ACCESS_RULES))
    barrier_rules: Mapping[str, bool] = field(default_factory=lambda: dict(tags.BARRIER_RULES))
    #: GB 55037-2022 3.4.5 / GB 50016-2014 7.1.9: a dead-end fire lane over 40 m needs a turnaround.
    dead_end_max_m: float = 40.0
    #: How far a reported obstruction may lie from the road it blocks (a mapping tolerance), metres.
    obstruction_snap_m: float = 15.0
    #: Vehicle entrances a compound should have. UNVERIFIED ASSUMPTION: GB 50180-2018 is read as
    #: asking for at least two vehicle entrances onto city roads (attributed to §6.0.5, not checked
    #: against the standard's text here); outputs treat it as a documented, overridable default.
    compound_min_entrances: int = 2


@dataclass(frozen=True)
class Shelter:
    """The standard of one shelter kind."""

    m2_per_person: float
    radius_m: float
    min_site_m2: float


#: GB 21734-2008 5.4 / GB 50413-2007 8.2: emergency shelters ≥ 1.5 m² effective area per person,
#: within 500 m walk, site ≥ 0.1 ha.
EMERGENCY_SHELTER = Shelter(m2_per_person=1.5, radius_m=500.0, min_site_m2=1000.0)
#: GB 50413-2007 8.2: fixed shelters ≥ 2 m² per person, 2–3 km, site ≥ 1 ha.
FIXED_SHELTER = Shelter(m2_per_person=2.0, radius_m=2000.0, min_site_m2=10000.0)

#: Usable share of the site's ground per kind (planning assumptions after GB 51143-2015 practice).
USABLE_SHARE: Mapping[str, float] = MappingProxyType({
    "square": 0.8,          # paved, mostly open; minus planters, kiosks, furniture
    "park": 0.6,            # lawns and paths; minus dense planting and structures (buildings/water removed)
    "green_space": 0.7,     # open grass; minus trees and verges
    "sports_ground": 0.9,   # pitches and tracks: flat and open
    "school_ground": 0.6,   # the school plot minus its buildings: playground, yards, some planting and parking
    "school": 0.5,          # indoor: halls and classrooms on the ground floor, minus corridors, fixed furniture
    "gymnasium": 0.6,       # indoor: mostly hall floor
    "community_centre": 0.5,  # indoor: rooms and halls, minus fixed furniture and service rooms
    "assembly_point": 1.0,  # a layer area_m2 for a designated point is taken as usable as given
    "other": 0.5,
})


@dataclass(frozen=True)
class Shelters:
    """Emergency and fixed shelters: per-person area, walking radius, site size, usable ground."""

    emergency: Shelter = EMERGENCY_SHELTER
    fixed: Shelter = FIXED_SHELTER
    usable_share: Mapping[str, float] = field(default_factory=lambda: dict(USABLE_SHARE))
    #: Kinds that shelter people indoors (capacity from the building footprint).
    indoor_kinds: tuple[str, ...] = ("school", "gymnasium", "community_centre")
    #: A site keeping less than this share of its own area after overlaps is part of another site
    #: (an assumption: a nested playground in a park is the park's ground).
    part_share: float = 0.5
    #: Narrowest open space (m) that counts as a site: a 10 m strip holds a row of tents with a
    #: path (an assumption after GB 51143-2015 practice).
    min_width_m: float = 10.0

    def of(self, kind: str) -> Shelter:
        """The :class:`Shelter` standard of ``"emergency"`` or ``"fixed"``."""
        if kind not in ("emergency", "fixed"):
            raise KeyError(kind)
        return getattr(self, kind)
