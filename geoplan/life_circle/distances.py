"""Walking distances from every resident to the facilities of each category.

Two searches per category, both through the compiled engine (:mod:`geoplan.network.engine`),
neither a loop over facilities:

1. **Nearest facility** — one multi-source search from every facility of the category at once
   (each facility's straight connector to the street is its start cost), bounded by the
   horizon (default 20 km). A resident's distance is ``connector(resident → street) + along the
   streets + connector(street → facility)``; ``NaN`` beyond the horizon or without a path.
2. **Every facility within the tier** — :func:`geoplan.network.catchments.catchment_pairs`:
   bounded multi-source searches (``scipy.sparse.csgraph.dijkstra`` with ``min_only=True``
   and ``limit=`` the tier, run in C), each from a batch of facilities far enough apart that
   their catchments cannot overlap, keeping only the facility → resident pairs within the
   tier (COO). The number of searches follows the category's local density, not its number
   of facilities, and no array is sources × nodes. Capacity
   catchments (2SFCA) and redundancy (the second-nearest facility) need *which* facilities a
   resident reaches, not only the nearest, and this gives all of them in one vectorised call
   per category: the engine rule (bulk distance work in the CSR engine, no per-facility
   search) holds.

Distances are rounded to the centimetre before any comparison with a tier, so covered flags can
be recomputed exactly from the written tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from geoplan.i18n import message
from geoplan.i18n import Message
from geoplan.life_circle.tiers import Tiers
from geoplan.network.catchments import catchment_pairs
from geoplan.network.engine import CompiledNetwork, Reach, Snapped

#: Distances are rounded to this many decimals (cm) before comparing with a tier.
DECIMALS = 2


@dataclass(frozen=True)
class Pairs:
    """Resident–facility pairs within a tier (one row per pair, sorted by resident then distance).

    Attributes
    ----------
    resident : numpy.ndarray
        Resident row index.
    facility : numpy.ndarray
        Facility row index in the study's facilities table.
    distance_m : numpy.ndarray
        Walking distance, both connectors included, m (rounded to the cm).
    """

    resident: np.ndarray
    facility: np.ndarray
    distance_m: np.ndarray

    def __len__(self) -> int:
        return len(self.resident)


@dataclass(frozen=True)
class CategoryReach:
    """Everything the tables need about one category's facilities and the residents."""

    category: str
    facilities: np.ndarray   # facility rows used (snapped, of this category)
    distance_m: np.ndarray   # per resident, to the nearest facility (NaN: none within the horizon)
    nearest: np.ndarray      # per resident, facility row of the nearest one (-1: none)
    reach: Reach             # the nearest-facility search (service areas are drawn from it)
    within_tier: Pairs       # every facility within the tier of every resident


def facilities_of(categories: np.ndarray, snapped_ok: np.ndarray, category: str,
                  max_snap_m: float) -> tuple[np.ndarray, list[Message]]:
    """Rows of the category's facilities on the walking network, and notes on those left out."""
    idx = np.flatnonzero(categories == category)
    ok = idx[snapped_ok[idx]]
    notes = []
    if len(idx) > len(ok):
        notes.append(message("{n} {category} facilities are farther than {snap_m:g} m from the walking network "
                                  "and were left out", code="facilities_off_network", n=int(len(idx) - len(ok)),
                                  category=category, snap_m=float(max_snap_m)))
    if len(ok) == 0:
        notes.append(message("no {category} facilities on the walking network of the study area: {category} "
                                  "coverage is 0 %", code="no_facilities", category=category))
    return ok, notes


def nearest_facility(net: CompiledNetwork, facilities: Snapped, residents: Snapped, rows: np.ndarray,
                     bound_m: float) -> tuple[np.ndarray, np.ndarray, Reach]:
    """Distance (m) from each resident to the nearest facility, its row, and the search itself."""
    reach = net.search(facilities, weight="length", limit=bound_m, source_cost=facilities.distance_m, routes=False)
    cost, which = reach.to(residents)
    d = cost + residents.distance_m
    d = np.where(np.isfinite(d) & (d <= bound_m), np.round(d, DECIMALS), np.nan)
    nearest = np.full(len(d), -1, dtype=np.int64)
    hit = np.isfinite(d) & (which >= 0)
    nearest[hit] = rows[which[hit]]
    return d, nearest, reach


def within_tier(net: CompiledNetwork, facilities: Snapped, residents: Snapped, rows: np.ndarray,
                tier_m: float, *, method: str = "sparse") -> Pairs:
    """Every facility within ``tier_m`` (m, both connectors included) of every resident.

    ``method="sparse"`` (default) finds the pairs with
    :func:`geoplan.network.catchments.catchment_pairs` (bounded multi-source searches of
    far-apart facilities, pairs kept as COO); ``"windowed"`` with
    :meth:`CompiledNetwork.cost_matrix` (one search per facility on windowed sub-networks, the
    0.2 method, kept to compare against). Both give the same pairs.
    """
    if len(rows) == 0 or len(residents) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Pairs(empty, empty, np.zeros(0))
    search = catchment_pairs if method == "sparse" else CompiledNetwork.cost_matrix
    matrix = search(net, facilities, residents, weight="length", limit=tier_m,
                    source_cost=facilities.distance_m).tocoo()
    total = np.round(matrix.data + residents.distance_m[matrix.row], DECIMALS)
    keep = total <= tier_m
    r, f, d = matrix.row[keep].astype(np.int64), rows[matrix.col[keep]], total[keep]
    order = np.lexsort((f, d, r))
    return Pairs(r[order], f[order], d[order])


Progress = Callable[[str], None]


def category_reaches(study, net: CompiledNetwork, tiers: Tiers, *, horizon_m: float,
                     say: Progress) -> tuple[dict[str, CategoryReach], list[Message]]:
    """The two searches of every analysed category (see the module docstring)."""
    fac = study.facilities
    snap_f, snap_r = study.snaps["facilities.walk"], study.snaps["residents.walk"]
    cats = fac["category"].astype(object).to_numpy() if "category" in fac and len(fac) else np.zeros(0, object)
    out, notes = {}, []
    for cat in tiers.categories:
        say(message("coverage: walking distances to {category}", category=cat))
        rows, more = facilities_of(cats, snap_f.ok, cat, study.preset.max_snap_m)
        notes += more
        sources = snap_f.subset(rows)
        d, nearest, reach = nearest_facility(net, sources, snap_r, rows, tiers.search_bound_m(cat, horizon_m))
        pairs = within_tier(net, sources, snap_r, rows, tiers.limit_m[cat])
        out[cat] = CategoryReach(cat, rows, d, nearest, reach, pairs)
    return out, notes


def pairs_frame(pairs: Pairs) -> pd.DataFrame:
    """The pairs as a table (for grouping)."""
    return pd.DataFrame({"resident": pairs.resident, "facility": pairs.facility, "distance_m": pairs.distance_m})
