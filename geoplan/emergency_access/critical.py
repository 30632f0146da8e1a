"""Single points of failure and dead ends of the passable network (topology on arrays, :mod:`._topology`).

* **Critical links** are bridges of the undirected passable network (a two-way street is one
  link): losing one alone splits the network. The residents behind it are those on the side
  with no station, found in one pass over the *bridge tree* (the 2-edge-connected components
  joined by the bridges), not one search per bridge; the bridges come from a breadth-first
  spanning forest and the cycles over it, on arrays (no networkx graph is built). One-way
  streets are treated as links in both directions, so a bridge here is necessary for a cut,
  and every listed cut is real.
* **Dead ends** longer than the preset limit (GB 55037-2022 3.4.5: > 40 m needs a turnaround)
  whose end has no ``turning_circle``/``turning_loop`` node; ends within
  :data:`EXTRACT_EDGE_M` of the study-area edge are streets cut by the extract, not dead ends.
"""

from __future__ import annotations

from geoplan.standards.tags import TURNAROUND_TAGS

import numpy as np
import pandas as pd
import shapely

from geoplan.emergency_access import _topology
from geoplan.network import CompiledNetwork

#: A dead end this close to the study-area edge is a street cut by the extract, metres.
EXTRACT_EDGE_M = 30.0


def _incidence(net: CompiledNetwork) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segments at each node (CSR-like: ``order[start[n]:start[n + 1]]``) and node degrees."""
    keep = np.flatnonzero(net.seg_u != net.seg_v)
    ends = np.concatenate([net.seg_u[keep], net.seg_v[keep]])
    segs = np.concatenate([keep, keep])
    order = np.argsort(ends, kind="stable")
    degree = np.bincount(ends, minlength=net.n_nodes)
    start = np.concatenate([[0], np.cumsum(degree)])
    return segs[order], start, degree


def _links(net: CompiledNetwork) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The undirected links (node pairs ``a < b``), their lowest segment, and whether parallel segments join them."""
    keep = np.flatnonzero(net.seg_u != net.seg_v)
    a, b = np.minimum(net.seg_u[keep], net.seg_v[keep]), np.maximum(net.seg_u[keep], net.seg_v[keep])
    key = a.astype(np.int64) * max(net.n_nodes, 1) + b
    _, first, counts = np.unique(key, return_index=True, return_counts=True)
    return a[first].astype(np.int64), b[first].astype(np.int64), keep[first], counts > 1


def _cut_off(net: CompiledNetwork, bridge_segs: np.ndarray, has_station_node: np.ndarray, node_pop: np.ndarray,
             node_cnt: np.ndarray, seg_pop: np.ndarray, seg_cnt: np.ndarray) -> pd.DataFrame:
    """Residents and buildings each bridge alone cuts off from every station (one pass over the bridge tree).

    The 2-edge-connected components (connected once the bridges are taken out) joined by the
    bridges form a forest; rooted at a component with a station, the residents below a bridge
    are cut off when no station lies below it.
    """
    keep = (net.seg_u != net.seg_v)
    keep[bridge_segs] = False
    comp = _topology.components(net.n_nodes, net.seg_u[keep], net.seg_v[keep])
    n_comp = int(comp.max()) + 1
    ca, cb = comp[net.seg_u[bridge_segs]], comp[net.seg_v[bridge_segs]]
    station = np.bincount(comp, weights=has_station_node, minlength=n_comp) > 0
    label = _topology.components(n_comp, ca, cb)
    roots = np.full(int(label.max()) + 1, n_comp, dtype=np.int64)
    np.minimum.at(roots, label[station], np.flatnonzero(station))
    parent = _topology.forest(n_comp, ca, cb, roots=roots[roots < n_comp])
    depth = _topology.depths(parent)
    child = np.where(parent[cb] == ca, cb, ca)  # every bridge of a rooted tree is a tree link
    rooted = parent[child] >= 0
    pop = np.bincount(comp, weights=node_pop, minlength=n_comp)
    cnt = np.bincount(comp, weights=node_cnt, minlength=n_comp)
    pop[child[rooted]] += seg_pop[bridge_segs[rooted]]  # a building on a bridge goes with the side below it
    cnt[child[rooted]] += seg_cnt[bridge_segs[rooted]]
    below_station = _topology.subtree_sums(parent, depth, station.astype(float))
    below_pop, below_cnt = _topology.subtree_sums(parent, depth, pop), _topology.subtree_sums(parent, depth, cnt)
    cut = rooted & (below_station[child] == 0)
    return pd.DataFrame({"segment": bridge_segs[cut], "residents_cut_off": below_pop[child[cut]],
                         "buildings_cut_off": np.rint(below_cnt[child[cut]]).astype(np.int64)})


def critical_links(net: CompiledNetwork, *, station_segments: np.ndarray, building_node: np.ndarray,
                   building_segment: np.ndarray, population: np.ndarray) -> pd.DataFrame:
    """Bridges of ``net`` and the residents each one alone cuts off from every station.

    Parameters
    ----------
    net
        The passable network of the scenario.
    station_segments
        Segment (of ``net``) of every usable station.
    building_node
        For each reachable building, the node (of ``net``) it is reached through; ``-1`` for
        buildings not reachable now (they cannot be cut off again).
    building_segment
        Segment of ``net`` each building sits on (``-1`` if none); a building on a bridge is cut
        off with the side it is reached from.
    population
        Residents per building.

    Returns
    -------
    pandas.DataFrame
        One row per critical link (a run of bridge segments from junction to junction) that cuts
        somebody off: ``segment`` (the one nearest the stations), ``segments`` (all of them),
        ``residents_cut_off``, ``buildings_cut_off``; sorted by residents (desc), then segment.
    """
    cols = {"segment": pd.Series(dtype="int64"), "segments": pd.Series(dtype=object), "residents_cut_off": pd.Series(dtype=float),
            "buildings_cut_off": pd.Series(dtype="int64")}
    if net.n_nodes == 0 or len(net.seg_u) == 0:
        return pd.DataFrame(cols)
    a, b, seg, parallel = _links(net)
    # a pair of nodes joined by two segments (parallel streets) is never a bridge
    bridge_segs = np.sort(seg[_topology.bridges(net.n_nodes, a, b) & ~parallel])
    if not len(bridge_segs):
        return pd.DataFrame(cols)
    ss = station_segments[station_segments >= 0]
    has_station = np.zeros(net.n_nodes)
    has_station[net.seg_u[ss]] = has_station[net.seg_v[ss]] = 1.0
    reachable = building_node >= 0
    on_bridge = np.isin(building_segment, bridge_segs) & reachable
    off = reachable & ~on_bridge
    node_pop = np.bincount(building_node[off], weights=population[off], minlength=net.n_nodes)
    node_cnt = np.bincount(building_node[off], minlength=net.n_nodes).astype(float)
    n_seg = len(net.seg_u)
    seg_pop = np.bincount(building_segment[on_bridge], weights=population[on_bridge], minlength=n_seg)
    seg_cnt = np.bincount(building_segment[on_bridge], minlength=n_seg).astype(float)
    out = _cut_off(net, bridge_segs, has_station, node_pop, node_cnt, seg_pop, seg_cnt)
    out = out.loc[out["buildings_cut_off"] > 0]
    return _join_runs(net, out.reset_index(drop=True))


def _join_runs(net: CompiledNetwork, out: pd.DataFrame) -> pd.DataFrame:
    """Join bridge segments into links: runs through nodes where nothing else joins."""
    segs = out["segment"].to_numpy(np.int64)
    inc, start, degree = _incidence(net)
    through = np.flatnonzero(degree == 2)
    k0, k1 = inc[start[through]], inc[start[through] + 1]
    pos = np.full(len(net.seg_u), -1, dtype=np.int64)
    pos[segs] = np.arange(len(segs))
    both = (pos[k0] >= 0) & (pos[k1] >= 0) & (k0 != k1)
    run = _topology.components(len(segs), pos[k0[both]], pos[k1[both]])
    first = np.full(int(run.max(initial=-1)) + 1, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, run, segs)
    out["link"] = first[run] if len(segs) else np.zeros(0, dtype=np.int64)
    out = out.sort_values(["residents_cut_off", "buildings_cut_off", "segment"], ascending=[False, False, True])
    links = out.groupby("link", sort=False).agg(segment=("segment", "first"), segments=("segment", list),
                                                 residents_cut_off=("residents_cut_off", "max"),
                                                 buildings_cut_off=("buildings_cut_off", "max"))
    links = links.sort_values(["residents_cut_off", "segment"], ascending=[False, True]).reset_index(drop=True)
    return links[["segment", "segments", "residents_cut_off", "buildings_cut_off"]]


def _one_end_per_lane(net: CompiledNetwork, ends: np.ndarray, inc: np.ndarray, start: np.ndarray,
                      degree: np.ndarray) -> np.ndarray:
    """The ends, keeping only the lowest-numbered of the two free ends of an isolated lane."""
    through = np.flatnonzero(degree == 2)
    k0, k1 = inc[start[through]], inc[start[through] + 1]
    joined = k0 != k1
    lane = _topology.components(len(net.seg_u), k0[joined], k1[joined])[inc[start[ends]]]
    return ends[np.sort(np.unique(lane, return_index=True)[1])]


def _chains(net: CompiledNetwork, ends: np.ndarray, inc: np.ndarray, start: np.ndarray,
            degree: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The lane from every end node to its first junction: (row, segment, step), in walking order.

    Segments meeting at a node with two links belong to one lane; all lanes are walked from their
    ends by one breadth-first search over the segments (``ends`` holds one end per lane), so the
    step is the segment's place along its lane.
    """
    n_seg = len(net.seg_u)
    through = np.flatnonzero(degree == 2)
    k0, k1 = inc[start[through]], inc[start[through] + 1]
    joined = k0 != k1
    first = inc[start[ends]]  # an end node has one segment
    parent = _topology.forest(n_seg, k0[joined], k1[joined], roots=first)
    depth = _topology.depths(parent)
    seg = np.flatnonzero(parent >= 0)
    up = _topology.roots(parent)  # each segment's lane root: its end's first segment
    row_of_first = np.full(n_seg, -1, dtype=np.int64)
    row_of_first[first] = np.arange(len(ends))
    row = row_of_first[up[seg]]
    order = np.lexsort((depth[seg], row))
    return row[order], seg[order], depth[seg][order]


def dead_ends(net: CompiledNetwork, *, node_highway: np.ndarray, area: shapely.Geometry | None,
              max_length_m: float, building_segment: np.ndarray, population: np.ndarray) -> pd.DataFrame:
    """Dead-end lanes longer than ``max_length_m`` without a turnaround at their end.

    A dead end runs from a node with one link back through nodes with two links to the first
    junction. Returns one row per dead end: ``end_node``, ``segments`` (list), ``length_m``,
    ``residents``, ``buildings``, ``geometry`` (junction → end), sorted by length (desc).
    A lane with two free ends is listed once, from its lowest-numbered end.
    """
    cols = ["end_node", "segments", "length_m", "residents", "buildings", "geometry"]
    if len(net.seg_u) == 0:
        return pd.DataFrame(columns=cols)
    inc, start, degree = _incidence(net)
    ends = np.flatnonzero(degree == 1)
    ends = ends[~np.isin(node_highway[ends].astype(str), list(TURNAROUND_TAGS))]
    if area is not None and len(ends):
        near = shapely.distance(shapely.points(net.node_x[ends], net.node_y[ends]), area.boundary) < EXTRACT_EDGE_M
        ends = ends[~near]
    if not len(ends):
        return pd.DataFrame(columns=cols)
    ends = _one_end_per_lane(net, ends, inc, start, degree)
    row, seg, _ = _chains(net, ends, inc, start, degree)
    res_seg = pd.DataFrame({"seg": building_segment, "pop": population}).query("seg >= 0").groupby("seg")["pop"]
    pop_of, cnt_of = np.zeros(len(net.seg_u)), np.zeros(len(net.seg_u), dtype=np.int64)
    sums, sizes = res_seg.sum(), res_seg.size()
    pop_of[sums.index.to_numpy(np.int64)] = sums.to_numpy(float)
    cnt_of[sizes.index.to_numpy(np.int64)] = sizes.to_numpy(np.int64)
    # bincount adds in array order, i.e. along each lane from its end, as a walk would
    length = np.bincount(row, weights=shapely.length(net.seg_geometry[seg]), minlength=len(ends))
    residents = np.bincount(row, weights=pop_of[seg], minlength=len(ends))
    buildings = np.bincount(row, weights=cnt_of[seg], minlength=len(ends)).astype(np.int64)
    picked = np.flatnonzero(length > max_length_m + 1e-9)
    lane = np.split(seg, np.searchsorted(row, np.arange(1, len(ends))))
    rows_sel = np.isin(row, picked)
    lines = shapely.line_merge(shapely.multilinestrings(net.seg_geometry[seg[rows_sel]],
                                                        indices=np.searchsorted(picked, row[rows_sel])))
    out = pd.DataFrame({"end_node": ends[picked], "segments": [lane[r].tolist() for r in picked], "length_m": length[picked],
                        "residents": residents[picked], "buildings": buildings[picked], "geometry": lines},
                       columns=cols)
    return out.sort_values(["length_m", "end_node"], ascending=[False, True]).reset_index(drop=True)


def weak_points(study, searches, population: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Critical links of the network now and long dead ends of the baseline, for one audit.

    ``searches`` is the audit's :class:`~geoplan.emergency_access.scenario.Searches`; returns
    the frames of :func:`critical_links` and :func:`dead_ends`.
    """
    scen, now, bsnap = searches.scen, searches.now, searches.scen.buildings
    now_net = now.network
    seg_now = np.full(len(scen.full.edge_u), -1, dtype=np.int64)
    seg_now[now_net.seg_fwd] = np.arange(len(now_net.seg_fwd))
    hb = now_net.seg_bwd >= 0
    seg_now[now_net.seg_bwd[hb]] = np.flatnonzero(hb)
    bseg = np.where(bsnap.ok, bsnap.segment, 0)
    b_node = np.where(now.end == "v", scen.base.seg_v[bseg], scen.base.seg_u[bseg])
    b_node = np.where(np.isfinite(now.lead_s), b_node, -1)
    b_seg_now = np.where(bsnap.ok, seg_now[scen.base.seg_fwd[bseg]], -1)
    crit = critical_links(now_net, station_segments=now.stations.segment[now.stations.ok],
                          building_node=b_node, building_segment=b_seg_now, population=population)
    nodes = study.drive.nodes
    node_hw = nodes["highway"].reindex(scen.base.node_ids).astype(object).to_numpy() if "highway" in nodes \
        else np.full(scen.base.n_nodes, None, dtype=object)
    dead = dead_ends(scen.base, node_highway=node_hw, area=study.area,
                     max_length_m=study.preset.passability.dead_end_max_m,
                     building_segment=np.where(bsnap.ok, bsnap.segment, -1), population=population)
    return crit, dead
