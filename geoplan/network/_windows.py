"""The cost matrix searched window by window: each group of nearby searches on the few streets it can reach.

Every source (a site with all its entries) and every target (a resident's spot on its street)
meets the network at a few nodes: a source *leaves* through the segment ends its entries lead
to, a target is *reached* through the ends of its segment. Within a cost ``limit`` a search
from one of them can only reach nodes within ``reach_m`` metres in a straight line of those
ends, because no street is shorter than its chord. So the searches are grouped by small square
cells, and each group runs on the sub-network of the nodes inside the box around its members'
ends, grown by ``reach_m`` — a box per group, not one global margin, so a large park with
entries far apart widens only its own group's window.

The side with fewer members is searched from: sources forward along the streets, or targets
backward along the reversed streets (the same walks, summed from the other end; the costs agree
to rounding, ~1e-12 m). The other side's members are *sink* nodes of the window, joined from
the nodes where they meet the network, so one Dijkstra row gives every pair's cost directly.

Why windows at all: :func:`scipy.sparse.csgraph.dijkstra` with many ``indices`` returns one
dense row of the whole graph per search, so a batch costs searches × graph nodes whatever the
reach. On a window a row is a few thousand nodes long; the pairs found are kept as sparse
triples, never a dense table over the whole network.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from geoplan.i18n import N_
from geoplan.network._progress import steps

if TYPE_CHECKING:  # pragma: no cover
    from geoplan.network.engine import CompiledNetwork, Snapped, _Starts

#: Zero weights would vanish from a sparse matrix built from triples; this keeps them (as the engine).
_EPS = 1e-9
#: Tuning: searches are grouped in square cells this share of the straight-line reach wide.
#: Smaller cells give tighter windows (less work per search) but more groups (more Python
#: overhead per group); measured on the tiled benchmark city at 500 m (see benchmarks/README.md).
GROUP_CELL_SHARE = 2.0
#: Tuning: members whose ends spread wider than this many cells go in groups of their own width.
_SPREAD_CELLS = 2.0
#: Grid keys pack a cell's column and row in 21 bits each (kept below 2**19 cells per side).
_MAX_CELLS = 2.0**19


@dataclass(frozen=True)
class Ways:
    """Where each member of one side meets the network, as a CSR by member.

    ``node[indptr[i]:indptr[i+1]]`` are the network nodes of member ``i`` and ``cost`` the cost
    between the member and each (from a source to the node, or from the node to a target).
    """

    indptr: np.ndarray
    node: np.ndarray
    cost: np.ndarray

    @property
    def count(self) -> np.ndarray:
        return np.diff(self.indptr)

    @classmethod
    def from_triples(cls, member: np.ndarray, node: np.ndarray, cost: np.ndarray, n_members: int) -> "Ways":
        """One way per (member, node), the cheapest where there are several."""
        if len(member) == 0:
            return cls(np.zeros(n_members + 1, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
        key = member * np.int64(int(node.max()) + 1) + node
        order = np.argsort(key)
        key = key[order]
        first = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
        cheapest = np.minimum.reduceat(cost[order], first)
        member, node = member[order[first]], node[order[first]]
        return cls(np.searchsorted(member, np.arange(n_members + 1)), node, cheapest)

    def boxes(self, net: "CompiledNetwork", members: np.ndarray) -> np.ndarray:
        """The box (xmin, ymin, xmax, ymax) around each member's nodes, network CRS."""
        at = self.indptr[members]
        x, y = net.node_x[self.node], net.node_y[self.node]
        return np.column_stack([np.minimum.reduceat(x, at), np.minimum.reduceat(y, at),
                                np.maximum.reduceat(x, at), np.maximum.reduceat(y, at)])


def source_ways(net: "CompiledNetwork", sources: "Snapped", starts: "_Starts", weight: str) -> Ways:
    """Each source's ways onto the network: along the forward edge of each entry's segment to its
    ``seg_v``, along the backward edge to its ``seg_u`` (as the engine's own search)."""
    w = net.weights[weight]
    live = starts.ok & sources.ok[starts.owner]
    seg, t, cost, owner = starts.segment[live], starts.t[live], starts.cost[live], starts.owner[live]
    fwd, bwd = net.seg_fwd[seg], net.seg_bwd[seg]
    a, b = fwd >= 0, bwd >= 0
    member = np.concatenate([owner[a], owner[b]]).astype(np.int64)
    node = np.concatenate([net.seg_v[seg[a]], net.seg_u[seg[b]]]).astype(np.int64)
    vals = np.concatenate([w[fwd[a]] * (1 - t[a]) + cost[a], w[bwd[b]] * t[b] + cost[b]])
    return Ways.from_triples(member, node, np.maximum(vals, _EPS), len(sources))


def target_ways(net: "CompiledNetwork", targets: "Snapped", weight: str) -> Ways:
    """Each target's ways in: from ``seg_u`` along the forward edge, from ``seg_v`` along the backward one."""
    tu, tv, add_u, add_v, ok = net._target_terms(targets, weight)
    a, b = np.flatnonzero(ok & np.isfinite(add_u)), np.flatnonzero(ok & np.isfinite(add_v))
    member = np.concatenate([a, b]).astype(np.int64)
    node = np.concatenate([tu[a], tv[b]]).astype(np.int64)
    return Ways.from_triples(member, node, np.concatenate([add_u[a], add_v[b]]), len(targets))


def windowed_costs(net: "CompiledNetwork", sources: "Snapped", starts: "_Starts", targets: "Snapped",
                   weight: str, limit: float, reach_m: float, max_batch_bytes: float) -> list:
    """Pairs (target, source, cost ≤ ``limit``) through the network, searched window by window.

    Costs run from a source's start (its entries, at their start cost) to a target's position on
    its segment, not including the target's own connector; pairs sharing a segment are found
    again by the caller's direct along-segment pass (the smaller of both is kept).

    Returns
    -------
    list of (target index, source index, cost) array triples
        No (target, source) pair appears twice.
    """
    out_of, into = source_ways(net, sources, starts, weight), target_ways(net, targets, weight)
    base, _ = net._base[weight]
    if search_forward(out_of, into):
        found = _search_from(net, base, out_of, into, limit, reach_m, max_batch_bytes)
        return [(to, frm, cost) for frm, to, cost in found]
    return _search_from(net, base.T.tocsr(), into, out_of, limit, reach_m, max_batch_bytes)


def search_forward(sources: Ways, targets: Ways) -> bool:
    """Search from the sources (else from the targets, backwards): whichever side has fewer
    members on the network, since each member is one search of about the same size."""
    return int(np.count_nonzero(sources.count)) <= int(np.count_nonzero(targets.count))


def _search_from(net, graph, starts: Ways, sinks: Ways, limit, reach_m, max_batch_bytes) -> list:
    """(start member, sink member, cost) of every pair within ``limit``: the starts searched in
    groups, each on its window, with the sinks as extra nodes joined from where they meet the network."""
    members = np.flatnonzero(starts.count > 0)
    if len(members) == 0 or not np.any(sinks.count > 0):
        return []
    n = net.n_nodes
    extent = _extent(net)
    groups = _groups(starts.boxes(net, members), members, max(GROUP_CELL_SHARE * reach_m, extent / _MAX_CELLS))
    nodes = _PointGrid(net.node_x, net.node_y, max(reach_m, extent / _MAX_CELLS))
    with_sinks = _join_sinks(graph, sinks, n)
    sink_at = _by_node(sinks, n)
    local = np.full(n + len(sinks.count), -1, dtype=np.int64)
    parts = []
    for chunk_members, box in steps(groups, desc=N_("cost matrix: areas searched"), total=len(groups),
                                            unit=N_("area")):
        sub = nodes.in_box(box[0] - reach_m, box[1] - reach_m, box[2] + reach_m, box[3] + reach_m)
        sink = np.unique(sink_at.members_at(sub))
        if len(sub) == 0 or len(sink) == 0:
            continue
        local[sub] = np.arange(len(sub))
        local[n + sink] = len(sub) + np.arange(len(sink))
        parts += _search_window(with_sinks, starts, local, sub, sink, chunk_members, limit, max_batch_bytes)
        local[sub] = -1
        local[n + sink] = -1
    return parts


def _search_window(with_sinks, starts: Ways, local, sub, sink, members, limit, max_batch_bytes) -> list:
    """One group's searches on its window: its nodes ``sub``, then the sinks, then one start node per search."""
    top = _rows_within(with_sinks.indptr, with_sinks.indices, with_sinks.data, local, sub)
    m, k = len(sub), len(sink)
    batch = max(1, int(max_batch_bytes // (8 * (m + k + len(members)))))
    parts = []
    for first in range(0, len(members), batch):
        chunk = members[first:first + batch]
        s = len(chunk)
        v_indptr, v_indices, v_data = _rows_within(starts.indptr, starts.node, starts.cost, local, chunk)
        indptr = np.concatenate([top[0], np.full(k, top[0][-1]), v_indptr[1:] + top[0][-1]])
        graph = sparse.csr_matrix((np.concatenate([top[2], v_data]), np.concatenate([top[1], v_indices]), indptr),
                                  shape=(m + k + s, m + k + s))
        dist = dijkstra(graph, directed=True, indices=m + k + np.arange(s), limit=limit)[:, m:m + k]
        si, ti = np.nonzero(dist <= limit)
        parts.append((chunk[si], sink[ti], dist[si, ti]))
    return parts


def _extent(net: "CompiledNetwork") -> float:
    """The network's larger side, metres (grid keys must stay below ``_MAX_CELLS`` per side)."""
    if net.n_nodes == 0:
        return 1.0
    return max(float(np.ptp(net.node_x)), float(np.ptp(net.node_y)), 1.0)


def _groups(box: np.ndarray, members: np.ndarray, cell: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """Members grouped by the cell of their box centre (and by how wide the box is), each group
    with the box around all its members' boxes."""
    cx, cy = (box[:, 0] + box[:, 2]) / 2, (box[:, 1] + box[:, 3]) / 2
    spread = np.maximum(box[:, 2] - box[:, 0], box[:, 3] - box[:, 1])
    width_class = np.floor(np.log2(np.maximum(spread / (_SPREAD_CELLS * cell), 1.0))).astype(np.int64)
    i = np.floor((cx - np.min(cx)) / cell).astype(np.int64)
    j = np.floor((cy - np.min(cy)) / cell).astype(np.int64)
    key = (width_class << 42) | (i << 21) | j
    order = np.argsort(key, kind="stable")
    members, box, key = members[order], box[order], key[order]
    at = np.concatenate([[0], np.flatnonzero(np.diff(key)) + 1])
    gbox = np.column_stack([np.minimum.reduceat(box[:, 0], at), np.minimum.reduceat(box[:, 1], at),
                            np.maximum.reduceat(box[:, 2], at), np.maximum.reduceat(box[:, 3], at)])
    return list(zip(np.split(members, at[1:]), gbox))


class _PointGrid:
    """Points bucketed in square cells by column, to fetch those inside a box quickly."""

    def __init__(self, x: np.ndarray, y: np.ndarray, size: float) -> None:
        self.x, self.y, self.size = x, y, float(size)
        self.x0 = float(np.min(x)) if len(x) else 0.0
        self.y0 = float(np.min(y)) if len(y) else 0.0
        keys = self._key(self._col(x), self._row(y))
        self.order = np.argsort(keys, kind="stable")
        self.keys = keys[self.order]

    def _col(self, x):
        return np.floor((np.asarray(x) - self.x0) / self.size).astype(np.int64)

    def _row(self, y):
        return np.floor((np.asarray(y) - self.y0) / self.size).astype(np.int64)

    @staticmethod
    def _key(i, j):
        return ((np.asarray(i) + (1 << 20)) << 21) | (np.asarray(j) + (1 << 20))

    def in_box(self, xmin: float, ymin: float, xmax: float, ymax: float) -> np.ndarray:
        """Indices of the points inside the box (edges included), ascending."""
        cols = np.arange(int(self._col(xmin)), int(self._col(xmax)) + 1)
        j0, j1 = int(self._row(ymin)), int(self._row(ymax))
        lo = np.searchsorted(self.keys, self._key(cols, j0), side="left")
        hi = np.searchsorted(self.keys, self._key(cols, j1), side="right")
        idx = np.concatenate([self.order[a:b] for a, b in zip(lo.tolist(), hi.tolist())] or [np.zeros(0, np.int64)])
        x, y = self.x[idx], self.y[idx]
        return np.sort(idx[(x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax)])


@dataclass(frozen=True)
class _ByNode:
    """The members meeting the network at each node (a CSR by node)."""

    indptr: np.ndarray
    member: np.ndarray

    def members_at(self, nodes: np.ndarray) -> np.ndarray:
        """Members (with repeats) meeting the network at any of ``nodes``."""
        return self.member[_positions(self.indptr, nodes)]


def _by_node(ways: Ways, n: int) -> _ByNode:
    member = np.repeat(np.arange(len(ways.count)), ways.count)
    order = np.argsort(ways.node, kind="stable")
    return _ByNode(np.searchsorted(ways.node[order], np.arange(n + 1)), member[order])


def _positions(indptr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Positions of the entries of ``rows`` in a CSR's ``indices``/``data``, row after row."""
    counts = indptr[rows + 1] - indptr[rows]
    total = int(counts.sum())
    return np.repeat(indptr[rows] - (np.cumsum(counts) - counts), counts) + np.arange(total)


def _join_sinks(graph: sparse.csr_matrix, sinks: Ways, n: int) -> sparse.csr_matrix:
    """``graph`` (``n`` × ``n``) widened by one column per sink member (numbered from ``n``), with
    an edge from each node where a sink meets the network to the sink, at the way's cost (an
    explicit 0 stays an edge: scipy's searches keep stored zeros)."""
    member = np.repeat(np.arange(len(sinks.count)), sinks.count)
    order = np.argsort(sinks.node, kind="stable")
    s_row, s_col, s_val = sinks.node[order], n + member[order], sinks.cost[order]
    g_count = np.diff(graph.indptr)
    s_count = np.bincount(s_row, minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(g_count + s_count, out=indptr[1:])
    # each row: its graph edges first, then its sink edges
    g_row = np.repeat(np.arange(n), g_count)
    g_pos = indptr[g_row] + (np.arange(len(g_row)) - graph.indptr[g_row])
    s_start = np.searchsorted(s_row, np.arange(n))
    s_pos = indptr[s_row] + g_count[s_row] + (np.arange(len(s_row)) - s_start[s_row])
    indices = np.empty(indptr[-1], dtype=np.int64)
    data = np.empty(indptr[-1])
    indices[g_pos], data[g_pos] = graph.indices, graph.data
    indices[s_pos], data[s_pos] = s_col, s_val
    return sparse.csr_matrix((data, indices, indptr), shape=(n, n + len(sinks.count)))


def _rows_within(indptr, indices, data, local, rows):
    """Some rows of a CSR (``indptr``, ``indices``, ``data``) keeping only the columns inside the
    window, renumbered by ``local`` (-1 outside), as CSR arrays — without scipy's fancy indexing,
    which costs the whole network's width per call."""
    counts = indptr[rows + 1] - indptr[rows]
    pos = _positions(indptr, rows)
    col = local[indices[pos]]
    keep = col >= 0
    row = np.repeat(np.arange(len(rows)), counts)[keep]
    out = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=len(rows)), out=out[1:])
    return out, col[keep], data[pos[keep]]
