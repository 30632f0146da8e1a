"""Stage 1 of a very large capacitated MCLP on a few pairs, grown by pricing, with an honest bound.

On a city (hundreds of thousands of buildings × thousands of sites) the split-assignment model of
:func:`~geoplan.shelters.models.capacitated.mclp_staged` has millions of pair columns, and HiGHS
cannot even solve its LP relaxation within a minute. Yet a site only ever serves up to its
capacity, so few of its pairs matter. This stage starts each site with its nearest demand worth a
few times its capacity, solves the LP relaxation of that *restricted* model, and adds the pairs
left out whose reduced cost is positive (column generation), a few rounds. Then it chooses sites
with the split-assignment MIP on the restricted pairs (every solution of it is feasible for the
full model).

The bound is valid whatever the rounds found: for the LP duals ``π`` (assignment rows) and ``μ``
(capacity rows) of the restricted model, every pair left out has reduced cost
``d = w_g − π_g − w_g μ_j``; raising each group's ``π_g`` by the largest positive ``d`` of its
left-out pairs makes the duals feasible for the full model, so the full model's LP — hence its
MIP, hence the whole-point model's optimum — is at most ``z_restricted + Σ_g max_j max(d_gj, 0)``
(weak LP duality; a group is served once at most). Giving the left-out pairs' linking rows
``x_gj ≤ y_j`` duals instead moves their reduced cost onto their site's, which a closed site
absorbs (:func:`_site_extra`); the smaller of both bounds is kept. When no pair prices out, that
is the full LP optimum.
"""

from __future__ import annotations

import time

import numpy as np

from geoplan.shelters.models._milp import MilpResult
from geoplan.shelters.models.formulation import Budget, build_assign
from geoplan.shelters.models.heuristics import greedy_capacitated_start
from geoplan.shelters.models.instance import Agg, Instance

#: Tuning: split-assignment stages with more (merged) pairs than this are solved by pricing; below it
#: the whole split MIP solves fast enough (tiled 5 × 5 city, 96,760 pairs: 1.5–6 s) and did better
#: than pricing at a 10 s limit under load.
PRICE_MIN_PAIRS = 200_000
#: Tuning: each site starts with its nearest demand worth this many times its capacity.
START_SHARE = 1.0
#: Tuning: pairs added per pricing round (the most attractive first), and rounds at most.
ADD_PER_ROUND = 100_000
MAX_ROUNDS = 6
#: Tuning: share of the time limit the pricing rounds may use (the site MIP then runs to half of it).
PRICING_SHARE = 0.4


def priced_split_stage(inst: Instance, agg: Agg, *, k_new: int, budget: Budget,
                       until: float | None) -> tuple[object, Agg, MilpResult, np.ndarray]:
    """Sites chosen with split assignment on priced pairs of ``agg``: ``(milp, restricted, result, keep)``.

    ``result.bound`` is the valid bound described in the module notes; ``keep`` masks ``agg``'s
    pairs kept. ``until`` is the time (``time.perf_counter``) by which the site MIP must stop.
    """
    start = greedy_capacitated_start(agg, inst, k_new, integral=False)
    keep = _initial_pairs(agg, inst) | (start[inst.n_cand:] > 0)
    stop_pricing = None if until is None else time.perf_counter() + PRICING_SHARE * float(budget.time_limit)
    bound = np.inf
    for _ in range(MAX_ROUNDS):
        z, d, d_site = _restricted_lp(inst, agg, keep, k_new, _left(stop_pricing, budget))
        if z is None:
            break
        best, gain = _best_left_out(agg, keep, d)
        extra = _site_extra(inst, agg, keep, d, d_site)
        bound = min(bound, z + float(gain.sum()), z + float(extra.sum()))
        useful = gain > 1e-9
        useful[useful] = extra[agg.pair_j[best[useful]]] > 1e-9
        if not useful.any() or (stop_pricing is not None and time.perf_counter() >= stop_pricing):
            break
        keep[best[useful][np.argsort(-gain[useful], kind="stable")[:ADD_PER_ROUND]]] = True
    sub = agg.restricted(keep)
    milp, _ = build_assign(sub, inst, objective="cover", k_new=k_new, assign_all=False, floor=None, integral=False)
    res = milp.solve(time_limit=_left(until, budget), mip_rel_gap=budget.mip_rel_gap,
                     start=np.concatenate([start[:inst.n_cand], start[inst.n_cand:][keep]]))
    res.bound = bound
    return milp, sub, res, keep


def _left(until: float | None, budget: Budget) -> float | None:
    return None if until is None else max(until - time.perf_counter(), budget.floor_s)


def _site_extra(inst: Instance, agg: Agg, keep: np.ndarray, reduced: np.ndarray, d_site: np.ndarray) -> np.ndarray:
    """Per site, what its left-out pairs can add to the bound through their linking rows.

    Giving a left-out pair's row ``x_gj ≤ y_j`` its reduced cost as dual prices the pair out and
    raises the site's own reduced cost by as much; a closed site whose reduced cost is well below
    0 (opening it costs a place in the budget) absorbs that at no cost to the bound.
    """
    out = ~keep & (reduced > 0)
    lam = np.bincount(agg.pair_j[out], weights=reduced[out], minlength=inst.n_cand)
    free = np.maximum(d_site + lam, 0.0) - np.maximum(d_site, 0.0)
    return np.where(inst.pre, lam, free)


def _best_left_out(agg: Agg, keep: np.ndarray, reduced: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per group, its left-out pair of the highest reduced cost and that cost (0 if none is positive).

    A group is served once at most (``Σ_j x_gj ≤ 1``), so raising its assignment dual by that
    cost prices every left-out pair of it out, at that cost once: the bound adds it per group.
    """
    d = np.where(keep, -np.inf, reduced)
    first = np.searchsorted(agg.pair_g, np.arange(agg.n_groups))  # pairs are sorted by group
    order = np.lexsort((-d, agg.pair_g))  # per group, the best pair first
    best = order[first]
    return best, np.maximum(d[best], 0.0)


def _initial_pairs(agg: Agg, inst: Instance) -> np.ndarray:
    """Each site's nearest pairs until their persons reach ``START_SHARE`` × its capacity."""
    order = np.lexsort((agg.pair_g, agg.pair_d, agg.pair_j))
    j = agg.pair_j[order]
    w = agg.weight[agg.pair_g[order]]
    cum = np.cumsum(w)
    first = np.searchsorted(j, j)  # position of each site's first pair in ``order``
    before = cum - w - (cum[first] - w[first])  # persons of the site's nearer pairs
    keep = np.zeros(agg.pair_g.size, dtype=bool)
    keep[order] = before < START_SHARE * inst.capacities[j]
    return keep


def _restricted_lp(inst: Instance, agg: Agg, keep: np.ndarray, k_new: int,
                   time_limit: float | None) -> tuple[float | None, np.ndarray, np.ndarray]:
    """The LP relaxation on the kept pairs: its value, every pair's reduced cost (persons) and
    every site's (its ``y_j`` column's)."""
    sub = agg.restricted(keep)
    milp, _ = build_assign(sub, inst, objective="cover", k_new=k_new, assign_all=False, floor=None, integral=False)
    h = milp.highs
    n = inst.n_cand
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
    res = milp.solve(time_limit=time_limit, mip_rel_gap=0.0)
    if res.status != "optimal":
        return None, np.zeros(agg.pair_g.size), np.zeros(n)
    solution = h.getSolution()
    dual = np.asarray(solution.row_dual, dtype=float)
    pi, mu = dual[:agg.n_groups], dual[agg.n_groups:agg.n_groups + n]
    w = agg.weight[agg.pair_g]
    # HiGHS reports col_dual = c − Aᵀ row_dual; a pair's column has 1 in its group's assignment
    # row and w_g in its site's capacity row (its own linking row is not in the model: dual 0)
    reduced = w - pi[agg.pair_g] - w * mu[agg.pair_j]
    return float(res.objective), reduced, np.asarray(solution.col_dual, dtype=float)[:n]
