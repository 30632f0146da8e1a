"""A study: everything one planning question needs, loaded once, in one metric CRS.

``load_study`` is the single entry point that turns OpenStreetMap plus the community
layers into validated tables and networks. Analyses are pure functions of a :class:`Study`.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
from contextlib import contextmanager
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
from geoplan.i18n import N_, guess_lang, message
from geoplan.labels import labels
from geoplan.network import CompiledNetwork, Snapped, build_frames, graph_from_frames
from geoplan.sources import OsmData, open_osm
from geoplan.standards import Preset, get_preset
from geoplan.standards.facilities import ENTRANCE_BARRIERS

Progress = Callable[[str], None]


class Network:
    """One travel mode's network: its tables, its compiled engine form, and the osmnx graph.

    The ``networkx.MultiDiGraph`` (:attr:`graph`) is built from the tables the first time it
    is asked for and kept: at city scale it costs more time and memory than the rest of a
    study, and the analyses' distance work never needs it (it runs on :attr:`compiled`).

    Attributes
    ----------
    mode
        ``"walk"`` or ``"drive"``.
    nodes, edges
        osmnx ``graph_to_gdfs`` layout; ``edges`` has ``u, v, key`` as columns. OSM tag columns
        are categorical (a city's tables repeat a few values millions of times); the graph's
        edge and node attributes are plain strings, as osmnx makes them.
    compiled
        The CSR engine form searched by every analysis.
    """

    def __init__(self, mode: str, graph: nx.MultiDiGraph | None, nodes: gpd.GeoDataFrame,
                 edges: gpd.GeoDataFrame, compiled: CompiledNetwork) -> None:
        self.mode = mode
        self.nodes = nodes
        self.edges = edges
        self.compiled = compiled
        if graph is not None:  # given ready-made (tests, hand-built networks)
            self.__dict__["graph"] = graph

    @functools.cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The osmnx-compatible graph (nodes ``x``, ``y`` in the study CRS; edges with ``length`` m
        and the way tags), built on first use."""
        return graph_from_frames(self.nodes, self.edges, mode=self.mode, crs=self.compiled.crs)

    @functools.cached_property
    def edges(self) -> gpd.GeoDataFrame:
        """The edge table (osmnx layout). A network read from the study cache stores its edges
        without their shapes, which are the segments' (:mod:`geoplan.network._lines`): the table
        gets them the first time it is asked for, so an analysis that only searches never makes
        them (1.2 GB of shapely lines at a million walking nodes)."""
        self.compiled  # noqa: B018 — a deferred network is read here, and may hold its edges ready-made
        if "edges" in self.__dict__:
            return self.__dict__["edges"]
        table, name, crs, columns = self.__dict__.pop("_edge_table")
        shapes = self.compiled.edge_geometry()
        return gpd.GeoDataFrame(table.assign(**{name: gpd.GeoSeries(shapes, index=table.index, crs=crs)}),
                                geometry=name, crs=crs)[columns]

    @property
    def edge_attributes(self) -> pd.DataFrame:
        """The edge table's columns (tags, ``length``), shapes left out when they are not made yet:
        what rules over tags read without making a cached network's lines."""
        self.compiled  # noqa: B018 — a deferred network is read first
        table = self.__dict__.get("_edge_table")
        return table[0] if table is not None else self.edges

    @property
    def n_nodes(self) -> int:
        return int(len(self.nodes))

    @property
    def n_edges(self) -> int:
        """Directed edges (a two-way street counts twice, as in the graph)."""
        return int(len(self.edge_attributes))

    def __getstate__(self) -> dict:
        # the graph is rebuilt on demand, so a cache entry never stores it; the edges' shapes are
        # the segments' (one copy in memory, stored once), so the edge table is stored without them
        state = {k: v for k, v in self.__dict__.items() if k != "graph"}
        edges = state.get("edges")
        if edges is not None and _shapes_are_segments(edges, self.compiled):
            name = edges.geometry.name
            state["_edge_table"] = (pd.DataFrame(edges.drop(columns=name)), name, edges.crs, list(edges.columns))
            del state["edges"]
        return state

    def as_stored(self) -> "Network":
        """This network as the study cache gives it back: its edge table and segment lines made on
        first use, from the segments' coordinates (the same network; see :attr:`edges`)."""
        state = self.__getstate__()
        if "edges" in state:  # the edges' shapes are their own: nothing to leave out
            return self
        c = state["compiled"]
        out = Network.__new__(Network)
        out.__dict__.update(state, compiled=dataclasses.replace(c, seg_lines=c.seg_lines.as_coordinates(), _tree=None))
        return out


def _shapes_are_segments(edges: gpd.GeoDataFrame, net: CompiledNetwork) -> bool:
    """Whether the segments give back the edges' shapes exactly (:meth:`CompiledNetwork.edge_geometry`;
    a network compiled from its edges does, a hand-built one may not), so the table can be stored
    without them."""
    shapes = edges.geometry.to_numpy()
    return len(shapes) == len(net.edge_u) and bool(shapely.equals_exact(shapes, net.edge_geometry(), 0.0).all())


class DeferredNetwork(Network):
    """A network whose tables are read the first time they are used (``read`` returns the network).

    A cached study carries its vehicle network this way: coverage and the maps never use it, so
    a cached coverage run neither reads nor holds it (0.7–0.9 GB less at a million walking
    nodes); the access audit reads it on first use. Pickling one reads it first.
    """

    def __init__(self, mode: str, read: Callable[[], Network]) -> None:
        self.mode = mode
        self._read = read

    def __getattr__(self, name: str):
        # reached only for attributes not set yet: the tables, before the first read
        read = self.__dict__.pop("_read", None) if not name.startswith("__") else None
        if read is None:
            raise AttributeError(name)
        self.__dict__.update(read().__dict__)
        return getattr(self, name)

    def __getstate__(self) -> dict:
        self.compiled  # noqa: B018 — read now: a pickled network carries its tables
        return super().__getstate__()


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

    @functools.cached_property
    def streets(self) -> gpd.GeoDataFrame:
        """One line per OSM way of both networks, with its class and names: what every map's
        basemap draws (:func:`geoplan.maps.basemap.streets_of`).

        Worked out on first use and kept; the study cache stores it, so a cached study draws its
        maps without reading the vehicle network (and without the ≈ 8 s of working it out at a
        million walking nodes).
        """
        from geoplan.maps.basemap import streets_of

        return streets_of(self)

    def info(self) -> dict:
        """Counts a planner checks before trusting an analysis (what ``geoplan info`` prints)."""
        res = self.residents
        return {
            "study": self.name,
            "crs": self.crs.to_string(),
            "preset": self.preset.name,
            "walk_nodes": self.walk.n_nodes,
            "walk_edges": self.walk.n_edges,
            "drive_nodes": self.drive.n_nodes,
            "drive_edges": self.drive.n_edges,
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


#: Latitudes (degrees) the UTM zones cover; geoplan computes in one of them.
_UTM_LATITUDES = (-80.0, 84.0)


def _local_crs(osm: OsmData) -> CRS:
    """The UTM zone of the streets' extent (``osm.bounds`` is the data's, never the file header's)."""
    west, south, east, north = osm.bounds
    low, high = _UTM_LATITUDES
    if south < low or north > high:
        raise InputError(message("the streets lie at latitude {south:.2f}°–{north:.2f}°, beyond the UTM zones "
                                 "({low:g}°S–{high:g}°N) geoplan computes distances in", south=south, north=north,
                                 low=-low, high=high), source=osm.path,
                         fix=message("geoplan plans urban districts between 80°S and 84°N; check the file's coordinates"))
    probe = gpd.GeoSeries([shapely.box(west, south, east, north)], crs="EPSG:4326")
    try:
        return probe.estimate_utm_crs()
    except RuntimeError:
        raise InputError(message("no UTM zone fits the extent of the streets"), source=osm.path,
                         fix=message("check the file's coordinates (a stray node far away widens the extent)")) from None


def _study_area(osm: OsmData, crs: CRS) -> shapely.Polygon:
    """The streets' extent (not the ``<bounds>`` header) as a polygon in ``crs``."""
    west, south, east, north = osm.bounds
    area = gpd.GeoSeries([shapely.box(west, south, east, north)], crs="EPSG:4326").to_crs(crs).iloc[0]
    return area if area.area > 0 else area.buffer(1.0)  # one straight street: give the box a width


def _network(osm: OsmData, mode: str, crs: CRS, preset: Preset) -> tuple[Network, dict]:
    try:
        nodes, edges, report = build_frames(osm, mode, crs, preset)
    except ValueError:
        raise InputError(message("the OSM data has no walkable streets") if mode == "walk" else
                         message("the OSM data has no drivable streets"),
                         source=osm.path, fix=message("export a larger area that includes the street network")) from None
    weights = ("length",) if mode == "walk" else ("length", "travel_time")
    compiled = CompiledNetwork.from_gdfs(nodes, edges, weights=weights, crs=crs)
    return Network(mode, None, nodes, edges.reset_index(), compiled), report


def _concat(frames: Sequence[gpd.GeoDataFrame], crs: CRS) -> gpd.GeoDataFrame:
    """OSM and layer rows of one role in one frame; empty but with every column when both are."""
    nonempty = [f for f in frames if len(f)]
    if nonempty:
        return gpd.GeoDataFrame(pd.concat(nonempty, ignore_index=True), geometry="geometry", crs=crs)
    columns = list(dict.fromkeys(c for f in frames for c in f.columns if c != "geometry"))
    return gpd.GeoDataFrame({c: pd.Series([], dtype=object) for c in columns}, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


@contextmanager
def _gc_paused():
    """Cyclic garbage collection off while a study is built (restored after, even on error).

    Loading creates millions of small objects and almost no garbage cycles; the collector's
    repeated passes over them were about a fifth of the load time at city scale.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_study(osm: str | Path | OsmData | None = None, *, place: str | None = None, bbox=None,
               layers: Sequence[str | Path] = (), preset: Preset | str = "gb", encoding: str | None = None,
               name: str | None = None, progress: Progress | None = None, cache: bool = False,
               cache_dir: str | Path | None = None) -> Study:
    """Load OpenStreetMap data and community layers into a :class:`Study`.

    Parameters
    ----------
    osm, place, bbox, layers, preset, encoding, name, progress
        See :func:`_load_uncached` (the same study either way).
    cache
        Reuse the compiled study stored by an earlier load of the same input files, preset and
        geoplan version, and store it when there is none (see :mod:`geoplan.cache`). Off by
        default in the Python API; the command line turns it on (``--no-cache`` bypasses it).
        A corrupt or stale entry is rebuilt and said so in ``study.warnings``.
    cache_dir
        Cache folder (default ``$GEOPLAN_CACHE_DIR`` or ``~/.cache/geoplan/studies``).
    """
    from geoplan import cache as study_cache

    say = progress or (lambda message: None)
    preset = get_preset(preset) if isinstance(preset, str) else preset
    key = None
    if cache and not (place or bbox):
        key = study_cache.study_key(osm, layers=list(layers), preset=preset, encoding=encoding, name=name)
    folder = Path(cache_dir) if cache_dir is not None else None
    with _gc_paused():
        note = None
        if key is not None:
            cached, note = study_cache.load(key, folder=folder)
            if cached is not None:
                say(message("loaded the compiled study from the cache ({entry})",
                            entry=(folder or study_cache.cache_dir()) / key))
                return cached
            if note:
                say(note)
        study = _load_uncached(osm, place=place, bbox=bbox, layers=layers, preset=preset, encoding=encoding,
                               name=name, progress=progress)
        if key is not None:
            say(message("storing the compiled study in the cache"))
            study = study_cache.as_stored(study, study_cache.store(key, study, folder=folder))
    if note:
        study = dataclasses.replace(study, warnings=(*study.warnings, note))
    return study


def _load_uncached(osm: str | Path | OsmData | None = None, *, place: str | None = None, bbox=None,
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
        Study name for map titles and reports (default: the place the data names most often,
        see :func:`place_name`, else the OSM file or place name).
    progress
        Called with a short message before each long step.
    """
    say = progress or (lambda message: None)
    preset = get_preset(preset) if isinstance(preset, str) else preset
    say(message("reading OpenStreetMap data"))
    data = open_osm(osm, place=place, bbox=bbox)
    crs = _local_crs(data)
    area = _study_area(data, crs)
    features = data.features.to_crs(crs)
    say(message("reading community layers"))
    community = _community_layers(layers, crs=crs, area=area, encoding=encoding, preset=preset)
    dropped = list(data.dropped) + list(community.dropped)
    warnings = [str(w) for w in getattr(data, "warnings", ())] + list(community.warnings)
    say(message("building walking and emergency-vehicle networks"))
    walk, walk_report = _network(data, "walk", crs, preset)
    drive, drive_report = _network(data, "drive", crs, preset)
    label, source_path, source_sha = data.label, data.path, data.sha256
    # the raw OSM tables (ways, nodes, features in degrees) end here: at city scale they are
    # gigabytes, and classifying and snapping would otherwise hold them beside the networks
    del data
    dropped += _fragment_notes(walk_report, drive_report)
    say(message("classifying buildings, residents and facilities"))
    communities, compounds, units_source = _reporting_units(community, features, area)
    buildings = feat.buildings_from_osm(features, preset)
    residents, buildings, estimated = _residents(community, buildings, preset, crs)
    warnings += estimated
    residents, buildings = _in_units(residents, buildings, communities, compounds)
    roles, role_notes = _features_by_role(features, community, preset, crs)
    dropped += role_notes
    say(message("snapping residents, facilities, stations and sites to the networks"))
    snaps = _snap_features(walk, drive, preset, features, residents=residents, facilities=roles["facilities"],
                           stations=roles["stations"], sites=roles["sites"])
    dropped += _off_network_notes(snaps, residents, community, preset.max_snap_m)
    facilities, sites = _with_labels(roles["facilities"], "category"), _with_labels(roles["sites"], "kind")
    names = pd.concat([facilities.get("name", pd.Series(dtype=object)),
                       communities.get("community", pd.Series(dtype=object)), buildings["name"]])
    return Study(
        name=name or place_name(features) or label, crs=crs, area=area, preset=preset,
        lang=guess_lang(names.tolist()),
        sources=(message("Street network, buildings and places: {label} — data © OpenStreetMap contributors, "
                         "ODbL 1.0", label=label),
                 *(message("Community layer: {file}", file=Path(f["path"]).name) for f in community.files)),
        inputs=({"path": str(source_path), "role": "osm", "sha256": source_sha}, *community.files),
        walk=walk, drive=drive, buildings=buildings, residents=residents,
        facilities=facilities.reset_index(drop=True),
        stations=_with_labels(roles["stations"], "kind").reset_index(drop=True),
        obstructions=roles["obstructions"], sites=sites.reset_index(drop=True), communities=communities,
        areas=roles["areas"], snaps=snaps, dropped=tuple(dropped), warnings=tuple(warnings),
        compounds=compounds, units_source=units_source,
    )


def _community_layers(layers, *, crs, area, encoding, preset):
    """The community layers read into the study CRS; residents all outside the area are an error."""
    from geoplan.layers import read_layers

    community = read_layers(list(layers), crs=crs, area=area, encoding=encoding,
                            categories=list(preset.life_circle.circle_of_category))
    resident_files = [f["path"] for f in community.files if f.get("role") == "residents"]
    outside = [d for d in community.dropped if d.get("what") == "residents" and d.get("reason") == "outside the study area"]
    if resident_files and len(community.residents) == 0 and outside:  # an empty file is only a warning
        raise InputError(message("no resident feature of this layer lies inside the OSM extract's area"),
                         source=", ".join(resident_files),
                         fix=message("check the layer's CRS (or lon/lat column order) and that it covers the same district"))
    return community


def _fragment_notes(walk_report: dict, drive_report: dict) -> list[dict]:
    """What building each network left out (fragments cut off from the main network)."""
    notes = []
    for what, report in ((N_("walking network nodes in fragments cut off from the main network"), walk_report),
                         (N_("vehicle network nodes in fragments cut off from the main network"), drive_report)):
        if report.get("dropped_fragment_nodes"):
            notes.append({"what": message(what), "count": report["dropped_fragment_nodes"],
                          "reason": message("kept only the largest connected network, as osmnx does")})
    return notes


def _residents(community, buildings: gpd.GeoDataFrame, preset: Preset, crs):
    """Residents from the layer (buildings take the population inside them), else estimated per
    residential building; returns residents, buildings and the warning when estimated."""
    if len(community.residents):
        residents = community.residents.copy()
        residents["resident_id"] = [f"R{i + 1}" for i in range(len(residents))]
        residents["population_source"] = "layer"
        pts = gpd.GeoDataFrame({"population": residents["population"].to_numpy()},
                               geometry=residents.representative_point().to_numpy(), crs=crs)
        hit = gpd.sjoin(pts, buildings[["geometry"]], predicate="within", how="inner")
        per_building = hit.groupby("index_right")["population"].sum()
        buildings["population"] = 0.0
        buildings.loc[per_building.index, "population"] = per_building.to_numpy()
        buildings["population_source"] = np.where(buildings["population"] > 0, "layer", "none")
        return residents, buildings, []
    residents = buildings.loc[buildings["residential"] & (buildings["population"] > 0)].copy()
    residents = residents.rename(columns={"building_id": "resident_id"})
    note = message("no residents layer: population of {n} residential buildings estimated "
                   "from footprint × levels ÷ {area:g} m² per person", code="population_estimated",
                   n=len(residents), area=preset.residents.floor_area_per_person_m2)
    return residents, buildings, [note]


def _in_units(residents, buildings, communities, compounds):
    """Residents and buildings with their community and compound; residents in the contract's columns."""
    for frame in (residents, buildings):
        points = frame.representative_point()
        frame["community"] = feat.assign_communities(points, communities)
        frame["compound"] = units.assign_units(points, compounds, "compound", empty=None)
    if "elderly_share" not in residents:  # estimated residents carry no age structure
        residents["elderly_share"] = np.nan
    keep = ["resident_id", "name", "population", "population_source", "elderly_share", "community", "compound"]
    residents = residents[[c for c in keep if c in residents.columns] + ["geometry"]].reset_index(drop=True)
    if "name" not in residents:
        residents.insert(1, "name", None)
    return residents, buildings


def _fill_ids(frame: gpd.GeoDataFrame, column: str, prefix: str) -> gpd.GeoDataFrame:
    """Number the rows without an id (layer rows) ``<prefix>1``, ``<prefix>2``…"""
    if not len(frame):
        return frame
    missing = frame[column].isna() if column in frame else pd.Series(True, index=frame.index)
    frame.loc[missing, column] = [f"{prefix}{i + 1}" for i in range(int(missing.sum()))]
    return frame


def _features_by_role(features: gpd.GeoDataFrame, community, preset: Preset, crs) -> tuple[dict, list[dict]]:
    """Facilities, stations, sites, obstructions and water areas from OSM and the layers."""
    classified = feat.classify(features, preset)
    facilities = _concat([feat.classify_facilities(features, preset, classified=classified), community.facilities], crs)
    if "facility_id" in facilities:
        facilities = _fill_ids(facilities, "facility_id", "F")
    stations = _fill_ids(_concat([feat.stations_from_osm(features), community.stations], crs), "station_id", "S")
    sites = _fill_ids(_concat([feat.sites_from_osm(features), community.sites], crs), "site_id", "C")
    obstructions = community.obstructions.reset_index(drop=True)
    if len(obstructions) and "obstruction_id" not in obstructions:
        obstructions.insert(0, "obstruction_id", [f"O{i + 1}" for i in range(len(obstructions))])
    water = (features["natural"].astype(object).isin(["water"]) | features["water"].notna()
             | features["landuse"].astype(object).isin(["reservoir", "basin"])).to_numpy()
    areas = features.loc[water & features.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy(),
                         ["osm_type", "osm_id", "natural", "water", "landuse", "geometry"]].reset_index(drop=True)
    roles = {"facilities": facilities, "stations": stations, "sites": sites, "obstructions": obstructions,
             "areas": areas}
    return roles, _classification_notes(classified, facilities)


def _off_network_notes(snaps: Mapping[str, Snapped], residents, community, limit: float) -> list[dict]:
    """What snapping leaves out; all residents off the walking network is an error."""
    notes = []
    for key, snap in snaps.items():
        off = int((~snap.ok).sum())
        if off:
            notes.append({"what": message(_OFF_NETWORK[key]), "count": off,
                          "reason": message("farther than {limit:g} m from the network; left out of analyses",
                                            limit=limit)})
    if len(residents) and not snaps["residents.walk"].ok.any():
        raise InputError(message("all {count} residents are farther than {limit:g} m from the walking network",
                                 count=len(residents), limit=limit),
                         source=community.source_of("residents") if hasattr(community, "source_of") else None,
                         fix=message("check the residents layer's CRS and that it covers the same area as the OSM data"))
    return notes


#: What the snapping step leaves out, per snapped role (whole phrases for the catalogue).
_OFF_NETWORK = {
    "residents.walk": N_("residents off the walking network"),
    "residents.drive": N_("residents off the vehicle network"),
    "facilities.walk": N_("facilities off the walking network"),
    "stations.drive": N_("stations off the vehicle network"),
    "sites.walk": N_("candidate sites off the walking network"),
}


def place_name(features: pd.DataFrame) -> str | None:
    """The place the data names most often, for titles when the project gives no name.

    The most common ``addr:district`` value, else ``addr:city``, else the name of the coarsest
    ``place=*`` feature (the tag order of :data:`geoplan.standards.tags.PLACE_NAME_TAGS` and
    ``PLACE_LEVELS``); ties go to the alphabetically first name so the title is stable.
    ``None`` when the data names no place.
    """
    from geoplan.standards.tags import PLACE_LEVELS, PLACE_NAME_TAGS

    def most_common(values: pd.Series) -> str | None:
        values = values.dropna().astype(str).str.strip()
        values = values[values != ""]
        if values.empty:
            return None
        counts = values.value_counts()
        return str(min(counts.index[counts == counts.max()]))

    for tag in PLACE_NAME_TAGS:
        if tag in features.columns and (found := most_common(features[tag])):
            return found
    if {"place", "name"} <= set(features.columns):
        for level in PLACE_LEVELS:
            if found := most_common(features.loc[features["place"] == level, "name"]):
                return found
    return None


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
        notes.append({"what": message("features that are not life-circle facilities (universities, party schools, "
                                      "training centres, private grounds…)"), "count": excluded,
                      "reason": message("excluded by the facility classification rules (geoplan.standards.facilities)")})
    unclassified = int((facilities.get("category", pd.Series(dtype=object)) == feat.UNCLASSIFIED).sum())
    if unclassified:
        notes.append({"what": message("schools whose level no tag or name settles"), "count": unclassified,
                      "reason": message("listed in facilities as unclassified, not analysed")})
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
