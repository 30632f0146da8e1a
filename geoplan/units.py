"""Reporting units from the OSM data itself: communities (社区) and residential compounds (小区).

When no boundary layer is given, a planner still wants figures per community. The extract
usually says where communities are, in decreasing order of precision:

1. administrative boundaries (``boundary=administrative``) at community level — in China
   ``admin_level`` 9–10 (社区/村) or, failing that, 8 (街道/乡镇); the finest level present is used;
2. else community place nodes (``place=quarter|neighbourhood``, names with 社区/居委会/居民委员会,
   or a 居委会 office), each given the Voronoi cell around it, clipped to the study area — an
   approximation of the true boundary, said in every output;
3. named residential compounds (``landuse=residential`` polygons with a name) are a second,
   finer unit whatever the communities come from.

Pure functions of the projected OSM features and the study area.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geoplan.i18n import N_

#: ``admin_level`` values taken as communities, finest first (OSM wiki admin_level, China: 8 街道/乡镇,
#: 9–10 社区/村委会; some mappers use 11).
COMMUNITY_ADMIN_LEVELS: tuple[str, ...] = ("11", "10", "9", "8")
#: Place values of community nodes (OSM wiki Key:place).
COMMUNITY_PLACES: tuple[str, ...] = ("quarter", "neighbourhood")
#: Names that make a node a community seat (社区, 居委会, 居民委员会, 村委会).
COMMUNITY_NAME = r"社区|居委会|居民委员会|村委会|(?i:community)"

#: Where the units came from (a msgid, shown in summaries and maps).
SOURCE_LAYER = N_("communities from the boundary layer")
SOURCE_ADMIN = N_("communities from OpenStreetMap administrative boundaries")
SOURCE_VORONOI = N_("communities approximated as Voronoi cells around OpenStreetMap community nodes")
SOURCE_NONE = N_("no communities: no boundary layer and no community boundaries or nodes in the OpenStreetMap data")
SOURCE_COMPOUNDS = N_("compounds from named OpenStreetMap residential areas (landuse=residential)")
SOURCE_NO_COMPOUNDS = N_("no compounds: no named residential areas in the OpenStreetMap data")


def _text(frame: pd.DataFrame, key: str) -> pd.Series:
    if key not in frame.columns:
        return pd.Series(None, index=frame.index, dtype=object)
    return frame[key].astype(object).where(frame[key].notna(), None)


def _polygons(frame: gpd.GeoDataFrame) -> np.ndarray:
    return frame.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()


def _unit_table(frame: gpd.GeoDataFrame, column: str, geometry, crs) -> gpd.GeoDataFrame:
    name = _text(frame, "name")
    ids = (frame["osm_type"].astype(str) + "/" + frame["osm_id"].astype(str)).to_numpy()
    label = np.where(name.notna().to_numpy(), name.to_numpy(), ids)
    out = gpd.GeoDataFrame({column: label, "name_zh": _text(frame, "name:zh").fillna(name).to_numpy(),
                            "name_en": _text(frame, "name:en").to_numpy(), "osm_id": ids},
                           geometry=np.asarray(geometry, dtype=object), crs=crs)
    return _unique_names(out, column)


def _unique_names(frame: gpd.GeoDataFrame, column: str) -> gpd.GeoDataFrame:
    """Two units of one name (two parts of a compound) stay apart: the later ones get their id."""
    dup = frame[column].duplicated(keep="first").to_numpy()
    frame.loc[dup, column] = frame.loc[dup, column].astype(str) + " (" + frame.loc[dup, "osm_id"].astype(str) + ")"
    return frame


def admin_communities(features: gpd.GeoDataFrame, area) -> gpd.GeoDataFrame:
    """Community polygons from administrative boundaries at the finest community level present."""
    if "boundary" not in features.columns or "admin_level" not in features.columns:
        return _empty("community", features.crs)
    admin = features.loc[(_text(features, "boundary") == "administrative").to_numpy() & _polygons(features)]
    for level in COMMUNITY_ADMIN_LEVELS:
        picked = admin.loc[(admin["admin_level"].astype(str) == level).to_numpy()]
        clipped = shapely.intersection(picked.geometry.to_numpy(), area) if len(picked) else np.zeros(0, object)
        keep = ~shapely.is_empty(clipped) if len(picked) else np.zeros(0, bool)
        if keep.any():
            return _unit_table(picked.loc[keep], "community", clipped[keep], features.crs)
    return _empty("community", features.crs)


def community_seats(features: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Community place nodes: named 社区/居委会 first; plain neighbourhood nodes when none is so named."""
    points = features.loc[features.geom_type.eq("Point").to_numpy()]
    name = _text(points, "name").fillna("").astype(str)
    place = _text(points, "place").isin(COMMUNITY_PLACES)
    named = name.str.contains(COMMUNITY_NAME, regex=True)
    office = _text(points, "office").eq("government") | _text(points, "amenity").eq("townhall")
    seats = points.loc[((place | office) & named).to_numpy()]
    if len(seats) == 0:
        seats = points.loc[(place & name.ne("")).to_numpy()]
    if len(seats) == 0:
        return seats
    # one seat per community: "五老村社区" (place) and "五老村社区居委会" (its office) are one
    key = seats["name"].astype(str).str.replace(r"(?:居民委员会|居委会)$", "", regex=True)
    first = (~place.loc[seats.index]).astype(int).to_numpy()  # place nodes before offices
    order = np.lexsort((seats["osm_id"].to_numpy(), first))
    seats = seats.iloc[order].assign(_key=key.iloc[order].to_numpy())
    return seats.loc[~seats["_key"].duplicated(keep="first").to_numpy()].drop(columns="_key")


def voronoi_communities(seats: gpd.GeoDataFrame, area) -> gpd.GeoDataFrame:
    """The Voronoi cell of each community seat, clipped to the study area."""
    if len(seats) == 0:
        return _empty("community", seats.crs)
    pts = seats.geometry.to_numpy()
    if len(seats) == 1:
        cells = np.array([area], dtype=object)
    else:
        raw = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=area))
        # match each cell back to the seat it contains
        tree = shapely.STRtree(raw)
        si, ci = tree.query(pts, predicate="within")
        cells = np.empty(len(pts), dtype=object)
        cells[si] = raw[ci]
    cells = shapely.intersection(cells, area)
    keep = ~(shapely.is_missing(cells) | shapely.is_empty(cells))
    return _unit_table(seats.loc[keep], "community", cells[keep], seats.crs)


def compounds_from_osm(features: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Named residential compounds (``landuse=residential`` polygons with a name), smallest first."""
    res = features.loc[(_text(features, "landuse") == "residential").to_numpy() & _polygons(features)
                       & _text(features, "name").notna().to_numpy()]
    if len(res) == 0:
        return _empty("compound", features.crs)
    res = res.assign(_area=res.area).sort_values(["_area", "osm_id"], kind="stable")
    return _unit_table(res, "compound", res.geometry.to_numpy(), features.crs).reset_index(drop=True)


def communities_from_osm(features: gpd.GeoDataFrame, area) -> tuple[gpd.GeoDataFrame, str]:
    """Communities from the extract and the msgid saying where they came from."""
    admin = admin_communities(features, area)
    if len(admin):
        return admin.reset_index(drop=True), SOURCE_ADMIN
    cells = voronoi_communities(community_seats(features), area)
    if len(cells):
        return cells.reset_index(drop=True), SOURCE_VORONOI
    return cells, SOURCE_NONE


def assign_units(points: gpd.GeoSeries, units: gpd.GeoDataFrame, column: str, *, empty: str) -> np.ndarray:
    """The unit (``units[column]``) each point lies in; ``empty`` outside all. The first listed
    unit wins where units overlap (compounds are listed smallest first)."""
    out = np.full(len(points), empty, dtype=object)
    if len(units) == 0 or len(points) == 0:
        return out
    pts = gpd.GeoDataFrame(geometry=points.to_numpy(), crs=points.crs).reset_index(drop=True)
    hit = gpd.sjoin(pts, units[[column, "geometry"]].reset_index(drop=True), predicate="within", how="inner")
    hit = hit.sort_values("index_right", kind="stable")
    hit = hit[~hit.index.duplicated(keep="first")]
    out[hit.index.to_numpy()] = hit[column].astype(object).to_numpy()
    return out


def _empty(column: str, crs) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({column: pd.Series([], dtype=object), "name_zh": pd.Series([], dtype=object),
                             "name_en": pd.Series([], dtype=object), "osm_id": pd.Series([], dtype=object)},
                            geometry=gpd.GeoSeries([], crs=crs), crs=crs)
