"""Turn OSM highway ways into walking and emergency-vehicle graphs (osmnx-compatible).

Ways are split only where a planner's question can change: at junctions, dead ends and
barrier nodes (a gate must be an edge end so the access audit can close it). The result is
built through ``osmnx.graph_from_gdfs`` so every osmnx and networkx tool works on it.
"""

from __future__ import annotations

from typing import Literal

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from geoplan.sources import OsmData
from geoplan.standards import DRIVE_HIGHWAYS, EXCLUDED_ACCESS_WALK, EXCLUDED_SERVICE_DRIVE, WALK_HIGHWAYS, WAY_TAGS, Preset

Mode = Literal["walk", "drive"]

_ONEWAY_FORWARD = {"yes", "true", "1"}
_ONEWAY_REVERSE = {"-1", "reverse"}


def select_ways(ways: pd.DataFrame, mode: Mode) -> pd.DataFrame:
    """Ways a pedestrian (``walk``) or an emergency vehicle (``drive``) may use.

    Walk: the classes in :data:`WALK_HIGHWAYS` unless ``access``/``foot`` forbid it.
    Drive: :data:`DRIVE_HIGHWAYS` (service roads and ``service=emergency_access`` included,
    parking aisles not), plus pedestrian streets signed for emergency vehicles. Access,
    width and barrier tags are kept for the access audit to judge; they do not remove ways here.
    """
    hw = ways["highway"].astype(object)
    if mode == "walk":
        foot = ways["foot"].astype(object)
        keep = hw.isin(WALK_HIGHWAYS) & ~foot.isin({"no"})
        keep &= ~(ways["access"].astype(object).isin(EXCLUDED_ACCESS_WALK) & ~foot.isin({"yes", "designated", "permissive"}))
    elif mode == "drive":
        emergency = ways["emergency"].astype(object).isin({"yes", "designated"})
        keep = hw.isin(DRIVE_HIGHWAYS) & ~ways["service"].astype(object).isin(EXCLUDED_SERVICE_DRIVE)
        keep |= hw.isin({"pedestrian", "busway"}) & emergency
        keep |= ways["service"].astype(object).eq("emergency_access")
    else:
        raise ValueError(f"mode must be 'walk' or 'drive', not {mode!r}")
    return ways.loc[keep.to_numpy()]


def _split_points(ways: pd.DataFrame, barrier_nodes: set[int]) -> set[int]:
    """Node ids where an edge must end: way ends, nodes shared by ways or used twice, barriers."""
    counts: dict[int, int] = {}
    ends: set[int] = set()
    for refs in ways["nodes"]:
        ends.add(refs[0])
        ends.add(refs[-1])
        for ref in refs:
            counts[ref] = counts.get(ref, 0) + 1
    return ends | {n for n, c in counts.items() if c > 1} | (barrier_nodes & counts.keys())


def build_graph(osm: OsmData, mode: Mode, crs: CRS, preset: Preset, *,
                retain_all: bool = False) -> tuple[nx.MultiDiGraph, gpd.GeoDataFrame, gpd.GeoDataFrame, dict]:
    """Build the projected walking or emergency-vehicle graph of a study.

    Parameters
    ----------
    osm
        Raw OSM tables.
    mode
        ``"walk"`` (every edge both ways) or ``"drive"`` (one-way streets respected).
    crs
        Local projected metric CRS; edge ``length`` is in its metres.
    preset
        Gives driving speeds (km/h) per highway class where ``maxspeed`` is missing.
    retain_all
        Keep every component; by default only the largest weakly connected one, as osmnx does,
        because fragments cut off by the extract edge would otherwise capture nearby buildings.

    Returns
    -------
    graph, nodes, edges, report
        The osmnx-style ``MultiDiGraph`` (nodes ``x``, ``y`` in ``crs``, ``lon``, ``lat``, barrier
        tags; edges ``osmid``, tags, ``length`` m, ``geometry``, and for drive ``speed_kph`` and
        ``travel_time`` s), the same as node and edge GeoDataFrames (osmnx's ``graph_to_gdfs``
        layout), and counts of what was left out.
    """
    ways = select_ways(osm.ways, mode)
    if ways.empty:
        raise ValueError(f"no {mode} ways")
    nodes_all = osm.nodes
    barrier_nodes = set(nodes_all.index[nodes_all["barrier"].notna().to_numpy()].tolist())
    splits = _split_points(ways, barrier_nodes)

    to_local = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    used = np.unique(np.concatenate([np.asarray(r, dtype=np.int64) for r in ways["nodes"]]))
    lon = nodes_all.loc[used, "lon"].to_numpy()
    lat = nodes_all.loc[used, "lat"].to_numpy()
    x, y = to_local.transform(lon, lat)
    xy = dict(zip(used.tolist(), zip(x.tolist(), y.tolist())))

    tag_cols = [c for c in WAY_TAGS if c in ways.columns]
    rows: list[dict] = []
    geoms: list = []
    for osm_id, refs, tags in zip(ways["osm_id"], ways["nodes"], ways[tag_cols].to_dict("records")):
        oneway = str(tags.get("oneway") or "").lower()
        junction = str(tags.get("junction") or "").lower()
        if mode == "drive" and (oneway in _ONEWAY_FORWARD or junction in {"roundabout", "circular"}):
            directions = (False,)
        elif mode == "drive" and oneway in _ONEWAY_REVERSE:
            directions = (True,)
        else:
            directions = (False, True)
        start = 0
        for i in range(1, len(refs)):
            if refs[i] in splits or i == len(refs) - 1:
                piece = refs[start:i + 1]
                if len(piece) >= 2 and not (len(piece) == 2 and piece[0] == piece[1]):
                    line = shapely.LineString([xy[r] for r in piece])
                    for reverse in directions:
                        u, v = (piece[-1], piece[0]) if reverse else (piece[0], piece[-1])
                        rows.append({"u": u, "v": v, "osmid": osm_id, **tags, "reversed": reverse})
                        geoms.append(line.reverse() if reverse else line)
                start = i
    edges = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=crs)
    edges["length"] = edges.length.to_numpy()
    edges = edges.loc[edges["length"] > 0]
    edges["key"] = edges.groupby(["u", "v"]).cumcount()
    edges = edges.set_index(["u", "v", "key"])

    ends = np.unique(np.concatenate([edges.index.get_level_values(0), edges.index.get_level_values(1)]))
    node_frame = nodes_all.loc[ends].copy()
    node_frame["x"] = [xy[n][0] for n in ends]
    node_frame["y"] = [xy[n][1] for n in ends]
    node_frame.index.name = "osmid"
    nodes = gpd.GeoDataFrame(node_frame, geometry=gpd.points_from_xy(node_frame["x"], node_frame["y"]), crs=crs)

    if mode == "drive":
        speed = edges["highway"].map(dict(preset.passability.drive_speed_kph)).astype(float)
        signed = pd.to_numeric(edges["maxspeed"].astype(object).str.extract(r"^(\d+(?:\.\d+)?)")[0], errors="coerce") \
            if "maxspeed" in edges else pd.Series(np.nan, index=edges.index)
        # a signed limit above the class speed is not what an emergency vehicle achieves on
        # narrow urban streets; below it, it is a real constraint
        speed = np.fmin(speed.fillna(20.0).to_numpy(), signed.fillna(np.inf).to_numpy())
        edges["speed_kph"] = speed
        edges["travel_time"] = edges["length"].to_numpy() / (speed / 3.6)

    report = {"ways": int(len(ways))}
    if not retain_all and len(nodes):
        # components on the arrays (scipy), so the graph is built once, already trimmed
        keep = _largest_component(nodes.index.to_numpy(), edges.index.get_level_values(0).to_numpy(),
                                  edges.index.get_level_values(1).to_numpy())
        cut = int((~keep).sum())
        if cut:
            kept_ids = nodes.index[keep]
            nodes = nodes.loc[keep]
            edges = edges.loc[edges.index.get_level_values(0).isin(kept_ids)]
            report["dropped_fragment_nodes"] = cut
    graph = ox.graph_from_gdfs(nodes, edges, graph_attrs={"crs": crs, "mode": mode})
    report.update(nodes=graph.number_of_nodes(), edges=graph.number_of_edges())
    return graph, nodes, edges, report


def _largest_component(node_ids: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Boolean mask of the nodes in the largest weakly connected component."""
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    pos = pd.Index(node_ids)
    a, b = pos.get_indexer(u), pos.get_indexer(v)
    n = len(node_ids)
    adj = sparse.coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    _, labels = connected_components(adj, directed=True, connection="weak")
    return labels == np.bincount(labels).argmax()
