"""Coverage gaps: uncovered residents grouped into areas a planner can point at.

For each category, the residents (with people) whose nearest facility is farther than the
tier, or unreachable, are grouped: each resident's footprint (or point) is grown by half of
``join_m`` and the grown shapes that touch form one gap area (connected components of the
overlap graph — no clustering parameters besides the distance, no randomness). The area drawn
is the union of the grown shapes, so it hugs the homes affected rather than a convex blob.
Gap areas are ranked by the population affected, largest first, across all categories
(``rank``) and within their category (``rank_in_category``).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse.csgraph import connected_components

COLUMNS = ["gap_id", "category", "tier_m", "population", "residents", "rank", "rank_in_category", "community",
           "nearest_m", "unreachable_residents"]


def _components(geoms: np.ndarray) -> np.ndarray:
    """Label of the connected group of each geometry (touching or overlapping shapes)."""
    n = len(geoms)
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="intersects")
    graph = sparse.coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels


def gap_areas(residents: gpd.GeoDataFrame, categories: Sequence[str], limits: Mapping[str, float], *,
              join_m: float = 100.0) -> gpd.GeoDataFrame:
    """Gap areas of every category.

    Parameters
    ----------
    residents : geopandas.GeoDataFrame
        The coverage residents table (``population``, ``community``, ``dist_m_<category>``) with
        footprints, in a metric CRS.
    categories, limits
        Categories and their thresholds (m).
    join_m : float
        Uncovered residents closer than this (m) are one gap area.

    Returns
    -------
    geopandas.GeoDataFrame
        ``gap_id, category, tier_m, population, residents, rank, rank_in_category, community,
        nearest_m, unreachable_residents`` + polygon. ``community`` is the community with most of
        the gap's people; ``nearest_m`` the shortest walk to that service from inside the gap
        (empty when nobody in it can reach one).
    """
    rows, geoms = [], []
    pop = residents["population"].to_numpy(dtype=float)
    comm = residents["community"].astype(str).to_numpy()
    grown_all = shapely.buffer(residents.geometry.to_numpy(), join_m / 2.0, quad_segs=4)
    for cat in categories:
        d = residents[f"dist_m_{cat}"].to_numpy(dtype=float)
        out = ~(d <= limits[cat]) & (pop > 0)
        idx = np.flatnonzero(out)
        if len(idx) == 0:
            continue
        grown = grown_all[idx]
        labels = _components(grown)
        for lab in np.unique(labels):
            members = idx[labels == lab]
            people = pop[members]
            by_comm = pd.Series(people).groupby(comm[members]).sum().sort_index()
            reach = d[members][np.isfinite(d[members])]
            rows.append({"category": cat, "tier_m": round(float(limits[cat]), 3),
                         "population": round(float(people.sum()), 3), "residents": int(len(members)),
                         "community": str(by_comm.idxmax()),
                         "nearest_m": float(reach.min()) if len(reach) else np.nan,
                         "unreachable_residents": int((~np.isfinite(d[members])).sum()),
                         "_first": int(members.min())})
            geoms.append(shapely.union_all(grown[labels == lab]))
    if not rows:
        return gpd.GeoDataFrame({c: [] for c in COLUMNS}, geometry=gpd.GeoSeries([], crs=residents.crs),
                                crs=residents.crs)
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs=residents.crs)
    order = {c: i for i, c in enumerate(categories)}
    frame["_cat"] = frame["category"].map(order)
    frame = frame.sort_values(["population", "_cat", "_first"], ascending=[False, True, True]).reset_index(drop=True)
    frame["rank"] = np.arange(1, len(frame) + 1)
    frame["gap_id"] = [f"G{r}" for r in frame["rank"]]
    frame["rank_in_category"] = frame.groupby("category").cumcount() + 1
    return frame[COLUMNS + ["geometry"]]
