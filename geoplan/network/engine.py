"""The one shortest-path engine: a street graph compiled once into CSR arrays.

networkx is the graph model; bulk distance work goes through here. Points (or polygons)
are snapped once, vectorised, onto the nearest *street segment* — not the nearest
junction — and keep their connector length and position along the segment, so a
building half-way along a 200 m street is 100 m from either end, not 0 or 200. Searches
run in C through :func:`scipy.sparse.csgraph.dijkstra`: every source becomes a virtual
node joined to the two ends of its segment, so one call answers "nearest of many sources"
for every node, bounded by the largest threshold of interest.

A polygon (park, campus, hospital, shelter site) is entered from every side: besides its nearest
snap it gets entries on every segment inside it or within the entry distance of its outline and
at its mapped entrances (:meth:`CompiledNetwork.snap_entries`); every entry is one more virtual
source of the same search, so one call still answers "nearest of many" for every node.

Weights are whatever edge attribute is named: ``"length"`` (metres) for walking,
``"travel_time"`` (seconds) for driving. Offsets along a segment are proportional.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Mapping, Sequence

import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from geoplan._threads import elementwise, tree_query
from geoplan.i18n import N_
from geoplan.network._lines import SegmentLines
from geoplan.network._progress import steps
from geoplan.network._windows import windowed_costs

#: Zero weights would vanish from a sparse matrix; this keeps them as edges (seconds or metres).
_EPS = 1e-9


@dataclass(frozen=True)
class Entries:
    """Further ways into features beyond their nearest snap (a park entered from every side).

    Attributes
    ----------
    owner
        Index of the feature (in the :class:`Snapped` it belongs to) each entry leads into.
    segment, t
        Street segment of the entry and position along it (fraction from ``seg_u``).
    distance_m
        Connector from the entry to the feature, metres (0 for a street running inside it).
    """

    owner: np.ndarray
    segment: np.ndarray
    t: np.ndarray
    distance_m: np.ndarray

    def __len__(self) -> int:
        return len(self.owner)

    @staticmethod
    def empty() -> "Entries":
        return Entries(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0))


@dataclass(frozen=True)
class Snapped:
    """Where points or polygons meet the network.

    Every feature has one *primary* snap (the arrays below, one value per feature): its nearest
    street segment. A polygon may have further entries (:attr:`extra`): every walkable segment
    inside it or within the entry distance of its outline, and its mapped entrances. Searches
    from a :class:`Snapped` start from all of a feature's entries at once; consumers that read
    the per-feature arrays (connector length, position) see the nearest entry.

    Attributes
    ----------
    segment
        Index of the street segment each feature snapped to; ``-1`` where it is farther than
        the allowed snap distance or has no geometry.
    t
        Position along the segment as a fraction (0 at ``seg_u``, 1 at ``seg_v``).
    distance_m
        Straight connector length from the feature to the segment, metres (``inf`` if unsnapped).
    x, y
        The snapped point on the segment, in the network CRS.
    extra
        Further entries of polygon features (:class:`Entries`), or ``None``.
    """

    segment: np.ndarray
    t: np.ndarray
    distance_m: np.ndarray
    x: np.ndarray
    y: np.ndarray
    extra: Entries | None = None

    def __len__(self) -> int:
        return len(self.segment)

    @property
    def ok(self) -> np.ndarray:
        """Boolean mask of features that snapped within the allowed distance."""
        return self.segment >= 0

    @property
    def n_entries(self) -> np.ndarray:
        """Number of ways into each feature (1 for a point, more for a polygon entered from several sides)."""
        count = self.ok.astype(np.int64)
        if self.extra is not None and len(self.extra):
            count += np.bincount(self.extra.owner, minlength=len(self))
        return count

    def subset(self, index) -> "Snapped":
        """The snaps of some features (boolean mask or integer index), with their entries."""
        index = np.asarray(index)
        pos = np.flatnonzero(index) if index.dtype == bool else index.astype(np.int64).ravel()
        extra = None
        if self.extra is not None and len(self.extra):
            new = pd.DataFrame({"owner": pos, "new": np.arange(len(pos))})
            hit = pd.DataFrame({"owner": self.extra.owner, "e": np.arange(len(self.extra))}).merge(new, on="owner")
            e = hit["e"].to_numpy(np.int64)
            extra = Entries(hit["new"].to_numpy(np.int64), self.extra.segment[e], self.extra.t[e],
                            self.extra.distance_m[e])
        return Snapped(self.segment[pos], self.t[pos], self.distance_m[pos], self.x[pos], self.y[pos], extra)


@dataclass(frozen=True)
class _Starts:
    """Every entry of every source, flattened: where a search starts and at what cost."""

    segment: np.ndarray
    t: np.ndarray
    cost: np.ndarray
    owner: np.ndarray

    @property
    def ok(self) -> np.ndarray:
        return self.segment >= 0


def _starts(sources: Snapped, source_cost: np.ndarray | None) -> _Starts:
    """Primary snaps then extra entries. With a ``source_cost`` (the cost at the primary snap,
    normally its connector), each extra entry starts at that cost plus its own connector minus
    the primary's, i.e. at its own connector when the connector was passed."""
    n = len(sources)
    base = np.zeros(n) if source_cost is None else np.asarray(source_cost, dtype=float)
    extra = sources.extra
    if extra is None or len(extra) == 0:
        return _Starts(sources.segment, sources.t, base, np.arange(n))
    live = sources.segment[extra.owner] >= 0
    own = extra.owner[live]
    cost = base[own]
    if source_cost is not None:
        primary = np.where(np.isfinite(sources.distance_m[own]), sources.distance_m[own], 0.0)
        cost = cost + np.maximum(extra.distance_m[live] - primary, 0.0)
    return _Starts(np.concatenate([sources.segment, extra.segment[live]]),
                   np.concatenate([sources.t, extra.t[live]]),
                   np.concatenate([base, cost]),
                   np.concatenate([np.arange(n), own]))


@dataclass(frozen=True)
class CompiledNetwork:
    """A street graph as arrays, ready for bulk shortest paths.

    Build it with :meth:`from_graph`. ``edge_*`` arrays describe directed edges of the graph;
    ``seg_*`` arrays describe undirected street segments (a two-way street's pair of edges is
    one segment) used for snapping. ``seg_fwd``/``seg_bwd`` give the directed edge running
    ``seg_u → seg_v`` / ``seg_v → seg_u``, or -1 where that direction is not allowed.
    """

    crs: object
    node_ids: np.ndarray
    node_x: np.ndarray
    node_y: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_keys: pd.MultiIndex
    weights: Mapping[str, np.ndarray]
    seg_u: np.ndarray
    seg_v: np.ndarray
    seg_fwd: np.ndarray
    seg_bwd: np.ndarray
    seg_lines: SegmentLines  # their shapes (see :attr:`seg_geometry`)
    _tree: shapely.STRtree | None  # built on first use: see :attr:`segment_tree`
    _base: Mapping[str, tuple[sparse.csr_matrix, sparse.csr_matrix]]

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_graph(cls, graph: nx.MultiDiGraph, *, weights: Sequence[str] = ("length",)) -> "CompiledNetwork":
        """Compile an osmnx-style projected ``MultiDiGraph``.

        Parameters
        ----------
        graph
            Nodes with ``x``, ``y``; edges with a ``geometry`` (else a straight line is used) and
            every attribute named in ``weights``.
        weights
            Edge attributes to compile as search weights (e.g. ``"length"`` m, ``"travel_time"`` s).
        """
        node_ids = np.fromiter(graph.nodes, dtype=np.int64, count=graph.number_of_nodes())
        pos = {n: i for i, n in enumerate(node_ids.tolist())}
        node_x = np.array([graph.nodes[n]["x"] for n in node_ids.tolist()], dtype=float)
        node_y = np.array([graph.nodes[n]["y"] for n in node_ids.tolist()], dtype=float)
        keys, geoms = [], []
        wts: dict[str, list] = {w: [] for w in weights}
        for u, v, k, data in graph.edges(keys=True, data=True):
            keys.append((u, v, k))
            geom = data.get("geometry")
            if geom is None:
                geom = shapely.LineString([(node_x[pos[u]], node_y[pos[u]]), (node_x[pos[v]], node_y[pos[v]])])
            geoms.append(geom)
            for w in weights:
                wts[w].append(data[w])
        edge_u = np.array([pos[u] for u, _, _ in keys], dtype=np.int64)
        edge_v = np.array([pos[v] for _, v, _ in keys], dtype=np.int64)
        edge_keys = pd.MultiIndex.from_tuples(keys, names=["u", "v", "key"]) if keys else \
            pd.MultiIndex.from_arrays([[], [], []], names=["u", "v", "key"])
        weight_arrays = {w: np.maximum(np.asarray(vals, dtype=float), _EPS) for w, vals in wts.items()}
        return cls._assemble(graph.graph.get("crs"), node_ids, node_x, node_y, edge_u, edge_v, edge_keys,
                             weight_arrays, np.array(geoms, dtype=object), np.ones(len(keys), dtype=bool))

    @classmethod
    def from_gdfs(cls, nodes, edges, *, weights: Sequence[str] = ("length",), crs=None) -> "CompiledNetwork":
        """Compile from osmnx-layout node and edge GeoDataFrames (vectorised; same result as
        :meth:`from_graph` on the graph built from them, with edges in the frame's order)."""
        node_ids = nodes.index.to_numpy(dtype=np.int64)
        pos = pd.Index(node_ids)
        u = edges.index.get_level_values(0).to_numpy(dtype=np.int64)
        v = edges.index.get_level_values(1).to_numpy(dtype=np.int64)
        weight_arrays = {w: np.maximum(edges[w].to_numpy(dtype=float), _EPS) for w in weights}
        return cls._assemble(crs or nodes.crs, node_ids, nodes["x"].to_numpy(float), nodes["y"].to_numpy(float),
                             pos.get_indexer(u), pos.get_indexer(v), edges.index.copy(), weight_arrays,
                             edges.geometry.to_numpy(), np.ones(len(edges), dtype=bool))

    @classmethod
    def _assemble(cls, crs, node_ids, node_x, node_y, edge_u, edge_v, edge_keys, weights, edge_geometry, keep):
        n = len(node_ids)
        # pair each edge with its reverse twin (same key, same length) into one segment
        e_all = np.arange(len(edge_u))
        e_keep = e_all[keep]
        key_lvl = edge_keys.get_level_values(2).to_numpy() if len(edge_keys) else np.zeros(0, dtype=np.int64)
        frame = pd.DataFrame({"e": e_keep, "u": edge_u[e_keep], "v": edge_v[e_keep], "k": key_lvl[e_keep]})
        twin = frame.merge(frame, left_on=["u", "v", "k"], right_on=["v", "u", "k"], suffixes=("", "_r"))
        length = shapely.length(edge_geometry) if len(edge_geometry) else np.zeros(0)
        same = np.isclose(length[twin["e"].to_numpy()], length[twin["e_r"].to_numpy()], rtol=0, atol=1e-6)
        twin = twin.loc[same & (twin["u"] != twin["v"]).to_numpy()]
        reverse_of = np.full(len(edge_u), -1, dtype=np.int64)
        reverse_of[twin["e"].to_numpy(np.int64)] = twin["e_r"].to_numpy(np.int64)
        # each pair once, the lower edge index is "forward"; an edge without a twin is one-way
        r = reverse_of[e_keep]
        seg_fwd = e_keep[(r < 0) | (e_keep < r)].astype(np.int64)
        seg_bwd = reverse_of[seg_fwd]
        seg_u, seg_v = edge_u[seg_fwd], edge_v[seg_fwd]
        seg_geometry = edge_geometry[seg_fwd] if len(seg_fwd) else np.array([], dtype=object)
        base = {w: _min_csr(edge_u[e_keep], edge_v[e_keep], arr[e_keep], e_keep, n) for w, arr in weights.items()}
        return cls(crs, node_ids, node_x, node_y, edge_u, edge_v, edge_keys, weights, seg_u, seg_v, seg_fwd,
                   seg_bwd, SegmentLines(seg_geometry), None, base)

    @property
    def seg_geometry(self) -> np.ndarray:
        """The segments' shapely lines (``seg_u → seg_v``); a network read from the study cache
        makes them the first time they are asked for (:mod:`geoplan.network._lines`)."""
        return self.seg_lines.geometry

    def __getstate__(self) -> dict:
        # the spatial index is rebuilt on first use, never stored
        return {**self.__dict__, "_tree": None}

    @property
    def segment_tree(self) -> shapely.STRtree:
        """Spatial index of the segments, built the first time a point is snapped (a study read
        from the cache, already snapped, and a network with closed edges mostly never need it)."""
        if self._tree is None:
            object.__setattr__(self, "_tree", shapely.STRtree(self.seg_geometry))
        return self._tree

    def without_edges(self, closed: np.ndarray) -> "CompiledNetwork":
        """The same network with some directed edges removed (a boolean mask over ``edge_*``).

        Node indices are unchanged, so results stay comparable with the full network.
        """
        keep = ~np.asarray(closed, dtype=bool)
        # rebuild from the original edge geometries of every edge, keeping only passable ones
        return CompiledNetwork._assemble(self.crs, self.node_ids, self.node_x, self.node_y, self.edge_u,
                                         self.edge_v, self.edge_keys, self.weights, self.edge_geometry(), keep)

    def edge_geometry(self) -> np.ndarray:
        """Every directed edge's line: its segment's, reversed for the edge running ``seg_v → seg_u``
        (``None`` for an edge no segment runs along: removed by :meth:`without_edges`, or closed by
        :meth:`closing`)."""
        lines = self.seg_geometry
        geoms = np.empty(len(self.edge_u), dtype=object)
        geoms[self.seg_fwd[self.seg_fwd >= 0]] = lines[self.seg_fwd >= 0]
        back = self.seg_bwd >= 0
        geoms[self.seg_bwd[back]] = shapely.reverse(lines[back])
        return geoms

    def closing(self, closed: np.ndarray, *, weights: Sequence[str] | None = None) -> "CompiledNetwork":
        """The same network with some directed edges closed, keeping every segment and snap.

        Unlike :meth:`without_edges`, closed roads stay on the map: features keep snapping to
        them (a building on a closed lane is still *on* that lane, not moved to the next street),
        but the closed directions can be neither searched nor walked along. Only the search
        matrices are rebuilt (of ``weights``, default all), which makes this cheap enough to run
        once per what-if scenario on a large network.
        """
        closed = np.asarray(closed, dtype=bool)
        fwd = np.where((self.seg_fwd >= 0) & closed[np.maximum(self.seg_fwd, 0)], -1, self.seg_fwd)
        bwd = np.where((self.seg_bwd >= 0) & closed[np.maximum(self.seg_bwd, 0)], -1, self.seg_bwd)
        live = np.concatenate([fwd[fwd >= 0], bwd[bwd >= 0]])
        names = list(self.weights) if weights is None else list(weights)
        base = {w: _min_csr(self.edge_u[live], self.edge_v[live], self.weights[w][live], live, self.n_nodes)
                for w in names}
        return dataclasses.replace(self, seg_fwd=fwd, seg_bwd=bwd, _base=base)

    @property
    def live_edges(self) -> np.ndarray:
        """Indices of the directed edges that can be travelled (not removed or closed)."""
        return np.sort(np.concatenate([self.seg_fwd[self.seg_fwd >= 0], self.seg_bwd[self.seg_bwd >= 0]]))

    @property
    def n_nodes(self) -> int:
        return len(self.node_ids)

    # ------------------------------------------------------------------ snapping
    def snap(self, geometries, *, max_distance: float = np.inf) -> Snapped:
        """Snap points, lines or polygons to their nearest street segment (vectorised).

        Parameters
        ----------
        geometries
            Array-like of shapely geometries in the network CRS. A polygon snaps from its
            nearest edge (a park reached at its nearest side, not its centre).
        max_distance
            Features farther than this (m) are left unsnapped (``segment == -1``) but keep their
            distance, so callers can report them.
        """
        geoms = np.asarray(geometries, dtype=object)
        m = len(geoms)
        segment = np.full(m, -1, dtype=np.int64)
        t = np.zeros(m)
        dist = np.full(m, np.inf)
        x = np.full(m, np.nan)
        y = np.full(m, np.nan)
        valid = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) if m else np.zeros(0, dtype=bool)
        if not valid.any() or len(self.seg_geometry) == 0:
            return Snapped(segment, t, dist, x, y)
        idx = np.flatnonzero(valid)
        pairs = tree_query(self.segment_tree, geoms[idx], nearest=True, all_matches=False)
        src, seg = idx[pairs[0]], pairs[1]
        connector = elementwise(shapely.shortest_line, geoms[src], self.seg_geometry[seg])
        on_seg = shapely.get_point(connector, 1)
        d = shapely.length(connector)
        t_seg = shapely.line_locate_point(self.seg_geometry[seg], on_seg, normalized=True)
        within = d <= max_distance
        segment[src[within]] = seg[within]
        t[src] = t_seg
        dist[src] = d
        x[src] = shapely.get_x(on_seg)
        y[src] = shapely.get_y(on_seg)
        return Snapped(segment, t, dist, x, y)

    def snap_entries(self, geometries, *, max_distance: float = np.inf, entry_distance: float,
                     entrances=None) -> Snapped:
        """Snap features, entering polygons from every side (vectorised).

        Each feature keeps its nearest snap (:meth:`snap`). A polygon is also entered from every
        street segment that runs inside it or passes within ``entry_distance`` of its outline:
        the stretch of the segment within that distance gets an entry at each end and every
        ``entry_distance`` metres between (so a resident anywhere along the stretch is at most
        half that from an entry), each with its own connector (its distance to the polygon, 0
        inside). A mapped entrance (``entrances``: points) on or within ``entry_distance`` of a
        polygon's outline is one more entry, snapped to its nearest segment.

        Parameters
        ----------
        geometries
            Shapely geometries in the network CRS (points are snapped as by :meth:`snap`).
        max_distance
            Features whose nearest snap is farther than this (m) stay unsnapped, with no entries.
        entry_distance
            How far from a polygon's outline a street still enters it, metres.
        entrances
            Optional array of entrance points (``entrance=*``, ``barrier=gate`` nodes).
        """
        primary = self.snap(geometries, max_distance=max_distance)
        geoms = np.asarray(geometries, dtype=object)
        if len(geoms) == 0 or len(self.seg_geometry) == 0:
            return primary
        polygon = np.isin(shapely.get_type_id(geoms), (3, 6)) & primary.ok
        idx = np.flatnonzero(polygon)
        if len(idx) == 0 or not entry_distance > 0:
            return primary
        parts = [self._stretch_entries(geoms[idx], idx, entry_distance)]
        if entrances is not None and len(entrances):
            parts.append(self._entrance_entries(geoms[idx], idx, np.asarray(entrances, dtype=object),
                                                entry_distance, max_distance))
        owner, seg, t, dist = (np.concatenate(a) for a in zip(*parts))
        return dataclasses.replace(primary, extra=Entries(owner.astype(np.int64), seg.astype(np.int64), t, dist))

    def _stretch_entries(self, polys: np.ndarray, owners: np.ndarray, d: float):
        pi, si = tree_query(self.segment_tree, polys, predicate="dwithin", distance=d)
        zone = elementwise(shapely.buffer, polys, distance=d, quad_segs=4)
        shapely.prepare(zone)
        pieces = self.seg_geometry[si]
        # most segments near a polygon lie wholly in its zone: they are their own piece (the
        # overlay of every pair was most of snapping at city scale). One thread: a prepared
        # geometry builds its index on first use, which threads must not share
        cut = ~shapely.within(pieces, zone[pi])
        pieces[cut] = elementwise(shapely.intersection, pieces[cut], zone[pi[cut]])
        length = shapely.length(pieces)
        # a segment only touching the zone gives a point or a collection: no stretch to enter from
        keep = np.isin(shapely.get_type_id(pieces), (1, 5)) & (length > 0)
        pi, si, pieces, length = pi[keep], si[keep], pieces[keep], length[keep]
        # points along each piece: both ends and every d metres between
        k = np.ceil(length / d).astype(np.int64) + 1
        rep = np.repeat(np.arange(len(pieces)), k)
        step = np.arange(len(rep)) - np.repeat(np.cumsum(k) - k, k)
        frac = np.where(np.repeat(k, k) > 1, step / np.maximum(np.repeat(k, k) - 1, 1), 0.0)
        pts = elementwise(shapely.line_interpolate_point, pieces[rep], frac, normalized=True)
        seg = si[rep]
        t = elementwise(shapely.line_locate_point, self.seg_geometry[seg], pts, normalized=True)
        dist = elementwise(shapely.distance, pts, polys[pi[rep]])
        return owners[pi[rep]], seg, t, dist

    def _entrance_entries(self, polys: np.ndarray, owners: np.ndarray, gates: np.ndarray, d: float,
                          max_distance: float):
        tree = shapely.STRtree(polys)
        gi, pi = tree.query(gates, predicate="dwithin", distance=d)
        on_outline = shapely.distance(gates[gi], shapely.boundary(polys[pi])) <= d
        gi, pi = gi[on_outline], pi[on_outline]
        snap = self.snap(gates[gi], max_distance=max_distance)
        ok = snap.ok
        return owners[pi[ok]], snap.segment[ok], snap.t[ok], snap.distance_m[ok]

    # ------------------------------------------------------------------ searching
    def _augmented(self, starts: _Starts, weight: str, n_sources: int):
        """The graph plus one virtual node per *source*, joined to the segment ends of each of its
        entries (the cheapest where several entries reach one node): a polygon's entries are one
        source, so searches and cost-matrix rows stay one per source."""
        base, _ = self._base[weight]
        w = self.weights[weight]
        n, s = self.n_nodes, n_sources
        seg, t, extra, owner = starts.segment, starts.t, starts.cost, starts.owner
        rows, cols, vals = [], [], []
        fwd, bwd = self.seg_fwd[seg], self.seg_bwd[seg]
        ok = seg >= 0
        # along the forward edge to seg_v, along the backward edge to seg_u
        m = ok & (fwd >= 0)
        rows.append(owner[m]); cols.append(self.seg_v[seg[m]]); vals.append(w[fwd[m]] * (1 - t[m]) + extra[m])
        m = ok & (bwd >= 0)
        rows.append(owner[m]); cols.append(self.seg_u[seg[m]]); vals.append(w[bwd[m]] * t[m] + extra[m])
        r, c, v = _cheapest(np.concatenate(rows), np.concatenate(cols), np.maximum(np.concatenate(vals), _EPS))
        virtual = sparse.csr_matrix((v, (r, c)), shape=(s, n + s))
        top = sparse.csr_matrix((base.data, base.indices, base.indptr), shape=(n, n + s))
        return sparse.vstack([top, virtual], format="csr")

    def search(self, sources: Snapped, *, weight: str = "length", limit: float = np.inf,
               source_cost: np.ndarray | None = None, routes: bool = True) -> "Reach":
        """Cost from the nearest of many sources to every node, in one bounded search.

        Parameters
        ----------
        sources
            Snapped sources (facilities, stations); unsnapped ones are ignored.
        weight
            Compiled edge weight to use (``"length"`` m or ``"travel_time"`` s).
        limit
            Stop beyond this cost; nodes farther away get ``inf``.
        source_cost
            Extra cost per source added at its start (e.g. the facility's connector, m). A polygon
            source with several entries starts from all of them in the same search, each at its
            own connector (see :class:`Snapped`).
        routes
            Keep the search tree (``Reach.predecessors``) for :meth:`Reach.route_nodes`; without
            it a search holds 4 bytes less per node (coverage keeps one search per category).
        """
        starts = _starts(sources, source_cost)
        n, s = self.n_nodes, len(sources)
        graph = self._augmented(starts, weight, s)
        kept = None if source_cost is None else np.asarray(source_cost, float)
        if s == 0 or not sources.ok.any():
            # nothing reached: read-only views of one value, no per-node memory
            return Reach(self, weight, sources, np.broadcast_to(np.inf, n), np.broadcast_to(np.int32(-1), n), None,
                         kept, starts)
        virtual = n + np.flatnonzero(sources.ok)
        dist, pred, origin = dijkstra(graph, directed=True, indices=virtual, limit=limit, min_only=True,
                                      return_predecessors=True)
        node_source = np.where(origin[:n] >= n, origin[:n] - n, -1)
        return Reach(self, weight, sources, dist[:n], node_source, pred if routes else None, kept, starts)

    def _target_terms(self, targets: Snapped, weight: str):
        w = self.weights[weight]
        seg = targets.segment
        ok = seg >= 0
        segc = np.where(ok, seg, 0)
        fwd, bwd = self.seg_fwd[segc], self.seg_bwd[segc]
        # cost to reach the target from seg_u (along fwd) and from seg_v (along bwd)
        add_u = np.where(ok & (fwd >= 0), w[np.maximum(fwd, 0)] * targets.t, np.inf)
        add_v = np.where(ok & (bwd >= 0), w[np.maximum(bwd, 0)] * (1 - targets.t), np.inf)
        return self.seg_u[segc], self.seg_v[segc], add_u, add_v, ok

    def _same_segment(self, starts: _Starts, targets: Snapped, weight: str) -> pd.DataFrame:
        """Direct along-segment costs for source/target pairs sharing a segment (``source`` is the
        feature an entry belongs to; several entries of one source may pair with one target)."""
        w = self.weights[weight]
        s_ok, t_ok = np.flatnonzero(starts.ok), np.flatnonzero(targets.ok)
        left = pd.DataFrame({"entry": s_ok, "seg": starts.segment[s_ok], "ts": starts.t[s_ok]})
        right = pd.DataFrame({"target": t_ok, "seg": targets.segment[t_ok], "tt": targets.t[t_ok]})
        pairs = left.merge(right, on="seg")
        if pairs.empty:
            return pd.DataFrame({"source": [], "target": [], "cost": []})
        seg = pairs["seg"].to_numpy()
        ts, tt = pairs["ts"].to_numpy(), pairs["tt"].to_numpy()
        fwd, bwd = self.seg_fwd[seg], self.seg_bwd[seg]
        ahead = np.where((tt >= ts) & (fwd >= 0), w[np.maximum(fwd, 0)] * (tt - ts), np.inf)
        behind = np.where((tt <= ts) & (bwd >= 0), w[np.maximum(bwd, 0)] * (ts - tt), np.inf)
        entry = pairs["entry"].to_numpy()
        pairs["cost"] = np.minimum(ahead, behind) + starts.cost[entry]
        pairs["source"] = starts.owner[entry]
        return pairs[["source", "target", "cost"]]

    def cost_matrix(self, sources: Snapped, targets: Snapped, *, weight: str = "length", limit: float,
                    source_cost: np.ndarray | None = None, max_batch_bytes: float = 4e8) -> sparse.csr_matrix:
        """Costs from every source to every target within ``limit``, as a sparse matrix.

        Searches are grouped by small grid cells and each group runs on the sub-network of the
        nodes within ``limit``'s straight-line reach of its members' ways onto the network,
        because nothing farther can be within ``limit`` along the streets (an edge is never
        shorter than its chord); the side with fewer members (sources, or targets on the
        reversed streets) is searched from (see :mod:`geoplan.network._windows`). So no search
        result is ever as wide as the whole network: memory and time follow the pairs found,
        not sources × nodes. Where the weight has no length to bound it by, the whole network
        is searched in batches instead.

        Returns
        -------
        scipy.sparse.csr_matrix
            Shape ``(len(targets), len(sources))``; a stored entry is a reachable pair (a stored
            0 means distance 0).
        """
        starts = _starts(sources, source_cost)
        reach_m = self._reach_bound_m(weight, limit)
        if np.isfinite(reach_m) and reach_m > 0:
            parts = windowed_costs(self, sources, starts, targets, weight, limit, reach_m, max_batch_bytes)
        else:
            parts = self._whole_network_costs(sources, starts, targets, weight, limit, max_batch_bytes)
        direct = self._same_segment(starts, targets, weight)
        direct = direct.loc[direct["cost"] <= limit]
        parts.append((direct["target"].to_numpy(np.int64), direct["source"].to_numpy(np.int64),
                      direct["cost"].to_numpy(float)))
        r, c, v = (np.concatenate([p[i] for p in parts]) for i in range(3))
        return _least_per_pair(r.astype(np.int64), c.astype(np.int64), v.astype(float), (len(targets), len(sources)))

    def _reach_bound_m(self, weight: str, limit: float) -> float:
        """Straight-line metres a cost of ``limit`` can cover at most (``inf`` if it cannot be bounded)."""
        if "length" not in self.weights or len(self.weights[weight]) == 0 or not np.isfinite(limit):
            return np.inf
        ratio = float(np.max(self.weights["length"] / self.weights[weight]))
        return limit * ratio * (1 + 1e-9) + 1e-6

    def _whole_network_costs(self, sources, starts, targets, weight, limit, max_batch_bytes) -> list:
        graph = self._augmented(starts, weight, len(sources))
        n = self.n_nodes
        tu, tv, add_u, add_v, t_ok = self._target_terms(targets, weight)
        live = np.flatnonzero(sources.ok)  # one search per source, from all its entries at once
        batch = max(1, int(max_batch_bytes // (8 * (n + len(sources)))))
        parts = []
        for start in steps(range(0, len(live), batch), desc=N_("cost matrix: source batches"),
                           unit=N_("batch")):
            chunk = live[start:start + batch]
            dist = dijkstra(graph, directed=True, indices=n + chunk, limit=limit)
            cost = np.minimum(dist[:, tu] + add_u, dist[:, tv] + add_v)
            cost[:, ~t_ok] = np.inf
            si, ti = np.nonzero(cost <= limit)
            parts.append((ti, chunk[si], cost[si, ti]))
        return parts


def _cheapest(r: np.ndarray, c: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One (row, column) pair each, with its least value: several entries of a source may reach
    one node, and a csr matrix would sum duplicates instead."""
    order = np.lexsort((v, c, r))
    r, c, v = r[order], c[order], v[order]
    first = np.ones(len(r), dtype=bool)
    first[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])
    return r[first], c[first], v[first]


def _least_per_pair(r: np.ndarray, c: np.ndarray, v: np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
    """A CSR matrix with the least value of each (row, column) pair (sorted, no duplicates)."""
    key = r * np.int64(max(shape[1], 1)) + c
    order = np.argsort(key, kind="stable")
    key = key[order]
    first = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]])) if len(key) else np.zeros(0, np.int64)
    least = np.minimum.reduceat(v[order], first) if len(first) else np.zeros(0)
    rows = r[order[first]]
    indptr = np.searchsorted(rows, np.arange(shape[0] + 1))
    return sparse.csr_matrix((least, c[order[first]], indptr), shape=shape)


def _min_csr(u, v, w, edge_index, n) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """CSR of the cheapest edge between each node pair, and the edge index it came from."""
    order = np.lexsort((w, v, u))
    u, v, w, edge_index = u[order], v[order], w[order], edge_index[order]
    first = np.ones(len(u), dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    u, v, w, edge_index = u[first], v[first], w[first], edge_index[first]
    weights = sparse.csr_matrix((w, (u, v)), shape=(n, n))
    # +1 so edge 0 is not an implicit zero
    edges = sparse.csr_matrix((edge_index + 1, (u, v)), shape=(n, n))
    return weights, edges


@dataclass(frozen=True)
class Reach:
    """The result of one multi-source search: cost from the nearest source to every node."""

    network: CompiledNetwork
    weight: str
    sources: Snapped
    node_cost: np.ndarray
    node_source: np.ndarray
    predecessors: np.ndarray | None
    source_cost: np.ndarray | None
    #: Every entry the search started from (primary snaps and polygon entries) with its start cost.
    starts: _Starts | None = None

    def to(self, targets: Snapped) -> tuple[np.ndarray, np.ndarray]:
        """Network cost from the nearest source to each target, and which source it is.

        Includes the along-segment offsets at both ends (and a direct run where source and
        target share a segment). Not included: the target's own connector, which callers add
        in their own units. Unreachable targets get ``inf`` and source ``-1``.
        """
        net = self.network
        tu, tv, add_u, add_v, ok = net._target_terms(targets, self.weight)
        via_u = self.node_cost[tu] + add_u
        via_v = self.node_cost[tv] + add_v
        cost = np.where(ok, np.minimum(via_u, via_v), np.inf)
        source = np.where(via_u <= via_v, self.node_source[tu], self.node_source[tv])
        starts = self.starts if self.starts is not None else _starts(self.sources, self.source_cost)
        direct = net._same_segment(starts, targets, self.weight)
        if len(direct):
            best = direct.sort_values(["target", "cost", "source"]).drop_duplicates("target")
            ti, si, c = best["target"].to_numpy(), best["source"].to_numpy(), best["cost"].to_numpy()
            better = c < cost[ti]
            cost[ti[better]] = c[better]
            source[ti[better]] = si[better]
        source = np.where(np.isfinite(cost), source, -1)
        return cost, source

    def route_nodes(self, targets: Snapped, i: int) -> list[int]:
        """Node indices of the route from the nearest source to target ``i`` (source end first).

        Empty when unreachable or when the source shares the target's segment.
        """
        if self.predecessors is None:
            return []
        net = self.network
        tu, tv, add_u, add_v, ok = net._target_terms(targets.subset([i]), self.weight)
        if not ok[0]:
            return []
        via_u = self.node_cost[tu[0]] + add_u[0]
        via_v = self.node_cost[tv[0]] + add_v[0]
        if not np.isfinite(min(via_u, via_v)):
            return []
        node = int(tu[0] if via_u <= via_v else tv[0])
        path = []
        while 0 <= node < net.n_nodes:
            path.append(node)
            node = int(self.predecessors[node])
        return path[::-1]

    def route_edges(self, nodes: list[int]) -> np.ndarray:
        """Directed edge indices (into ``network.edge_*``) along a node route."""
        if len(nodes) < 2:
            return np.zeros(0, dtype=np.int64)
        _, edges = self.network._base[self.weight]
        a, b = np.asarray(nodes[:-1]), np.asarray(nodes[1:])
        return np.asarray(edges[a, b]).ravel().astype(np.int64) - 1
