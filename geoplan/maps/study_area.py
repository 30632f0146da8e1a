"""The study-area overview map: what the analyses will work on, drawn for a meeting."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np

from geoplan.maps._geo import Field
from geoplan.maps._i18n import text
from geoplan.maps.builder import Graduated, PlanMap
from geoplan.maps.overview import (BUILDINGS_ALL, CELL_LAYER_PEOPLE, OVERVIEW_LOOK, RESIDENTIAL, cell_width,
                                   draws_detail, hex_cells, overview_basemap, overview_line)

#: One colour per life-circle category (colour-blind-aware, distinct on white and on tiles).
CATEGORY_COLORS: dict[str, str] = {
    "market": "#e6550d",
    "park": "#31a354",
    "elderly_care": "#8c6bb1",
    "pharmacy": "#17becf",
    "kindergarten": "#f781bf",
    "primary_school": "#3182bd",
    "health": "#d62728",
    "secondary_school": "#08306b",
    "community_centre": "#b8860b",
    "sports": "#7f7f7f",
    "childcare": "#fbb4c4",
    "health_station": "#fc9272",
    "elderly_day_care": "#bcbddc",
    "community_service": "#dfc27d",
    "fitness": "#bdbdbd",
    "convenience": "#fdae6b",
    "culture_centre": "#8c510a",
}
STATION_COLORS: dict[str, str] = {"fire": "#b2182b", "ambulance": "#ef8a62", "hospital": "#762a83"}
BUILDING_COLORS = {True: "#e8b07a", False: "#c9c9c9"}
SITE_COLORS = {True: "#1b7837", False: "#a6dba0"}
OBSTRUCTION_COLOR = "#a50026"


def _frame(study, name: str):
    gdf = getattr(study, name, None)
    if gdf is None or len(gdf) == 0:
        return None
    return gdf


def _unique_edges(edges: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One feature per street segment: osmnx keeps both directions of two-way streets."""
    if not {"u", "v"} <= set(edges.columns):
        return edges
    u = edges["u"].to_numpy()
    v = edges["v"].to_numpy()
    key = edges["key"].to_numpy() if "key" in edges.columns else np.zeros(len(edges), dtype=int)
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    pairs = np.rec.fromarrays([lo, hi, key])
    _, first = np.unique(pairs, return_index=True)
    return edges.iloc[np.sort(first)]


def _streets(edges: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One feature per named street (segments merged), unnamed segments per road class.

    A meeting map needs the street's name on hover, not each routing edge: merging cuts
    the feature count (and the page size) by an order of magnitude.
    """
    import shapely

    edges = _unique_edges(edges)
    name = edges["name"] if "name" in edges.columns else None
    if name is not None:  # osmnx joins the names of merged ways into a list
        name = name.map(lambda v: " / ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
    key = name.astype("string").fillna("") if name is not None else None
    if key is None:
        return edges
    highway = edges["highway"].astype(str) if "highway" in edges.columns else ""
    frame = gpd.GeoDataFrame({"name": key.where(key != "", None), "_k": key.where(key != "", "~" + highway)},
                             geometry=edges.geometry.values, crs=edges.crs)
    merged = frame.dissolve(by="_k", sort=True, aggfunc="first").reset_index(drop=True)
    merged["geometry"] = shapely.line_merge(merged.geometry.values)
    if "length" in edges.columns:
        merged["length"] = merged.geometry.length
    return merged


def _community_names(communities: gpd.GeoDataFrame, lang: str) -> gpd.GeoDataFrame:
    first, second = ("name_zh", "name_en") if lang == "zh" else ("name_en", "name_zh")
    out = communities.copy()
    name = out[first] if first in out.columns else None
    alt = out[second] if second in out.columns else None
    base = out["community"].astype(str) if "community" in out.columns else None
    col = None
    for series in (name, alt, base):
        if series is None:
            continue
        col = series if col is None else col.where(col.notna() & (col.astype(str) != ""), series)
    out["_label"] = col if col is not None else ""
    return out


def study_area_map(study: Any, *, lang: str | None = None, basemap: str = "osm", offline: bool = True,
                   date: str | None = None, detail_limit: int | None = None, window=None,
                   community_maps=None) -> PlanMap:
    """Overview map of a study: streets, buildings, services, stations, obstructions, sites.

    Parameters
    ----------
    study : geoplan.study.Study
        Loaded study (all layers in ``study.crs``).
    lang : {"zh", "en"}, optional
        Map language; defaults to ``study.lang`` (guessed from the names in the data).
    basemap : {"osm", "light", "gaode", "none"}
        Tile source when online; ``"gaode"`` also converts overlays to GCJ-02.
    offline : bool, default True
        No tiles, no network (see :class:`PlanMap`).
    date : str, optional
        Date in the title block (default today); fixed in tests for stable output.
    detail_limit : int, optional
        Past this many residential buildings (default
        :data:`geoplan.maps.overview.DETAIL_MAX_RESIDENCES`) buildings are summed in hexagon
        cells, streets are the major ones only and candidate sites the existing shelters only.
    window : geopandas.GeoSeries, optional
        Draw only this box, in full detail.
    community_maps : geoplan.maps.overview.CommunityMaps, optional
        Accepted for the common map options; the study-area map links nothing.

    Returns
    -------
    PlanMap
        Call ``.to_html(path)`` to write it.
    """
    lang = lang or getattr(study, "lang", None) or "en"
    preset = getattr(study, "preset", None)
    n_res = _residences(study)
    detail = window is not None or draws_detail(n_res, detail_limit)
    pm = PlanMap(study.name, lang=lang, basemap=basemap if detail else overview_basemap(basemap), offline=offline,
                 preset_name=getattr(preset, "name", None), sources=list(getattr(study, "sources", []) or []),
                 subtitle=text("title.study_area", lang), date=date, window=window,
                 extra_lines=[] if detail else [overview_line(n_res, lang, linked=False)],
                 **({} if detail else OVERVIEW_LOOK))
    _communities_layer(pm, study, lang)
    _sites_layer(pm, study, existing_only=not detail)
    if detail:
        _street_layers(pm, study)
        _buildings_layer(pm, study)
    else:
        _building_cells(pm, study, lang)
    _obstructions_layer(pm, study)
    _facilities_layer(pm, study)
    _stations_layer(pm, study)
    _outline_layer(pm, study)
    return pm


def _communities_layer(pm: PlanMap, study: Any, lang: str) -> None:
    """Community outlines, named on the map."""
    communities = _frame(study, "communities")
    if communities is not None:
        pm.add_layer(_community_names(communities, lang), name_key="layer.communities", kind="polygons",
                     style={"color": "#6a51a3", "weight": 1.5, "dashArray": "4 3", "fillOpacity": 0.04,
                            "fillColor": "#6a51a3"},
                     tooltip=[Field("_label", "field.community")], permanent_labels=True)


def _residences(study: Any) -> int:
    """Residential buildings (the measure of a map's size, see :mod:`geoplan.maps.overview`)."""
    buildings = _frame(study, "buildings")
    if buildings is None:
        return 0
    return int(buildings["residential"].fillna(False).astype(bool).sum()) if "residential" in buildings else len(buildings)


def _building_cells(pm: PlanMap, study: Any, lang: str) -> None:
    """Aggregate map: buildings, residential buildings and residents per hexagon cell."""
    buildings = _frame(study, "buildings")
    if buildings is None:
        return
    res = buildings["residential"].fillna(False).astype(bool).to_numpy() if "residential" in buildings else True
    pop = buildings["population"].to_numpy(dtype=float) if "population" in buildings else np.zeros(len(buildings))
    width = cell_width(buildings)
    cells = hex_cells(buildings, {"residential": np.ones(len(buildings)) * res, "population": pop}, cell_m=width)
    top = max(float(cells["population"].max()), 1.0)
    pm.add_layer(cells, name_key="layer.cells", name=text(CELL_LAYER_PEOPLE, lang, width_m=width), kind="polygons",
                 graduated=Graduated("population", [0, top * 0.1, top * 0.25, top * 0.5, top * 0.75, top],
                                     ["#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#7f2704"], fmt="int"),
                 style={"weight": 0.5, "color": "#8c7b6b", "fillOpacity": 0.55},
                 tooltip=[Field("population", "field.population", "people"),
                          Field("buildings", BUILDINGS_ALL, "int"), Field("residential", RESIDENTIAL, "int")])


def _sites_layer(pm: PlanMap, study: Any, *, existing_only: bool = False) -> None:
    """Candidate and existing shelter sites (only the existing ones in an aggregate map)."""
    sites = _frame(study, "sites")
    if sites is not None and existing_only:
        sites = sites.loc[sites["existing"].fillna(False).astype(bool).to_numpy()]
        sites = sites if len(sites) else None
    if sites is not None:
        sites = sites.assign(_area=sites.geometry.area, _existing=sites["existing"].fillna(False).astype(bool))
        pm.add_layer(sites, name_key="layer.sites", group="group.emergency", kind="polygons",
                     color_by="_existing",
                     categories={True: (SITE_COLORS[True], "site.existing"),
                                 False: (SITE_COLORS[False], "site.candidate")},
                     style={"weight": 1.5, "fillOpacity": 0.55},
                     tooltip=[Field("name", "field.name"), Field("kind", "field.kind", "site"),
                              Field("_area", "field.area", "ha"), Field("existing", "field.existing", "bool")])


def _street_layers(pm: PlanMap, study: Any) -> None:
    """Walking network (shown) and vehicle network (hidden)."""
    walk = getattr(getattr(study, "walk", None), "edges", None)
    if walk is not None and len(walk):
        pm.add_layer(_streets(walk), name_key="layer.walk_network", kind="lines",
                     style={"color": "#9aa5ad", "weight": 1.2, "opacity": 0.9},
                     tooltip=[Field("name", "field.name")], fit=False)
    drive = getattr(getattr(study, "drive", None), "edges", None)
    if drive is not None and len(drive):
        pm.add_layer(_streets(drive), name_key="layer.drive_network", kind="lines", show=False,
                     style={"color": "#5f6b73", "weight": 2.5, "opacity": 0.8},
                     tooltip=[Field("name", "field.name")], fit=False)


def _buildings_layer(pm: PlanMap, study: Any) -> None:
    """Buildings, residential or not."""
    buildings = _frame(study, "buildings")
    if buildings is not None:
        buildings = buildings.assign(_res=buildings["residential"].fillna(False).astype(bool))
        pm.add_layer(buildings, name_key="layer.buildings", kind="polygons", color_by="_res",
                     categories={True: (BUILDING_COLORS[True], "building.residential"),
                                 False: (BUILDING_COLORS[False], "building.other")},
                     style={"weight": 0.6, "fillOpacity": 0.8, "color": "#8c7b6b"},
                     tooltip=[Field("name", "field.name"), Field("building", "field.building", "building"),
                              Field("levels", "field.levels", "int"),
                              Field("population", "field.population", "people"),
                              Field("community", "field.community", "community")])


def _obstructions_layer(pm: PlanMap, study: Any) -> None:
    """Reported obstructions."""
    obstructions = _frame(study, "obstructions")
    if obstructions is not None:
        pm.add_layer(obstructions, name_key="layer.obstructions", group="group.emergency", kind="lines",
                     style={"color": OBSTRUCTION_COLOR, "weight": 4, "opacity": 0.9, "dashArray": "6 4",
                            "fillColor": OBSTRUCTION_COLOR, "fillOpacity": 0.35, "radius": 6},
                     tooltip=[Field("name", "field.name"), Field("kind", "field.kind", "obstruction"),
                              Field("keep_open", "field.keep_open", "bool")])


def _facilities_layer(pm: PlanMap, study: Any) -> None:
    """Life-circle services as dots."""
    facilities = _frame(study, "facilities")
    if facilities is not None:
        # A service is a dot on this map; a park drawn as its area belongs to the sites layer.
        facilities = facilities.set_geometry(facilities.geometry.representative_point())
        pm.add_layer(facilities, name_key="layer.facilities", group="group.services", kind="points",
                     color_by="category",
                     categories={c: (col, f"cat.{c}") for c, col in CATEGORY_COLORS.items()},
                     style={"radius": 5.5, "weight": 1.2},
                     tooltip=[Field("name", "field.name"), Field("category", "field.category", "cat"),
                              Field("source", "field.source", "source")])


def _stations_layer(pm: PlanMap, study: Any) -> None:
    """Fire and ambulance stations, emergency hospitals."""
    stations = _frame(study, "stations")
    if stations is not None:
        pm.add_layer(stations, name_key="layer.stations", group="group.emergency", kind="points",
                     color_by="kind",
                     categories={k: (c, f"station.{k}") for k, c in STATION_COLORS.items()},
                     style={"radius": 8, "weight": 2, "color": "#ffffff"},
                     tooltip=[Field("name", "field.name"), Field("kind", "field.kind", "station"),
                              Field("source", "field.source", "source")])


def _outline_layer(pm: PlanMap, study: Any) -> None:
    """The study-area outline."""
    area = getattr(study, "area", None)
    if area is not None and not area.is_empty:
        outline = gpd.GeoDataFrame({"name": [study.name]}, geometry=[area], crs=study.crs)
        pm.add_layer(outline, name_key="layer.study_area", kind="polygons",
                     style={"color": "#1f2a33", "weight": 2.5, "fill": False, "fillOpacity": 0,
                            "dashArray": "10 6"},
                     tooltip=[Field("name", "field.name")])
