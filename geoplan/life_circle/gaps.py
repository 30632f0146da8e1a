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

from geoplan._threads import elementwise, map_chunks, tree_query

#: Fewest gap groups worth a thread of their own (tuning: a thread costs more than a few unions).
GROUPS_PER_THREAD = 256

COLUMNS = ["gap_id", "category", "tier_m", "population", "residents", "rank", "rank_in_category", "community",
           "nearest_m", "unreachable_residents"]


def _touching_pairs(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair ``(i, j)``, ``i < j``, of touching or overlapping geometries (one tree query)."""
    a, b = tree_query(shapely.STRtree(geoms), geoms, predicate="intersects")
    keep = a < b
    return a[keep], b[keep]


def _components(members: np.ndarray, n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Label of the connected group of each member (an index into ``n`` shapes), from the pairs."""
    pos = np.full(n, -1, dtype=np.int64)
    pos[members] = np.arange(len(members))
    both = (pos[a] >= 0) & (pos[b] >= 0)
    m = len(members)
    graph = sparse.coo_matrix((np.ones(int(both.sum()), dtype=np.int8), (pos[a[both]], pos[b[both]])), shape=(m, m))
    return connected_components(graph, directed=False)[1]


def _main_community(labels: np.ndarray, comm: np.ndarray, people: np.ndarray) -> np.ndarray:
    """Per label, the community with most people (ties: the first name in sorted order)."""
    by = pd.DataFrame({"label": labels, "comm": comm, "pop": people}).groupby(["label", "comm"], sort=True)["pop"].sum()
    by = by.reset_index().sort_values(["label", "pop"], ascending=[True, False], kind="stable")
    return by.drop_duplicates("label")["comm"].to_numpy()


def _category_gaps(cat: str, limit: float, members: np.ndarray, labels: np.ndarray, d: np.ndarray,
                   pop: np.ndarray, comm: np.ndarray, grown: np.ndarray,
                   drawn: dict[bytes, object]) -> tuple[pd.DataFrame, np.ndarray]:
    """One row and one shape per gap of a category (all groups at once; unions only where needed).

    ``drawn`` keeps the shape of every group of homes already dissolved, by its members: categories
    often share gaps (every category without a facility has the same ones).
    """
    k = int(labels.max()) + 1
    dm = d[members]
    reach = np.isfinite(dm)
    nearest = np.full(k, np.inf)
    np.minimum.at(nearest, labels[reach], dm[reach])
    first = np.full(k, np.iinfo(np.int64).max)
    np.minimum.at(first, labels, members)
    rows = pd.DataFrame({"category": cat, "tier_m": round(float(limit), 3),
                         "population": np.round(np.bincount(labels, weights=pop[members], minlength=k), 3),
                         "residents": np.bincount(labels, minlength=k).astype(int),
                         "community": _main_community(labels, comm[members], pop[members]),
                         "nearest_m": np.where(np.isfinite(nearest), nearest, np.nan),
                         "unreachable_residents": np.bincount(labels, weights=~reach, minlength=k).astype(int),
                         "_first": first})
    order = np.argsort(labels, kind="stable")
    cut = np.flatnonzero(np.diff(labels[order])) + 1
    groups = np.split(members[order], cut)
    keys = [group.tobytes() for group in groups]
    # a gap of one home is its grown shape; groups of several are dissolved
    drawn.update(_unions({key: group for key, group in zip(keys, groups) if key not in drawn and len(group) > 1},
                         grown))
    shapes = np.empty(k, dtype=object)
    for lab, (key, group) in enumerate(zip(keys, groups)):
        shapes[lab] = drawn[key] if len(group) > 1 else grown[group[0]]
    return rows, shapes


def _unions(groups: dict[bytes, np.ndarray], grown: np.ndarray) -> dict[bytes, object]:
    """The union of each group's grown shapes, on a few threads (:mod:`geoplan._threads`).

    At a million walking nodes the unions were about 25 s, one after another; they are
    independent, so they share the cores.
    """
    items = list(groups.items())
    done = map_chunks(lambda a, b: [(key, shapely.union_all(grown[group])) for key, group in items[a:b]],
                      len(items), min_per_thread=GROUPS_PER_THREAD)
    return dict(pair for part in done for pair in part)


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
    grown_all = elementwise(shapely.buffer, residents.geometry.to_numpy(), distance=join_m / 2.0, quad_segs=4)
    outs = {cat: ~(residents[f"dist_m_{cat}"].to_numpy(dtype=float) <= limits[cat]) & (pop > 0) for cat in categories}
    anyone = np.flatnonzero(np.logical_or.reduce(list(outs.values()))) if outs else np.zeros(0, dtype=np.int64)
    # one overlap graph of every home uncovered in some category; each category keeps its own pairs
    a, b = _touching_pairs(grown_all[anyone])
    a, b = anyone[a], anyone[b]
    drawn: dict[bytes, object] = {}
    for cat in categories:
        members = np.flatnonzero(outs[cat])
        if len(members) == 0:
            continue
        labels = _components(members, len(residents), a, b)
        found, shapes = _category_gaps(cat, limits[cat], members, labels,
                                       residents[f"dist_m_{cat}"].to_numpy(dtype=float), pop, comm, grown_all, drawn)
        rows.append(found)
        geoms.append(shapes)
    if not rows:
        return gpd.GeoDataFrame({c: [] for c in COLUMNS}, geometry=gpd.GeoSeries([], crs=residents.crs),
                                crs=residents.crs)
    frame = gpd.GeoDataFrame(pd.concat(rows, ignore_index=True), geometry=np.concatenate(geoms), crs=residents.crs)
    order = {c: i for i, c in enumerate(categories)}
    frame["_cat"] = frame["category"].map(order)
    frame = frame.sort_values(["population", "_cat", "_first"], ascending=[False, True, True]).reset_index(drop=True)
    frame["rank"] = np.arange(1, len(frame) + 1)
    frame["gap_id"] = [f"G{r}" for r in frame["rank"]]
    frame["rank_in_category"] = frame.groupby("category").cumcount() + 1
    return frame[COLUMNS + ["geometry"]]
