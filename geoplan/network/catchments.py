"""Floating catchments: every (target, source) pair within a bound, found sparse.

Capacity catchments (2SFCA) and redundancy need *which* facilities each resident reaches within
the tier, not only the nearest one. :meth:`CompiledNetwork.cost_matrix` answers that with one
search per source, each returning a dense row over a window's nodes. Here the answer is built
from **bounded multi-source searches whose catchments cannot overlap**, so each search returns
one value per node (``scipy.sparse.csgraph.dijkstra`` with ``min_only=True`` and ``limit=``, run
in C), and only the pairs within the bound are kept, as COO arrays: memory follows the pairs
found, never sources × nodes.

Why the batches are exact: a cost of at most ``limit`` covers at most ``reach`` metres in a
straight line (an edge is never shorter than its chord), and every entry of a source lies
within ``offset`` metres of the source's snap point. Two sources farther apart than
``2 × (reach + offset)`` therefore share no node within ``limit``; in a search started from both
at once, every node within ``limit`` is reached from exactly one of them, at that source's own
cost, and the search says which (its ``sources`` output). Sources are binned in square cells
of ``(reach + offset) × 2 / K`` (``K`` = :data:`CELLS_PER_SEPARATION`) and a batch takes at most
one source per cell, from cells of one residue class modulo ``K + 1`` in both directions: two
cells of a class are at least ``K`` cells, i.e. the separation, apart. The number of searches
is the sum over the ``(K + 1)²`` classes of the most sources any cell of the class holds —
set by the local density of a category, not by its number of facilities.

A weight without a length to bound it by (no ``length`` compiled) falls back to
:meth:`CompiledNetwork.cost_matrix`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from geoplan.i18n import N_
from geoplan.network._progress import steps
from geoplan.network.engine import CompiledNetwork, Snapped, _starts

#: Tuning: cells per separation distance in the batching grid (2 → 9 residue classes of cells
#: half the separation wide; more classes of smaller cells pack sources slightly tighter).
CELLS_PER_SEPARATION = 2
#: Tuning: ratio between the catchment radii of successive size classes of sources.
RADIUS_GROWTH = 1.5


def catchment_pairs(net: CompiledNetwork, sources: Snapped, targets: Snapped, *, weight: str = "length",
                    limit: float, source_cost: np.ndarray | None = None) -> sparse.coo_matrix:
    """Costs from every source to every target within ``limit``, as a sparse COO matrix.

    The same pairs and costs as :meth:`CompiledNetwork.cost_matrix` (targets' own connectors
    not included), found by the disjoint-catchment batches of the module docstring.

    Parameters
    ----------
    net
        The compiled network (closed edges stay closed).
    sources, targets
        Snapped features; unsnapped ones have no pairs.
    weight
        Compiled edge weight (``"length"`` m for walking).
    limit
        Bound on the cost, in the weight's units.
    source_cost
        Start cost per source (its connector, m), as in :meth:`CompiledNetwork.search`.

    Returns
    -------
    scipy.sparse.coo_matrix
        Shape ``(len(targets), len(sources))``, one entry per reachable pair (a stored 0 means
        cost 0), rows then columns ascending.
    """
    starts = _starts(sources, source_cost)
    reach_m = net._reach_bound_m(weight, limit)
    if not (np.isfinite(reach_m) and reach_m > 0):
        return net.cost_matrix(sources, targets, weight=weight, limit=limit, source_cost=source_cost).tocoo()
    live = np.flatnonzero(sources.ok)
    parts = []
    if len(live):
        graph = net._augmented(starts, weight, len(sources))
        ends = net._target_terms(targets, weight)
        batches = _batches(sources, live, reach_m, _entry_offsets_m(net, sources, starts)[live])
        for batch in steps(batches, desc=N_("catchments: searches"), total=len(batches), unit=N_("search")):
            parts.append(_batch_pairs(graph, net.n_nodes, batch, ends, limit))
    direct = net._same_segment(starts, targets, weight)
    direct = direct.loc[direct["cost"] <= limit]
    parts.append((direct["target"].to_numpy(np.int64), direct["source"].to_numpy(np.int64),
                  direct["cost"].to_numpy(float)))
    return _cheapest_pairs(parts, (len(targets), len(sources)))


def _entry_offsets_m(net: CompiledNetwork, sources: Snapped, starts) -> np.ndarray:
    """Per source, the farthest any of its entries lies from its own snap point, metres."""
    out = np.zeros(len(sources))
    extra = np.flatnonzero(starts.ok & (np.arange(len(starts.owner)) >= len(sources)))
    if len(extra):
        points = shapely.line_interpolate_point(net.seg_lines.take(starts.segment[extra]), starts.t[extra],
                                                normalized=True)
        own = starts.owner[extra]
        d = np.hypot(shapely.get_x(points) - sources.x[own], shapely.get_y(points) - sources.y[own])
        np.maximum.at(out, own, np.nan_to_num(d))
    return out


def _batches(sources: Snapped, live: np.ndarray, reach_m: float, offset_m: np.ndarray) -> list[np.ndarray]:
    """Disjoint-catchment batches of the live sources, by size class of catchment.

    A source's catchment lies within ``reach + offset`` of its snap point. Sources are put in
    classes of that radius (up to ``reach``, then each class :data:`RADIUS_GROWTH` times wider) and batched within a
    class at twice the class's radius, so one large park does not spread every small
    facility's searches apart.
    """
    ratio = np.maximum((reach_m + offset_m) / reach_m, 1.0)
    level = np.ceil(np.log(ratio) / np.log(RADIUS_GROWTH) - 1e-9).astype(np.int64)
    out = []
    for lv in np.unique(level):
        mine = level == lv
        out += disjoint_batches(sources.x[live[mine]], sources.y[live[mine]], live[mine],
                                2.0 * reach_m * RADIUS_GROWTH ** lv)
    return out


def disjoint_batches(x: np.ndarray, y: np.ndarray, ids: np.ndarray, separation: float) -> list[np.ndarray]:
    """``ids`` grouped so that any two of a group lie more than ``separation`` apart (x, y in m).

    Deterministic: groups ordered by residue class then rank in cell, ids ascending in each.
    """
    if len(ids) == 0:
        return []
    k = CELLS_PER_SEPARATION
    cell = separation / k
    i = np.floor((x - np.min(x)) / cell).astype(np.int64)
    j = np.floor((y - np.min(y)) / cell).astype(np.int64)
    frame = pd.DataFrame({"id": ids, "i": i, "j": j}).sort_values("id", kind="stable")
    frame["rank"] = frame.groupby(["i", "j"], sort=False).cumcount()
    frame["cls"] = (frame["i"] % (k + 1)) * (k + 1) + frame["j"] % (k + 1)
    frame = frame.sort_values(["cls", "rank", "id"], kind="stable")
    key = frame["cls"].to_numpy() * (len(ids) + 1) + frame["rank"].to_numpy()
    cuts = np.flatnonzero(np.diff(key)) + 1
    return np.split(frame["id"].to_numpy(np.int64), cuts)


def _batch_pairs(graph: sparse.csr_matrix, n: int, batch: np.ndarray, ends: tuple,
                 limit: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(target, source, cost) of every pair within ``limit`` from one batch of far-apart sources.

    ``n`` is the number of street nodes (sources are the virtual nodes after them); ``ends``
    the targets' segment ends and offsets (:meth:`CompiledNetwork._target_terms`).
    """
    dist, _, origin = dijkstra(graph, directed=True, indices=n + batch, limit=limit, min_only=True,
                               return_predecessors=True)
    tu, tv, add_u, add_v, ok = ends
    out = []
    for node, add in ((tu, add_u), (tv, add_v)):
        cost = dist[node] + add
        hit = np.flatnonzero(ok & (cost <= limit))
        out.append((hit, origin[node[hit]] - n, cost[hit]))
    return tuple(np.concatenate(col) for col in zip(*out))


def _cheapest_pairs(parts: list, shape: tuple[int, int]) -> sparse.coo_matrix:
    """One entry per (target, source), the cheapest of the ways found, sorted."""
    r, c, v = (np.concatenate([np.asarray(p[i]) for p in parts]) if parts else np.zeros(0) for i in range(3))
    r, c = r.astype(np.int64), c.astype(np.int64)
    order = np.lexsort((v, c, r))
    r, c, v = r[order], c[order], v[order].astype(float)
    first = np.ones(len(r), dtype=bool)
    first[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])
    return sparse.coo_matrix((v[first], (r[first], c[first])), shape=shape)
