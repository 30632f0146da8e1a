"""Who is served by which site, and why the others are not: the residents' side of the proposal.

``reason`` per resident (``residents.csv``): ``covered``, ``no_population``, ``off_network``
(farther than the preset's ``max_snap_m`` from the walking network), ``no_candidates`` (no usable
candidate in the area), ``too_far`` (none within the radius), ``site_not_chosen`` (one is within
the radius but was not chosen: raise k) or ``capacity_exhausted`` (the open sites within the
radius are full).

Elderly: the same walking time at the elderly speed (0.9 m/s instead of 1.2 m/s, preset) reaches
``radius × 0.9 / 1.2``; a resident counts as a vulnerable resident covered when the site it is
assigned to is within that distance.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse

from geoplan.shelters import messages as say
from geoplan.shelters.cost import DECIMALS, SiteColumns, lookup, nearest_walk
from geoplan.shelters.models import SiteSolution


@dataclass(frozen=True)
class Outcome:
    """Per resident: the column it is assigned to (-1: none), the walk (m), covered, within the
    elderly distance, and the reason code; per usable site: whether it is open."""

    assign: np.ndarray
    walk: np.ndarray
    covered: np.ndarray
    within_elderly: np.ndarray
    reason: np.ndarray
    open_cols: np.ndarray
    is_open: np.ndarray


def outcome(solution: SiteSolution | None, cost: sparse.csr_matrix, reach: sparse.csr_matrix, cols: SiteColumns,
            pop: np.ndarray, snap_ok: np.ndarray, elderly_radius: float) -> Outcome:
    """Where each resident goes (from the solution) and why the uncovered are uncovered."""
    n_res = cost.shape[0]
    assign = solution.assignment.astype(np.int64) if solution is not None else np.full(n_res, -1, dtype=np.int64)
    assigned = assign >= 0
    walk = np.full(n_res, np.nan)
    walk[assigned] = lookup(cost, np.flatnonzero(assigned), assign[assigned])
    open_cols = (np.asarray(solution.selected, dtype=np.int64) if solution is not None
                 else np.flatnonzero(cols.preselected))
    is_open = np.zeros(len(cols), dtype=bool)
    is_open[open_cols] = True
    covered = assigned & (pop > 0)
    reason = reasons(assigned, np.diff(cost.indptr), reach, is_open, snap_ok, pop, has_sites=len(cols) > 0)
    return Outcome(assign=assign, walk=walk, covered=covered, within_elderly=covered & (walk <= elderly_radius),
                   reason=reason, open_cols=open_cols, is_open=is_open)


def reasons(assigned: np.ndarray, n_reach: np.ndarray, reach: sparse.csr_matrix, is_open: np.ndarray,
            snap_ok: np.ndarray, pop: np.ndarray, *, has_sites: bool) -> np.ndarray:
    """The ``reason`` code of every resident (see the module docstring)."""
    open_in_reach = (reach @ is_open.astype(float)) > 0 if has_sites else np.zeros(len(pop), dtype=bool)
    reason = np.full(len(pop), "covered", dtype=object)
    reason[~assigned & (n_reach > 0) & open_in_reach] = "capacity_exhausted"
    reason[~assigned & (n_reach > 0) & ~open_in_reach] = "site_not_chosen"
    reason[~assigned & (n_reach == 0)] = "too_far" if has_sites else "no_candidates"
    reason[~snap_ok] = "off_network"
    reason[pop <= 0] = "no_population"
    reason[assigned & (pop > 0)] = "covered"
    return reason


def residents_table(residents: gpd.GeoDataFrame, pop: np.ndarray, cost: sparse.csr_matrix, out: Outcome,
                    cols: SiteColumns, snap_distance_m: np.ndarray, crs, *, max_snap: float) -> gpd.GeoDataFrame:
    """``residents.csv``: one row per resident feature with its site, walk and reason (see result.py)."""
    ll = gpd.GeoSeries(residents.geometry.representative_point(), crs=crs).to_crs("EPSG:4326")
    assigned = out.assign >= 0
    site_of = np.where(assigned, cols.ids[np.maximum(out.assign, 0)] if len(cols) else "", None)
    table = pd.DataFrame({
        "resident_id": residents["resident_id"].astype(str).to_numpy(),
        "lon": np.round(ll.x.to_numpy(), 7),
        "lat": np.round(ll.y.to_numpy(), 7),
        "population": pop,
        "community": residents["community"].astype(object).fillna("unassigned").astype(str).to_numpy()
        if "community" in residents else "unassigned",
        "site_id": site_of,
        "walk_m": out.walk,
        "covered": out.covered,
        "within_elderly_m": out.within_elderly,
        "reason": out.reason,
        "nearest_candidate_m": nearest_walk(cost),
        "candidates_in_reach": np.diff(cost.indptr).astype(int),
        "snap_m": np.round(np.where(np.isfinite(snap_distance_m), snap_distance_m, np.nan), DECIMALS),
    })
    elderly = elderly_population(residents, pop)
    if elderly is not None:
        table["elderly_population"] = elderly
    table["reason_code"] = out.reason
    table["reason_text"] = reason_text(out.reason, max_snap=max_snap, lang="en")
    return gpd.GeoDataFrame(table, geometry=residents.geometry.to_numpy(), crs=crs)


def reason_text(codes: np.ndarray, *, max_snap: float, lang: str | None) -> np.ndarray:
    """The sentence of each resident's reason code in ``lang`` (vectorised: one rendering per code)."""
    texts = {code: say.render(say.uncovered(code, max_snap=max_snap), lang) for code in say.UNCOVERED}
    return pd.Series(codes, dtype=object).map(texts).to_numpy(dtype=object)


def elderly_population(residents: pd.DataFrame, pop: np.ndarray) -> np.ndarray | None:
    """Elderly persons per feature from the layer's ``elderly_share`` (0–1), or ``None`` without one."""
    if "elderly_share" not in residents:
        return None
    share = pd.to_numeric(residents["elderly_share"], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(share).any():
        return None
    return np.where(np.isfinite(share), pop * np.clip(share, 0, 1), np.nan)
