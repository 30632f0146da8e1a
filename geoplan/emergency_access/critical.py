"""Single points of failure and dead ends of the passable network (topology, so networkx).

* **Critical links** are bridges of the undirected passable network (a two-way street is one
  link): losing one alone splits the network. The residents behind it are those on the side
  with no station, found in one pass over the *bridge tree* (the 2-edge-connected components
  joined by the bridges), not one search per bridge. One-way streets are treated as links in
  both directions, so a bridge here is necessary for a cut, and every listed cut is real.
* **Dead ends** longer than the preset limit (GB 55037-2022 3.4.5: > 40 m needs a turnaround)
  whose end has no ``turning_circle``/``turning_loop`` node; ends within
  :data:`EXTRACT_EDGE_M` of the study-area edge are streets cut by the extract, not dead ends.
"""

from __future__ import annotations

from geoplan.standards.tags import TURNAROUND_TAGS

import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from shapely import ops

from geoplan.network import CompiledNetwork

#: A dead end this close to the study-area edge is a street cut by the extract, metres.
EXTRACT_EDGE_M = 30.0


def _segment_graph(net: CompiledNetwork) -> nx.Graph:
    """The undirected passable network, one edge per node pair, with ``multi`` = parallel segments."""
    keep = net.seg_u != net.seg_v
    a, b = np.minimum(net.seg_u[keep], net.seg_v[keep]), np.maximum(net.seg_u[keep], net.seg_v[keep])
    pairs, counts = np.unique(np.stack([a, b], axis=1), axis=0, return_counts=True) if keep.any() else \
        (np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.int64))
    g = nx.Graph()
    g.add_nodes_from(range(net.n_nodes))
    g.add_edges_from(zip(pairs[:, 0].tolist(), pairs[:, 1].tolist()))
    g.graph["parallel"] = {(int(p), int(q)) for (p, q), c in zip(pairs, counts) if c > 1}
    return g


def _incidence(net: CompiledNetwork) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segments at each node (CSR-like: ``order[start[n]:start[n + 1]]``) and node degrees."""
    keep = np.flatnonzero(net.seg_u != net.seg_v)
    ends = np.concatenate([net.seg_u[keep], net.seg_v[keep]])
    segs = np.concatenate([keep, keep])
    order = np.argsort(ends, kind="stable")
    degree = np.bincount(ends, minlength=net.n_nodes)
    start = np.concatenate([[0], np.cumsum(degree)])
    return segs[order], start, degree


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
    g = _segment_graph(net)
    # a pair of nodes joined by two segments (parallel streets) is never a bridge
    bridges = [(a, b) for a, b in nx.bridges(g) if (min(a, b), max(a, b)) not in g.graph["parallel"]]
    if not bridges:
        return pd.DataFrame(cols)
    # a bridge has no parallel twin, so (u, v) identifies its one segment
    pair_seg = {}
    for s, (a, b) in enumerate(zip(net.seg_u.tolist(), net.seg_v.tolist())):
        pair_seg.setdefault((min(a, b), max(a, b)), []).append(s)
    bridge_segs = np.array([pair_seg[(min(a, b), max(a, b))][0] for a, b in bridges], dtype=np.int64)
    # 2-edge-connected components: connected components once the bridges are taken out
    keep = (net.seg_u != net.seg_v) & ~np.isin(np.arange(len(net.seg_u)), bridge_segs)
    adj = sparse.coo_matrix((np.ones(int(keep.sum())), (net.seg_u[keep], net.seg_v[keep])),
                            shape=(net.n_nodes, net.n_nodes))
    _, comp = connected_components(adj, directed=False)
    comp = comp.astype(np.int64)
    n_comp = int(comp.max()) + 1
    has_station = np.zeros(n_comp, dtype=bool)
    ss = station_segments[station_segments >= 0]
    has_station[comp[net.seg_u[ss]]] = True
    has_station[comp[net.seg_v[ss]]] = True
    reachable = building_node >= 0
    on_bridge = np.isin(building_segment, bridge_segs) & reachable
    pop_comp = np.bincount(comp[building_node[reachable & ~on_bridge]],
                           weights=population[reachable & ~on_bridge], minlength=n_comp)
    cnt_comp = np.bincount(comp[building_node[reachable & ~on_bridge]], minlength=n_comp).astype(float)
    seg_pop = pd.Series(population[on_bridge]).groupby(building_segment[on_bridge]).sum()
    seg_cnt = pd.Series(np.ones(int(on_bridge.sum()))).groupby(building_segment[on_bridge]).sum()
    tree = nx.Graph()
    tree.add_nodes_from(range(n_comp))
    for s in bridge_segs.tolist():
        tree.add_edge(int(comp[net.seg_u[s]]), int(comp[net.seg_v[s]]), segment=s)
    rows = []
    for part in nx.connected_components(tree):
        roots = [c for c in part if has_station[c]]
        if not roots:
            continue  # nobody here reaches a station anyway
        root = min(roots)
        st = {c: float(has_station[c]) for c in part}
        pop = {c: float(pop_comp[c]) for c in part}
        cnt = {c: float(cnt_comp[c]) for c in part}
        parent = dict(nx.dfs_predecessors(tree, root))
        for c in nx.dfs_postorder_nodes(tree, root):
            p = parent.get(c)
            if p is None:
                continue
            s = tree.edges[p, c]["segment"]
            if st[c] == 0:
                rows.append((s, pop[c] + float(seg_pop.get(s, 0.0)), int(cnt[c] + seg_cnt.get(s, 0.0))))
            st[p] += st[c]
            pop[p] += pop[c] + float(seg_pop.get(s, 0.0))
            cnt[p] += cnt[c] + float(seg_cnt.get(s, 0.0))
    out = pd.DataFrame(rows, columns=["segment", "residents_cut_off", "buildings_cut_off"])
    out = out.loc[out["buildings_cut_off"] > 0]
    return _join_runs(net, out)


def _join_runs(net: CompiledNetwork, out: pd.DataFrame) -> pd.DataFrame:
    """Join bridge segments into links: runs through nodes where nothing else joins."""
    group = {s: s for s in out["segment"].tolist()}

    def find(x: int) -> int:
        while group[x] != x:
            group[x] = group[group[x]]
            x = group[x]
        return x

    inc, start, degree = _incidence(net)
    for node in set(net.seg_u[out["segment"]].tolist()) | set(net.seg_v[out["segment"]].tolist()):
        if degree[node] != 2:
            continue
        keys = inc[start[node]:start[node + 1]].tolist()
        if len(keys) == 2 and keys[0] in group and keys[1] in group:
            a, b = find(keys[0]), find(keys[1])
            if a != b:
                group[max(a, b)] = min(a, b)
    out["link"] = [find(s) for s in out["segment"].tolist()]
    out = out.sort_values(["residents_cut_off", "buildings_cut_off", "segment"], ascending=[False, False, True])
    links = out.groupby("link", sort=False).agg(segment=("segment", "first"), segments=("segment", list),
                                                 residents_cut_off=("residents_cut_off", "max"),
                                                 buildings_cut_off=("buildings_cut_off", "max"))
    links = links.sort_values(["residents_cut_off", "segment"], ascending=[False, True]).reset_index(drop=True)
    return links[["segment", "segments", "residents_cut_off", "buildings_cut_off"]]


def dead_ends(net: CompiledNetwork, *, node_highway: np.ndarray, area: shapely.Geometry | None,
              max_length_m: float, building_segment: np.ndarray, population: np.ndarray) -> pd.DataFrame:
    """Dead-end lanes longer than ``max_length_m`` without a turnaround at their end.

    A dead end runs from a node with one link back through nodes with two links to the first
    junction. Returns one row per dead end: ``end_node``, ``segments`` (list), ``length_m``,
    ``residents``, ``buildings``, ``geometry`` (junction → end), sorted by length (desc).
    """
    cols = ["end_node", "segments", "length_m", "residents", "buildings", "geometry"]
    if len(net.seg_u) == 0:
        return pd.DataFrame(columns=cols)
    inc, start, degree = _incidence(net)
    length = shapely.length(net.seg_geometry)
    boundary = area.boundary if area is not None else None
    res_seg = pd.DataFrame({"seg": building_segment, "pop": population}).query("seg >= 0").groupby("seg")["pop"]
    pop_of, cnt_of = res_seg.sum().to_dict(), res_seg.size().to_dict()
    rows = []
    seen: set[frozenset] = set()
    for end in np.flatnonzero(degree == 1).tolist():
        if str(node_highway[end]) in TURNAROUND_TAGS:
            continue
        if boundary is not None and shapely.Point(net.node_x[end], net.node_y[end]).distance(boundary) < EXTRACT_EDGE_M:
            continue
        segs, node, prev, total = [], end, -1, 0.0
        while True:
            links = [k for k in inc[start[node]:start[node + 1]].tolist() if k != prev]
            if len(links) != 1 or (segs and degree[node] != 2):
                break
            key = links[0]
            nxt = int(net.seg_v[key] if net.seg_u[key] == node else net.seg_u[key])
            segs.append(key)
            total += float(length[key])
            prev, node = key, nxt
            if degree[node] != 2 or node == end:
                break
        if total <= max_length_m + 1e-9 or frozenset(segs) in seen:
            continue  # short, or an isolated stretch already listed from its other end
        seen.add(frozenset(segs))
        line = ops.linemerge([net.seg_geometry[s] for s in segs])
        rows.append((end, segs, total, float(sum(pop_of.get(s, 0.0) for s in segs)),
                     int(sum(cnt_of.get(s, 0) for s in segs)), line))
    out = pd.DataFrame(rows, columns=cols)
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
