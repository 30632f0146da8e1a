"""What each community-layer role is: file names, geometry types, columns and known values.

Everything here is an immutable table; ``layers/README.md`` documents the same schema for
users. Keep the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from geoplan.i18n import message

#: The roles a community layer can play, in the order they are read and reported.
ROLES: tuple[str, ...] = ("boundary", "residents", "facilities", "stations", "obstructions", "sites")

#: File extensions read as layers (lower case). Other files in a folder are left alone silently.
LAYER_EXTENSIONS: tuple[str, ...] = (".geojson", ".json", ".gpkg", ".shp", ".csv")

#: Extensions of a shapefile's sidecar parts, hashed with the ``.shp`` for the manifest.
SHAPEFILE_PARTS: tuple[str, ...] = (".shp", ".shx", ".dbf", ".prj", ".cpg")

_POLY = frozenset({"Polygon", "MultiPolygon"})
_POINT = frozenset({"Point"})
_LINE = frozenset({"LineString", "MultiLineString"})


@dataclass(frozen=True)
class RoleSpec:
    """The schema of one role.

    Attributes
    ----------
    role
        Role name, e.g. ``"stations"``.
    stems
        File-name stems (lower case, ``-`` and spaces read as ``_``) that give a file this role.
    geometry_types
        Shapely geometry type names accepted for the role.
    geometry_hint
        What the role's geometries should be, in words, for error messages.
    """

    role: str
    stems: tuple[str, ...]
    geometry_types: frozenset[str]
    geometry_hint: str  # a Message: shown in the reader's language


ROLE_SPECS: Mapping[str, RoleSpec] = MappingProxyType({
    "boundary": RoleSpec(
        "boundary",
        ("boundary", "boundaries", "communities", "community", "neighbourhoods", "neighborhoods",
         "grid", "cells", "study_area"),
        _POLY, message("polygons (one per community or grid cell)")),
    "residents": RoleSpec(
        "residents",
        ("residents", "population", "buildings", "households", "homes"),
        _POINT | _POLY, message("points or building polygons")),
    "facilities": RoleSpec(
        "facilities",
        ("facilities", "services", "amenities", "pois"),
        _POINT | _POLY, message("points or polygons")),
    "stations": RoleSpec(
        "stations",
        ("stations", "fire_stations", "emergency_stations", "ambulance", "ems"),
        _POINT, message("points (the station's exit onto the street)")),
    "obstructions": RoleSpec(
        "obstructions",
        ("obstructions", "obstruction", "blockages", "obstacles", "closures"),
        _POINT | _LINE | _POLY | frozenset({"MultiPoint"}), message("points, lines or polygons")),
    "sites": RoleSpec(
        "sites",
        ("sites", "shelters", "shelter_sites", "candidate_sites", "emergency_sites"),
        _POLY | _POINT, message("polygons (points only with an area_m2 column)")),
})

#: Known station kinds and accepted spellings of them.
STATION_KINDS: tuple[str, ...] = ("fire", "ambulance", "hospital")
STATION_ALIASES: Mapping[str, str] = MappingProxyType({
    "fire_station": "fire", "firestation": "fire", "消防站": "fire",
    "ems": "ambulance", "ambulance_station": "ambulance", "ambulance_post": "ambulance", "急救站": "ambulance",
    "emergency_hospital": "hospital", "医院": "hospital",
})

#: Known obstruction kinds (free-form kinds would silently escape the access audit).
OBSTRUCTION_KINDS: tuple[str, ...] = ("occupied_lane", "locked_gate", "sealed_compound", "flooded", "other")
OBSTRUCTION_ALIASES: Mapping[str, str] = MappingProxyType({
    "gate": "locked_gate", "locked": "locked_gate", "occupied": "occupied_lane", "parked_cars": "occupied_lane",
    "sealed": "sealed_compound", "sealed_block": "sealed_compound", "closed_compound": "sealed_compound",
    "flood": "flooded",
})

#: Known candidate/existing shelter-site kinds (open sites first, then indoor ones).
SITE_KINDS: tuple[str, ...] = ("park", "square", "green_space", "sports_ground", "school_ground",
                               "school", "community_centre", "gymnasium", "other")
SITE_ALIASES: Mapping[str, str] = MappingProxyType({
    "playground": "school_ground", "school_playground": "school_ground", "plaza": "square",
    "green": "green_space", "community_center": "community_centre", "gym": "gymnasium",
    "sports_centre": "gymnasium", "stadium": "sports_ground", "pitch": "sports_ground",
})

#: Column-name aliases (lower case) → schema name. Users' files often use these headers.
COLUMN_ALIASES: Mapping[str, str] = MappingProxyType({
    "名称": "name", "名字": "name", "社区": "name", "中文名": "name_zh", "英文名": "name_en",
    "name:zh": "name_zh", "name:en": "name_en",
    "人口": "population", "pop": "population", "居民": "population",
    "类别": "category", "类型": "kind", "type": "kind",
    "面积": "area_m2", "备注": "note",
})

#: Header names tried, in order, for CSV longitude/x and latitude/y columns.
LON_COLUMNS: tuple[str, ...] = ("lon", "lng", "long", "longitude", "x", "经度")
LAT_COLUMNS: tuple[str, ...] = ("lat", "latitude", "y", "纬度")
#: Header names tried for a CSV geometry given as WKT (lets a CSV carry polygons or lines).
WKT_COLUMNS: tuple[str, ...] = ("wkt", "geometry", "geom")

#: Options a layers.yml entry may carry.
FILE_OPTIONS: tuple[str, ...] = ("file", "crs", "encoding", "lon", "lat", "layer")


def role_of_stem(stem: str) -> str | None:
    """Return the role a file-name stem gives, or ``None``.

    Parameters
    ----------
    stem
        File name without extension, any case; ``-`` and spaces count as ``_``.
    """
    key = stem.strip().lower().replace("-", "_").replace(" ", "_")
    for spec in ROLE_SPECS.values():
        if key in spec.stems:
            return spec.role
    return None
