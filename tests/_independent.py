"""An independent networkx computation of network costs with the same snapping.

Tests compare the compiled engine against this: snapped points are inserted as real nodes
(segments split at them) and networkx's Dijkstra runs on the result.
"""

from __future__ import annotations

import networkx as nx
import numpy as np


def split_graph(net, snaps: dict[str, object], weight: str) -> nx.DiGraph:
    """A DiGraph of the compiled network with every snapped point as its own node.

    ``snaps`` maps a prefix (e.g. ``"s"``, ``"t"``) to a Snapped; point ``i`` becomes node
    ``(prefix, i)``.
    """
    w = net.weights[weight]
    g = nx.DiGraph()
    live = net.live_edges  # removed or closed edges stay in the arrays but are not travelled
    for a, b, c in zip(net.edge_u[live].tolist(), net.edge_v[live].tolist(), w[live].tolist()):
        if not g.has_edge(a, b) or g[a][b]["w"] > c:
            g.add_edge(a, b, w=c)
    on_seg: dict[int, list] = {}
    for prefix, snap in snaps.items():
        for i in np.flatnonzero(snap.ok):
            on_seg.setdefault(int(snap.segment[i]), []).append((float(snap.t[i]), (prefix, int(i))))
    for seg, points in on_seg.items():
        points.sort()
        chain = [(0.0, int(net.seg_u[seg]))] + points + [(1.0, int(net.seg_v[seg]))]
        fwd, bwd = int(net.seg_fwd[seg]), int(net.seg_bwd[seg])
        for (t0, a), (t1, b) in zip(chain[:-1], chain[1:]):
            if fwd >= 0:
                g.add_edge(a, b, w=w[fwd] * (t1 - t0))
            if bwd >= 0:
                g.add_edge(b, a, w=w[bwd] * (t1 - t0))
    return g


def nearest_costs(net, sources, targets, weight: str, source_cost=None) -> np.ndarray:
    """Cost from the nearest source to every target (``inf`` if none), by networkx."""
    sources, extra = _every_entry(sources, source_cost)
    g = split_graph(net, {"s": sources, "t": targets}, weight)
    for i in np.flatnonzero(sources.ok):
        g.add_edge("SUPER", ("s", int(i)), w=float(extra[i]))
    dist = nx.single_source_dijkstra_path_length(g, "SUPER", weight="w")
    return np.array([dist.get(("t", i), np.inf) if targets.ok[i] else np.inf for i in range(len(targets))])


def _every_entry(sources, source_cost):
    """Every way into every source as its own point: the nearest snap, then a polygon's further
    entries, each starting at its own connector when connectors are counted (``source_cost``)."""
    from geoplan.network.engine import Snapped

    start = np.zeros(len(sources)) if source_cost is None else np.asarray(source_cost, float)
    e = sources.extra
    if e is None or len(e) == 0:
        return sources, start
    live = sources.ok[e.owner]
    seg = np.concatenate([sources.segment, e.segment[live]])
    t = np.concatenate([sources.t, e.t[live]])
    d = np.concatenate([sources.distance_m, e.distance_m[live]])
    own = (np.zeros(live.sum()) if source_cost is None else e.distance_m[live])
    nan = np.full(len(seg), np.nan)
    return Snapped(seg, t, d, nan, nan), np.concatenate([start, own])
