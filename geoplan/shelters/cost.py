"""Walking distances from the usable sites to every resident: the cost matrix the models solve.

One bounded search batch on the compiled walking network (:meth:`CompiledNetwork.cost_matrix`)
from all usable sites (their connector as start cost) to all residents; the resident's own
connector is added and pairs beyond the radius dropped. Walks are rounded to the centimetre,
so the radius can be re-checked exactly from the written tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse

#: Walks are rounded to this many decimals of a metre (a centimetre).
DECIMALS = 2


@dataclass(frozen=True)
class SiteColumns:
    """The usable candidates (eligible and existing), one cost-matrix column each."""

    index: np.ndarray  # position in the candidates table
    rows: np.ndarray  # row of study.sites (and of its snap)
    ids: np.ndarray
    preselected: np.ndarray
    capacities: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


def site_columns(candidates: gpd.GeoDataFrame) -> SiteColumns:
    """The candidates the models may open: eligible ones and existing shelters."""
    index = np.flatnonzero(candidates["status"].isin(["eligible", "existing"]).to_numpy())
    return SiteColumns(index=index, rows=candidates["_row"].to_numpy()[index],
                       ids=candidates["site_id"].astype(str).to_numpy()[index],
                       preselected=candidates["existing"].to_numpy(dtype=bool)[index],
                       capacities=candidates["capacity"].to_numpy(dtype=float)[index])


def walking_cost_matrix(study, site_rows: np.ndarray, *, radius: float) -> sparse.csr_matrix:
    """Walking distance (m) from every resident (row) to each site of ``site_rows`` (column).

    Stored entries are the reachable pairs within ``radius`` (a stored 0 is a walk of 0 m).
    """
    net = study.walk.compiled
    snap_r = study.snaps["residents.walk"]
    snap_s = study.snaps["sites.walk"].subset(np.asarray(site_rows, dtype=np.int64))
    n_res, n_sites = len(snap_r), len(snap_s)
    if n_sites == 0 or n_res == 0 or not snap_s.ok.any() or not snap_r.ok.any():
        return sparse.csr_matrix((n_res, n_sites))
    start = np.where(snap_s.ok & np.isfinite(snap_s.distance_m), snap_s.distance_m, 0.0)
    raw = net.cost_matrix(snap_s, snap_r, weight="length", limit=float(radius), source_cost=start).tocoo()
    conn = np.where(snap_r.ok & np.isfinite(snap_r.distance_m), snap_r.distance_m, np.inf)
    d = np.round(raw.data + conn[raw.row], DECIMALS)
    keep = np.isfinite(d) & (d <= radius)
    cost = sparse.csr_matrix((d[keep], (raw.row[keep], raw.col[keep])), shape=(n_res, n_sites))
    cost.sort_indices()
    return cost


def reach_of(cost: sparse.csr_matrix) -> sparse.csr_matrix:
    """1 where a resident has the site within the radius."""
    reach = cost.copy()
    reach.data = np.ones_like(reach.data)
    return reach


def lookup(cost: sparse.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``cost[rows[i], cols[i]]`` for stored pairs (NaN where not stored), vectorised."""
    out = np.full(len(rows), np.nan)
    if len(rows) == 0:
        return out
    coo = cost.tocoo()
    idx = pd.MultiIndex.from_arrays([coo.row, coo.col]).get_indexer(pd.MultiIndex.from_arrays([rows, cols]))
    hit = idx >= 0
    out[hit] = coo.data[idx[hit]]
    return out


def nearest_walk(cost: sparse.csr_matrix) -> np.ndarray:
    """Each resident's walk to the nearest usable candidate (NaN when none is within the radius)."""
    nearest = np.full(cost.shape[0], np.nan)
    n_reach = np.diff(cost.indptr)
    if cost.nnz:
        has = n_reach > 0
        nearest[has] = np.minimum.reduceat(cost.data, cost.indptr[:-1][has])
    return nearest
