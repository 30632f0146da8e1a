"""Turn OSM highway ways into walking and emergency-vehicle networks (osmnx-compatible).

Ways are split only where a planner's question can change: at junctions, dead ends and
barrier nodes (a gate must be an edge end so the access audit can close it). The edges and
nodes are built on arrays (:func:`build_frames`, no Python step per way) in osmnx's
``graph_to_gdfs`` layout; the ``networkx.MultiDiGraph`` that every osmnx and networkx tool
works on is made from them only when asked for (:func:`graph_from_frames`), because at city
scale building it costs more than everything else in loading a study.
"""

from __future__ import annotations

import itertools
from typing import Literal

import geopandas as gpd
from geopandas.array import GeometryArray
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from geoplan._tags import tag_column
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


def _directions(oneway: str, junction: str, mode: Mode) -> tuple[bool, ...]:
    """Which ways round a way is travelled: ``False`` as drawn, ``True`` reversed."""
    if mode == "drive" and (oneway in _ONEWAY_FORWARD or junction in {"roundabout", "circular"}):
        return (False,)
    if mode == "drive" and oneway in _ONEWAY_REVERSE:
        return (True,)
    return (False, True)


def _edges_by_loop(ways: pd.DataFrame, splits: set[int], xy: dict, mode: Mode, crs: CRS) -> gpd.GeoDataFrame:
    """Reference builder: one Python step per way and piece (kept to check the vectorised one)."""
    tag_cols = [c for c in WAY_TAGS if c in ways.columns]
    rows: list[dict] = []
    geoms: list = []
    for osm_id, refs, tags in zip(ways["osm_id"], ways["nodes"], ways[tag_cols].to_dict("records")):
        directions = _directions(str(tags.get("oneway") or "").lower(), str(tags.get("junction") or "").lower(), mode)
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
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=crs)


def _flat_refs(ways: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """All node references of the ways in order, and the way (row position) of each."""
    lens = ways["nodes"].map(len).to_numpy(dtype=np.int64)
    refs = np.fromiter(itertools.chain.from_iterable(ways["nodes"]), dtype=np.int64, count=int(lens.sum()))
    return refs, np.repeat(np.arange(len(ways)), lens)


def _pieces(refs: np.ndarray, way_of: np.ndarray, barrier_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end positions (into ``refs``) of the pieces ways are split into.

    A way is cut at its ends, at nodes used more than once (shared or revisited) and at
    barriers: the rule of :func:`_split_points`, on arrays.
    """
    n = len(refs)
    first = np.ones(n, dtype=bool)
    first[1:] = way_of[1:] != way_of[:-1]
    last = np.ones(n, dtype=bool)
    last[:-1] = first[1:]
    ends = np.unique(refs[first | last])
    uniq, inverse, counts = np.unique(refs, return_inverse=True, return_counts=True)
    split_node = (counts > 1) | np.isin(uniq, ends) | np.isin(uniq, barrier_ids)
    cut = first | last | split_node[inverse]
    at = np.flatnonzero(cut)
    same_way = way_of[at[1:]] == way_of[at[:-1]]
    lo, hi = at[:-1][same_way], at[1:][same_way]
    # a two-node piece that returns to its own node is no street
    keep = ~((hi - lo == 1) & (refs[lo] == refs[hi]))
    return lo[keep], hi[keep]


def _edges_vectorised(ways: pd.DataFrame, barrier_ids: np.ndarray, node_xy: pd.DataFrame, mode: Mode,
                      crs: CRS) -> gpd.GeoDataFrame:
    """The same edges as :func:`_edges_by_loop`, in the same order, built on arrays."""
    refs, way_of = _flat_refs(ways)
    lo, hi = _pieces(refs, way_of, barrier_ids)
    size = hi - lo + 1
    piece_of = np.repeat(np.arange(len(lo)), size)
    at = np.repeat(lo, size) + (np.arange(int(size.sum())) - np.repeat(np.cumsum(size) - size, size))
    pos = node_xy.index.get_indexer(refs[at])
    coords = np.column_stack([node_xy["x"].to_numpy()[pos], node_xy["y"].to_numpy()[pos]])
    lines = shapely.linestrings(coords, indices=piece_of)
    piece_way = way_of[lo]
    forward, backward = _way_directions(ways, mode)
    fw, bw = forward[piece_way], backward[piece_way]
    # as the loop: piece by piece, the drawn direction before the reversed one
    p = np.concatenate([np.flatnonzero(fw), np.flatnonzero(bw)])
    rev = np.concatenate([np.zeros(int(fw.sum()), dtype=bool), np.ones(int(bw.sum()), dtype=bool)])
    order = np.lexsort((rev, p))
    p, rev = p[order], rev[order]
    u = np.where(rev, refs[hi[p]], refs[lo[p]])
    v = np.where(rev, refs[lo[p]], refs[hi[p]])
    # each column taken once from the ways and handed over as it is: the edge table is built
    # once, not once per step (at city scale it is gigabytes)
    way_of_edge = piece_way[p]
    columns = {"u": u, "v": v, "osmid": ways["osm_id"].to_numpy()[way_of_edge]}
    columns.update({c: tag_column(ways[c]).take(way_of_edge) for c in WAY_TAGS if c in ways.columns})
    columns["reversed"] = rev
    frame = pd.DataFrame(columns, copy=False)
    geoms = lines[p]
    geoms[rev] = shapely.reverse(geoms[rev])
    # the lines are shapely's own: wrapped as they are (geopandas' check of every element was
    # 5 s for a city's 3 M edges)
    return gpd.GeoDataFrame(frame, geometry=GeometryArray(geoms, crs=crs), copy=False)


def _way_directions(ways: pd.DataFrame, mode: Mode) -> tuple[np.ndarray, np.ndarray]:
    """Per way: travelled as drawn, travelled reversed (:func:`_directions` on arrays)."""
    n = len(ways)
    if mode != "drive":
        return np.ones(n, dtype=bool), np.ones(n, dtype=bool)
    def tag(col):
        return ways[col].astype(object).fillna("").astype(str).str.lower().to_numpy() if col in ways \
            else np.full(n, "", dtype=object)
    oneway, junction = tag("oneway"), tag("junction")
    only_fwd = np.isin(oneway, list(_ONEWAY_FORWARD)) | np.isin(junction, ["roundabout", "circular"])
    only_bwd = ~only_fwd & np.isin(oneway, list(_ONEWAY_REVERSE))
    return ~only_bwd, ~only_fwd


def _node_xy(nodes_all: pd.DataFrame, refs: np.ndarray, crs: CRS) -> pd.DataFrame:
    """Projected ``x``, ``y`` (metres in ``crs``) of every node the ways use, indexed by node id."""
    used = np.unique(refs)
    to_local = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = to_local.transform(nodes_all.loc[used, "lon"].to_numpy(), nodes_all.loc[used, "lat"].to_numpy())
    return pd.DataFrame({"x": np.asarray(x, dtype=float), "y": np.asarray(y, dtype=float)}, index=pd.Index(used))


def _barrier_ids(nodes_all: pd.DataFrame) -> np.ndarray:
    # a raised kerb is a node of the network (the wheelchair profile closes the links meeting it)
    # even when it is tagged kerb=raised without barrier=kerb, as on crossing nodes (OSM wiki Key:kerb)
    cut = nodes_all["barrier"].notna().to_numpy()
    if "kerb" in nodes_all.columns:
        cut = cut | nodes_all["kerb"].astype(object).eq("raised").to_numpy()
    return nodes_all.index[cut].to_numpy(dtype=np.int64)


def _finish(edges: gpd.GeoDataFrame, nodes_all: pd.DataFrame, node_xy: pd.DataFrame, mode: Mode, crs: CRS,
            preset: Preset, n_ways: int, retain_all: bool) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, dict]:
    """Lengths, edge keys, node table, drive speeds and the largest component (shared by both builders)."""
    edges["length"] = edges.length.to_numpy()
    if not (edges["length"] > 0).all():  # a copy of the whole table only when there is something to drop
        edges = edges.loc[edges["length"] > 0]
    edges["key"] = edges.groupby(["u", "v"]).cumcount()
    edges = edges.set_index(["u", "v", "key"])

    ends = np.unique(np.concatenate([edges.index.get_level_values(0), edges.index.get_level_values(1)]))
    node_frame = nodes_all.loc[ends].copy()
    node_frame["x"] = node_xy["x"].reindex(ends).to_numpy()
    node_frame["y"] = node_xy["y"].reindex(ends).to_numpy()
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

    report = {"ways": int(n_ways)}
    if not retain_all and len(nodes):
        # components on the arrays (scipy), so nothing is built for the fragments
        keep = _largest_component(nodes.index.to_numpy(), edges.index.get_level_values(0).to_numpy(),
                                  edges.index.get_level_values(1).to_numpy())
        cut = int((~keep).sum())
        if cut:
            kept_ids = nodes.index[keep]
            nodes = nodes.loc[keep]
            edges = edges.loc[edges.index.get_level_values(0).isin(kept_ids)]
            report["dropped_fragment_nodes"] = cut
    report.update(nodes=int(len(nodes)), edges=int(len(edges)))
    return nodes, edges, report


def build_frames(osm: OsmData, mode: Mode, crs: CRS, preset: Preset, *,
                 retain_all: bool = False) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, dict]:
    """Build the projected walking or emergency-vehicle network of a study as node and edge tables.

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
    nodes, edges, report
        osmnx's ``graph_to_gdfs`` layout: nodes ``x``, ``y`` in ``crs``, ``lon``, ``lat``, barrier
        tags; edges indexed by ``u, v, key`` with ``osmid``, tags (categorical, see
        :func:`geoplan._tags.tag_column`), ``reversed``, ``length`` m,
        ``geometry``, and for drive ``speed_kph`` and ``travel_time`` s. ``report`` counts what
        was left out and the nodes and edges kept.
    """
    ways = select_ways(osm.ways, mode)
    if ways.empty:
        raise ValueError(f"no {mode} ways")
    refs, _ = _flat_refs(ways)
    node_xy = _node_xy(osm.nodes, refs, crs)
    edges = _edges_vectorised(ways, _barrier_ids(osm.nodes), node_xy, mode, crs)
    return _finish(edges, osm.nodes, node_xy, mode, crs, preset, len(ways), retain_all)


def graph_from_frames(nodes: gpd.GeoDataFrame, edges: gpd.GeoDataFrame, *, mode: str, crs) -> nx.MultiDiGraph:
    """The osmnx-compatible ``MultiDiGraph`` of a network's tables (``edges`` indexed or with
    ``u, v, key`` columns)."""
    import osmnx as ox  # here, not at the top: importing osmnx (sklearn, matplotlib) was half of a
    # command's start-up, and only the graph needs it

    if not isinstance(edges.index, pd.MultiIndex):
        edges = edges.set_index(["u", "v", "key"])
    return ox.graph_from_gdfs(nodes, edges, graph_attrs={"crs": crs, "mode": mode})


def build_graph(osm: OsmData, mode: Mode, crs: CRS, preset: Preset, *,
                retain_all: bool = False) -> tuple[nx.MultiDiGraph, gpd.GeoDataFrame, gpd.GeoDataFrame, dict]:
    """Reference build through a Python loop over ways, with the graph built at once.

    What loading did before :func:`build_frames`; kept so tests can check that the array
    build gives the same network. Same parameters; returns ``graph, nodes, edges, report``.
    """
    ways = select_ways(osm.ways, mode)
    if ways.empty:
        raise ValueError(f"no {mode} ways")
    refs, _ = _flat_refs(ways)
    node_xy = _node_xy(osm.nodes, refs, crs)
    splits = _split_points(ways, set(_barrier_ids(osm.nodes).tolist()))
    xy = dict(zip(node_xy.index.tolist(), zip(node_xy["x"].tolist(), node_xy["y"].tolist())))
    edges = _edges_by_loop(ways, splits, xy, mode, crs)
    nodes, edges, report = _finish(edges, osm.nodes, node_xy, mode, crs, preset, len(ways), retain_all)
    return graph_from_frames(nodes, edges, mode=mode, crs=crs), nodes, edges, report


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
