"""Hand-built toy studies shared by the analysis tests: a straight street with known distances.

The street runs 0 … 2000 m along y = 0 with a node every 100 m (two-way, ``residential``);
:func:`toy_study` wraps it, residents and whatever layers a test needs into a
:class:`geoplan.study.Study` with the snaps the analyses read.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import networkx as nx
import osmnx as ox
import shapely
from pyproj import CRS

from geoplan.network import CompiledNetwork
from geoplan.standards import get_preset
from geoplan.standards.sections import PLAIN_CIRCLE_OF_CATEGORY, LifeCircle
from geoplan.study import Network, Study

CRS_M = CRS.from_epsg(32650)  # UTM 50N (Beijing): metres


def street_graph(*, island: bool = False) -> nx.MultiDiGraph:
    """A 2 km straight street (nodes every 100 m at y=0); ``island``: plus a 100 m street at y=3000."""
    g = nx.MultiDiGraph(crs=CRS_M)
    xy = {i: (100.0 * i, 0.0) for i in range(21)}
    pairs = [(i, i + 1) for i in range(20)]
    if island:
        xy.update({100: (0.0, 3000.0), 101: (100.0, 3000.0)})
        pairs.append((100, 101))
    for n, (x, y) in xy.items():
        g.add_node(n, x=x, y=y)
    for a, b in pairs:
        for u, v in ((a, b), (b, a)):
            geom = shapely.LineString([xy[u], xy[v]])
            g.add_edge(u, v, key=0, length=geom.length, geometry=geom, highway="residential", name="测试路")
    return g


def empty_layer() -> gpd.GeoDataFrame:
    """A layer with no rows (what load_study gives for a layer that has none)."""
    return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=CRS_M), crs=CRS_M)


def toy_study(residents: list[tuple], *, community, area: shapely.Polygon, communities: gpd.GeoDataFrame,
              island: bool = False, facilities: gpd.GeoDataFrame | None = None,
              sites: gpd.GeoDataFrame | None = None, buildings: gpd.GeoDataFrame | None = None) -> Study:
    """A Study on :func:`street_graph` (walk and drive network are the same).

    ``residents``: ``(x, y, population, ...)``; ``community``: one name for all, or a function of
    the row. Facilities and sites given are snapped to the walk network like the residents.
    """
    # the toy's hand-computed distances follow the plain category table (market 5 min, pharmacy
    # 10 min, health 15 min), pinned here so the gb preset's GB 50180 items can evolve
    preset = dataclasses.replace(get_preset("gb"), life_circle=LifeCircle(circle_of_category=dict(PLAIN_CIRCLE_OF_CATEGORY)))
    g = street_graph(island=island)
    nodes, edges = ox.graph_to_gdfs(g)
    compiled = CompiledNetwork.from_graph(g)
    walk = Network("walk", g, nodes, edges.reset_index(), compiled)
    res = gpd.GeoDataFrame({
        "resident_id": [f"R{i + 1}" for i in range(len(residents))],
        "name": [f"楼{i + 1}" for i in range(len(residents))],
        "population": [r[2] for r in residents],
        "population_source": "layer",
        "community": [community(r) for r in residents] if callable(community) else community,
    }, geometry=[shapely.Point(r[0], r[1]) for r in residents], crs=CRS_M)
    limit = preset.max_snap_m
    snaps = {"residents.walk": compiled.snap(res.geometry.to_numpy(), max_distance=limit)}
    if facilities is not None:
        snaps["facilities.walk"] = compiled.snap(facilities.geometry.to_numpy(), max_distance=limit)
    if sites is not None:
        snaps["sites.walk"] = compiled.snap(sites.geometry.to_numpy(), max_distance=limit)
    empty = empty_layer()
    return Study(
        name="测试区 <b>toy</b>", crs=CRS_M, area=area, preset=preset, lang="en",
        sources=("hand-built test network",), inputs=(), walk=walk, drive=walk,
        buildings=empty if buildings is None else buildings, residents=res,
        facilities=empty if facilities is None else facilities, stations=empty, obstructions=empty,
        sites=empty if sites is None else sites, communities=communities, areas=empty, snaps=snaps,
    )
