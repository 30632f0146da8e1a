"""Response times from stations to every residential building, for one set of closures.

A *scenario* is the vehicle's passable network minus the edges closed by a set of active
obstructions. For each scenario the compiled engine runs **one** multi-source search from all
stations of the vehicle's kind (one-way streets respected); buildings are then costed
vectorised from the node costs:

* every building keeps the place where it meets the vehicle's passable network *without*
  obstructions (its access road), so an obstruction on that road makes it ``blocked`` rather
  than silently moving it to another street;
* a building on a closed segment is still reachable from the open end on its own side of the
  blockage (the closure's stretch along the segment is known);
* a building inside a closing polygon (sealed compound, flooded block) is cut off;
* a station on the building's own segment drives straight along it.

Stations are snapped to the nearest road open in each scenario (a station whose exit street
is blocked leaves by the next one).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from shapely import ops

from geoplan.emergency_access.obstructions import Placement
from geoplan.network import CompiledNetwork, Snapped
from geoplan.network.engine import Reach


@dataclass(frozen=True)
class Costs:
    """Driving cost (s) from the nearest station to each building in one scenario.

    Attributes
    ----------
    drive_s
        Seconds of driving (no turnout); ``inf`` if unreachable.
    lead_s
        What the search minimises: driving plus the station's turnout beyond the quickest
        station's (equal to ``drive_s`` when every station has the same turnout), seconds.
    station
        Index into the stations of the scenario's ``stations`` (``-1`` if unreachable).
    end
        ``"u"``, ``"v"`` (arrives through that end of its segment) or ``"direct"`` (station on the
        same segment); ``""`` if unreachable.
    reach
        The engine's search result (predecessors for routes).
    network
        The scenario network searched.
    stations
        Stations snapped to the scenario network.
    """

    drive_s: np.ndarray
    lead_s: np.ndarray
    station: np.ndarray
    end: np.ndarray
    reach: Reach
    network: CompiledNetwork
    stations: Snapped


class Scenarios:
    """Run scenarios (sets of active obstructions) for one vehicle on one study.

    Parameters
    ----------
    full
        The whole drive network (``study.drive.compiled``).
    impassable
        Boolean mask over directed edges the vehicle cannot use (width, height, access, barriers).
    placement
        Obstructions on the network.
    building_geoms
        Residential buildings (network CRS); snapped once to the vehicle's passable network
        without obstructions (``base``) — ``buildings`` keeps the snaps, whose distance is the
        last leg.
    station_geoms
        Station points (network CRS) of the vehicle's kind.
    max_snap_m
        Farthest a station may be from an open road.
    turnout_s
        Turnout of each station (s); the first-arriving station is the one with the least
        turnout plus driving. ``None``: all equal.
    """

    weight = "travel_time"

    def __init__(self, full: CompiledNetwork, impassable: np.ndarray, placement: Placement, building_geoms,
                 station_geoms: np.ndarray, *, max_snap_m: float, turnout_s: np.ndarray | None = None) -> None:
        self.full = full
        self.impassable = np.asarray(impassable, dtype=bool)
        self.placement = placement
        self.base = full.without_edges(self.impassable) if self.impassable.any() else full
        self.buildings = self.base.snap(np.asarray(building_geoms, dtype=object), max_distance=max_snap_m)
        self.station_geoms = np.asarray(station_geoms, dtype=object)
        self.max_snap_m = max_snap_m
        turnout = np.zeros(len(self.station_geoms)) if turnout_s is None else np.asarray(turnout_s, dtype=float)
        #: turnout beyond the quickest station's, added at each station's start (seconds)
        self.extra_s = turnout - (turnout.min() if len(turnout) else 0.0)
        self.n_obstructions = len(placement.table)
        self.runs = 0
        self._entries = None  # search-matrix positions of the edges, for quick scenarios
        self._closure_arrays = None  # the placement's closures as arrays
        self._pairs: dict = {}  # stations sharing a building's segment, per station placement
        # baseline segment of every directed edge (edge arrays are shared by every scenario)
        self.seg_of_edge = np.full(len(full.edge_u), -1, dtype=np.int64)
        self.seg_of_edge[self.base.seg_fwd] = np.arange(len(self.base.seg_fwd))
        has_bwd = self.base.seg_bwd >= 0
        self.seg_of_edge[self.base.seg_bwd[has_bwd]] = np.flatnonzero(has_bwd)
        self.base_stations = self.base.snap(self.station_geoms, max_distance=max_snap_m)

    def network(self, active: np.ndarray) -> tuple[CompiledNetwork, np.ndarray]:
        """The scenario network and its closed-edge mask (impassable or obstructed)."""
        obstructed = self.placement.closed_edges(active, len(self.full.edge_u)) & ~self.impassable
        if not obstructed.any():
            return self.base, self.impassable
        closed = self.impassable | obstructed
        return self.full.without_edges(closed), closed

    def _quick_network(self, obstructed: np.ndarray) -> CompiledNetwork:
        """The baseline with some edges closed for searching only (same segments, same snaps).

        ``without_edges`` rebuilds segments, geometry and the snapping tree — most of a
        scenario's cost on a big network, and not needed to *search* one; ``closing`` only
        recompiles the search matrix. Valid for searching from stations whose own segment is open.
        """
        pos, parallel = self._search_entries()
        entry = pos[np.flatnonzero(obstructed)] if pos is not None else np.zeros(0, dtype=np.int64)
        entry = entry[entry >= 0]  # the others are not the cheapest of their node pair: closing them changes nothing
        if pos is None or parallel[entry].any():  # a parallel edge would take over: recompile
            return self.base.closing(obstructed, weights=(self.weight,))
        weights, edges = self.base._base[self.weight]
        cost = weights.data.copy()
        cost[entry] = np.inf  # never relaxed: the search sees the edge as absent
        matrix = sparse.csr_matrix((cost, weights.indices, weights.indptr), shape=weights.shape)
        fwd, bwd = self.base.seg_fwd, self.base.seg_bwd
        fwd = np.where((fwd >= 0) & obstructed[np.maximum(fwd, 0)], -1, fwd)
        bwd = np.where((bwd >= 0) & obstructed[np.maximum(bwd, 0)], -1, bwd)
        return dataclasses.replace(self.base, seg_fwd=fwd, seg_bwd=bwd, _base={self.weight: (matrix, edges)})

    def _search_entries(self) -> tuple[np.ndarray | None, np.ndarray]:
        """Where each directed edge sits in the baseline's search matrix (``-1``: not the cheapest of its
        node pair, or closed), and which entries stand for several parallel edges; computed once."""
        if self._entries is None:
            weights, edges = self.base._base[self.weight]
            aligned = np.array_equal(weights.indptr, edges.indptr) and np.array_equal(weights.indices, edges.indices)
            pos = np.full(len(self.full.edge_u), -1, dtype=np.int64)
            pos[edges.data.astype(np.int64) - 1] = np.arange(len(edges.data))
            live = self.base.live_edges
            pair = self.full.edge_u[live].astype(np.int64) * self.full.n_nodes + self.full.edge_v[live]
            uniq, count = np.unique(pair, return_counts=True)
            rep = pos[live] >= 0
            parallel = np.zeros(len(edges.data), dtype=bool)
            parallel[pos[live][rep]] = count[np.searchsorted(uniq, pair[rep])] > 1
            self._entries = (pos if aligned else None, parallel)
        return self._entries

    def run(self, active: np.ndarray | None = None, *, limit: float = np.inf, exact: bool = True) -> Costs:
        """Costs with the ``active`` obstructions (boolean mask over placement rows; None = none).

        ``exact=False`` (used by the clearing analysis, which only needs building costs) skips
        rebuilding the scenario's segments when no station stands on a closed road; the costs
        are identical, but ``network`` keeps the baseline's segments.
        """
        active = np.zeros(self.n_obstructions, dtype=bool) if active is None else np.asarray(active, dtype=bool)
        net = None
        if not exact:
            obstructed = self.placement.closed_edges(active, len(self.full.edge_u)) & ~self.impassable
            st = self.base_stations
            seg = np.maximum(st.segment, 0)
            on_closed = st.ok & (obstructed[self.base.seg_fwd[seg]]
                                 | ((self.base.seg_bwd[seg] >= 0) & obstructed[np.maximum(self.base.seg_bwd[seg], 0)]))
            if not on_closed.any():
                net = self._quick_network(obstructed) if obstructed.any() else self.base
                closed = self.impassable | obstructed
                stations = st
        if net is None:
            net, closed = self.network(active)
            stations = net.snap(self.station_geoms, max_distance=self.max_snap_m)
        extra = self.extra_s if self.extra_s.any() else None
        reach = net.search(stations, weight=self.weight, limit=limit, source_cost=extra)
        self.runs += 1
        cost, station, end = self._targets(net, closed, reach, stations, active)
        if limit < np.inf:
            over = cost > limit
            cost[over], station[over], end[over] = np.inf, -1, ""
        drive = cost - self.extra_s[np.maximum(station, 0)] if len(self.extra_s) else cost
        return Costs(np.where(station >= 0, drive, np.inf), cost, station, end, reach, net, stations)

    # ------------------------------------------------------------------ building costs
    def _stretches(self, active: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Per directed edge the union stretch ``lo``–``hi`` the ``active`` obstructions block (``None``: none).

        The same as :meth:`Placement.intervals` spread over the edges, without a table per search.
        """
        c = self.placement.closures
        if not len(c):
            return None, None
        if self._closure_arrays is None:
            self._closure_arrays = (c["obstruction"].to_numpy(np.int64), c["edge"].to_numpy(np.int64),
                                    c["lo"].to_numpy(float), c["hi"].to_numpy(float))
        obstruction, edge, lo, hi = self._closure_arrays
        keep = np.asarray(active, dtype=bool)[obstruction]
        if not keep.any():
            return None, None
        lo_e = np.full(len(self.full.edge_u), np.inf)
        hi_e = np.full(len(self.full.edge_u), -np.inf)
        np.minimum.at(lo_e, edge[keep], lo[keep])
        np.maximum.at(hi_e, edge[keep], hi[keep])
        return lo_e, hi_e

    def _same_segment_pairs(self, net, stations) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(station, building, station position, building position) of stations on a building's segment.

        Positions in the baseline segment's u → v frame. Kept per station placement: every quick
        clearing search shares the baseline's.
        """
        sok = np.flatnonzero(stations.ok)
        e_fwd = net.seg_fwd[stations.segment[sok]]
        key = (id(stations), e_fwd.tobytes())
        if key not in self._pairs:
            b = self.buildings
            bseg = self.seg_of_edge[e_fwd]
            flip = self.base.seg_fwd[np.maximum(bseg, 0)] != e_fwd
            ts = np.where(flip, 1.0 - stations.t[sok], stations.t[sok])
            left = pd.DataFrame({"station": sok, "seg": bseg, "ts": ts})
            left = left.loc[left["seg"] >= 0]
            ok = np.flatnonzero(b.ok)
            pairs = left.merge(pd.DataFrame({"building": ok, "seg": b.segment[ok], "tb": b.t[ok]}), on="seg")
            if len(self._pairs) > 4:  # exact scenarios snap their own stations: keep only a few
                self._pairs.clear()
            self._pairs[key] = (stations, pairs["station"].to_numpy(np.int64), pairs["building"].to_numpy(np.int64),
                                pairs["ts"].to_numpy(float), pairs["tb"].to_numpy(float))
        return self._pairs[key][1:]

    def _targets(self, net, closed, reach, stations, active):
        base, b = self.base, self.buildings
        w = base.weights[self.weight]
        m = len(b)
        ok = b.ok
        seg = np.where(ok, b.segment, 0)
        t = b.t
        f = base.seg_fwd[seg]
        r = base.seg_bwd[seg]
        # blocked stretch of each building's segment, in the segment's u → v frame
        lo = np.full(m, np.inf)  # first blocked position (from u)
        hi = np.full(m, -np.inf)  # last blocked position
        lo_e, hi_e = self._stretches(active)
        if lo_e is not None:
            lo = np.minimum(lo, lo_e[f])
            hi = np.maximum(hi, hi_e[f])
            rr = np.maximum(r, 0)
            has_r = r >= 0
            lo = np.where(has_r, np.minimum(lo, 1.0 - hi_e[rr]), lo)
            hi = np.where(has_r, np.maximum(hi, 1.0 - lo_e[rr]), hi)
        f_open = ~closed[f]
        from_u = ok & (f_open | (t < lo))
        r_open = (r >= 0) & ~closed[np.maximum(r, 0)]
        from_v = ok & (r >= 0) & (r_open | (t > hi))
        via_u = np.where(from_u, reach.node_cost[base.seg_u[seg]] + w[f] * t, np.inf)
        via_v = np.where(from_v, reach.node_cost[base.seg_v[seg]] + w[np.maximum(r, 0)] * (1.0 - t), np.inf)
        cost = np.minimum(via_u, via_v)
        use_u = via_u <= via_v
        station = np.where(use_u, reach.node_source[base.seg_u[seg]], reach.node_source[base.seg_v[seg]])
        end = np.where(use_u, "u", "v").astype(object)
        # stations on the building's own segment
        si, bi, ts, tb = self._same_segment_pairs(net, stations)
        if len(bi):
            a, z = np.minimum(ts, tb), np.maximum(ts, tb)
            clear = (z < lo[bi]) | (a > hi[bi])
            ahead = np.where((tb >= ts) & clear, w[f[bi]] * (tb - ts), np.inf)
            back_ok = (r[bi] >= 0) & (tb <= ts) & clear
            behind = np.where(back_ok, w[np.maximum(r[bi], 0)] * (ts - tb), np.inf)
            direct = np.minimum(ahead, behind) + self.extra_s[si]
            order = np.lexsort((si, direct, bi))  # per building the quickest, then the lowest station
            first = order[np.r_[True, bi[order][1:] != bi[order][:-1]]]
            bi, c, sb = bi[first], direct[first], si[first]
            better = c < cost[bi]
            cost[bi[better]] = c[better]
            station[bi[better]] = sb[better]
            end[bi[better]] = "direct"
        cut = self.placement.cut_off(active, m)
        cost[cut | ~ok] = np.inf
        unreachable = ~np.isfinite(cost)
        station = np.where(unreachable, -1, station)
        end[unreachable] = ""
        return cost, station.astype(np.int64), end


def route_edges(costs: Costs, base: CompiledNetwork, buildings: Snapped, i: int) -> tuple[list[int], np.ndarray]:
    """Node route (scenario node indices, station end first) and directed edges to building ``i``."""
    if costs.end[i] not in ("u", "v"):
        return [], np.zeros(0, dtype=np.int64)
    seg = buildings.segment[i]
    node = int(base.seg_u[seg] if costs.end[i] == "u" else base.seg_v[seg])
    pred = costs.reach.predecessors
    n = costs.network.n_nodes
    path = []
    while 0 <= node < n:
        path.append(node)
        node = int(pred[node])
    path = path[::-1]
    return path, costs.reach.route_edges(path)


def _piece(line: shapely.LineString, a: float, b: float) -> shapely.LineString | None:
    """The part of ``line`` between fractions ``a`` and ``b`` (reversed if ``b < a``)."""
    if abs(b - a) < 1e-12:
        return None
    part = ops.substring(line, min(a, b), max(a, b), normalized=True)
    if part.geom_type != "LineString" or part.is_empty:
        return None
    return part if b >= a else part.reverse()


def route_line(costs: Costs, base: CompiledNetwork, buildings: Snapped, i: int,
               edge_geometry: np.ndarray) -> tuple[shapely.LineString | None, np.ndarray]:
    """The route to building ``i`` as one line (station → building) and its directed edges."""
    if costs.end[i] == "":
        return None, np.zeros(0, dtype=np.int64)
    seg_b = buildings.segment[i]
    tb = buildings.t[i]
    line_b = base.seg_geometry[seg_b]
    s = costs.station[i]
    net, st = costs.network, costs.stations
    if costs.end[i] == "direct":
        ss = st.segment[s]
        e_fwd = net.seg_fwd[ss]
        ts = st.t[s] if base.seg_fwd[seg_b] == e_fwd else 1.0 - st.t[s]
        piece = _piece(line_b, ts, tb)
        edges = np.array([base.seg_fwd[seg_b] if tb >= ts else base.seg_bwd[seg_b]], dtype=np.int64)
        return piece, edges
    nodes, edges = route_edges(costs, base, buildings, i)
    parts = []
    # station → first node along the station's segment
    ss = st.segment[s]
    if ss >= 0 and nodes:
        first = nodes[0]
        target_t = 0.0 if net.seg_u[ss] == first else 1.0
        p = _piece(net.seg_geometry[ss], st.t[s], target_t)
        if p is not None:
            parts.append(p)
    parts += [edge_geometry[e] for e in edges if edge_geometry[e] is not None]
    p = _piece(line_b, 0.0, tb) if costs.end[i] == "u" else _piece(line_b, 1.0, tb)
    if p is not None:
        parts.append(p)
    if not parts:
        return None, edges
    coords = []
    for part in parts:
        c = list(part.coords)
        if coords and c and coords[-1] == c[0]:
            c = c[1:]
        coords += c
    return (shapely.LineString(coords) if len(coords) >= 2 else None), edges


def _walk_back(pred: np.ndarray, n: int, start: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every route's nodes, walked back from ``start`` along the predecessors, all routes at once.

    Returns (route, step, node): route ``r`` visits ``node`` at ``step`` links from its end
    (step 0 is ``start[r]``); one numpy step per link of the longest route.
    """
    routes, steps, nodes = [], [], []
    cur, alive, k = start.astype(np.int64), np.flatnonzero((start >= 0) & (start < n)), 0
    while len(alive):
        routes.append(alive)
        steps.append(np.full(len(alive), k, dtype=np.int64))
        nodes.append(cur[alive])
        nxt = pred[cur[alive]].astype(np.int64)
        keep = (nxt >= 0) & (nxt < n)
        cur[alive] = nxt
        alive, k = alive[keep], k + 1
    if not routes:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    return np.concatenate(routes), np.concatenate(steps), np.concatenate(nodes)


def route_lines(costs: Costs, base: CompiledNetwork, buildings: Snapped, idx: np.ndarray,
                edge_geometry: np.ndarray) -> dict[int, tuple[shapely.LineString | None, np.ndarray]]:
    """:func:`route_line` of many buildings at once: ``{building: (line, directed edges)}``.

    The node routes are walked back together, their edges looked up in one call and their lines
    assembled from one coordinate array, so the work per building is only its two end pieces
    (the same lines and edges as :func:`route_line`, which stays the reference).
    """
    idx = np.asarray(idx, dtype=np.int64)
    out: dict[int, tuple[shapely.LineString | None, np.ndarray]] = {}
    through = idx[np.isin(costs.end[idx], ("u", "v"))]
    for i in idx[~np.isin(costs.end[idx], ("u", "v"))].tolist():  # no route, or station on the same segment
        out[i] = route_line(costs, base, buildings, i, edge_geometry)
    if not len(through):
        return out
    seg = buildings.segment[through]
    start = np.where(costs.end[through] == "u", base.seg_u[seg], base.seg_v[seg]).astype(np.int64)
    route, step, node = _walk_back(costs.reach.predecessors, costs.network.n_nodes, start)
    order = np.lexsort((-step, route))  # each route from its station end to the building
    route, step, node = route[order], step[order], node[order]
    pair = np.flatnonzero(route[1:] == route[:-1])
    _, lookup = costs.reach.network._base[costs.reach.weight]
    edge = np.asarray(lookup[node[pair], node[pair + 1]]).ravel().astype(np.int64) - 1 if len(pair) \
        else np.zeros(0, dtype=np.int64)
    edge_route = route[pair]
    first_node = np.full(len(through), -1, dtype=np.int64)
    heads = np.flatnonzero(np.r_[True, route[1:] != route[:-1]]) if len(route) else np.zeros(0, dtype=np.int64)
    first_node[route[heads]] = node[heads]
    edges_of = np.split(edge, np.searchsorted(edge_route, np.arange(1, len(through))))
    lines = _assemble(costs, buildings, through, first_node, edge, edge_route, base.seg_geometry[seg],
                      edge_geometry)
    for r, i in enumerate(through.tolist()):
        out[i] = (lines[r], edges_of[r])
    return out


def _assemble(costs: Costs, buildings: Snapped, through: np.ndarray, first_node: np.ndarray, edge: np.ndarray,
              edge_route: np.ndarray, building_line: np.ndarray, edge_geometry: np.ndarray) -> np.ndarray:
    """The route lines: station piece, the edges' lines, building piece, joined without repeated points."""
    net, st = costs.network, costs.stations
    k = len(through)
    head = np.full(k, None, dtype=object)
    tail = np.full(k, None, dtype=object)
    pieces: dict[tuple[int, int], shapely.LineString | None] = {}  # station piece, per station and first node
    for r, i in enumerate(through.tolist()):
        s = int(costs.station[i])
        ss = int(st.segment[s])
        if ss >= 0 and first_node[r] >= 0:
            key = (s, int(first_node[r]))
            if key not in pieces:
                pieces[key] = _piece(net.seg_geometry[ss], st.t[s], 0.0 if net.seg_u[ss] == first_node[r] else 1.0)
            head[r] = pieces[key]
        tail[r] = _piece(building_line[r], 0.0 if costs.end[i] == "u" else 1.0, buildings.t[i])
    middle = edge_geometry[edge] if len(edge) else np.zeros(0, dtype=object)
    geoms = np.concatenate([head, middle, tail])
    owner = np.concatenate([np.arange(k), edge_route, np.arange(k)])
    slot = np.concatenate([np.zeros(k), np.arange(1, len(edge) + 1), np.full(k, len(edge) + 1.0)])
    present = np.array([g is not None for g in geoms], dtype=bool)
    order = np.lexsort((slot[present], owner[present]))
    geoms, owner = geoms[present][order], owner[present][order]
    coords, part = shapely.get_coordinates(geoms, return_index=True)
    who = owner[part]
    repeat = np.zeros(len(coords), dtype=bool)
    if len(coords) > 1:
        new_part = part[1:] != part[:-1]
        repeat[1:] = new_part & (who[1:] == who[:-1]) & np.all(coords[1:] == coords[:-1], axis=1)
    coords, who = coords[~repeat], who[~repeat]
    count = np.bincount(who, minlength=k)
    lines = np.full(k, None, dtype=object)
    ok = count >= 2
    if ok.any():
        sel = ok[who]
        lines[ok] = shapely.linestrings(coords[sel], indices=np.searchsorted(np.flatnonzero(ok), who[sel]))
    return lines
