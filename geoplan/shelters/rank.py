"""The build order of the proposed sites: which to build first.

New sites are ranked greedily: the site adding the most residents within the radius not already
covered by the existing and higher-ranked sites first (ties: more assigned residents, then site
id). Existing shelters have rank 0.
"""

from __future__ import annotations

import heapq
from typing import Mapping

import numpy as np
from scipy import sparse


def build_order(reach: sparse.csr_matrix, weights: np.ndarray, open_cols: np.ndarray, pre: np.ndarray,
                 assigned: Mapping[int, float], ids: np.ndarray) -> dict[int, int]:
    """Greedy build-order rank (1 = first) of the new open sites (see the module docstring).

    Lazy greedy: a site's gain only shrinks as others are built, so a stale gain is an upper
    bound and only the site on top of the heap is recomputed.
    """
    csc = reach.tocsc()
    open_cols = np.asarray(open_cols, dtype=np.int64)
    existing = open_cols[pre[open_cols]]
    covered = np.zeros(reach.shape[0], dtype=bool)
    if len(existing):
        covered = np.asarray(csc[:, existing].sum(axis=1)).ravel() > 0
    new = open_cols[~pre[open_cols]]
    if len(new) == 0:
        return {}
    gains = csc[:, new].T @ np.where(covered, 0.0, weights)
    heap = [(-float(g), -float(assigned.get(int(j), 0.0)), str(ids[j]), int(j)) for g, j in zip(gains, new)]
    heapq.heapify(heap)
    rank: dict[int, int] = {}
    while heap:
        _, neg_a, sid, j = heapq.heappop(heap)
        rows = csc.indices[csc.indptr[j]:csc.indptr[j + 1]]
        key = (-float(weights[rows][~covered[rows]].sum()), neg_a, sid)
        if heap and key > heap[0][:3]:  # the gain shrank below the next candidate's bound
            heapq.heappush(heap, (*key, j))
            continue
        rank[j] = len(rank) + 1
        covered[rows] = True
    return rank

