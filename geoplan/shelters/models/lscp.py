"""Location set covering (LSCP), uncapacitated: the fewest sites covering everyone reachable.

Every demand point with a candidate within the radius must have an open site within the
radius (``sum_{j in N(g)} y_j >= 1``); the preselected sites are open anyway. ``k`` does not
apply. The capacitated LSCP is in :mod:`~geoplan.shelters.models.capacitated`.
"""

from __future__ import annotations

from geoplan.i18n import Message
from geoplan.shelters.models.formulation import Budget, build_cover
from geoplan.shelters.models.instance import Agg, Instance
from geoplan.shelters.models.mclp import cover_solution
from geoplan.shelters.models.solution import Run, SiteSolution


def solve(inst: Instance, agg: Agg, *, budget: Budget, run: Run, notes: list[Message]) -> SiteSolution:
    """The uncapacitated LSCP optimum (or the best found within the budget)."""
    milp, _ = build_cover(agg, inst, maximize=False, k_new=None)
    res = milp.solve(time_limit=budget.remaining(), mip_rel_gap=budget.mip_rel_gap)
    run.add(milp, res)
    return cover_solution(inst, agg, res, model="lscp", k_new=None, run=run, notes=notes)
