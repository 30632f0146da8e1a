"""Maximal covering (MCLP), uncapacitated: the ``k`` new sites covering the most persons.

Every resident with an open site within the radius counts as covered and walks to the nearest
one. The formulation is the cover one (``y_j`` sites, ``z_g`` covered demand points, a budget
row ``sum y_j <= k`` over the candidates not preselected), started from the greedy solution.
"""

from __future__ import annotations

import numpy as np

from geoplan.i18n import Message
from geoplan.shelters.models.formulation import Budget, build_cover
from geoplan.shelters.models.heuristics import greedy_cover_start, prune_redundant
from geoplan.shelters.models.instance import Agg, Instance
from geoplan.shelters.models.solution import Run, SiteSolution, build_solution, no_result


def solve(inst: Instance, agg: Agg, *, k_new: int, budget: Budget, run: Run, notes: list[Message]) -> SiteSolution:
    """The uncapacitated MCLP optimum (or the best found within the budget)."""
    milp, _ = build_cover(agg, inst, maximize=True, k_new=k_new)
    res = milp.solve(time_limit=budget.remaining(), mip_rel_gap=budget.mip_rel_gap,
                     start=greedy_cover_start(agg, inst, k_new))
    run.add(milp, res)
    return cover_solution(inst, agg, res, model="mclp", k_new=k_new, run=run, notes=notes)


def cover_solution(inst: Instance, agg: Agg, res, *, model: str, k_new: int | None, run: Run,
                   notes: list[Message]) -> SiteSolution:
    """A cover model's solve as a solution: redundant sites closed, nearest open site for everyone."""
    if res.x is None:
        notes.append(no_result(res))
        open_mask = np.zeros(inst.n_cand, dtype=bool)
    else:
        open_mask = prune_redundant(agg, inst, res.x[: inst.n_cand] > 0.5)
    return build_solution(inst, agg, model=model, k_new=k_new, open_mask=open_mask, x_pairs=None, split=False,
                          run=run, status=res.status, notes=notes)
