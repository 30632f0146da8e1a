"""The coverage curve: persons covered by the best k = 1 … K new sites (MCLP for each k).

A planner reads it to see where another site stops paying off. The curve never decreases: a
k that comes out below k-1 (a solve stopped by the time limit) carries k-1 forward, with status
``"carried_forward"``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geoplan.shelters.models.formulation import Layout, build_assign, build_cover, presolve_ok
from geoplan.shelters.models.heuristics import greedy_cover_start, prune_redundant
from geoplan.shelters.models.instance import Agg, Instance, aggregate, clamp_k, prepare
from geoplan.shelters.models.options import check_k_max
from geoplan.shelters.models.solution import Run, SiteSolution, build_solution

#: Columns of :func:`coverage_curve`.
CURVE_COLUMNS = ["k", "covered_weight", "covered_share", "marginal_weight", "n_sites", "selected", "status",
                 "optimality_gap"]


def coverage_curve(cost, weights, *, radius: float, k_max: int, capacities=None, preselected=None,
                   time_limit: float | None = None, split: bool = False, mip_rel_gap: float = 1e-4) -> pd.DataFrame:
    """Residents covered by the best k = 1 … k_max new sites (MCLP for each k).

    The model is built once; for each k only the site budget changes and HiGHS starts from the
    previous k's solution (still feasible), so the curve is non-decreasing.

    Parameters
    ----------
    cost, weights, radius, capacities, preselected, split, mip_rel_gap
        As for :func:`~geoplan.shelters.solve_from_cost_matrix` (metres, persons).
    k_max : int
        Largest number of new sites (clamped to the candidates left).
    time_limit : float, optional
        Seconds per k.

    Returns
    -------
    pandas.DataFrame
        Columns ``k``, ``covered_weight`` (persons), ``covered_share`` (of all persons),
        ``marginal_weight`` (persons gained over k-1; for k=1 over the preselected sites alone),
        ``n_sites`` (open sites incl. preselected), ``selected`` (tuple of columns), ``status``,
        ``optimality_gap``.
    """
    inst = prepare(cost, weights, radius, capacities, preselected)
    k_max = clamp_k(check_k_max(k_max), inst)
    total = float(inst.weights.sum())
    if total <= 0 or k_max == 0:
        return pd.DataFrame(columns=CURVE_COLUMNS)
    capacitated = inst.capacities is not None
    agg = aggregate(inst, use_costs=capacitated, whole_rows=capacitated and not split)
    if agg.n_groups == 0:
        pre = tuple(int(j) for j in np.flatnonzero(inst.pre))
        return pd.DataFrame([(k, 0.0, 0.0, 0.0, len(pre), pre, "optimal", 0.0) for k in range(1, k_max + 1)],
                            columns=CURVE_COLUMNS)
    return _one_model_curve(inst, agg, k_max=k_max, split=split and capacitated, time_limit=time_limit,
                            mip_rel_gap=mip_rel_gap)


def _one_model_curve(inst: Instance, agg: Agg, *, k_max: int, split: bool, time_limit: float | None,
                     mip_rel_gap: float) -> pd.DataFrame:
    """One MCLP whose budget row moves from k = 1 to ``k_max``, each solve started from the last."""
    capacitated = inst.capacities is not None
    presolve = presolve_ok(agg, capacitated and not split)
    if capacitated:
        milp, lay = build_assign(agg, inst, objective="cover", k_new=0, assign_all=False, floor=None,
                                 integral=not split)
    else:
        milp, lay = build_cover(agg, inst, maximize=True, k_new=0)
    prev_x, base = None, 0.0
    if inst.pre.any():  # baseline: the preselected sites alone
        res0 = milp.solve(time_limit=time_limit, mip_rel_gap=mip_rel_gap, presolve=presolve)
        prev_x = res0.x
        base = _as_solution(inst, agg, lay, res0.x, Run(), res0.status, 0, split).covered_weight
    total = float(inst.weights.sum())
    rows, prev_cov, prev_sol = [], base, None
    for k in range(1, k_max + 1):
        milp.set_row_bounds(lay.budget_row, -np.inf, k)
        start = prev_x if prev_x is not None else (None if capacitated else greedy_cover_start(agg, inst, k))
        res = milp.solve(time_limit=time_limit, mip_rel_gap=mip_rel_gap, start=start, presolve=presolve)
        run = Run()
        run.add(milp, res)
        sol, status = _as_solution(inst, agg, lay, res.x, run, res.status, k, split), res.status
        if prev_sol is not None and sol.covered_weight < prev_sol.covered_weight:
            sol, status = prev_sol, "carried_forward"
        else:
            prev_x = res.x if res.x is not None else prev_x
        rows.append(curve_row(k, sol, status, res.gap, total, prev_cov))
        prev_cov, prev_sol = sol.covered_weight, sol
    return pd.DataFrame(rows, columns=CURVE_COLUMNS)


def _as_solution(inst: Instance, agg: Agg, lay: Layout, x, run: Run, status: str, k: int, split: bool) -> SiteSolution:
    capacitated = inst.capacities is not None
    if x is None:
        mask = np.zeros(inst.n_cand, dtype=bool)
        xp = np.zeros(lay.n_pairs) if capacitated else None
    else:
        mask = x[: lay.n] > 0.5
        xp = x[lay.n:] if capacitated else None
    if not capacitated:
        mask = prune_redundant(agg, inst, mask)
    return build_solution(inst, agg, model="mclp", k_new=k, open_mask=mask, x_pairs=xp, split=split, run=run,
                          status=status, notes=[])


def curve_row(k: int, sol: SiteSolution, status: str, gap: float, total: float, before: float) -> tuple:
    """One row of the curve (see :data:`CURVE_COLUMNS`)."""
    cov = sol.covered_weight
    return (k, cov, cov / total if total > 0 else 0.0, cov - before, int(sol.selected.size),
            tuple(int(j) for j in sol.selected), status, gap)


def coverage_curve_by_solves(cost, weights, *, radius: float, k_max: int, capacities, preselected,
                             time_limit: float | None, mip_rel_gap: float) -> pd.DataFrame:
    """Capacitated coverage curve on a large instance: one time-limited MCLP solve per k.

    :func:`coverage_curve` keeps one whole-building assignment MIP and changes its budget; on
    hundreds of thousands of pairs HiGHS can overrun the time limit there. Each k here goes
    through :func:`~geoplan.shelters.solve_from_cost_matrix` (staged on large instances,
    honouring the limit); a k that comes out below k-1 carries k-1 forward.
    """
    from geoplan.shelters.models import solve_from_cost_matrix

    def solve(k: int) -> SiteSolution:
        return solve_from_cost_matrix(cost, weights, model="mclp", radius=radius, k=k, capacities=capacities,
                                      preselected=preselected, time_limit=time_limit, mip_rel_gap=mip_rel_gap,
                                      walk_less=False)  # the curve reports coverage only

    total = float(np.sum(weights))
    base = solve(0).covered_weight if np.any(preselected) else 0.0
    rows, prev = [], None
    for k in range(1, k_max + 1):
        sol = solve(k)
        status, gap = sol.status, sol.optimality_gap
        if prev is not None and sol.covered_weight < prev.covered_weight:
            sol, status = prev, "carried_forward"
        rows.append(curve_row(k, sol, status, gap, total, prev.covered_weight if prev is not None else base))
        prev = sol
    return pd.DataFrame(rows, columns=CURVE_COLUMNS)
