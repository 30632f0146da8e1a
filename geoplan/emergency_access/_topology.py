"""Array topology of an undirected network: spanning forests, bridges and subtree sums.

The critical-link and dead-end analyses ask topology questions of a drive network with hundreds
of thousands of nodes. Here they are answered on integer arrays with ``scipy.sparse.csgraph``
(connected components, breadth-first order) and numpy, with no Python work per node or edge:

* a breadth-first spanning forest, rooted by a virtual node joined to one node per component;
* depths by pointer jumping (``log2(depth)`` rounds);
* sums over subtrees, one numpy step per depth level (a breadth-first forest is shallow:
  its depth is the network's diameter in links, not its size);
* bridges by the covering count of Tarjan's and Schmidt's criterion: a tree link is a bridge
  exactly when no non-tree link's cycle runs through it; each non-tree link ``(a, b)`` adds 1 at
  ``a`` and ``b`` and takes 2 at their lowest common ancestor (binary lifting), so the subtree
  sum below a tree link counts the cycles through it.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import breadth_first_order, connected_components


def components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected-component label of every node of the undirected links ``a``–``b``."""
    adj = sparse.coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n)).tocsr()
    return connected_components(adj, directed=False)[1].astype(np.int64)


def forest(n: int, a: np.ndarray, b: np.ndarray, roots: np.ndarray | None = None) -> np.ndarray:
    """Parent of every node in a breadth-first spanning forest of the links ``a``–``b``.

    ``roots``: the nodes to grow the trees from (default: the lowest node of every component);
    a root's parent is itself, and a node no root reaches gets ``-1``.
    """
    if roots is None:
        label = components(n, a, b)
        roots = np.unique(label, return_index=True)[1]
    roots = np.asarray(roots, dtype=np.int64)
    rows = np.concatenate([a, np.full(len(roots), n, dtype=np.int64)])
    cols = np.concatenate([b, roots])
    adj = sparse.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n + 1, n + 1)).tocsr()
    _, pred = breadth_first_order(adj, n, directed=False, return_predecessors=True)
    parent = pred[:n].astype(np.int64)
    parent[parent < 0] = -1  # not reached from any root
    parent[roots] = roots
    return parent


def depths(parent: np.ndarray) -> np.ndarray:
    """Links from every node up to its root (pointer jumping); ``-1`` where ``parent`` is ``-1``."""
    reached = parent >= 0
    up = np.where(reached, parent, np.arange(len(parent)))
    depth = (up != np.arange(len(parent))).astype(np.int64)
    while True:
        nxt = up[up]
        if np.array_equal(nxt, up):
            break
        depth = depth + depth[up]
        up = nxt
    return np.where(reached, depth, -1)


def roots(parent: np.ndarray) -> np.ndarray:
    """The root of every node's tree (pointer jumping); a node no root reaches is its own."""
    up = np.where(parent >= 0, parent, np.arange(len(parent)))
    while True:
        nxt = up[up]
        if np.array_equal(nxt, up):
            return up
        up = nxt


def subtree_sums(parent: np.ndarray, depth: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Sum of ``values`` over the subtree below every node (itself included), deepest level first."""
    total = np.array(values, dtype=float, copy=True)
    order = np.argsort(depth, kind="stable")
    level = depth[order]
    bounds = np.searchsorted(level, np.arange(int(level.max(initial=0)) + 2))
    for d in range(int(level.max(initial=0)), 0, -1):
        nodes = order[bounds[d]:bounds[d + 1]]
        total += np.bincount(parent[nodes], weights=total[nodes], minlength=len(total))
    return total


def _ancestors(parent: np.ndarray, depth: np.ndarray) -> list[np.ndarray]:
    """Binary-lifting table: ``table[k][x]`` is the ``2**k``-th ancestor of ``x`` (roots stay put)."""
    up = np.where(parent >= 0, parent, np.arange(len(parent)))
    table = [up]
    for _ in range(max(1, int(depth.max(initial=0)).bit_length())):
        table.append(table[-1][table[-1]])
    return table


def lowest_common_ancestor(parent: np.ndarray, depth: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Lowest common ancestor of every pair ``(a[i], b[i])`` of nodes of the same tree."""
    table = _ancestors(parent, depth)
    u, v = np.where(depth[a] >= depth[b], a, b), np.where(depth[a] >= depth[b], b, a)
    gap = depth[u] - depth[v]
    for k, up in enumerate(table):
        step = ((gap >> k) & 1).astype(bool)
        u = np.where(step, up[u], u)
    for up in reversed(table):
        apart = up[u] != up[v]
        u, v = np.where(apart, up[u], u), np.where(apart, up[v], v)
    return np.where(u == v, u, table[0][u])


def bridges(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Which links of a simple undirected graph (no repeated pair, no loop) are bridges.

    Parameters
    ----------
    n
        Number of nodes.
    a, b
        The two ends of every link (node positions).

    Returns
    -------
    numpy.ndarray
        Boolean mask over the links.
    """
    if not len(a):
        return np.zeros(0, dtype=bool)
    parent = forest(n, a, b)
    depth = depths(parent)
    tree = (parent[b] == a) | (parent[a] == b)
    other = ~tree
    cover = np.zeros(n)
    if other.any():
        lca = lowest_common_ancestor(parent, depth, a[other], b[other])
        cover += np.bincount(a[other], minlength=n) + np.bincount(b[other], minlength=n)
        cover -= 2 * np.bincount(lca, minlength=n)
    through = subtree_sums(parent, depth, cover)
    child = np.where(parent[b] == a, b, a)
    return tree & (np.rint(through[child]) == 0)
