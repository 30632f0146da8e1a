"""The headline figures of a sites run (``summary.csv``: one row)."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np

from geoplan.shelters import messages as say
from geoplan.shelters.cost import SiteColumns
from geoplan.shelters.models import SiteSolution
from geoplan.shelters.outcome import Outcome
from geoplan.shelters.request import SiteRequest


def _solver_figures(solution: SiteSolution | None, req: SiteRequest) -> dict[str, Any]:
    if solution is None:
        return {"k": req.k, "optimality_gap": np.nan, "objective": np.nan, "solve_time_s": 0.0, "n_variables": 0,
                "n_constraints": 0, "n_nonzeros": 0}
    return {"k": solution.k, "optimality_gap": solution.optimality_gap, "objective": solution.objective,
            "solve_time_s": round(solution.solve_time_s, 3), "n_variables": solution.n_variables,
            "n_constraints": solution.n_constraints, "n_nonzeros": solution.n_nonzeros}


def headline(req: SiteRequest, solution: SiteSolution | None, status: str, out: Outcome, pop: np.ndarray,
             cols: SiteColumns, candidates: gpd.GeoDataFrame, proposed: gpd.GeoDataFrame, n_pairs: int,
             message: str, elderly: np.ndarray | None) -> dict[str, Any]:
    """Model, radius, status, gap, objective, solve time, model size, population covered (all, elderly
    profile), unreachable and shortfall population, counts — persons, metres, seconds."""
    total = float(pop.sum())
    cov_pop = float(pop[out.covered].sum())
    eld_pop = float(pop[out.within_elderly].sum())
    uncovered = {r: round(float(pop[out.reason == r].sum()), 3) for r in say.UNCOVERED
                 if r not in ("covered", "no_population")}
    pre = cols.preselected
    s = _solver_figures(solution, req)
    figures = {
        "kind": req.kind, "model": req.model, "capacitated": req.capacitated, "radius_m": req.radius_m,
        "k": s["k"], "status": status, "optimality_gap": s["optimality_gap"], "objective": s["objective"],
        "solve_time_s": s["solve_time_s"], "n_variables": s["n_variables"], "n_constraints": s["n_constraints"],
        "n_nonzeros": s["n_nonzeros"], "n_pairs": int(n_pairs),
        "n_demand_points": solution.n_demand_points if solution is not None else 0,
        "population": round(total, 3), "covered_population": round(cov_pop, 3),
        "covered_share": round(cov_pop / total, 6) if total > 0 else np.nan,
        "unreachable_population": round(float(pop[np.isin(out.reason, ["too_far", "no_candidates",
                                                                          "off_network"])].sum()), 3),
        "shortfall_population": round(float(solution.shortfall_weight), 3) if solution is not None else 0.0,
        **{f"uncovered_{r}": v for r, v in uncovered.items()},
        "elderly_radius_m": round(req.elderly_radius_m, 3), "elderly_covered_population": round(eld_pop, 3),
        "elderly_covered_share": round(eld_pop / total, 6) if total > 0 else np.nan,
        "existing_sites": int(pre.sum()), "proposed_sites": int((~pre[out.open_cols]).sum()) if len(cols) else 0,
        "candidates": int(len(candidates)), "eligible": int(len(cols) - pre.sum()),
        "rejected": int((candidates["status"] == "rejected").sum()),
        "total_capacity_open": int(proposed["capacity"].sum()) if len(proposed) else 0,
        "m2_per_person": req.m2_per_person, "min_site_m2": req.min_site_m2, "preset": req.preset_name,
        "message": message,
    }
    if elderly is not None:
        known = np.isfinite(elderly)
        figures["elderly_population"] = round(float(elderly[known].sum()), 3)
        figures["elderly_persons_covered"] = round(float(elderly[known & out.within_elderly].sum()), 3)
    return figures
