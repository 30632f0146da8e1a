"""Quick solutions: greedy starts that hand HiGHS a good incumbent at once, and clean-ups.

A greedy start is always feasible for the model it starts (same layout of columns), so a
time-limited solve never returns worse than greedy. Tuning, not planning: none of this changes
what is optimal.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from geoplan.shelters.models.instance import Agg, Instance


def greedy_cover_start(agg: Agg, inst: Instance, k_new: int) -> np.ndarray:
    """Greedy MCLP solution in the (y, z) layout, used as a HiGHS start."""
    n, G = inst.n_cand, agg.n_groups
    a = sparse.csc_array((np.ones(agg.pair_g.size), (agg.pair_g, agg.pair_j)), shape=(G, n))
    y = inst.pre.copy()
    covered = (a @ y.astype(float)) > 0
    for _ in range(k_new):
        gain = a.T @ (agg.weight * ~covered)
        gain[y] = -1.0
        j = int(np.argmax(gain))
        if gain[j] <= 0:
            break
        y[j] = True
        covered |= (a[:, [j]].toarray().ravel() > 0)
    return np.concatenate([y.astype(float), covered.astype(float)])


def greedy_capacitated_start(
    agg: Agg, inst: Instance, k_new: int | None, integral: bool, pre: np.ndarray | None = None
) -> np.ndarray:
    """Greedy capacitated-MCLP solution in the (y, x) assignment layout.

    Opens, one at a time, the site that can take the most still-unserved persons
    (``min(capacity, unserved within radius)``) and fills it nearest-first. Used
    as a HiGHS start so that large models have a sensible incumbent at once.
    """
    n, P = inst.n_cand, agg.pair_g.size
    caps = inst.capacities
    x = np.zeros(P)
    left = agg.weight.copy()  # persons of each group not yet served
    order = np.lexsort((agg.pair_d, agg.pair_j))  # pairs by site, nearest first
    starts = np.searchsorted(agg.pair_j[order], np.arange(n + 1))
    a = sparse.csc_array((np.ones(P), (agg.pair_g, agg.pair_j)), shape=(agg.n_groups, n))
    pre = inst.pre if pre is None else pre
    y = pre.copy()

    def fill(j: int) -> None:
        pairs = order[starts[j] : starts[j + 1]]
        g = agg.pair_g[pairs]
        want = left[g]
        if integral:
            want = np.where(want >= agg.weight[g] - 1e-12, want, 0.0)  # whole, unserved points only
            fits = np.cumsum(want) <= caps[j] + 1e-9
            take = np.where(fits, want, 0.0)
        else:
            cum = np.cumsum(want)
            take = np.clip(caps[j] - (cum - want), 0.0, want)
        x[pairs] = take / agg.weight[g]
        left[g] -= take

    for j in np.flatnonzero(y):
        fill(j)
    budget = int(np.sum(~pre)) if k_new is None else k_new
    for _ in range(budget):
        gain = np.minimum(caps, a.T @ left)
        gain[y] = -1.0
        j = int(np.argmax(gain))
        if gain[j] <= 0:
            break
        y[j] = True
        fill(j)
    return np.concatenate([y.astype(float), x])


def nearest_pairs(agg: Agg, open_mask: np.ndarray) -> np.ndarray:
    """Pair-level 0/1 vector assigning each group to its nearest open candidate."""
    x = np.zeros(agg.pair_g.size)
    ok = np.flatnonzero(open_mask[agg.pair_j])
    if ok.size:
        order = ok[np.lexsort((agg.pair_j[ok], agg.pair_d[ok], agg.pair_g[ok]))]
        g = agg.pair_g[order]
        first = np.ones(order.size, dtype=bool)
        first[1:] = g[1:] != g[:-1]
        x[order[first]] = 1.0
    return x


def prune_redundant(agg: Agg, inst: Instance, open_mask: np.ndarray) -> np.ndarray:
    """Close open (non-preselected) sites whose every covered group is also covered
    by another open site; coverage is unchanged. Least-covering sites go first."""
    open_mask = open_mask | inst.pre
    on = open_mask[agg.pair_j]
    count = np.bincount(agg.pair_g[on], minlength=agg.n_groups)
    order = np.argsort(agg.pair_j, kind="stable")
    starts = np.searchsorted(agg.pair_j[order], np.arange(inst.n_cand + 1))
    cand = np.flatnonzero(open_mask & ~inst.pre)
    reach = np.bincount(agg.pair_j, weights=agg.weight[agg.pair_g], minlength=inst.n_cand)
    open_mask = open_mask.copy()
    for j in cand[np.argsort(reach[cand], kind="stable")]:
        groups = agg.pair_g[order[starts[j] : starts[j + 1]]]
        if np.all(count[groups] >= 2):
            count[groups] -= 1
            open_mask[j] = False
    return open_mask

