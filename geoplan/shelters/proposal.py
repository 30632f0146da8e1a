"""The proposal step: the location model on the walking cost matrix, and the coverage curve beside it.

Pure: given the cost matrix, the population per resident and the usable sites, it returns the
model's :class:`~geoplan.shelters.SiteSolution` (or ``None`` when no model can run), the run's
status and the sentences a planner must read.
"""

from __future__ import annotations

import warnings as _warnings

import numpy as np
import pandas as pd
from scipy import sparse

from geoplan.i18n import Message
from geoplan.shelters import messages as say
from geoplan.shelters.cost import SiteColumns
from geoplan.shelters.models import SiteSolution, coverage_curve, solve_checked
from geoplan.shelters.models.curve import coverage_curve_by_solves
from geoplan.shelters.models.instance import prepare
from geoplan.shelters.request import SiteRequest

#: Default largest k of the coverage curve (at least the k asked for).
DEFAULT_CURVE_K = 10
#: LSCP: the default curve runs up to the LSCP's number of new sites, but not beyond this.
MAX_DEFAULT_CURVE_K = 50
#: Tuning: capacitated (whole-building) curves above this many resident–site pairs are built from
#: one time-limited MCLP solve per k instead of one shared MIP.
CURVE_ONE_MODEL_MAX_PAIRS = 20_000
#: Columns of ``coverage_curve.csv``.
CURVE_COLUMNS = ["k", "covered_population", "covered_share", "marginal_population", "n_sites", "status",
                 "optimality_gap", "selected"]


def propose(cost: sparse.csr_matrix, pop: np.ndarray, cols: SiteColumns, n_candidates: int,
            req: SiteRequest) -> tuple[SiteSolution | None, str, list[Message]]:
    """Run the model: ``(solution or None, status, notes)``."""
    if len(cols) == 0:
        note = say.no_candidate_at_all() if n_candidates == 0 else say.all_rejected(n_candidates)
        return None, "no_candidates", [note]
    if float(pop.sum()) <= 0:
        return None, "no_demand", [say.no_demand()]
    inst = prepare(cost, pop, req.radius_m, cols.capacities if req.capacitated else None, cols.preselected)
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")  # the clamp of k is in the solution's notes
        solution = solve_checked(inst, model=req.model, k=req.k, split=req.split, time_limit=req.time_limit,
                                 mip_rel_gap=req.mip_rel_gap)
    return solution, solution.status, list(solution.notes)


def curve_size(req: SiteRequest, solution: SiteSolution | None, cols: SiteColumns) -> int:
    """The largest k of the curve: ``curve_k``, else ``max(k, 10)`` (LSCP: up to its own new sites, ≤ 50)."""
    if solution is None:
        return 0
    k_curve = max(req.k or 0, DEFAULT_CURVE_K) if req.curve_k is None else int(req.curve_k)
    if req.model == "lscp" and req.curve_k is None:
        k_curve = max(k_curve, min(int(len(solution.selected) - cols.preselected.sum()), MAX_DEFAULT_CURVE_K))
    return min(k_curve, int((~cols.preselected).sum()))


def curve_table(cost: sparse.csr_matrix, pop: np.ndarray, cols: SiteColumns, req: SiteRequest,
                k_max: int) -> pd.DataFrame:
    """``coverage_curve.csv``: the best k = 1 … ``k_max`` new sites (MCLP, capacities as in the run)."""
    if k_max < 1:
        return pd.DataFrame(columns=CURVE_COLUMNS)
    caps = cols.capacities if req.capacitated else None
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore")
        if req.capacitated and not req.split and cost.nnz > CURVE_ONE_MODEL_MAX_PAIRS:
            raw = coverage_curve_by_solves(cost, pop, radius=req.radius_m, k_max=k_max, capacities=caps,
                                           preselected=cols.preselected, time_limit=req.time_limit,
                                           mip_rel_gap=req.mip_rel_gap)
        else:
            raw = coverage_curve(cost, pop, radius=req.radius_m, k_max=k_max, capacities=caps,
                                 preselected=cols.preselected, time_limit=req.time_limit, split=req.split,
                                 mip_rel_gap=req.mip_rel_gap)
    return pd.DataFrame({
        "k": raw["k"].astype(int),
        "covered_population": np.round(raw["covered_weight"].astype(float), 3),
        "covered_share": np.round(raw["covered_share"].astype(float), 6),
        "marginal_population": np.round(raw["marginal_weight"].astype(float), 3),
        "n_sites": raw["n_sites"].astype(int),
        "status": raw["status"].astype(str),
        "optimality_gap": raw["optimality_gap"].astype(float),
        "selected": [";".join(cols.ids[list(s)]) for s in raw["selected"]],
    }, columns=CURVE_COLUMNS)
