"""Capacitated MCLP and LSCP: each demand point goes to at most one open site within the radius,
and no site takes more persons than it holds.

Demand points are assigned whole (``split=False``: a building's residents go together) or, with
``split=True``, divided between sites. The formulation is the assignment one (see
:mod:`~geoplan.shelters.models.formulation`), started from a greedy fill.

Large instances: a whole-point capacitated MCLP above :data:`DIRECT_MAX_PAIRS` pairs is solved in
two stages — sites chosen with split assignment (whose optimum bounds the whole-point one), then
whole points assigned to those sites — and the gap is reported against that bound. Stage 1 merges
points reaching the same sites (split assignment does not tell them apart) and, above
:data:`~geoplan.shelters.models.pricing.PRICE_MIN_PAIRS` pairs, runs on priced pairs
(:mod:`~geoplan.shelters.models.pricing`).
"""

from __future__ import annotations

import time

import numpy as np

from geoplan.i18n import Message, message
from geoplan.shelters.models import pricing
from geoplan.shelters.models._milp import MilpResult
from geoplan.shelters.models.formulation import Budget, build_assign, presolve_ok
from geoplan.shelters.models.heuristics import greedy_capacitated_start
from geoplan.shelters.models.instance import Agg, Instance, aggregate
from geoplan.shelters.models.reassign import least_walk
from geoplan.shelters.models.solution import Run, SiteSolution, build_solution, no_result

# Tuning: capacitated MCLP with whole-point assignment above this many pairs is solved in
# stages (split sites, then whole-point assignment); below it, as one MIP.
DIRECT_MAX_PAIRS = 20_000
# Tuning: share of the time limit kept, in stages, for the least-walk reassignment at the end.
WALK_SHARE = 0.15


def capacity_note(inst: Instance, agg: Agg) -> Message | None:
    """Say so when all candidates together hold fewer persons than can reach one."""
    reachable = float(agg.weight.sum())
    total_cap = float(inst.capacities[np.unique(agg.pair_j)].sum())
    if total_cap + 1e-9 * max(reachable, 1.0) >= reachable:
        return None
    return message("Demand beyond capacity: {reachable:,.0f} reachable persons but all candidates together hold "
                   "{capacity:,.0f} (at least {short:,.0f} cannot be served).", code="demand_beyond_capacity",
                   reachable=reachable, capacity=total_cap, short=reachable - total_cap)


def assignment_solution(inst: Instance, agg: Agg, res: MilpResult, n_pairs: int, *, model: str,
                        k_new: int | None, split: bool, run: Run, status: str, notes: list[Message],
                        budget: Budget | None = None) -> SiteSolution:
    """An assignment model's solve as a solution (only the preselected sites when none was found).

    With a ``budget``, the assignment is then shortened at fixed sites and coverage
    (:func:`~geoplan.shelters.models.reassign.least_walk`).
    """
    if res.x is None:
        notes.append(no_result(res))
        return build_solution(inst, agg, model=model, k_new=k_new, open_mask=np.zeros(inst.n_cand, dtype=bool),
                              x_pairs=np.zeros(n_pairs), split=split, run=run, status=res.status, notes=notes)
    open_mask = (res.x[: inst.n_cand] > 0.5) | inst.pre
    x = res.x[inst.n_cand:]
    if budget is not None:
        x = least_walk(inst, agg, open_mask, x, split=split, budget=budget, run=run)
    return build_solution(inst, agg, model=model, k_new=k_new, open_mask=open_mask, x_pairs=x, split=split,
                          run=run, status=status, notes=notes)


def mclp(inst: Instance, agg: Agg, *, k_new: int, split: bool, budget: Budget, run: Run,
         notes: list[Message], walk_less: bool = True) -> SiteSolution:
    """Capacitated MCLP: the ``k`` new sites serving the most persons within capacity.

    ``walk_less``: then, at that coverage and with those sites, the assignment with the least
    total walk (:func:`~geoplan.shelters.models.reassign.least_walk`).
    """
    integral = not split
    if integral and agg.pair_g.size > DIRECT_MAX_PAIRS:
        return mclp_staged(inst, agg, k_new=k_new, budget=budget, run=run, notes=notes, walk_less=walk_less)
    milp, lay = build_assign(agg, inst, objective="cover", k_new=k_new, assign_all=False, floor=None,
                             integral=integral)
    res = milp.solve(time_limit=budget.remaining(), mip_rel_gap=budget.mip_rel_gap,
                     start=greedy_capacitated_start(agg, inst, k_new, integral), presolve=presolve_ok(agg, integral))
    run.add(milp, res)
    return assignment_solution(inst, agg, res, lay.n_pairs, model="mclp", k_new=k_new, split=split, run=run,
                               status=res.status, notes=notes, budget=budget if walk_less else None)


def mclp_staged(inst: Instance, agg: Agg, *, k_new: int, budget: Budget, run: Run,
                notes: list[Message], walk_less: bool = True) -> SiteSolution:
    """Capacitated whole-point MCLP on a large instance, in two stages (see the module docstring).

    The reported gap is measured against the split-assignment bound, so it is honest.
    """
    half = None if budget.deadline is None else max(0.5 * float(budget.time_limit), budget.floor_s)
    # split assignment only asks who can reach which sites: points with the same sites are one group
    agg1 = aggregate(inst, use_costs=False)
    m1, r1 = _choose_sites_split(inst, agg1, k_new=k_new, budget=budget, half=half)
    run.add(m1, r1)
    if r1.x is None:
        return assignment_solution(inst, agg, r1, agg.pair_g.size, model="mclp", k_new=k_new, split=False,
                                   run=run, status=r1.status, notes=notes)
    bound = _staged_bound(inst, agg, r1, k_new)
    y = (r1.x[: inst.n_cand] > 0.5) | inst.pre
    keep = y[agg.pair_j]
    sub = agg.restricted(keep)
    m2, l2 = build_assign(sub, inst, objective="cover", k_new=None, assign_all=False, floor=None, integral=True, pre=y)
    start2 = greedy_capacitated_start(sub, inst, 0, True, pre=y)
    r2 = m2.solve(time_limit=_before_walk(budget, walk_less), mip_rel_gap=budget.mip_rel_gap, start=start2,
                  presolve=presolve_ok(sub, True))
    status = "time_limit" if "time_limit" in (r1.status, r2.status) else r2.status
    run.add(m2, r2)
    if r2.x is None:  # keep the greedy whole-point assignment to the chosen sites
        objective = float(np.dot(sub.weight[sub.pair_g], start2[l2.n:]))
        r2 = MilpResult(x=start2, status=r2.status, objective=objective, gap=float("inf"), solve_time_s=0.0)
        notes.append(message("No whole-point assignment improved on the greedy one in time.", code="greedy_kept"))
    x = np.zeros(keep.size)
    x[keep] = r2.x[l2.n:]
    run.gap = max(0.0, (bound - r2.objective) / max(abs(bound), 1e-9))
    run.n_variables, run.n_constraints, run.n_nonzeros = m1.n_cols, m1.n_rows, m1.n_nonzeros  # the bound's model
    if run.gap <= budget.mip_rel_gap:
        status = "optimal"
    elif status != "time_limit":
        status = "feasible"  # a good whole-point solution, within the reported gap but not proven optimal
    if walk_less:
        x = least_walk(inst, agg, y, x, split=False, budget=budget, run=run)
    notes.append(message("Large instance ({pairs:,} pairs): sites chosen with split assignment, then whole points "
                         "assigned to them; gap measured against the split-assignment bound ({bound:,.0f} persons).",
                         code="staged", pairs=int(agg.pair_g.size), bound=bound))
    return build_solution(inst, agg, model="mclp", k_new=k_new, open_mask=y, x_pairs=x, split=False, run=run,
                          status=status, notes=notes)


def _before_walk(budget: Budget, walk_less: bool) -> float | None:
    """Seconds for the whole-point stage, keeping :data:`WALK_SHARE` of the limit for the least-walk stage."""
    left = budget.remaining()
    if left is None or not walk_less:
        return left
    return max(left - WALK_SHARE * float(budget.time_limit), budget.floor_s)


def _choose_sites_split(inst: Instance, agg1: Agg, *, k_new: int, budget: Budget, half: float | None):
    """Stage 1: the sites of the split-assignment MCLP, as ``(milp, result)``; above
    :data:`~geoplan.shelters.models.pricing.PRICE_MIN_PAIRS` pairs on priced pairs (with its bound)."""
    if agg1.pair_g.size > pricing.PRICE_MIN_PAIRS:
        until = None if half is None else time.perf_counter() + half
        milp, _, res, _ = pricing.priced_split_stage(inst, agg1, k_new=k_new, budget=budget, until=until)
        return milp, res
    milp, _ = build_assign(agg1, inst, objective="cover", k_new=k_new, assign_all=False, floor=None, integral=False)
    res = milp.solve(time_limit=half, mip_rel_gap=budget.mip_rel_gap,
                     start=greedy_capacitated_start(agg1, inst, k_new, integral=False))
    return milp, res


def _staged_bound(inst: Instance, agg: Agg, r1: MilpResult, k_new: int) -> float:
    """A valid upper bound on the persons served: the split optimum's bound, everyone reachable,
    and the capacity of the preselected sites plus the ``k`` largest others."""
    bound = r1.bound if np.isfinite(r1.bound) else float("inf")
    free_caps = np.sort(inst.capacities[~inst.pre])[::-1]
    cap_bound = float(inst.capacities[inst.pre].sum() + free_caps[:k_new].sum())
    return min(bound, float(agg.weight.sum()), cap_bound)


def lscp(inst: Instance, agg: Agg, *, split: bool, budget: Budget, run: Run, notes: list[Message],
         walk_less: bool = True) -> SiteSolution:
    """Capacitated LSCP: the fewest sites serving everyone reachable within capacity.

    When that is impossible, status ``"infeasible"``: the shortfall is reported and the proposal
    is the fewest sites serving the most persons possible. ``walk_less``: then the assignment with
    the least total walk to those sites, at the same coverage.
    """
    walk = budget if walk_less else None
    integral = not split
    res, lay = None, None
    if capacity_note(inst, agg) is None:
        milp, lay = build_assign(agg, inst, objective="sites", k_new=None, assign_all=True, floor=None,
                                 integral=integral)
        res = milp.solve(time_limit=budget.remaining(), mip_rel_gap=budget.mip_rel_gap,
                         presolve=presolve_ok(agg, integral))
        run.add(milp, res)
    if res is not None and res.status != "infeasible":
        return assignment_solution(inst, agg, res, lay.n_pairs, model="lscp", k_new=None, split=split, run=run,
                                   status=run.status, notes=notes, budget=walk)
    return _lscp_most_served(inst, agg, split=split, budget=budget, run=run, notes=notes, walk=walk)


def _lscp_most_served(inst: Instance, agg: Agg, *, split: bool, budget: Budget, run: Run,
                      notes: list[Message], walk: Budget | None) -> SiteSolution:
    """Infeasible capacitated LSCP: the most persons all candidates can serve, then the fewest sites doing so."""
    integral = not split
    reachable = float(agg.weight.sum())
    tol = 1e-9 * max(reachable, 1.0)
    m1, l1 = build_assign(agg, inst, objective="cover", k_new=None, assign_all=False, floor=None, integral=integral,
                          pre=np.ones(inst.n_cand, dtype=bool))
    r1 = m1.solve(time_limit=budget.remaining(), mip_rel_gap=budget.mip_rel_gap, presolve=presolve_ok(agg, integral))
    run.add(m1, r1)
    if r1.x is None:
        notes.append(no_result(r1, during="coverage"))
        return build_solution(inst, agg, model="lscp", k_new=None, open_mask=np.zeros(inst.n_cand, dtype=bool),
                              x_pairs=np.zeros(l1.n_pairs), split=split, run=run, status=r1.status, notes=notes)
    served = r1.x[l1.n:] > 0.5 if integral else r1.x[l1.n:]
    best = float(np.dot(agg.weight[agg.pair_g], served))
    notes.append(message("Infeasible: not everyone reachable can be served within capacity — shortfall {short:,.0f} "
                         "of {reachable:,.0f} persons. Shown: the fewest sites serving the most persons possible "
                         "({best:,.0f}).", code="lscp_infeasible", short=reachable - best, reachable=reachable,
                         best=best))
    milp, lay = build_assign(agg, inst, objective="sites", k_new=None, assign_all=False, floor=best - tol,
                             integral=integral)
    start = r1.x.copy()
    res = milp.solve(time_limit=budget.remaining(), mip_rel_gap=budget.mip_rel_gap, start=start,
                     presolve=presolve_ok(agg, integral))
    run.add(milp, res)
    if res.x is None:  # the phase-1 solution is a valid (if wasteful) proposal
        res = MilpResult(x=start, status=res.status, objective=float("nan"), gap=float("inf"), solve_time_s=0.0)
    return assignment_solution(inst, agg, res, lay.n_pairs, model="lscp", k_new=None, split=split, run=run,
                               status="infeasible", notes=notes, budget=walk)
