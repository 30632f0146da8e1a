"""A study: everything one planning question needs, loaded once, in one metric CRS.

``load_study`` is the single entry point that turns OpenStreetMap plus the community
layers into validated tables and networks. Analyses are pure functions of a :class:`Study`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geoplan import features as feat
from geoplan import units
from geoplan.errors import InputError
from geoplan.i18n import guess_lang
from geoplan.labels import labels
from geoplan.network import CompiledNetwork, Snapped, build_graph
from geoplan.sources import OsmData, open_osm
from geoplan.standards import Preset, get_preset
from geoplan.standards.facilities import ENTRANCE_BARRIERS

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Network:
    """One travel mode's network: the osmnx graph, its tables, and its compiled engine form."""

    mode: str
    graph: nx.MultiDiGraph
    nodes: gpd.GeoDataFrame
    edges: gpd.GeoDataFrame
    compiled: CompiledNetwork


@dataclass(frozen=True)
class Study:
    """Everything the analyses need, all GeoDataFrames in ``crs`` (metres).

    Attributes
    ----------
    residents
        One row per resident feature (residential building, or residents-layer feature):
        ``resident_id, name, population, population_source, elderly_share`` (share aged 60+,
        NaN when unknown), ``community`` + geometry.
    buildings
        Every building footprint: ``building_id, residential, population, footprint_m2, levels…``.
    facilities
        ``facility_id, category, name, source`` + point or polygon geometry.
    stations
        ``station_id, kind (fire|ambulance|hospital), name, source`` + point.
    obstructions
        ``obstruction_id, kind, name, keep_open, source`` + any geometry.
    sites
        Candidate shelter sites: ``site_id, kind, open_ground, name, existing, source`` + geometry.
    communities
        ``community, name_zh, name_en`` + polygon: the boundary layer's, else from the OSM data
        (administrative boundaries, else Voronoi cells around 社区 nodes; ``units_source`` says which).
    compounds
        Named residential compounds (``compound, name_zh, name_en, osm_id`` + polygon), the finer unit.
    areas
        OSM polygons that shape site capacity (water, buildings are in ``buildings``).
    snaps
        Features snapped once to the networks: keys ``"residents.walk"``, ``"residents.drive"``,
        ``"facilities.walk"``, ``"stations.drive"``, ``"sites.walk"``. Polygon facilities and sites
        carry entries on every side (``Snapped.extra``); residents keep their nearest side.
    units_source
        Msgids saying where the communities and the compounds came from (render with
        :func:`geoplan.i18n.translator`).
    """

    name: str
    crs: CRS
    area: shapely.Polygon
    preset: Preset
    lang: str
    sources: tuple[str, ...]
    inputs: tuple[dict, ...]
    walk: Network
    drive: Network
    buildings: gpd.GeoDataFrame
    residents: gpd.GeoDataFrame
    facilities: gpd.GeoDataFrame
    stations: gpd.GeoDataFrame
    obstructions: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    communities: gpd.GeoDataFrame
    areas: gpd.GeoDataFrame
    snaps: Mapping[str, Snapped]
    dropped: tuple[dict, ...] = field(default_factory=tuple)
    warnings: tuple[str, ...] = field(default_factory=tuple)
    compounds: gpd.GeoDataFrame | None = None
    units_source: tuple[str, ...] = field(default_factory=tuple)

    def info(self) -> dict:
        """Counts a planner checks before trusting an analysis (what ``geoplan info`` prints)."""
        res = self.residents
        return {
            "study": self.name,
            "crs": self.crs.to_string(),
            "preset": self.preset.name,
            "walk_nodes": self.walk.graph.number_of_nodes(),
            "walk_edges": self.walk.graph.number_of_edges(),
            "drive_nodes": self.drive.graph.number_of_nodes(),
            "drive_edges": self.drive.graph.number_of_edges(),
            "buildings": int(len(self.buildings)),
            "residential_buildings": int(self.buildings["residential"].sum()),
            "residents": int(len(res)),
            "population": float(round(res["population"].sum(), 1)),
            "population_source": sorted(set(res["population_source"].astype(str))),
            "facilities": {str(k): int(v) for k, v in self.facilities["category"].value_counts().sort_index().items()},
            "stations": {str(k): int(v) for k, v in self.stations["kind"].value_counts().sort_index().items()},
            "obstructions": int(len(self.obstructions)),
            "candidate_sites": int(len(self.sites)),
            "communities": [str(c) for c in self.communities["community"]],
            "compounds": 0 if self.compounds is None else int(len(self.compounds)),
            "units_source": list(self.units_source),
            "dropped": list(self.dropped),
            "warnings": list(self.warnings),
        }


def _local_crs(osm: OsmData) -> CRS:
    west, south, east, north = osm.bounds
    probe = gpd.GeoSeries([shapely.box(west, south, east, north)], crs="EPSG:4326")
    return probe.estimate_utm_crs()


def _network(osm: OsmData, mode: str, crs: CRS, preset: Preset) -> tuple[Network, dict]:
    try:
        graph, nodes, edges, report = build_graph(osm, mode, crs, preset)
    except ValueError:
        raise InputError(f"the OSM data has no {'walkable' if mode == 'walk' else 'drivable'} streets",
                         source=osm.path, fix="export a larger area that includes the street network") from None
    weights = ("length",) if mode == "walk" else ("length", "travel_time")
    compiled = CompiledNetwork.from_gdfs(nodes, edges, weights=weights, crs=crs)
    return Network(mode, graph, nodes, edges.reset_index(), compiled), report


def _concat(frames: Sequence[gpd.GeoDataFrame], crs: CRS) -> gpd.GeoDataFrame:
    """OSM and layer rows of one role in one frame; empty but with every column when both are."""
    nonempty = [f for f in frames if len(f)]
    if nonempty:
        return gpd.GeoDataFrame(pd.concat(nonempty, ignore_index=True), geometry="geometry", crs=crs)
    columns = list(dict.fromkeys(c for f in frames for c in f.columns if c != "geometry"))
    return gpd.GeoDataFrame({c: pd.Series([], dtype=object) for c in columns}, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def load_study(osm: str | Path | None = None, *, place: str | None = None, bbox=None,
               layers: Sequence[str | Path] = (), preset: Preset | str = "gb", encoding: str | None = None,
               name: str | None = None, progress: Progress | None = None) -> Study:
    """Load OpenStreetMap data and community layers into a :class:`Study`.

    Parameters
    ----------
    osm
        An OSM file (``.osm``, ``.osm.bz2``, ``.osm.pbf``); ``None`` for the bundled sample.
    place, bbox
        Fetch online instead (needs internet; cached).
    layers
        Folders of community layers (see ``layers/README.md``); several are merged.
    preset
        A :class:`Preset` or a preset name (``"gb"``, ``"nfpa"``).
    encoding
        Text encoding of layer files that do not declare one (e.g. ``"gbk"``).
    name
        Study name for map titles and reports (default: the OSM file or place name).
    progress
        Called with a short message before each long step.
    """
    from geoplan.layers import read_layers

    say = progress or (lambda message: None)
    preset = get_preset(preset) if isinstance(preset, str) else preset
    say("reading OpenStreetMap data")
    data = open_osm(osm, place=place, bbox=bbox)
    crs = _local_crs(data)
    west, south, east, north = data.bounds
    area = gpd.GeoSeries([shapely.box(west, south, east, north)], crs="EPSG:4326").to_crs(crs).iloc[0]
    features = data.features.to_crs(crs)
    dropped = list(data.dropped)

    say("reading community layers")
    community = read_layers(list(layers), crs=crs, area=area, encoding=encoding,
                            categories=list(preset.life_circle.circle_of_category))
    dropped.extend(community.dropped)
    resident_files = [f["path"] for f in community.files if f.get("role") == "residents"]
    if resident_files and len(community.residents) == 0:
        raise InputError("no resident feature of this layer lies inside the OSM extract's area",
                         source=", ".join(resident_files),
                         fix="check the layer's CRS (or lon/lat column order) and that it covers the same district")
    warnings = list(community.warnings)

    say("building walking and emergency-vehicle networks")
    walk, walk_report = _network(data, "walk", crs, preset)
    drive, drive_report = _network(data, "drive", crs, preset)
    for mode, report in (("walk", walk_report), ("drive", drive_report)):
        if report.get("dropped_fragment_nodes"):
            dropped.append({"what": f"{mode} network nodes in fragments cut off from the main network",
                            "count": report["dropped_fragment_nodes"],
                            "reason": "kept only the largest connected network, as osmnx does"})

    say("classifying buildings, residents and facilities")
    communities, compounds, units_source = _reporting_units(community, features, area)
    buildings = feat.buildings_from_osm(features, preset)
    if len(community.residents):
        residents = community.residents.copy()
        residents["resident_id"] = [f"R{i + 1}" for i in range(len(residents))]
        residents["population_source"] = "layer"
        # buildings take the population of the layer features inside them
        pts = gpd.GeoDataFrame({"population": residents["population"].to_numpy()},
                               geometry=residents.representative_point().to_numpy(), crs=crs)
        hit = gpd.sjoin(pts, buildings[["geometry"]], predicate="within", how="inner")
        per_building = hit.groupby("index_right")["population"].sum()
        buildings["population"] = 0.0
        buildings.loc[per_building.index, "population"] = per_building.to_numpy()
        buildings["population_source"] = np.where(buildings["population"] > 0, "layer", "none")
    else:
        residents = buildings.loc[buildings["residential"] & (buildings["population"] > 0)].copy()
        residents = residents.rename(columns={"building_id": "resident_id"})
        warnings.append(f"no residents layer: population of {len(residents)} residential buildings estimated "
                        f"from footprint × levels ÷ {preset.residents.floor_area_per_person_m2:g} m² per person")
    residents["community"] = feat.assign_communities(residents.representative_point(), communities)
    buildings["community"] = feat.assign_communities(buildings.representative_point(), communities)
    residents["compound"] = units.assign_units(residents.representative_point(), compounds, "compound", empty=None)
    buildings["compound"] = units.assign_units(buildings.representative_point(), compounds, "compound", empty=None)
    if "elderly_share" not in residents:  # estimated residents carry no age structure
        residents["elderly_share"] = np.nan
    keep = ["resident_id", "name", "population", "population_source", "elderly_share", "community", "compound"]
    residents = residents[[c for c in keep if c in residents.columns] + ["geometry"]].reset_index(drop=True)
    if "name" not in residents:
        residents.insert(1, "name", None)

    classified = feat.classify(features, preset)
    facilities = _concat([feat.classify_facilities(features, preset, classified=classified), community.facilities], crs)
    dropped.extend(_classification_notes(classified, facilities))
    if "facility_id" in facilities and facilities["facility_id"].isna().any():
        missing = facilities["facility_id"].isna()
        facilities.loc[missing, "facility_id"] = [f"F{i + 1}" for i in range(int(missing.sum()))]
    stations = _concat([feat.stations_from_osm(features), community.stations], crs)
    if len(stations):
        missing = stations["station_id"].isna() if "station_id" in stations else pd.Series(True, index=stations.index)
        stations.loc[missing, "station_id"] = [f"S{i + 1}" for i in range(int(missing.sum()))]
    sites = _concat([feat.sites_from_osm(features), community.sites], crs)
    if len(sites):
        missing = sites["site_id"].isna() if "site_id" in sites else pd.Series(True, index=sites.index)
        sites.loc[missing, "site_id"] = [f"C{i + 1}" for i in range(int(missing.sum()))]
    obstructions = community.obstructions.reset_index(drop=True)
    if len(obstructions) and "obstruction_id" not in obstructions:
        obstructions.insert(0, "obstruction_id", [f"O{i + 1}" for i in range(len(obstructions))])
    areas_mask = (features["natural"].astype(object).isin(["water"]) | features["water"].notna()
                  | features["landuse"].astype(object).isin(["reservoir", "basin"])).to_numpy()
    areas = features.loc[areas_mask & features.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy(),
                         ["osm_type", "osm_id", "natural", "water", "landuse", "geometry"]].reset_index(drop=True)

    say("snapping residents, facilities, stations and sites to the networks")
    limit = preset.max_snap_m
    snaps = _snap_features(walk, drive, preset, features, residents=residents, facilities=facilities,
                           stations=stations, sites=sites)
    facilities = _with_labels(facilities, "category")
    sites = _with_labels(sites, "kind")
    stations = _with_labels(stations, "kind")
    for key, snap in snaps.items():
        off = int((~snap.ok).sum())
        if off:
            dropped.append({"what": key.replace(".", " on the ") + " network", "count": off,
                            "reason": f"farther than {limit:g} m from the network; left out of analyses"})
    if len(residents) and not snaps["residents.walk"].ok.any():
        raise InputError(f"all {len(residents)} residents are farther than {limit:g} m from the walking network",
                         source=community.source_of("residents") if hasattr(community, "source_of") else None,
                         fix="check the residents layer's CRS and that it covers the same area as the OSM data")
    names = pd.concat([facilities.get("name", pd.Series(dtype=object)), communities.get("community", pd.Series(dtype=object)),
                       buildings["name"]])
    return Study(
        name=name or data.label,
        crs=crs,
        area=area,
        preset=preset,
        lang=guess_lang(names.tolist()),
        sources=(f"Street network, buildings and places: {data.label} — data © OpenStreetMap contributors, ODbL 1.0",
                 *(f"Community layer: {Path(f['path']).name}" for f in community.files)),
        inputs=({"path": str(data.path), "role": "osm", "sha256": data.sha256}, *community.files),
        walk=walk,
        drive=drive,
        buildings=buildings,
        residents=residents,
        facilities=facilities.reset_index(drop=True),
        stations=stations.reset_index(drop=True),
        obstructions=obstructions,
        sites=sites.reset_index(drop=True),
        communities=communities,
        areas=areas,
        snaps=snaps,
        dropped=tuple(dropped),
        warnings=tuple(warnings),
        compounds=compounds,
        units_source=units_source,
    )


def _snap_features(walk: Network, drive: Network, preset: Preset, features: gpd.GeoDataFrame,
                   **frames: gpd.GeoDataFrame) -> dict[str, Snapped]:
    """Snap every role once. Residents and stations snap at their nearest side; polygon facilities
    and sites are entered from every street within ``preset.entry_distance_m`` and at their mapped
    entrances, all entries sources of the same one search."""
    limit = preset.max_snap_m
    entered = {"max_distance": limit, "entry_distance": preset.entry_distance_m, "entrances": _entrances(features)}
    res = frames["residents"].geometry.to_numpy()
    return {
        "residents.walk": walk.compiled.snap(res, max_distance=limit),
        "residents.drive": drive.compiled.snap(res, max_distance=limit),
        "facilities.walk": walk.compiled.snap_entries(frames["facilities"].geometry.to_numpy(), **entered),
        "stations.drive": drive.compiled.snap(frames["stations"].geometry.to_numpy(), max_distance=limit),
        "sites.walk": walk.compiled.snap_entries(frames["sites"].geometry.to_numpy(), **entered),
    }


def _reporting_units(community, features: gpd.GeoDataFrame, area) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, tuple]:
    """Communities (the boundary layer wins, else the OSM data) and compounds (a layer, else OSM)."""
    if len(community.boundary):
        communities, source = community.boundary.reset_index(drop=True), units.SOURCE_LAYER
    else:
        communities, source = units.communities_from_osm(features, area)
    layer_compounds = getattr(community, "compounds", None)
    if layer_compounds is not None and len(layer_compounds):
        return communities, layer_compounds.reset_index(drop=True), (source,)
    compounds = units.compounds_from_osm(features)
    return communities, compounds, (source, units.SOURCE_COMPOUNDS if len(compounds) else units.SOURCE_NO_COMPOUNDS)


def _classification_notes(classified: pd.DataFrame, facilities: gpd.GeoDataFrame) -> list[dict]:
    """What the facility rules left out, for ``study.dropped``."""
    notes = []
    excluded = int(classified["outcome"].eq(feat.EXCLUDE).sum())
    if excluded:
        notes.append({"what": "features that are not life-circle facilities (universities, party schools, training "
                              "centres, private grounds…)", "count": excluded,
                      "reason": "excluded by the facility classification rules (geoplan.standards.facilities)"})
    unclassified = int((facilities.get("category", pd.Series(dtype=object)) == feat.UNCLASSIFIED).sum())
    if unclassified:
        notes.append({"what": "schools whose level no tag or name settles", "count": unclassified,
                      "reason": "listed in facilities as unclassified, not analysed"})
    return notes


def _entrances(features: gpd.GeoDataFrame) -> np.ndarray:
    """Mapped entrances (``entrance=*``, ``barrier=gate|entrance…`` nodes) that lead into polygons."""
    is_point = features.geom_type.eq("Point").to_numpy()
    gate = np.zeros(len(features), dtype=bool)
    if "entrance" in features.columns:
        gate |= features["entrance"].notna().to_numpy() & (features["entrance"].astype(object) != "no").to_numpy()
    if "barrier" in features.columns:
        gate |= features["barrier"].astype(object).isin(sorted(ENTRANCE_BARRIERS)).to_numpy()
    return features.geometry.to_numpy()[gate & is_point]


def _with_labels(frame: gpd.GeoDataFrame, kind_column: str) -> gpd.GeoDataFrame:
    """``label_zh`` and ``label_en`` columns: the name by language, else "未命名公园" / "unnamed park"."""
    if len(frame) == 0:
        return frame.assign(label_zh=pd.Series([], dtype=object), label_en=pd.Series([], dtype=object))
    kind = frame[kind_column] if kind_column in frame else pd.Series("", index=frame.index)
    return frame.assign(label_zh=labels(frame, lang="zh", kind=kind), label_en=labels(frame, lang="en", kind=kind))
