"""Least-walk reassignment at fixed coverage: the second stage of the capacitated MCLP.

A capacitated MCLP maximises the persons served; among its many optimal assignments the solver
returns any one, so a building may be sent past a nearer open site with room to spare. With the
open sites fixed, this stage solves the assignment once more: the same persons covered (the
coverage row held between the first stage's figure and itself, to a tolerance), each site within
its capacity, and the total walk (person-metres) as small as possible. It starts from the first
stage's assignment, which is feasible, and its result is kept only when it walks less, so the
total walk never increases and the covered population never changes.
"""

from __future__ import annotations

import numpy as np

from geoplan.shelters.models.formulation import Budget, build_assign, presolve_ok
from geoplan.shelters.models.instance import Agg, Instance
from geoplan.shelters.models.solution import Run


def least_walk(inst: Instance, agg: Agg, open_mask: np.ndarray, x_pairs: np.ndarray, *, split: bool,
               budget: Budget, run: Run) -> np.ndarray:
    """Pair values (over ``agg``'s pairs) serving the same persons as ``x_pairs`` with the least walk.

    Parameters
    ----------
    open_mask : numpy.ndarray of bool
        The open sites (preselected included); they stay exactly as they are.
    x_pairs : numpy.ndarray
        The first stage's share of each pair (0/1 for whole points).
    split : bool
        Whether a demand point may be divided between sites.

    Returns
    -------
    numpy.ndarray
        ``x_pairs`` itself when nothing walks less (or no better solution was found in time).
    """
    integral = not split
    x = np.clip(np.asarray(x_pairs, dtype=float), 0.0, 1.0)
    if integral:
        x = (x > 0.5).astype(float)
    keep = open_mask[agg.pair_j]
    x[~keep] = 0.0
    served = float(np.dot(agg.weight[agg.pair_g], x))
    if served <= 0 or not keep.any():
        return x
    sub = agg.restricted(keep)
    tol = 1e-9 * max(served, 1.0)
    milp, lay = build_assign(sub, inst, objective="distance", k_new=None, assign_all=False, floor=served - tol,
                             ceiling=served + tol, integral=integral, pre=open_mask)
    start = np.concatenate([open_mask.astype(float), x[keep]])
    res = milp.solve(time_limit=budget.remaining(), mip_rel_gap=budget.mip_rel_gap, start=start,
                     presolve=presolve_ok(sub, integral))
    run.time_s += res.solve_time_s  # the coverage stage's status, gap and size stay the reported ones
    if res.x is None:
        return x
    new = np.clip(res.x[lay.n:], 0.0, 1.0)
    if integral:
        new = (new > 0.5).astype(float)
    w = sub.weight[sub.pair_g]
    if abs(float(np.dot(w, new)) - served) > tol or np.dot(w * sub.pair_d, new) >= np.dot(w * sub.pair_d, x[keep]):
        return x
    out = np.zeros_like(x)
    out[keep] = new
    return out
