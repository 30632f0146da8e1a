"""p-median: the ``k`` new sites with the least total walk (person-metres) within the radius.

Residents with no candidate within the radius cannot be served (``unreachable_weight``). When
``k`` sites cannot serve everyone reachable (too few sites, or capacity), the model first finds
how many they can serve at most (the MCLP optimum) and then minimises the distance among the
solutions serving that many; the residents left out are the ``shortfall_weight``. Capacitated
or not, the formulation is the assignment one.
"""

from __future__ import annotations

import numpy as np

from geoplan.i18n import Message, message
from geoplan.shelters.models._milp import MilpResult
from geoplan.shelters.models.formulation import Budget, build_assign, build_cover, presolve_ok
from geoplan.shelters.models.heuristics import greedy_cover_start, nearest_pairs
from geoplan.shelters.models.instance import Agg, Instance
from geoplan.shelters.models.solution import Run, SiteSolution, build_solution, no_result


def solve(inst: Instance, agg: Agg, *, k_new: int, split: bool, budget: Budget, run: Run,
          notes: list[Message]) -> SiteSolution:
    """The p-median optimum among the solutions serving the most persons ``k`` sites can serve."""
    capacitated = inst.capacities is not None
    integral = not split
    assign_all, floor, start = True, None, None
    if capacitated or k_new < inst.n_free:
        floor, start = _most_served(inst, agg, k_new=k_new, split=split, budget=budget, run=run, notes=notes)
        assign_all = floor is None
    milp, lay = build_assign(agg, inst, objective="distance", k_new=k_new, assign_all=assign_all, floor=floor,
                             integral=integral)
    res = milp.solve(time_limit=budget.remaining(), mip_rel_gap=budget.mip_rel_gap, start=start,
                     presolve=presolve_ok(agg, integral and capacitated))
    run.add(milp, res)
    if res.x is None and start is not None:
        res = MilpResult(x=start, status=res.status, objective=float("nan"), gap=float("inf"), solve_time_s=0.0)
        notes.append(message("No distance-optimised solution found in time; showing the maximal-coverage solution.",
                             code="coverage_solution_kept"))
    if res.x is None:
        notes.append(no_result(res))
        return build_solution(inst, agg, model="pmedian", k_new=k_new, open_mask=np.zeros(inst.n_cand, dtype=bool),
                              x_pairs=None, split=split, run=run, status=res.status, notes=notes)
    x_pairs = res.x[lay.n:] if capacitated else None
    return build_solution(inst, agg, model="pmedian", k_new=k_new, open_mask=res.x[: lay.n] > 0.5, x_pairs=x_pairs,
                          split=split, run=run, status=run.status, notes=notes)


def _most_served(inst: Instance, agg: Agg, *, k_new: int, split: bool, budget: Budget, run: Run,
                 notes: list[Message]) -> tuple[float | None, np.ndarray | None]:
    """Phase 1: how many persons can ``k`` sites serve at all?

    Returns the coverage floor for phase 2 (``None`` when everyone reachable can be served) and
    a start for it in the assignment layout (``None`` when phase 1 found nothing).
    """
    capacitated = inst.capacities is not None
    if capacitated:
        m1, l1 = build_assign(agg, inst, objective="cover", k_new=k_new, assign_all=False, floor=None,
                              integral=not split)
        r1 = m1.solve(time_limit=budget.remaining(), mip_rel_gap=budget.mip_rel_gap,
                      presolve=presolve_ok(agg, not split))
    else:
        m1, l1 = build_cover(agg, inst, maximize=True, k_new=k_new)
        r1 = m1.solve(time_limit=budget.remaining(), mip_rel_gap=budget.mip_rel_gap,
                      start=greedy_cover_start(agg, inst, k_new))
    run.add(m1, r1)
    if r1.x is None:
        notes.append(message("Could not determine the maximal coverage in time; trying to serve everyone reachable.",
                             code="coverage_unknown"))
        return None, None
    y1 = r1.x[: inst.n_cand] > 0.5
    if capacitated:
        x1 = r1.x[l1.n:] if split else (r1.x[l1.n:] > 0.5).astype(float)
    else:
        x1 = nearest_pairs(agg, y1 | inst.pre)
    best = float(np.dot(agg.weight[agg.pair_g], x1))
    start = np.concatenate([y1.astype(float), x1])
    reachable = float(agg.weight.sum())
    tol = 1e-9 * max(reachable, 1.0)
    if best >= reachable - tol:
        return None, start
    notes.append(_shortfall_note(k_new, best, reachable, proven=r1.status == "optimal", capacitated=capacitated))
    return best - tol, start


def _shortfall_note(k: int, best: float, reachable: float, *, proven: bool, capacitated: bool) -> Message:
    params = dict(code="pmedian_shortfall", k=k, best=best, reachable=reachable)
    if proven and capacitated:
        return message("{k} new site(s) can serve at most {best:,.0f} of {reachable:,.0f} reachable persons within "
                       "their capacity; distance is minimised among solutions serving that many.", **params)
    if proven:
        return message("{k} new site(s) can serve at most {best:,.0f} of {reachable:,.0f} reachable persons; "
                       "distance is minimised among solutions serving that many.", **params)
    if capacitated:
        return message("{k} new site(s) can serve at least {best:,.0f} of {reachable:,.0f} reachable persons within "
                       "their capacity (maximum not proven within the time limit); distance is minimised among "
                       "solutions serving that many.", **params)
    return message("{k} new site(s) can serve at least {best:,.0f} of {reachable:,.0f} reachable persons (maximum "
                   "not proven within the time limit); distance is minimised among solutions serving that many.",
                   **params)
